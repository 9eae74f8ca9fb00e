#include "subscription.h"

#include "logging.h"
#include "notificationstore.h"
#include "protocol.h"
#include "storethread.h"
#include "systemwatcher.h"

#include <QPointer>

namespace traybeat {

// A burst is handled in slices, one per event-loop turn, so the GUI gets a turn between them:
// 250 rich rows (tags, actions, attachment) take ~15-20 ms to store on a slow box, 1,000 took up
// to 70 ms, and parsing every frame one socket read delivered was not bounded at all
// (bench/RESULTS.md).
static_assert(Subscription::sliceSize > 0);

Subscription::Subscription(const SubscriptionConfig &config, NotificationStore *store,
                           QObject *parent)
    : QObject(parent), m_config(config), m_store(store),
      m_protocol(Protocol::create(config, &m_error)), m_connection(config.connection),
      m_flushTimer(this)
{
    if (m_config.name.isEmpty())
        m_config.name = m_config.defaultName();
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(0);
    connect(&m_flushTimer, &QTimer::timeout, this, &Subscription::takeNextSlice);
    connect(&m_connection, &ConnectionManager::stateChanged, this, &Subscription::stateChanged);
    connect(&m_connection, &ConnectionManager::errorOccurred, this, &Subscription::errorOccurred);
    if (!m_protocol)
        return;
    m_connection.setRequestFactory([this] {
        const QPointer<Subscription> alive(this);
        flushPending(); // the cursor must include everything already received
        if (!alive)
            return QNetworkRequest(); // a slot deleted us; the manager sees it too
        // A brand-new subscription's first attempt asks for nothing old at all; its "from now"
        // cursor (whole seconds) is for the attempts after it.
        const bool firstEver = std::exchange(m_firstAttemptOfNewSubscription, false);
        return m_protocol->request(firstEver ? QString() : m_store->cursor(m_config.name));
    });
    connect(&m_connection, &ConnectionManager::textMessageReceived, this, &Subscription::onFrame);
    connect(&m_connection, &ConnectionManager::connected, this,
            [this] { m_protocol->handleConnected(m_store->cursor(m_config.name)); });
    connect(m_protocol.get(), &Protocol::received, this, &Subscription::onReceived);
    connect(m_protocol.get(), &Protocol::resumeFailed, &m_connection, &ConnectionManager::dropLink);
    connect(m_protocol.get(), &Protocol::resumeRefused, &m_connection,
            &ConnectionManager::failLink);
    connect(m_protocol.get(), &Protocol::frameRejected, this, [this](const QString &reason) {
        qCWarning(lcProtocol).noquote() << m_config.name << reason;
        emit errorOccurred(reason);
    });
}

Subscription::~Subscription()
{
    // Nobody should hear from an object half gone: stop quietly, but keep what was received.
    const QSignalBlocker quiet(this);
    m_connection.disconnect(this);
    m_connection.stop();
    flushPending();
}

void Subscription::start()
{
    if (!m_protocol)
        return;
    // A brand-new subscription starts from now, and "now" is remembered at once: if the link
    // drops before the first message, the resume still covers what was sent meanwhile.
    if (m_store->cursor(m_config.name).isEmpty()) {
        if (const QString initial = m_protocol->initialCursor(); !initial.isEmpty()) {
            m_store->setCursor(m_config.name, initial);
            m_firstAttemptOfNewSubscription = true;
        }
    }
    m_connection.start();
}

void Subscription::stop()
{
    m_connection.stop();
    flushPending();
}

void Subscription::reconnectNow()
{
    m_connection.reconnectNow();
}

void Subscription::storeOn(StoreThread *storeThread)
{
    Q_ASSERT(storeThread && storeThread->isOpen() && !m_storeThread);
    m_storeThread = storeThread;
    connect(storeThread, &StoreThread::resultReady, this, &Subscription::takeStoreResults,
            Qt::QueuedConnection);
}

void Subscription::watch(SystemWatcher *watcher)
{
    connect(&m_connection, &ConnectionManager::stateChanged, watcher,
            [watcher](ConnectionState state) {
                if (state == ConnectionState::Reconnecting)
                    watcher->watchNetwork();
            });
    connect(watcher, &SystemWatcher::resumedFromSleep, this, [this] {
        if (m_connection.isRunning() && m_connection.state() != ConnectionState::Failed)
            m_connection.reconnectSoon();
    });
    connect(watcher, &SystemWatcher::networkAvailable, this, [this] {
        const auto state = m_connection.state();
        if (state == ConnectionState::Reconnecting || state == ConnectionState::Connecting)
            m_connection.reconnectSoon();
    });
}

void Subscription::onFrame(const QString &frame)
{
    m_frames.push_back(frame);
    m_queuedChars += frame.size();
    if (!m_flushTimer.isActive())
        m_flushTimer.start();
}

void Subscription::onReceived(const NotificationList &notifications)
{
    for (const Notification &notification : notifications) {
        m_pending.append(notification);
        m_pending.last().subscription = m_config.name;
    }
    if (!m_flushTimer.isActive())
        m_flushTimer.start();
}

void Subscription::flushPending()
{
    const QPointer<Subscription> alive(this);
    if (!parseFrames(qsizetype(m_frames.size())))
        return;
    while (alive && !m_pending.isEmpty() && storeSlice()) {
    }
    if (alive)
        waitForStoreThread();
}

void Subscription::takeNextSlice()
{
    // The rest waits for the next turn: the timer fires again after other events had theirs.
    // With the store thread busy, the next turn comes with its result (takeStoreResults).
    const QPointer<Subscription> alive(this);
    const bool storeBusy = m_storeThread && m_storeThread->inFlight() >= maximumSlicesInFlight;
    if (!parseFrames(storeBusy ? 0 : m_sliceSize))
        return;
    if (storeBusy)
        m_flushTimer.stop();
    else if (storeSlice() && alive && hasBacklog())
        m_flushTimer.start();
}

bool Subscription::parseFrames(qsizetype count)
{
    const QPointer<Subscription> alive(this);
    for (qsizetype parsed = 0;
         !m_frames.empty() && (parsed < count || m_queuedChars > maximumQueuedChars); ++parsed) {
        // Taken off the queue first: a slot of a signal the parse emits may flush it (stop).
        const QString frame = std::move(m_frames.front());
        m_frames.pop_front();
        m_queuedChars -= frame.size();
        m_protocol->handleTextFrame(frame); // received → m_pending; frameRejected → errorOccurred
        if (!alive)
            return false;
    }
    return true;
}

bool Subscription::storeSlice()
{
    m_flushTimer.stop();
    if (m_pending.isEmpty())
        return true;
    NotificationList slice = takePendingSlice();
    if (m_storeThread) {
        m_storeThread->add(std::move(slice));
        return true;
    }
    bool stored = false;
    const NotificationList fresh = m_store->add(std::move(slice), &stored);
    // add() left the slice as it was if it refused it
    return stored ? announce(fresh) : refuse(std::move(slice));
}

bool Subscription::announce(const NotificationList &fresh)
{
    if (fresh.isEmpty())
        return true;
    const QPointer<Subscription> alive(this);
    emit notificationsArrived(fresh);
    return !alive.isNull();
}

void Subscription::takeStoreResults()
{
    if (!m_storeThread)
        return; // the news came after the thread was gone
    while (std::optional<StoreThread::Result> result = m_storeThread->takeResult()) {
        if (!handleStoreResult(std::move(result->messages), result->stored))
            return;
    }
    if (hasBacklog() && !m_flushTimer.isActive())
        m_flushTimer.start();
}

void Subscription::waitForStoreThread()
{
    while (m_storeThread && m_storeThread->inFlight() > 0) {
        StoreThread::Result result = m_storeThread->waitForResult();
        if (!handleStoreResult(std::move(result.messages), result.stored))
            return;
    }
}

bool Subscription::handleStoreResult(NotificationList messages, bool stored)
{
    if (stored)
        return announce(messages);
    // The slices given after a refused one come back refused, untried: all of them go back in
    // front of the pending messages, in order.
    while (m_storeThread->inFlight() > 0)
        messages.append(m_storeThread->waitForResult().messages);
    m_storeThread->acceptAgain();
    return refuse(std::move(messages));
}

bool Subscription::refuse(NotificationList slice)
{
    slice.reserve(slice.size() + m_pending.size());
    for (Notification &notification : m_pending)
        slice.append(std::move(notification));
    m_pending = std::move(slice);
    if (!m_protocol || !m_protocol->canResume()) {
        // Whatever is still queued is newer: it waits in memory behind the refused ones.
        if (m_protocol && !parseFrames(qsizetype(m_frames.size())))
            return false;
        m_flushTimer.stop(); // started by what was just parsed: they wait for the next message
        keepUnstored(std::exchange(m_pending, {}));
        return false;
    }
    // Messages newer than the refused ones must not be stored either: the cursor would pass
    // the refused ones. The resume fetches them all again.
    NotificationList batch = std::exchange(m_pending, {});
    m_frames.clear();
    m_queuedChars = 0;
    // Nothing was kept and the cursor did not move: dropping the link makes the resume fetch
    // these messages again once the store works (after the usual backoff, so a full disk does
    // not turn into a reconnect storm). Also while the next attempt is being prepared: that
    // attempt is cancelled, it would resume from a cursor missing nothing but said nothing.
    const QString reason = tr("%n notification(s) could not be stored; fetching them again",
                              nullptr, int(batch.size()));
    qCWarning(lcStore).noquote() << m_config.name << reason;
    if (!m_connection.dropLink(reason))
        emit errorOccurred(reason); // no link to drop: the next start resumes from the cursor
    return false;
}

NotificationList Subscription::takePendingSlice()
{
    if (m_pending.size() <= m_sliceSize)
        return std::exchange(m_pending, {});
    NotificationList slice;
    slice.reserve(m_sliceSize);
    for (qsizetype i = 0; i < m_sliceSize; ++i)
        slice.append(std::move(m_pending[i]));
    m_pending.remove(0, m_sliceSize);
    return slice;
}

void Subscription::keepUnstored(NotificationList batch)
{
    // The server cannot send these again: they wait here and go into the store with the next
    // batch (the next message, the next attempt, or stop). Dropping the link would not bring
    // them back, and would lose whatever the server sends while it is down.
    m_pending = std::move(batch);
    const qsizetype excess = m_pending.size() - maximumUnstored;
    QString reason = tr("%n notification(s) could not be stored; kept in memory to store later",
                        nullptr, int(m_pending.size()));
    if (excess > 0) {
        m_pending.remove(0, excess);
        reason = tr("%n notification(s) could not be stored and were dropped (memory limit)",
                    nullptr, int(excess));
    }
    qCWarning(lcStore).noquote() << m_config.name << reason;
    emit errorOccurred(reason);
}

} // namespace traybeat
