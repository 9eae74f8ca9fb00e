#pragma once

#include "messagestore.h"
#include "subscriberequest.h"

#include <QObject>
#include <QStringList>
#include <QTimer>
#include <chrono>

#include <QPointer>

class QTcpSocket;
class QWebSocket;

namespace traybeat {

class HttpConnection;

// How a subscriber's events are written, as ntfy writes them on each endpoint.
enum class StreamFormat {
    WebSocket, // one text frame per JSON event
    Json,      // newline-delimited JSON (application/x-ndjson)
    Sse,       // text/event-stream: "id: <id>\ndata: <json>\n\n"; other events "event: <name>"
    Raw,       // the message text on one line; an empty line for open and keepalive
};

// One event, its JSON already made (once per message, for fan-out), in the bytes of `format`:
// a message (`message` set) or the open/keepalive event `name`.
QByteArray formatEvent(StreamFormat format, const QByteArray &json, const PushMessage *message,
                       const QString &name = {});

// What a subscriber may cost the server.
struct SubscriberLimits
{
    std::chrono::milliseconds keepalive = std::chrono::seconds(45); // zero: none
    qint64 backlogLimit = 4 * 1024 * 1024; // unsent bytes before it is closed
    std::chrono::milliseconds closeGrace = std::chrono::seconds(5);
};

// One live subscription to the push server, on a WebSocket or on a streamed HTTP answer (/json,
// /sse, /raw): the topics and filters it asked for, a keepalive event
// every interval (ntfy's `keepalive`, so passive-heartbeat clients see life), its catch-up
// position while the cached messages are still being sent, and the rule that a subscriber which
// stops reading is closed rather than buffered without end: past its backlog limit it is told
// why in a close frame, given a grace period to take it, then cut off and freed. It reconnects
// with since=<last id> and loses nothing.
class Subscriber final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Subscriber)
public:
    // Takes ownership of `socket` and of `transport`, the TCP socket under it (QWebSocket does
    // not own the socket it was upgraded from); `transport` may be null. `backlogTotal` is the
    // server's sum of all subscribers' unsent bytes, kept up to date by each of them.
    Subscriber(QWebSocket *socket, QTcpSocket *transport, const SubscribeRequest &request,
               const SubscriberLimits &limits, qint64 *backlogTotal, QObject *parent = nullptr);
    // A streamed HTTP answer already started on `connection` (not owned: it deletes itself
    // when its peer goes, which ends this subscriber).
    Subscriber(HttpConnection *connection, StreamFormat format, const SubscribeRequest &request,
               const SubscriberLimits &limits, qint64 *backlogTotal, QObject *parent = nullptr);
    ~Subscriber() override;

    const QStringList &topics() const { return m_request.topics; }
    const SubscribeRequest &request() const { return m_request; }
    // Sends a message that passes the filters (`json` is its JSON text); closes the subscriber
    // if it is hopelessly behind.
    void sendMessage(const PushMessage &message, const QByteArray &json);
    void sendEvent(const QString &name);
    bool isOpen() const;
    // Server shutdown: a close frame, then the socket goes with this object.
    void close();
    // Tells the peer `reason`, waits the grace period for it to take that, then aborts.
    void closeBehind(const QString &reason);
    qint64 backlog() const { return m_accountedBacklog; }

    // Catch-up: while set, live messages are not sent (the pages will contain them).
    bool isCatchingUp() const { return m_catchingUp; }
    MessageStore::Cursor &catchUpCursor() { return m_catchUpCursor; }
    void startCatchUp(const MessageStore::Cursor &cursor);
    void finishCatchUp();
    // Few enough bytes unsent that another page of catch-up may follow.
    bool wantsMore() const;

signals:
    void disconnected(traybeat::Subscriber *subscriber);
    // The backlog went low during a catch-up: time for the next page.
    void drained(traybeat::Subscriber *subscriber);

private:
    void sendKeepalive();
    void handleBytesWritten();
    void handleDisconnected();
    void accountBacklog();
    void write(const QByteArray &bytes);
    void flushOutgoing();
    qint64 unsentBytes() const;
    void closeTransport(const QString &reason, bool goingAway);

    QWebSocket *m_socket = nullptr;
    QTcpSocket *m_transport = nullptr; // under m_socket; our frames are written on it
    QByteArray m_outgoing;             // frames not yet handed to m_transport
    QPointer<HttpConnection> m_connection;
    StreamFormat m_format = StreamFormat::WebSocket;
    SubscribeRequest m_request;
    const SubscriberLimits m_limits;
    qint64 *m_backlogTotal;
    qint64 m_accountedBacklog = 0;
    QTimer m_keepaliveTimer;
    QTimer m_abortTimer;
    bool m_closed = false;
    bool m_catchingUp = false;
    bool m_drainedQueued = false; // a `drained` is on its way from the event loop
    MessageStore::Cursor m_catchUpCursor;
};

} // namespace traybeat
