#pragma once

#include "actionrunner.h"
#include "appsettings.h"
#include "deliverypolicy.h"
#include "logindwatcher.h"
#include "mediafetcher.h"
#include "nativenotifier.h"
#include "notificationstore.h"
#include "outagemonitor.h"
#include "popupstack.h"
#include "secretstore.h"
#include "systemwatcher.h"
#include "traycontroller.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <memory>
#include <vector>

namespace traybeat {

class Demo;
class HistoryWindow;
class SettingsDialog;
class Subscription;

struct TrayOptions
{
    bool demo = false;
    QString stateDirectory; // where notifications.db lives
};

// The tray app, wired together: one Subscription per configured subscription (re-created live
// when the settings change), the store they fill, the tray icon and its menu, pop-ups (own or
// the platform's) gated by do-not-disturb and quiet hours, the history window and the settings
// dialog. Without a system tray the history window is the main window.
class TrayApp final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrayApp)
public:
    explicit TrayApp(const TrayOptions &options, QObject *parent = nullptr);
    ~TrayApp() override;

    // Opens the store, starts the demo server (with --demo), the subscriptions and the tray.
    // False + a one-line reason on failure.
    bool start(QString *errorMessage);

    // The settings the app follows live (the settings dialog writes through it; so can tests).
    AppSettings *settings() { return &m_settings; }
    const TrayController *trayController() const { return &m_tray; }
    TrayController *trayController() { return &m_tray; }

public slots:
    // Brings the history window forward (a second launch, a click on the tray icon).
    void activate();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    struct Entry
    {
        SubscriptionConfig config;
        std::unique_ptr<Subscription> subscription;
        std::unique_ptr<OutageMonitor> outage; // after the subscription: destroyed first
    };

    void syncSubscriptions();
    QList<SubscriptionConfig> wantedSubscriptions() const;
    void onNotificationsArrived(const NotificationList &fresh);
    void onSubscriptionStateChanged();
    void watchOutages(Entry *entry);
    OutageMonitor::Config outageConfig() const;
    static QString recoveryText(const QString &name, int missed);
    void tell(const QString &subscription, const QString &title, const QString &body, int priority);
    void applySettings();
    void logPopupDelivery();
    void applyAutostartDefault();
    void refreshStatuses();
    void refreshUnread();
    void showHistory(const QString &subscription, const QString &id);
    HistoryWindow *history(); // made on first use
    void showSettings();
    void setDoNotDisturb(bool enabled);
    void reconnectAll();
    void reconnectOne(const QString &name);
    void applyQuietHours();
    void openUrl(const QUrl &url);
    void markRead(const QString &subscription, const QString &id);
    void addLocalSample(const Notification &notification);
    void enterWindowMode();
    void openMediaCache();
    void removeOrphanedMedia();

    TrayOptions m_options;
    SecretStore m_secretStore; // before m_settings, which uses it
    AppSettings m_settings;
    NotificationStore m_store;
    ActionRunner m_actionRunner;   // http actions of pop-ups, the history and native notifications
    MediaFetcher m_media;          // attachment images and icons, cached in the state folder
    SystemWatcher m_systemWatcher; // wake-up and network-back: reconnect without waiting
    std::unique_ptr<LogindWatcher> m_logind; // wake-up as logind says it (made by start())
    std::unique_ptr<Demo> m_demo;
    std::vector<Entry> m_entries; // after the store: destroyed first
    TrayController m_tray;
    PopupStack m_popups;
    NativeNotifier m_native;
    std::unique_ptr<HistoryWindow> m_history; // null until first shown
    QStringList m_subscriptionNames;          // for the history's filter
    QPointer<SettingsDialog> m_settingsDialog;

    DeliveryPolicy m_policy;
    PopupSettings m_popupSettings;
    QHash<QString, int> m_unread;
    QTimer m_quietHoursTimer;  // fires once when quiet hours begin or end
    QTimer m_unreadTimer;      // coalesces store changes: a burst asks for counts once
    QTimer m_mediaSweepTimer;  // after store changes: the pictures of deleted messages go
    bool m_deliveryLogged = false;
    bool m_windowMode = false; // no system tray: the history window is the main window
    bool m_started = false;
    bool m_connectsDirectly = false; // the proxy setting the links were opened with
};

} // namespace traybeat
