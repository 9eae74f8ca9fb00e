#include "subscriber.h"

#include "httpconnection.h"
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

QByteArray formatEvent(StreamFormat format, const QByteArray &json, const PushMessage *message,
                       const QString &name)
{
    switch (format) {
    case StreamFormat::WebSocket:
        return json;
    case StreamFormat::Json:
        return json + '\n';
    case StreamFormat::Sse:
        // A message's id lets an EventSource resume with Last-Event-ID; other events are named
        // (a browser's onmessage does not fire for them, as with ntfy).
        return message ? "id: " + message->id.toUtf8() + "\ndata: " + json + "\n\n"
                       : "event: " + name.toUtf8() + "\ndata: " + json + "\n\n";
    case StreamFormat::Raw:
        return message ? QString(message->message).replace(u'\n', u' ').toUtf8() + '\n'
                       : QByteArray("\n");
    }
    return {};
}

Subscriber::Subscriber(HttpConnection *connection, StreamFormat format,
                       const SubscribeRequest &request, const SubscriberLimits &limits,
                       qint64 *backlogTotal, QObject *parent)
    : QObject(parent), m_connection(connection), m_format(format), m_request(request),
      m_limits(limits), m_backlogTotal(backlogTotal)
{
    // The connection deletes itself when its peer goes (or is cut off): that ends us.
    connect(connection, &QObject::destroyed, this, [this] {
        m_connection.clear();
        handleDisconnected();
    });
    connect(connection, &HttpConnection::streamWritable, this, &Subscriber::handleBytesWritten);
    connect(&m_keepaliveTimer, &QTimer::timeout, this, &Subscriber::sendKeepalive);
    m_abortTimer.setSingleShot(true);
    connect(&m_abortTimer, &QTimer::timeout, this, [this] {
        if (m_connection)
            m_connection->abort();
    });
    if (limits.keepalive.count() > 0) {
        m_keepaliveTimer.setInterval(limits.keepalive);
        m_keepaliveTimer.start();
    }
}

Subscriber::Subscriber(QWebSocket *socket, QTcpSocket *transport, const SubscribeRequest &request,
                       const SubscriberLimits &limits, qint64 *backlogTotal, QObject *parent)
    : QObject(parent), m_socket(socket), m_request(request), m_limits(limits),
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
    if (m_connection)
        m_connection->disconnect(this);
}

bool Subscriber::isOpen() const
{
    if (m_closed)
        return false;
    return m_socket ? m_socket->state() == QAbstractSocket::ConnectedState
                    : m_connection && m_connection->isOpen();
}

qint64 Subscriber::unsentBytes() const
{
    if (m_socket)
        return m_socket->bytesToWrite();
    return m_connection ? m_connection->unsentBytes() : 0;
}

void Subscriber::accountBacklog()
{
    const qint64 backlog = unsentBytes();
    *m_backlogTotal += backlog - m_accountedBacklog;
    m_accountedBacklog = backlog;
}

void Subscriber::write(const QByteArray &bytes)
{
    if (m_socket)
        m_socket->sendTextMessage(QString::fromUtf8(bytes));
    else if (m_connection)
        m_connection->writeStreamChunk(bytes);
}

void Subscriber::closeTransport(const QString &reason, bool goingAway)
{
    if (m_socket) {
        m_socket->close(goingAway ? QWebSocketProtocol::CloseCodeGoingAway
                                  : QWebSocketProtocol::CloseCodePolicyViolated,
                        reason);
    } else if (m_connection) {
        // A stream has no place for a reason; its end tells the client to reconnect.
        m_connection->finishStream();
    }
}

void Subscriber::sendMessage(const PushMessage &message, const QByteArray &json)
{
    if (m_closed || !m_request.filter.passes(message))
        return;
    write(formatEvent(m_format, json, &message));
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
    closeTransport(reason, false);
    m_abortTimer.start(m_limits.closeGrace);
    accountBacklog();
}

void Subscriber::sendEvent(const QString &name)
{
    if (m_closed)
        return;
    const QJsonObject event =
        ntfy::event(name, m_request.topics, QDateTime::currentMSecsSinceEpoch());
    write(
        formatEvent(m_format, QJsonDocument(event).toJson(QJsonDocument::Compact), nullptr, name));
    accountBacklog();
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
    closeTransport(QStringLiteral("server shutting down"), true);
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
