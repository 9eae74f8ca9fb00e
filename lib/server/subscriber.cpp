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
// Frames for a WebSocket subscriber are gathered up to this many bytes, then written in one
// go; what is left is written on the next turn of the event loop (docs/design.md, "The
// server": fan-out).
constexpr qsizetype OutgoingChunk = 16 * 1024;

// RFC 6455 section 5.2: a server's text frame, final, unmasked, with `payload`.
void appendTextFrame(QByteArray &out, const QByteArray &payload)
{
    const auto size = quint64(payload.size());
    out += char(0x81); // FIN + opcode 1 (text)
    if (size < 126) {
        out += char(size);
    } else if (size <= 0xffff) {
        out += char(126);
        out += char(size >> 8);
        out += char(size & 0xff);
    } else {
        out += char(127);
        for (int shift = 56; shift >= 0; shift -= 8)
            out += char((size >> shift) & 0xff);
    }
    out += payload;
}
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
        // Our frames go onto the TCP socket directly (see write()): its progress is what counts.
        m_transport = transport;
        connect(transport, &QTcpSocket::bytesWritten, this, &Subscriber::handleBytesWritten);
    } else {
        connect(socket, &QWebSocket::bytesWritten, this, &Subscriber::handleBytesWritten);
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
    if (m_transport)
        return m_transport->bytesToWrite() + m_outgoing.size();
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
    if (m_transport) {
        // A fan-out sends the same JSON to every subscriber: framing it here is a copy, where
        // QWebSocket::sendTextMessage would convert it to UTF-16 and back and write twice. The
        // frames of one event-loop turn are gathered and written in chunks, not one by one.
        if (m_outgoing.isEmpty()) {
            QMetaObject::invokeMethod(this, &Subscriber::flushOutgoing, Qt::QueuedConnection);
            m_outgoing.reserve(OutgoingChunk + bytes.size() + 16);
        }
        appendTextFrame(m_outgoing, bytes);
        if (m_outgoing.size() >= OutgoingChunk)
            flushOutgoing();
    } else if (m_socket) {
        m_socket->sendTextMessage(QString::fromUtf8(bytes));
    } else if (m_connection) {
        m_connection->writeStreamChunk(bytes);
    }
}

void Subscriber::flushOutgoing()
{
    if (m_outgoing.isEmpty())
        return;
    // Taken out first: flush() emits bytesWritten, whose catch-up may queue frames meanwhile.
    const QByteArray chunk = std::exchange(m_outgoing, {});
    if (m_transport && m_transport->state() == QAbstractSocket::ConnectedState) {
        m_transport->write(chunk);
        // Into the kernel now, as far as it takes it: a fan-out of thousands of frames would
        // otherwise sit in every socket's buffer in our memory until the loop turns.
        m_transport->flush();
    }
    accountBacklog();
}

void Subscriber::closeTransport(const QString &reason, bool goingAway)
{
    flushOutgoing(); // the close frame comes after every frame queued before it
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
    // Told from the event loop, never from inside a write: flushOutgoing() reports progress
    // while a page is still being sent, and the next page must not start in the middle of it.
    if (m_catchingUp && wantsMore() && !m_drainedQueued) {
        m_drainedQueued = true;
        QMetaObject::invokeMethod(
            this,
            [this] {
                m_drainedQueued = false;
                if (m_catchingUp && wantsMore())
                    emit drained(this);
            },
            Qt::QueuedConnection);
    }
}

void Subscriber::handleDisconnected()
{
    m_outgoing.clear();
    m_closed = true;
    m_catchingUp = false;
    m_keepaliveTimer.stop();
    m_abortTimer.stop();
    accountBacklog();
    emit disconnected(this);
}

} // namespace traybeat
