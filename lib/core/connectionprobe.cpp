#include "connectionprobe.h"

#include "duration.h"
#include "protocol.h"

namespace traybeat {

ConnectionProbe::ConnectionProbe(QObject *parent)
    : QObject(parent), m_connection({}, this), m_timeout(this)
{
    m_timeout.setSingleShot(true);
    connect(&m_timeout, &QTimer::timeout, this, &ConnectionProbe::onTimeout);
    connect(&m_connection, &ConnectionManager::stateChanged, this,
            &ConnectionProbe::onStateChanged);
    m_connection.setRequestFactory([this] {
        // No resume cursor: the probe asks for nothing old and keeps nothing it is sent.
        return m_protocol ? m_protocol->request(QString()) : QNetworkRequest();
    });
}

ConnectionProbe::~ConnectionProbe()
{
    const QSignalBlocker quiet(this);
    cancel();
}

bool ConnectionProbe::start(const SubscriptionConfig &config, QString *errorMessage,
                            std::chrono::milliseconds timeout)
{
    cancel();
    m_protocol = Protocol::create(config, errorMessage);
    if (!m_protocol)
        return false;
    ConnectionConfig connection = config.connection;
    connection.connectTimeout = std::min(connection.connectTimeout, timeout);
    m_connection.setConfig(connection);
    m_timeoutInterval = timeout;
    m_timeout.start(timeout);
    m_running = true;
    m_connection.start();
    return true;
}

void ConnectionProbe::cancel()
{
    m_running = false;
    m_timeout.stop();
    m_connection.stop(); // its Disconnected report finds us not running
    m_protocol.reset();
}

void ConnectionProbe::onStateChanged(ConnectionState state, const QString &reason)
{
    if (!m_running)
        return;
    switch (state) {
    case ConnectionState::Connected:
        finish(true, {});
        break;
    case ConnectionState::Reconnecting: // the first attempt failed: its reason is the answer
    case ConnectionState::Failed:
        finish(false, reason);
        break;
    case ConnectionState::Connecting:
    case ConnectionState::Disconnected:
        break;
    }
}

void ConnectionProbe::onTimeout()
{
    finish(false, tr("no answer within %1").arg(describeDuration(m_timeoutInterval)));
}

void ConnectionProbe::finish(bool connected, QString reason)
{
    // `reason` is a copy: the manager's own reason, which it came from, goes with cancel().
    cancel(); // settled before the emit: a slot may start the next probe
    emit finished(connected, reason);
}

} // namespace traybeat
