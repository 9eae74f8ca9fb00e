#pragma once

#include "subscriptionconfig.h"

#include <QList>
#include <QObject>
#include <QTime>
#include <chrono>
#include <memory>

class QSettings;

namespace traybeat {

enum class PopupCorner { TopRight, TopLeft, BottomRight, BottomLeft };

struct PopupSettings
{
    PopupCorner corner = PopupCorner::TopRight;
    // How long a default-priority pop-up stays; higher priorities stay longer, urgent until closed.
    std::chrono::milliseconds duration = std::chrono::seconds(6);
    bool useNativePopups = false; // QSystemTrayIcon::showMessage instead of our own widgets
};

struct QuietHours
{
    bool enabled = false;
    QTime from{22, 0};
    QTime to{7, 0}; // may be earlier than `from`: the span crosses midnight
    bool urgentBreaksThrough = true;
};

// The tray app's persistent settings (QSettings): subscriptions, pop-up behaviour, do not
// disturb, quiet hours. Widgets read and write it; subscribers to `changed` apply changes live.
class AppSettings final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AppSettings)
public:
    // `settings` null: the user's default QSettings (organisation "traybeat", app "traybeat").
    explicit AppSettings(QSettings *settings = nullptr, QObject *parent = nullptr);
    ~AppSettings() override;

    QList<SubscriptionConfig> subscriptions() const;
    void setSubscriptions(const QList<SubscriptionConfig> &subscriptions);

    PopupSettings popups() const;
    void setPopups(const PopupSettings &popups);

    bool doNotDisturb() const;
    void setDoNotDisturb(bool enabled);

    QuietHours quietHours() const;
    void setQuietHours(const QuietHours &quietHours);

signals:
    void subscriptionsChanged();
    void changed(); // anything else (pop-ups, do not disturb, quiet hours)

private:
    std::unique_ptr<QSettings> m_ownedSettings;
    QSettings *m_settings;
};

} // namespace traybeat
