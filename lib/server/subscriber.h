#pragma once

#include <QObject>
#include <QStringList>
#include <QTimer>
#include <chrono>

class QTcpSocket;
class QWebSocket;

namespace traybeat {

// One WebSocket subscription to the push server: the topics it asked for, a keepalive event
// every interval (ntfy's `keepalive`, so passive-heartbeat clients see life), and the rule that
// a subscriber which stops reading is closed rather than buffered without end — it reconnects
// with since=<last id> and loses nothing.
class Subscriber final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Subscriber)
public:
    // Takes ownership of `socket` and of `transport`, the TCP socket under it (QWebSocket does
    // not own the socket it was upgraded from); `transport` may be null. A zero keepalive sends
    // none.
    Subscriber(QWebSocket *socket, QTcpSocket *transport, const QStringList &topics,
               std::chrono::milliseconds keepalive, QObject *parent = nullptr);
    ~Subscriber() override;

    const QStringList &topics() const { return m_topics; }
    // Sends one text frame (a JSON event); closes the subscriber if it is hopelessly behind.
    void send(const QString &json);
    void sendEvent(const QString &name);
    bool isOpen() const;
    void close();

signals:
    void disconnected(traybeat::Subscriber *subscriber);

private:
    void sendKeepalive();
    void handleDisconnected();

    QWebSocket *m_socket;
    QStringList m_topics;
    QTimer m_keepaliveTimer;
    bool m_closed = false;
};

} // namespace traybeat
