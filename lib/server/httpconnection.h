#pragma once

#include "httprequest.h"

#include <QObject>
#include <QPointer>

class QTcpSocket;
class QWebSocketServer;

namespace traybeat {

// Speaks just enough HTTP/1.1 on one accepted socket for the push server: reads requests
// (Content-Length or chunked bodies, Expect: 100-continue, keep-alive), hands each one to the
// server, and writes the answer whenever the server gives it — possibly after a database commit
// a few milliseconds later. One request is handled at a time, so pipelined answers stay in
// order. A WebSocket upgrade request is handed, unread, to a QWebSocketServer.
class HttpConnection final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpConnection)
public:
    // Takes ownership of `socket`. Bodies longer than `bodyLimit` bytes are discarded and the
    // request is flagged `bodyTooLarge`.
    HttpConnection(QTcpSocket *socket, qsizetype bodyLimit, QObject *parent = nullptr);
    ~HttpConnection() override;

    // Starts reading; call once requestReceived is connected.
    void start();

    // Answers the request being handled, then goes on with the next one.
    void respond(int status, const QByteArray &body,
                 const QByteArray &contentType = QByteArrayLiteral("application/json"));
    // Gives the socket, with the upgrade request unread again, to `server`; this object then
    // deletes itself. Only valid while handling a request with isWebSocketUpgrade.
    void upgrade(QWebSocketServer *server);

    bool isOpen() const;
    // Closes the socket now; an unanswered request is dropped.
    void abort();

signals:
    void requestReceived(traybeat::HttpConnection *connection, const traybeat::HttpRequest &request);

private:
    enum class State { Head, Body, ChunkSize, ChunkData, ChunkTrailer, Handling, Closed };

    void readFromSocket();
    void processBuffer();
    bool parseHead(qsizetype headStart, qsizetype headEnd);
    bool readBody();
    bool readChunked();
    bool appendBody(const char *data, qsizetype size);
    void finishRequest();
    void fail(int status, const QByteArray &reason);
    void writeResponse(int status, const QByteArray &body, const QByteArray &contentType);
    void handleDisconnected();

    QPointer<QTcpSocket> m_socket;
    const qsizetype m_bodyLimit;
    QByteArray m_buffer;
    qsizetype m_bufferOffset = 0; // bytes of m_buffer already consumed
    State m_state = State::Head;
    HttpRequest m_request;
    qint64 m_bodyRemaining = 0;
    qint64 m_bodyReceived = 0;
    bool m_keepAlive = true;
    // The request began exactly where the socket's read transaction began, so rolling the
    // transaction back returns its bytes to the socket for the WebSocket handshake.
    bool m_requestAtTransactionStart = false;
};

} // namespace traybeat
