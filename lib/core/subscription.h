#pragma once

#include "connectionmanager.h"
#include "notification.h"
#include "subscriptionconfig.h"

#include <QObject>
#include <QTimer>
#include <memory>

namespace traybeat {

class NotificationStore;
class Protocol;
class SystemWatcher;

// One subscription end to end: ConnectionManager (liveness, reconnect) → Protocol (frame →
// Notification) → NotificationStore (dedup, persist, cursor) → `notificationsArrived`, which
// carries only messages never seen before. Incoming messages are stored in batches (one
// transaction per event-loop turn) so a burst does not cost one disk sync per message. A batch
// the store refuses is fetched again through the cursor (the link is dropped) or, where the
// dialect cannot resume, kept in memory (bounded) and stored with the next one.
class Subscription final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Subscription)
public:
    // `store` must outlive the subscription. Check `isValid()` / `errorString()` after.
    Subscription(const SubscriptionConfig &config, NotificationStore *store,
                 QObject *parent = nullptr);
    ~Subscription() override;

    bool isValid() const { return m_protocol != nullptr; }
    QString errorString() const { return m_error; }
    const SubscriptionConfig &config() const { return m_config; }
    QString name() const { return m_config.name; }
    ConnectionManager *connection() { return &m_connection; }
    const ConnectionManager *connection() const { return &m_connection; }

    // Reconnect at once when the machine wakes (every link is dead after a sleep, however
    // healthy it looks) or the network comes back, instead of sitting out a backoff; at most
    // once per `immediateReconnectSpacing`, so a flapping network does not make a storm. The
    // watcher starts following the network when this link is first lost.
    void watch(SystemWatcher *watcher);

    // Notifications held in memory because the store refused them (text dialect only).
    static constexpr int maximumUnstored = 10000;

public slots:
    void start();
    void stop();
    void reconnectNow();

signals:
    void notificationsArrived(const traybeat::NotificationList &fresh);
    void stateChanged(traybeat::ConnectionState state, const QString &reason);
    void errorOccurred(const QString &message);

private:
    void onReceived(const NotificationList &notifications);
    // Everything received goes into the store now (before a resume asks from the cursor, on
    // stop), slice by slice; stops at the first slice the store refuses.
    void flushPending();
    void storeNextSlice();
    // Stores the oldest slice of what is pending; false if the store refused it (then the
    // pending messages were handed to keepUnstored or dropped for the resume to fetch again).
    bool storeSlice();
    void keepUnstored(NotificationList batch);

    SubscriptionConfig m_config;
    NotificationStore *m_store;
    std::unique_ptr<Protocol> m_protocol;
    ConnectionManager m_connection;
    NotificationList m_pending;
    QTimer m_flushTimer; // zero-interval single shot: one store slice per event-loop turn
    QString m_error;
    bool m_firstAttemptOfNewSubscription = false;
};

} // namespace traybeat
