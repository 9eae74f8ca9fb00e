#pragma once

#include "connectionmanager.h"
#include "notification.h"
#include "subscriptionconfig.h"

#include <QObject>
#include <QPointer>
#include <QTimer>
#include <deque>
#include <memory>

namespace traybeat {

class NotificationStore;
class Protocol;
class StoreThread;
class SystemWatcher;

// One subscription end to end: ConnectionManager (liveness, reconnect) → Protocol (frame →
// Notification) → NotificationStore (dedup, persist, cursor) → `notificationsArrived`, which
// carries only messages never seen before. Frames are queued as they arrive and handled a
// slice per event-loop turn: at most `sliceSize` frames parsed and `sliceSize` messages stored
// (one transaction) per turn, so a burst neither costs one disk sync per message nor holds the
// GUI thread for all the frames the socket read at once. A stop, a new connection attempt (its
// cursor) and the destructor first take in everything queued. A batch the store refuses is
// fetched again through the cursor (the link is dropped) or, where the dialect cannot resume,
// kept in memory (bounded) and stored with the next one.
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
    // Frames parsed and messages stored per event-loop turn, by default: a turn short enough
    // for a GUI thread.
    static constexpr int sliceSize = 250;
    // A process without a GUI (`listen`) takes larger slices: fewer, larger transactions write
    // each page of the store's dedup index once for more rows (docs/design.md, "`listen` in a
    // burst").
    void setSliceSize(int size) { m_sliceSize = qMax(1, size); }
    // Slices are stored on `storeThread` (open on the same file as the store given to the
    // constructor, which then only serves cursors) while this thread parses the next ones and
    // announces those stored; each is announced once stored, in order, as without it. Call
    // before start(); the thread must outlive the subscription.
    void storeOn(StoreThread *storeThread);
    // Slices being stored on the store thread at once, at most: one stored, one waiting.
    static constexpr int maximumSlicesInFlight = 2;
    // Characters of frames waiting to be parsed; beyond this a turn parses more than a slice,
    // so a peer sending faster than the slices go cannot grow the queue without bound.
    static constexpr qsizetype maximumQueuedChars = 8 * 1024 * 1024;

    // Frames received and not parsed yet (for tests).
    qsizetype queuedFrames() const { return qsizetype(m_frames.size()); }

public slots:
    void start();
    void stop();
    void reconnectNow();

signals:
    void notificationsArrived(const traybeat::NotificationList &fresh);
    void stateChanged(traybeat::ConnectionState state, const QString &reason);
    void errorOccurred(const QString &message);

private:
    void onFrame(const QString &frame);
    void onReceived(const NotificationList &notifications);
    // Everything received goes into the store now (before a resume asks from the cursor, on
    // stop): every queued frame parsed, then slice by slice stored; stops at the first slice
    // the store refuses.
    void flushPending();
    // One event-loop turn's share: a slice of frames parsed, a slice of messages stored.
    void takeNextSlice();
    // Parses the oldest `count` queued frames (more if the queue is over its bound); false if
    // a slot deleted this subscription meanwhile.
    bool parseFrames(qsizetype count);
    bool hasBacklog() const { return !m_frames.empty() || !m_pending.isEmpty(); }
    // Stores the oldest slice of what is pending (or gives it to the store thread); false if
    // the store refused it (then the pending messages were handed to keepUnstored or dropped
    // for the resume to fetch again) or a slot deleted this subscription.
    bool storeSlice();
    // Announces the new messages of a stored slice; false if a slot deleted this subscription.
    bool announce(const NotificationList &fresh);
    // What the store thread has stored (or refused) so far, announced (or handled) in order.
    void takeStoreResults();
    // Waits for every slice given to the store thread, announcing or handling each result;
    // stops early at a refusal or if a slot deleted this subscription.
    void waitForStoreThread();
    bool handleStoreResult(NotificationList messages, bool stored);
    // A slice the store refused goes back in front of the pending messages; then they are kept
    // (text dialect) or dropped for the resume to fetch again. Always false.
    bool refuse(NotificationList slice);
    // The oldest `m_sliceSize` pending messages, moved out of the pending list.
    NotificationList takePendingSlice();
    void keepUnstored(NotificationList batch);

    SubscriptionConfig m_config;
    NotificationStore *m_store;
    // Guarded: a store thread gone first has stored what it was given; nothing waits for it then.
    QPointer<StoreThread> m_storeThread;
    std::unique_ptr<Protocol> m_protocol;
    ConnectionManager m_connection;
    std::deque<QString> m_frames; // received, not parsed yet; oldest first
    qsizetype m_queuedChars = 0;
    NotificationList m_pending; // parsed, not stored yet; oldest first
    int m_sliceSize = sliceSize;
    QTimer m_flushTimer; // zero-interval single shot: one slice per event-loop turn
    QString m_error;
    bool m_firstAttemptOfNewSubscription = false;
};

} // namespace traybeat
