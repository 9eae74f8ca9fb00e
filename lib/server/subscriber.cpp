#include "subscriber.h"

#include "logging.h"
#include "ntfy.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QTcpSocket>
#include <QWebSocket>

namespace traybeat {

namespace {
// Subscribers have nothing to send us but pings and closes (QWebSocket answers those): a data
// message is never read, so none larger than this is buffered. Qt's default is 2 GiB each.
constexpr quint64 MaxIncomingBytes = 4096;
// What the TCP socket reads ahead for QWebSocket: a few of the largest frames we accept.
constexpr qint64 ReadBufferSize = 16 * 1024;
// A catch-up page follows when less than this is unsent.
constexpr qint64 CatchUpLowWater = 256 * 1024;
} // namespace

Subscriber::Subscriber(QWebSocket *socket, QTcpSocket *transport, const QStringList &topics,
                       const SubscriberLimits &limits, qint64 *backlogTotal, QObject *parent)
    : QObject(parent), m_socket(socket), m_topics(topics), m_limits(limits),
      m_backlogTotal(backlogTotal)
{
    socket->setParent(this);
    socket->setMaxAllowedIncomingFrameSize(MaxIncomingBytes);
    socket->setMaxAllowedIncomingMessageSize(MaxIncomingBytes);
    connect(socket, &QWebSocket::disconnected, this, &Subscriber::handleDisconnected);
    connect(socket, &QWebSocket::bytesWritten, this, &Subscriber::handleBytesWritten);
    connect(&m_keepaliveTimer, &QTimer::timeout, this, &Subscriber::sendKeepalive);
    m_abortTimer.setSingleShot(true);
    connect(&m_abortTimer, &QTimer::timeout, socket, &QWebSocket::abort);
    if (limits.keepalive.count() > 0) {
        m_keepaliveTimer.setInterval(limits.keepalive);
        m_keepaliveTimer.start();
    }
    if (transport) {
        transport->setParent(this);
        // HttpConnection::upgrade held reading back until QWebSocket knew it is a server; from
        // here on it may read, a bounded amount ahead.
        transport->setReadBufferSize(ReadBufferSize);
    }
}

Subscriber::~Subscriber()
{
    *m_backlogTotal -= m_accountedBacklog;
    // The WebSocket first: it still uses the TCP socket (a sibling child) while it goes.
    delete m_socket;
}

bool Subscriber::isOpen() const
{
    return !m_closed && m_socket->state() == QAbstractSocket::ConnectedState;
}

void Subscriber::accountBacklog()
{
    const qint64 backlog = m_socket->bytesToWrite();
    *m_backlogTotal += backlog - m_accountedBacklog;
    m_accountedBacklog = backlog;
}

void Subscriber::send(const QString &json)
{
    if (m_closed)
        return;
    m_socket->sendTextMessage(json);
    accountBacklog();
    if (m_accountedBacklog > m_limits.backlogLimit) {
        qCWarning(lcServer) << "closing a subscriber that stopped reading (" << m_accountedBacklog
                            << "bytes unsent)";
        closeBehind(QStringLiteral("too far behind; reconnect with since=<last id>"));
    }
}

void Subscriber::closeBehind(const QString &reason)
{
    if (m_closed)
        return;
    m_closed = true;
    m_catchingUp = false;
    m_keepaliveTimer.stop();
    // The close frame queues behind the backlog; a peer that reads gets it within the grace
    // period, one that does not is cut off and its buffers freed.
    m_socket->close(QWebSocketProtocol::CloseCodePolicyViolated, reason);
    m_abortTimer.start(m_limits.closeGrace);
    accountBacklog();
}

void Subscriber::sendEvent(const QString &name)
{
    const QJsonObject event = ntfy::event(name, m_topics, QDateTime::currentMSecsSinceEpoch());
    send(QString::fromUtf8(QJsonDocument(event).toJson(QJsonDocument::Compact)));
}

void Subscriber::sendKeepalive()
{
    sendEvent(QStringLiteral("keepalive"));
}

void Subscriber::close()
{
    if (m_closed)
        return;
    m_closed = true;
    m_keepaliveTimer.stop();
    m_socket->close(QWebSocketProtocol::CloseCodeGoingAway, QStringLiteral("server shutting down"));
}

void Subscriber::startCatchUp(const MessageStore::Cursor &cursor)
{
    m_catchUpCursor = cursor;
    m_catchingUp = true;
}

void Subscriber::finishCatchUp()
{
    m_catchingUp = false;
    m_catchUpCursor = MessageStore::Cursor();
}

bool Subscriber::wantsMore() const
{
    return !m_closed && m_accountedBacklog < CatchUpLowWater;
}

void Subscriber::handleBytesWritten()
{
    accountBacklog();
    if (m_catchingUp && wantsMore())
        emit drained(this);
}

void Subscriber::handleDisconnected()
{
    m_closed = true;
    m_catchingUp = false;
    m_keepaliveTimer.stop();
    m_abortTimer.stop();
    accountBacklog();
    emit disconnected(this);
}

} // namespace traybeat
