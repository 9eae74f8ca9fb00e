#pragma once

#include "httprequest.h"

#include <QObject>
#include <QPointer>
#include <deque>

class QTcpSocket;
class QWebSocketServer;

namespace traybeat {

// Speaks just enough HTTP/1.1 on one accepted socket for the push server: reads requests
// (Content-Length or chunked bodies, Expect: 100-continue, keep-alive, pipelining), hands each
// to the server with a number, and writes the answers in request order whenever the server gives
// them — typically after a database commit shared by many requests. Up to a bounded number of
// pipelined requests are handled at once, so a pipelining client fills a batch by itself. A
// WebSocket upgrade request is handed, unread, to a QWebSocketServer.
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

    // Answers request `number`. Answers are written in request order, so this one may wait for
    // an earlier one. Unknown numbers (the connection was closed meanwhile) are ignored.
    void respond(quint64 number, int status, const QByteArray &body,
                 const QByteArray &contentType = QByteArrayLiteral("application/json"));
    // Gives the socket, with upgrade request `number` unread again, to `server` and returns it
    // (now a child of `server`; null on misuse); this object then deletes itself. Only valid
    // for a request that arrived with isWebSocketUpgrade set.
    QTcpSocket *upgrade(quint64 number, QWebSocketServer *server);

    bool isOpen() const;
    // Closes the socket now; unanswered requests are dropped.
    void abort();

signals:
    void requestReceived(traybeat::HttpConnection *connection, quint64 number,
                         const traybeat::HttpRequest &request);

private:
    enum class State { Head, Body, ChunkSize, ChunkData, ChunkTrailer, Waiting, Closed };
    struct Pending
    {
        quint64 number = 0;
        bool closeAfter = false;
        bool answered = false;
        QByteArray response;
    };

    void readFromSocket();
    void processBuffer();
    bool parseHead(qsizetype headStart, qsizetype headEnd);
    bool readBody();
    bool readChunked();
    bool appendBody(const char *data, qsizetype size);
    void dispatchRequest();
    void fail(int status, const QByteArray &reason);
    QByteArray formatResponse(int status, const QByteArray &body, const QByteArray &contentType,
                              bool close) const;
    void writeAnswered();
    void resumeReadingLater();
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
    // The request began exactly where the socket's read transaction began, with nothing
    // outstanding before it: rolling the transaction back returns its bytes to the socket for
    // the WebSocket handshake.
    bool m_requestAtTransactionStart = false;
    std::deque<Pending> m_pending; // requests handed out, oldest first
    quint64 m_nextNumber = 1;
    bool m_resumeScheduled = false;
};

} // namespace traybeat
