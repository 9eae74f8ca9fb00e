#pragma once

#include "deliverypolicy.h"
#include "notification.h"
#include "popupthrottle.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QTimer>

class QSystemTrayIcon;

namespace traybeat {

// The platform's pop-ups, for people who prefer them (PopupSettings::useNativePopups): sends
// org.freedesktop.Notifications over the session bus when a notification daemon is there, and
// otherwise falls back to QSystemTrayIcon::showMessage. (Under an XEmbed tray host Qt draws its
// own balloon for showMessage instead of asking the daemon, so we ask it ourselves.) Bursts fold
// into one summary notification that is replaced in place as its count grows.
class NativeNotifier final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(NativeNotifier)
public:
    // `fallback` (may be null) shows what the daemon cannot; it must outlive this object or
    // be destroyed with it.
    explicit NativeNotifier(QSystemTrayIcon *fallback, QObject *parent = nullptr);
    ~NativeNotifier() override;

    void setPolicy(const DeliveryPolicy &policy) { m_policy = policy; }

    void present(const NotificationList &notifications);

signals:
    void historyRequested(const QString &subscription, const QString &id);
    void urlRequested(const QUrl &url);

private slots:
    // Qt DBus delivers bus signals only to slots named by signature (no member-pointer form).
    void onActionInvoked(uint notificationId, const QString &actionKey);
    void onNotificationClosed(uint notificationId, uint reason);

private:
    // What a click on a sent notification opens.
    struct Target
    {
        QString subscription;
        QString id; // empty: just the history (a summary)
        QUrl url;
    };

    void sendSummary();
    void notify(const QString &summary, const QString &body, int priority, const Target &target,
                bool isSummary);
    void showFallback(const QString &summary, const QString &body, int priority,
                      const Target &target);
    void open(const Target &target);
    void resetSummary();

    DeliveryPolicy m_policy;
    PopupThrottle m_throttle;
    QElapsedTimer m_clock;
    QPointer<QSystemTrayIcon> m_fallback;
    Target m_fallbackTarget;    // what the last fallback balloon opens when clicked
    QHash<uint, Target> m_sent; // daemon's id → what a click opens; bounded
    uint m_summaryId = 0;       // the daemon's id of the summary shown, replaced in place
    bool m_summaryInFlight = false;
    bool m_summaryDirty = false; // the count changed while a summary call was in flight
    int m_folded = 0;
    int m_foldedTopPriority = 0;
    QStringList m_foldedFrom;
    QTimer m_summaryReset; // a daemon that never says "closed" must not keep one summary forever
};

} // namespace traybeat
