#include "outagemonitor.h"

#include "logging.h"
#include "subscription.h"

#include <algorithm>

namespace traybeat {

using std::chrono::milliseconds;

OutageMonitor::OutageMonitor(Subscription *subscription, const Config &config, QObject *parent)
    : QObject(parent), m_subscription(subscription), m_config(config), m_outageTimer(this),
      m_catchUpTimer(this)
{
    m_outageTimer.setSingleShot(true);
    m_catchUpTimer.setSingleShot(true);
    connect(&m_outageTimer, &QTimer::timeout, this, &OutageMonitor::onLongOutage);
    connect(&m_catchUpTimer, &QTimer::timeout, this, &OutageMonitor::finishCatchUp);
    connect(subscription, &Subscription::stateChanged, this, &OutageMonitor::onStateChanged);
    connect(subscription, &Subscription::notificationsArrived, this,
            &OutageMonitor::onNotificationsArrived);
    const ConnectionManager *connection = subscription->connection();
    if (connection->isRunning())
        onStateChanged(connection->state(), connection->stateReason());
}

OutageMonitor::~OutageMonitor() = default;

void OutageMonitor::setConfig(const Config &config)
{
    m_config = config;
    if (!m_outageTimer.isActive())
        return;
    // The outage began before the change: what is left of it counts from then.
    const auto elapsed = milliseconds(m_downSince.msecsTo(QDateTime::currentDateTimeUtc()));
    m_outageTimer.start(std::max(m_config.longOutage - elapsed, milliseconds(0)));
}

void OutageMonitor::onStateChanged(ConnectionState state, const QString &reason)
{
    switch (state) {
    case ConnectionState::Disconnected:
        reset(); // stopped on purpose: nothing to tell
        return;
    case ConnectionState::Connected:
        linkUp();
        return;
    case ConnectionState::Connecting:
    case ConnectionState::Reconnecting:
        linkDown();
        return;
    case ConnectionState::Failed:
        linkDown();
        if (std::exchange(m_failureAnnounced, true))
            return;           // the rare retry failed again: said already
        m_outageTimer.stop(); // the failure is the news; "down for 2 minutes" would repeat it
        if (m_subscription)
            emit permanentFailure(m_subscription->name(), reason);
        return;
    }
}

void OutageMonitor::linkDown()
{
    if (m_catchUpTimer.isActive())
        finishCatchUp(); // down again before the catch-up window closed: report what came
    if (m_downSince.isValid())
        return;
    m_downSince = QDateTime::currentDateTimeUtc();
    if (!wasAnnounced())
        m_outageTimer.start(m_config.longOutage);
}

void OutageMonitor::linkUp()
{
    m_outageTimer.stop();
    if (wasAnnounced()) {
        m_reportSince = m_downSince;
        m_upSince = QDateTime::currentDateTimeUtc();
        m_missed = 0;
        m_catchUpTimer.start(m_config.catchUpWindow);
    }
    m_downSince = {};
    m_outageAnnounced = false;
    m_failureAnnounced = false;
}

void OutageMonitor::onLongOutage()
{
    if (!m_downSince.isValid() || wasAnnounced() || !m_subscription)
        return;
    m_outageAnnounced = true;
    qCInfo(lcConnection).noquote()
        << m_subscription->name() << "has been down since" << m_downSince.toString(Qt::ISODate);
    emit longOutage(m_subscription->name(), m_downSince);
}

void OutageMonitor::onNotificationsArrived(const NotificationList &fresh)
{
    if (!m_catchUpTimer.isActive())
        return;
    // Sent while the link was down (or before): what the resume brought. A message published
    // after the link came back is live traffic, not a missed one.
    m_missed += int(std::count_if(fresh.cbegin(), fresh.cend(), [this](const auto &notification) {
        return notification.time.isValid() && notification.time <= m_upSince;
    }));
}

void OutageMonitor::finishCatchUp()
{
    m_catchUpTimer.stop();
    if (m_subscription)
        emit recovered(m_subscription->name(), m_reportSince, m_missed);
}

void OutageMonitor::reset()
{
    m_outageTimer.stop();
    m_catchUpTimer.stop();
    m_downSince = {};
    m_outageAnnounced = false;
    m_failureAnnounced = false;
    m_missed = 0;
}

} // namespace traybeat
