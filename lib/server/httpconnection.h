#pragma once

#include "httprequest.h"

#include <QDeadlineTimer>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <chrono>
#include <deque>

class QTcpSocket;
class QWebSocketServer;

namespace traybeat {

// What one HTTP connection may take from the server: sizes and how long the peer may make us
// wait. Tests use milliseconds.
struct HttpLimits
{
    qsizetype bodyLimit = 4096; // larger bodies are discarded and flagged `bodyTooLarge`
    // The request head must be complete this long after its first byte; a body may pause this
    // long at most; a client that does not take our answers may stall this long at most.
    std::chrono::milliseconds readTimeout = std::chrono::seconds(10);
    // A keep-alive connection with nothing in flight is closed after this long.
    std::chrono::milliseconds idleTimeout = std::chrono::seconds(60);
};

// Speaks just enough HTTP/1.1 on one accepted socket for the push server: reads requests
// (Content-Length or chunked bodies, Expect: 100-continue, keep-alive, pipelining), hands each
// to the server with a number, and writes the answers in request order whenever the server gives
// them — typically after a database commit shared by many requests. Up to a bounded number of
// pipelined requests are handled at once, so a pipelining client fills a batch by itself. A
// WebSocket upgrade request is handed, unread, to a QWebSocketServer.
//
// The reader is strict (see httpgrammar.h): anything ambiguous is answered 400 (505 for an
// unsupported version) and the connection is closed. Every wait on the peer has a deadline
// (HttpLimits), and the bytes it holds are bounded (head, chunk line, body, read-ahead, unsent).
class HttpConnection final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpConnection)
public:
    // Takes ownership of `socket`.
    HttpConnection(QTcpSocket *socket, const HttpLimits &limits, QObject *parent = nullptr);
    ~HttpConnection() override;

    // Starts reading; call once requestReceived is connected.
    void start();

    // Answers request `number`. Answers are written in request order, so this one may wait for
    // an earlier one. Unknown numbers (the connection was closed meanwhile) are ignored.
    void respond(quint64 number, int status, const QByteArray &body,
                 const QByteArray &contentType = QByteArrayLiteral("application/json"));

    // A streamed (chunked) answer to request `number`, which must be the oldest one unanswered:
    // nothing else is read until finishStream(). writeStreamChunk() queues bytes;
    // streamWritable() is emitted whenever the peer has taken enough of them to ask for more.
    bool startStream(quint64 number, int status, const QByteArray &contentType);
    void writeStreamChunk(const QByteArray &data);
    void finishStream();
    bool isStreamWritable() const;
    // Bytes written and not yet taken by the peer.
    qint64 unsentBytes() const;

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
    void streamWritable(traybeat::HttpConnection *connection);

private:
    enum class State { Head, Body, ChunkSize, ChunkData, ChunkTrailer, Waiting, Streaming, Closed };
    // What the connection is waiting for from the peer, each with its own deadline.
    enum class Wait { Nothing, NextRequest, Head, Body, Reader, Linger };
    struct Pending
    {
        quint64 number = 0;
        bool closeAfter = false;
        bool answered = false;
        bool isHead = false; // a HEAD request: the answer carries no body
        QByteArray response;
    };

    void readFromSocket();
    void compactBuffer();
    void processBuffer();
    bool readHead();
    bool parseHead(QByteArrayView head);
    bool parseHeaderLines(const QList<QByteArray> &lines);
    bool checkHeaders(int minorVersion);
    bool chooseBodyFraming();
    bool readBody();
    bool readChunked();
    bool readChunkLine();
    bool appendBody(const char *data, qsizetype size);
    void dispatchRequest();
    void fail(int status, const QByteArray &reason);
    QByteArray formatResponse(int status, const QByteArray &body, const QByteArray &contentType,
                              bool close, bool isHead) const;
    void writeAnswered();
    void closeGracefully();
    void shutdownWriting();
    void discardLingering();
    void resumeReadingLater();
    void handleBytesWritten();
    void handleDisconnected();
    Wait currentWait() const;
    void updateTimer();
    void handleTimeout();
    bool isThrottled() const;

    QPointer<QTcpSocket> m_socket;
    const HttpLimits m_limits;
    QByteArray m_buffer;
    qsizetype m_bufferOffset = 0; // bytes of m_buffer already consumed
    qsizetype m_headScanned = 0;  // bytes of the current head already checked for bare LF
    State m_state = State::Head;
    HttpRequest m_request;
    bool m_isHeadRequest = false;
    qint64 m_bodyRemaining = 0;
    qint64 m_bodyReceived = 0;
    qint64 m_trailerBytes = 0;
    bool m_keepAlive = true;
    // The request began exactly where the socket's read transaction began, with nothing
    // outstanding before it: rolling the transaction back returns its bytes to the socket for
    // the WebSocket handshake.
    bool m_requestAtTransactionStart = false;
    std::deque<Pending> m_pending; // requests handed out, oldest first
    quint64 m_nextNumber = 1;
    bool m_resumeScheduled = false;
    bool m_streamCloseAfter = false;
    // Closing: our last answer is out (or going), the peer's bytes are read and dropped.
    bool m_lingering = false;
    qint64 m_lingeringBytes = 0;
    QTimer m_timer;
    Wait m_wait = Wait::Nothing;
    QDeadlineTimer m_headDeadline{QDeadlineTimer::Forever};
};

} // namespace traybeat
