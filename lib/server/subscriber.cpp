#include "subscriber.h"

#include "logging.h"
#include "ntfy.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QTcpSocket>
#include <QWebSocket>

namespace traybeat {

namespace {
// Unsent data a subscriber may pile up before we give up on it: a few hundred thousand
// messages, far beyond any healthy client's lag, small enough not to exhaust memory.
constexpr qint64 MaxPendingBytes = 64 * 1024 * 1024;
// Subscribers have nothing to send us but pings and closes (QWebSocket answers those): a data
// message is never read, so none larger than this is buffered. Qt's default is 2 GiB each.
constexpr quint64 MaxIncomingBytes = 4096;
} // namespace

Subscriber::Subscriber(QWebSocket *socket, QTcpSocket *transport, const QStringList &topics,
                       std::chrono::milliseconds keepalive, QObject *parent)
    : QObject(parent), m_socket(socket), m_topics(topics)
{
    if (transport)
        transport->setParent(this);
    socket->setParent(this);
    socket->setMaxAllowedIncomingFrameSize(MaxIncomingBytes);
    socket->setMaxAllowedIncomingMessageSize(MaxIncomingBytes);
    connect(socket, &QWebSocket::disconnected, this, &Subscriber::handleDisconnected);
    connect(&m_keepaliveTimer, &QTimer::timeout, this, &Subscriber::sendKeepalive);
    if (keepalive.count() > 0) {
        m_keepaliveTimer.setInterval(keepalive);
        m_keepaliveTimer.start();
    }
}

Subscriber::~Subscriber()
{
    // The WebSocket first: it still uses the TCP socket (a sibling child) while it goes.
    delete m_socket;
}

bool Subscriber::isOpen() const
{
    return !m_closed && m_socket->state() == QAbstractSocket::ConnectedState;
}

void Subscriber::send(const QString &json)
{
    if (m_closed)
        return;
    if (m_socket->bytesToWrite() > MaxPendingBytes) {
        qCWarning(lcServer) << "closing a subscriber that stopped reading ("
                            << m_socket->bytesToWrite() << "bytes unsent)";
        m_socket->close(QWebSocketProtocol::CloseCodeGoingAway,
                        QStringLiteral("too far behind; reconnect with since=<last id>"));
        m_closed = true;
        return;
    }
    m_socket->sendTextMessage(json);
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

void Subscriber::handleDisconnected()
{
    m_closed = true;
    m_keepaliveTimer.stop();
    emit disconnected(this);
}

} // namespace traybeat
