#pragma once

#include "actionrunner.h"
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

class NotificationStore;

// The platform's pop-ups, for people who prefer them (PopupSettings::useNativePopups): sends
// org.freedesktop.Notifications over the session bus when a notification daemon is there, and
// otherwise falls back to QSystemTrayIcon::showMessage. (Under an XEmbed tray host Qt draws its
// own balloon for showMessage instead of asking the daemon, so we ask it ourselves.) Bursts fold
// into one summary notification that is replaced in place as its count grows. A message's actions
// become the daemon's action buttons when it has them ("actions" capability): view, copy and http
// run as on our own pop-ups (http through the ActionRunner, its outcome in a short notification);
// broadcast is left out.
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
    // Runs http actions; null: they are not offered. Must outlive this object or be reset.
    void setActionRunner(ActionRunner *runner);
    // The daemon said it shows action buttons (asked once, when this object is made).
    bool daemonHasActions() const { return m_daemonHasActions; }
    // Sent notifications whose clicks and buttons are still answered.
    int trackedCount() const { return int(m_sent.size()); }

    void present(const NotificationList &notifications);
    // Closes (CloseNotification) the daemon's notifications of messages that are read now — in
    // the history, by "Mark All Read", on a pop-up — so a read message does not stay on screen.
    void closeRead(const NotificationStore &store);

signals:
    void historyRequested(const QString &subscription, const QString &id);
    void urlRequested(const QUrl &url);
    // An action marked `clear` succeeded.
    void readRequested(const QString &subscription, const QString &id);
    // The daemon answered GetCapabilities.
    void capabilitiesKnown();

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
        QList<NotificationAction> actions;
        bool closeWhenRead = false; // the message itself (not a summary, not an action's outcome)
    };
    struct PendingAction
    {
        Target target;
        QString label;
        bool clear = false;
    };

    void sendSummary();
    void notify(const QString &summary, const QString &body, int priority, const Target &target,
                bool isSummary);
    void showFallback(const QString &summary, const QString &body, int priority,
                      const Target &target);
    // A click on the notification: the message is read, its link or the history opens.
    void open(const Target &target);
    QStringList actionList(const Target &target) const;
    void runAction(const Target &target, int index);
    void onActionFinished(quint64 id, const ActionRunner::Outcome &outcome);
    void resetSummary();

    DeliveryPolicy m_policy;
    PopupThrottle m_throttle;
    QElapsedTimer m_clock;
    QPointer<QSystemTrayIcon> m_fallback;
    Target m_fallbackTarget;    // what the last fallback balloon opens when clicked
    QHash<uint, Target> m_sent; // daemon's id → what a click opens; bounded
    QPointer<ActionRunner> m_runner;
    QHash<quint64, PendingAction> m_pendingActions; // runner's id → what to report; bounded
    bool m_daemonHasActions = false;
    uint m_summaryId = 0; // the daemon's id of the summary shown, replaced in place
    bool m_summaryInFlight = false;
    bool m_summaryDirty = false; // the count changed while a summary call was in flight
    int m_folded = 0;
    int m_foldedTopPriority = 0;
    QStringList m_foldedFrom;
    QTimer m_summaryReset; // a daemon that never says "closed" must not keep one summary forever
};

} // namespace traybeat
