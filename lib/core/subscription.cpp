#include "subscription.h"

#include "logging.h"
#include "notificationstore.h"
#include "protocol.h"
#include "systemwatcher.h"

#include <QPointer>

namespace traybeat {

namespace {
// A burst is written in slices of at most this many rows, one slice per event-loop turn, so the
// GUI gets a turn between slices: 250 rich rows (tags, actions, attachment) take ~15-20 ms to
// store on a slow box; 1,000 took up to 70 ms, a visible stall (bench/RESULTS.md).
constexpr int sliceRows = 250;
} // namespace

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
    connect(&m_flushTimer, &QTimer::timeout, this, &Subscription::storeNextSlice);
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
    connect(&m_connection, &ConnectionManager::textMessageReceived, m_protocol.get(),
            &Protocol::handleTextFrame);
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

void Subscription::onReceived(const NotificationList &notifications)
{
    for (Notification notification : notifications) {
        notification.subscription = m_config.name;
        m_pending.append(std::move(notification));
    }
    if (!m_flushTimer.isActive())
        m_flushTimer.start();
}

void Subscription::flushPending()
{
    const QPointer<Subscription> alive(this);
    while (alive && !m_pending.isEmpty() && storeSlice()) {
    }
}

void Subscription::storeNextSlice()
{
    // The rest waits for the next turn: the timer fires again after other events had theirs.
    const QPointer<Subscription> alive(this);
    if (storeSlice() && alive && !m_pending.isEmpty())
        m_flushTimer.start();
}

bool Subscription::storeSlice()
{
    m_flushTimer.stop();
    if (m_pending.isEmpty())
        return true;
    const qsizetype count = std::min<qsizetype>(m_pending.size(), sliceRows);
    NotificationList slice = m_pending.first(count);
    bool stored = false;
    const NotificationList fresh = m_store->add(slice, &stored);
    if (stored) {
        m_pending.remove(0, count);
        if (!fresh.isEmpty())
            emit notificationsArrived(fresh); // may delete us: the caller checks
        return true;
    }
    NotificationList batch = std::exchange(m_pending, {});
    if (!m_protocol || !m_protocol->canResume()) {
        keepUnstored(std::move(batch));
        return false;
    }
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
