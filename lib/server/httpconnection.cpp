#include "httpconnection.h"

#include "httpgrammar.h"
#include "logging.h"
#include "ntfy.h"

#include <QTcpSocket>
#include <QWebSocketServer>

#include <sys/socket.h>

namespace traybeat {

namespace {
constexpr qsizetype MaxHeadSize = 16 * 1024;
constexpr qsizetype MaxChunkLineSize = 1024;
// An over-long body up to this size is read and thrown away so that the connection can stay
// open and the client reads our 413 instead of a reset; beyond it we answer and close.
constexpr qint64 MaxDiscardedBody = 1024 * 1024;
// Pipelined requests in the server's hands per connection; beyond it we stop reading (the
// kernel's buffers then push back on the client).
constexpr std::size_t MaxPending = 256;
// Answers the kernel has not taken yet, beyond which no further request is started: a client
// that pipelines polls and never reads would otherwise have us buffer their (much larger)
// answers without bound. Reading resumes as the backlog drains.
constexpr qint64 MaxUnsentBytes = 1024 * 1024;
// A streamed answer asks for more once less than this is waiting for the peer.
constexpr qint64 StreamLowWater = 256 * 1024;
// After our last answer, the peer's remaining bytes are read and dropped for at most this long
// (and this much): closing with unread input sends a reset, which can destroy our answer in
// the peer's receive queue before it has read it (a 400, a 413 mid-body).
constexpr std::chrono::milliseconds MaxLinger = std::chrono::seconds(2);
constexpr qint64 MaxLingeringBytes = 1024 * 1024;
// What the socket reads ahead of us. Unlimited (Qt's default), it keeps pulling the client's
// bytes into memory while we are not reading; bounded, the kernel pushes back on the client.
// Above MaxHeadSize, so that a head that is too large is still seen whole enough to refuse.
constexpr qint64 ReadBufferSize = 256 * 1024;

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return QByteArrayLiteral("OK");
    case 400:
        return QByteArrayLiteral("Bad Request");
    case 401:
        return QByteArrayLiteral("Unauthorized");
    case 403:
        return QByteArrayLiteral("Forbidden");
    case 404:
        return QByteArrayLiteral("Not Found");
    case 405:
        return QByteArrayLiteral("Method Not Allowed");
    case 413:
        return QByteArrayLiteral("Payload Too Large");
    case 429:
        return QByteArrayLiteral("Too Many Requests");
    case 431:
        return QByteArrayLiteral("Request Header Fields Too Large");
    case 500:
        return QByteArrayLiteral("Internal Server Error");
    case 501:
        return QByteArrayLiteral("Not Implemented");
    case 503:
        return QByteArrayLiteral("Service Unavailable");
    case 505:
        return QByteArrayLiteral("HTTP Version Not Supported");
    default:
        return QByteArrayLiteral("Unknown");
    }
}

bool containsToken(const QByteArray &list, const QByteArray &lowerCaseToken)
{
    for (const QByteArray &item : list.toLower().split(',')) {
        if (item.trimmed() == lowerCaseToken)
            return true;
    }
    return false;
}

// A head line as split on LF still ends in the CR of its CRLF (the last one does not: the
// head's final CRLF CRLF was cut off before the split).
QByteArrayView withoutCr(const QByteArray &line)
{
    return line.endsWith('\r') ? QByteArrayView(line).chopped(1) : QByteArrayView(line);
}

int headerCount(const HttpRequest &request, const QByteArray &lowerCaseName)
{
    int count = 0;
    for (const auto &header : request.headers)
        count += header.first == lowerCaseName ? 1 : 0;
    return count;
}
} // namespace

HttpConnection::HttpConnection(QTcpSocket *socket, const HttpLimits &limits, QObject *parent)
    : QObject(parent), m_socket(socket), m_limits(limits)
{
    socket->setParent(this);
    // Small answers go out at once; Nagle would hold each behind the previous one's ACK.
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    socket->setReadBufferSize(ReadBufferSize);
    connect(socket, &QTcpSocket::readyRead, this, &HttpConnection::readFromSocket);
    connect(socket, &QTcpSocket::bytesWritten, this, &HttpConnection::handleBytesWritten);
    connect(socket, &QTcpSocket::disconnected, this, &HttpConnection::handleDisconnected);
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &HttpConnection::handleTimeout);
}

HttpConnection::~HttpConnection()
{
    // The socket is our child, destroyed after this body by ~QObject, and its destructor
    // closes it and emits disconnected(). Stop listening to it first, so no slot of ours can
    // run on a connection that is being destroyed, whatever order Qt tears things down in.
    if (m_socket)
        m_socket->disconnect(this);
}

void HttpConnection::start()
{
    readFromSocket();
    updateTimer();
}

bool HttpConnection::isOpen() const
{
    return m_state != State::Closed && m_socket &&
           m_socket->state() == QAbstractSocket::ConnectedState;
}

void HttpConnection::abort()
{
    m_state = State::Closed;
    m_pending.clear();
    m_timer.stop();
    if (m_socket)
        m_socket->abort();
}

void HttpConnection::handleDisconnected()
{
    m_state = State::Closed;
    m_pending.clear();
    m_timer.stop();
    deleteLater();
}

bool HttpConnection::isThrottled() const
{
    return m_pending.size() >= MaxPending || m_socket->bytesToWrite() >= MaxUnsentBytes;
}

void HttpConnection::readFromSocket()
{
    m_resumeScheduled = false;
    if (m_lingering) {
        discardLingering();
        return;
    }
    // Waiting (an upgrade decision, or Connection: close sent), streaming or too much
    // outstanding: leave the bytes in the socket.
    if (m_state == State::Waiting || m_state == State::Streaming || m_state == State::Closed ||
        !m_socket || isThrottled()) {
        updateTimer();
        return;
    }
    compactBuffer();
    if (m_state == State::Head && m_buffer.isEmpty() && m_pending.empty() &&
        m_socket->bytesAvailable() > 0) {
        if (!m_socket->isTransactionStarted())
            m_socket->startTransaction();
        m_requestAtTransactionStart = true;
    }
    const qsizetype before = m_buffer.size();
    m_buffer.append(m_socket->readAll());
    if (m_buffer.size() > before && m_state != State::Head)
        m_timer.stop(); // a body that keeps arriving restarts its gap deadline (updateTimer)
    processBuffer();
    updateTimer();
}

void HttpConnection::compactBuffer()
{
    // A pipelining client that always leaves a partial request at the tail would otherwise
    // grow the buffer without end; and an idle connection keeps no read-ahead capacity.
    if (m_bufferOffset == 0)
        return;
    if (m_bufferOffset >= m_buffer.size()) {
        m_buffer = QByteArray();
    } else {
        m_buffer.remove(0, m_bufferOffset);
        if (m_buffer.capacity() > 4 * m_buffer.size() + 64 * 1024)
            m_buffer.squeeze();
    }
    m_bufferOffset = 0;
}

void HttpConnection::processBuffer()
{
    while (m_state != State::Waiting && m_state != State::Streaming && m_state != State::Closed &&
           m_pending.size() < MaxPending) {
        if (m_state == State::Head) {
            if (m_socket->bytesToWrite() >= MaxUnsentBytes || !readHead())
                return; // bytesWritten resumes a throttled connection
            continue;
        }
        const bool complete = m_state == State::Body ? readBody() : readChunked();
        if (!complete)
            return;
        dispatchRequest();
    }
}

bool HttpConnection::readHead()
{
    // RFC 9112 asks servers to skip empty lines before a request line.
    while (m_bufferOffset + 1 < m_buffer.size() && m_buffer[m_bufferOffset] == '\r' &&
           m_buffer[m_bufferOffset + 1] == '\n') {
        m_bufferOffset += 2;
    }
    if (m_bufferOffset >= m_buffer.size())
        return false;
    if (m_headDeadline.isForever())
        m_headDeadline = QDeadlineTimer(m_limits.readTimeout);
    bool malformed = false;
    const qsizetype headEnd =
        http::findHeadEnd(m_buffer, m_bufferOffset, m_bufferOffset + m_headScanned, &malformed);
    if (malformed) {
        fail(400, QByteArrayLiteral("malformed request head: lines must end in CRLF"));
        return false;
    }
    if (headEnd < 0 || headEnd - m_bufferOffset > MaxHeadSize) {
        if (headEnd >= 0 || m_buffer.size() - m_bufferOffset > MaxHeadSize)
            fail(431, QByteArrayLiteral("request header too large"));
        else
            m_headScanned = qMax<qsizetype>(0, m_buffer.size() - m_bufferOffset - 1);
        return false;
    }
    const QByteArrayView head(m_buffer.constData() + m_bufferOffset, headEnd - 4 - m_bufferOffset);
    m_bufferOffset = headEnd;
    m_headScanned = 0;
    m_headDeadline = QDeadlineTimer(QDeadlineTimer::Forever);
    return parseHead(head);
}

bool HttpConnection::parseHead(QByteArrayView head)
{
    m_request = HttpRequest();
    m_bodyReceived = 0;
    m_trailerBytes = 0;
    const QList<QByteArray> lines = head.toByteArray().split('\n');
    int status = 400;
    const auto requestLine = http::parseRequestLine(withoutCr(lines.first()), &status);
    if (!requestLine) {
        fail(status, status == 505 ? QByteArrayLiteral("only HTTP/1.0 and HTTP/1.1 are supported")
                                   : QByteArrayLiteral("malformed request line"));
        return false;
    }
    m_request.method = requestLine->method;
    m_isHeadRequest = m_request.method == "HEAD";
    const QByteArray &target = requestLine->target;
    const qsizetype question = target.indexOf('?');
    m_request.path = question < 0 ? target : target.left(question);
    m_request.query = question < 0 ? QByteArray() : target.mid(question + 1);
    if (!parseHeaderLines(lines) || !checkHeaders(requestLine->minorVersion))
        return false;
    if (!chooseBodyFraming())
        return false;
    if (m_socket->isTransactionStarted() &&
        !(m_request.isWebSocketUpgrade && m_requestAtTransactionStart)) {
        m_socket->commitTransaction();
    }
    return true;
}

bool HttpConnection::parseHeaderLines(const QList<QByteArray> &lines)
{
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const auto header = http::parseHeaderLine(withoutCr(lines[i]));
        if (!header) {
            fail(400, QByteArrayLiteral("malformed header line"));
            return false;
        }
        m_request.headers.append(*header);
    }
    return true;
}

bool HttpConnection::checkHeaders(int minorVersion)
{
    // RFC 9112 §3.2: an HTTP/1.1 request carries exactly one Host.
    const int hosts = headerCount(m_request, "host");
    if ((minorVersion == 1 && hosts != 1) || hosts > 1) {
        fail(400, QByteArrayLiteral("an HTTP/1.1 request needs exactly one Host header"));
        return false;
    }
    if (minorVersion == 0 && headerCount(m_request, "transfer-encoding") > 0) {
        fail(400, QByteArrayLiteral("Transfer-Encoding is not allowed in HTTP/1.0"));
        return false;
    }
    const QByteArray connection = m_request.header("connection");
    m_keepAlive = minorVersion == 0 ? containsToken(connection, "keep-alive")
                                    : !containsToken(connection, "close");
    m_request.isWebSocketUpgrade = m_request.method == "GET" &&
                                   containsToken(m_request.header("upgrade"), "websocket") &&
                                   containsToken(connection, "upgrade");
    // Any answer to an upgrade request other than the upgrade itself ends the connection: a
    // WebSocket client that got 401 does not reuse it, and would otherwise hang in "connecting".
    if (m_request.isWebSocketUpgrade)
        m_keepAlive = false;
    return true;
}

bool HttpConnection::chooseBodyFraming()
{
    const int encodings = headerCount(m_request, "transfer-encoding");
    const int lengths = headerCount(m_request, "content-length");
    // RFC 9112 §6.1, §6.3: both framings at once, or framings that disagree, are how requests
    // are smuggled past a proxy; refuse and close rather than pick one.
    if (encodings > 0 && lengths > 0) {
        fail(400, QByteArrayLiteral("both Transfer-Encoding and Content-Length"));
        return false;
    }
    if (encodings > 1 ||
        (encodings == 1 && m_request.header("transfer-encoding").toLower() != "chunked")) {
        fail(encodings > 1 || containsToken(m_request.header("transfer-encoding"), "chunked") ? 400
                                                                                              : 501,
             QByteArrayLiteral("unsupported transfer encoding"));
        return false;
    }
    std::optional<qint64> length;
    for (const auto &header : std::as_const(m_request.headers)) {
        if (header.first != "content-length")
            continue;
        const auto value = http::parseContentLength(header.second);
        if (!value || (length && *value != *length)) {
            fail(400, QByteArrayLiteral("invalid Content-Length"));
            return false;
        }
        length = value;
    }
    if (!length)
        length = 0;
    m_state = encodings == 1 ? State::ChunkSize : State::Body;
    m_bodyRemaining = encodings == 1 ? 0 : *length;
    const bool hasBody = encodings == 1 || *length > 0;
    if (hasBody && m_request.isWebSocketUpgrade) {
        fail(400, QByteArrayLiteral("a WebSocket upgrade request has no body"));
        return false;
    }
    const bool expectsContinue = m_request.header("expect").toLower() == "100-continue";
    if (hasBody &&
        (*length > MaxDiscardedBody || (expectsContinue && *length > m_limits.bodyLimit))) {
        // Not worth reading (or, with Expect, not even sent yet): answer now and close.
        fail(413, QByteArrayLiteral("message too large"));
        return false;
    }
    if (hasBody && expectsContinue && m_pending.empty())
        m_socket->write(QByteArrayLiteral("HTTP/1.1 100 Continue\r\n\r\n"));
    return true;
}

bool HttpConnection::appendBody(const char *data, qsizetype size)
{
    m_bodyReceived += size;
    if (m_bodyReceived > MaxDiscardedBody) {
        fail(413, QByteArrayLiteral("message too large"));
        return false;
    }
    if (m_request.bodyTooLarge)
        return true;
    if (m_request.body.size() + size > m_limits.bodyLimit) {
        m_request.bodyTooLarge = true;
        m_request.body.clear();
        return true;
    }
    m_request.body.append(data, size);
    return true;
}

bool HttpConnection::readBody()
{
    const qint64 available = m_buffer.size() - m_bufferOffset;
    const qint64 take = qMin(available, m_bodyRemaining);
    if (take > 0 && !appendBody(m_buffer.constData() + m_bufferOffset, take))
        return false;
    m_bufferOffset += take;
    m_bodyRemaining -= take;
    return m_bodyRemaining == 0;
}

bool HttpConnection::readChunked()
{
    while (m_state == State::ChunkData || m_state == State::ChunkSize ||
           m_state == State::ChunkTrailer) {
        if (m_state != State::ChunkData) {
            if (!readChunkLine())
                return false;
            if (m_state == State::Body) // the empty line after the trailer: done
                return true;
            continue;
        }
        if (m_bodyRemaining > 0) {
            const qint64 take = qMin<qint64>(m_buffer.size() - m_bufferOffset, m_bodyRemaining);
            if (take > 0 && !appendBody(m_buffer.constData() + m_bufferOffset, take))
                return false;
            m_bufferOffset += take;
            m_bodyRemaining -= take;
            if (m_bodyRemaining > 0)
                return false;
        }
        if (m_buffer.size() - m_bufferOffset < 2)
            return false;
        if (m_buffer[m_bufferOffset] != '\r' || m_buffer[m_bufferOffset + 1] != '\n') {
            fail(400, QByteArrayLiteral("malformed chunked body"));
            return false;
        }
        m_bufferOffset += 2;
        m_state = State::ChunkSize;
    }
    return false;
}

// One chunk-size line or trailer line; false when incomplete or failed.
bool HttpConnection::readChunkLine()
{
    const qsizetype lineEnd = m_buffer.indexOf('\n', m_bufferOffset);
    const qsizetype limit = m_state == State::ChunkTrailer ? MaxHeadSize : MaxChunkLineSize;
    if (lineEnd < 0) {
        if (m_buffer.size() - m_bufferOffset > limit)
            fail(400, QByteArrayLiteral("malformed chunked body"));
        return false;
    }
    if (lineEnd == m_bufferOffset || m_buffer[lineEnd - 1] != '\r' ||
        lineEnd - m_bufferOffset > limit) {
        fail(400, QByteArrayLiteral("malformed chunked body: lines must end in CRLF"));
        return false;
    }
    const QByteArrayView line(m_buffer.constData() + m_bufferOffset, lineEnd - 1 - m_bufferOffset);
    m_bufferOffset = lineEnd + 1;
    if (m_state == State::ChunkTrailer) {
        m_trailerBytes += line.size() + 2;
        if (line.isEmpty()) {
            m_state = State::Body; // complete; dispatchRequest sets the next state
            return true;
        }
        if (!http::parseHeaderLine(line) || m_trailerBytes > MaxHeadSize) {
            fail(400, QByteArrayLiteral("malformed chunked trailer"));
            return false;
        }
        return true;
    }
    const auto size = http::parseChunkSizeLine(line);
    if (!size) {
        fail(400, QByteArrayLiteral("malformed chunk size"));
        return false;
    }
    if (*size > MaxDiscardedBody || m_bodyReceived + *size > MaxDiscardedBody) {
        fail(413, QByteArrayLiteral("message too large"));
        return false;
    }
    m_state = *size == 0 ? State::ChunkTrailer : State::ChunkData;
    m_bodyRemaining = *size;
    return true;
}

void HttpConnection::dispatchRequest()
{
    // Only a request that begins a fresh read transaction, with nothing answered-but-unsent
    // before it and nothing read after it, can be handed back unread to QWebSocketServer: a
    // client must wait for our 101 before it sends frames (RFC 6455 §4.1), and bytes that
    // QWebSocket finds already buffered are parsed before it learns it is a server.
    if (m_request.isWebSocketUpgrade && m_bufferOffset < m_buffer.size()) {
        fail(400, QByteArrayLiteral("data sent before the WebSocket handshake was answered"));
        return;
    }
    const bool upgradable = m_request.isWebSocketUpgrade && m_requestAtTransactionStart;
    m_request.isWebSocketUpgrade = upgradable;
    m_requestAtTransactionStart = false;
    // A request is activity: whatever deadline ran before it (idle) starts afresh.
    m_timer.stop();
    m_wait = Wait::Nothing;
    Pending pending;
    pending.number = m_nextNumber++;
    pending.closeAfter = !m_keepAlive;
    pending.isHead = m_isHeadRequest;
    m_pending.push_back(pending);
    // After an upgrade request or a "Connection: close" nothing more is read.
    m_state = (upgradable || !m_keepAlive) ? State::Waiting : State::Head;
    const HttpRequest request = std::exchange(m_request, HttpRequest());
    emit requestReceived(this, pending.number, request);
}

void HttpConnection::respond(quint64 number, int status, const QByteArray &body,
                             const QByteArray &contentType)
{
    for (Pending &pending : m_pending) {
        if (pending.number != number)
            continue;
        if (pending.answered)
            return;
        pending.answered = true;
        pending.response =
            formatResponse(status, body, contentType, pending.closeAfter, pending.isHead);
        writeAnswered();
        return;
    }
}

bool HttpConnection::startStream(quint64 number, int status, const QByteArray &contentType)
{
    if (!m_socket || m_pending.empty() || m_pending.front().number != number ||
        m_pending.front().answered) {
        return false;
    }
    const Pending pending = m_pending.front();
    m_pending.pop_front();
    m_streamCloseAfter = pending.closeAfter;
    QByteArray head = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) +
                      "\r\nContent-Type: " + contentType;
    if (pending.isHead) {
        // No body, hence no framing to announce; the stream's chunks are dropped.
        head += m_streamCloseAfter ? "\r\nConnection: close\r\n\r\n" : "\r\n\r\n";
    } else {
        head += "\r\nTransfer-Encoding: chunked";
        head += m_streamCloseAfter ? "\r\nConnection: close\r\n\r\n" : "\r\n\r\n";
    }
    m_isHeadRequest = pending.isHead;
    m_socket->write(head);
    m_state = State::Streaming;
    updateTimer();
    return true;
}

void HttpConnection::writeStreamChunk(const QByteArray &data)
{
    if (m_state != State::Streaming || !m_socket || data.isEmpty() || m_isHeadRequest)
        return;
    m_socket->write(QByteArray::number(data.size(), 16) + "\r\n");
    m_socket->write(data);
    m_socket->write("\r\n", 2);
}

bool HttpConnection::isStreamWritable() const
{
    return m_state == State::Streaming && m_socket && m_socket->bytesToWrite() < StreamLowWater;
}

qint64 HttpConnection::unsentBytes() const
{
    return m_socket ? m_socket->bytesToWrite() : 0;
}

void HttpConnection::finishStream()
{
    if (m_state != State::Streaming || !m_socket)
        return;
    if (!m_isHeadRequest)
        m_socket->write("0\r\n\r\n", 5);
    m_isHeadRequest = false;
    if (m_streamCloseAfter) {
        closeGracefully();
        return;
    }
    m_state = State::Head;
    writeAnswered();
}

void HttpConnection::writeAnswered()
{
    while (!m_pending.empty() && m_pending.front().answered && m_socket) {
        const Pending pending = std::move(m_pending.front());
        m_pending.pop_front();
        if (m_socket->isTransactionStarted()) // an upgrade refused: its bytes are consumed for good
            m_socket->commitTransaction();
        m_socket->write(pending.response);
        if (pending.closeAfter) {
            closeGracefully();
            return;
        }
    }
    resumeReadingLater();
    updateTimer();
}

void HttpConnection::closeGracefully()
{
    m_state = State::Closed;
    m_pending.clear();
    m_lingering = true;
    if (m_socket->isTransactionStarted())
        m_socket->commitTransaction();
    if (m_socket->bytesToWrite() == 0)
        shutdownWriting();
    discardLingering();
}

void HttpConnection::shutdownWriting()
{
    // Our side is done: the peer sees the end of our answer (FIN) while we still take and drop
    // what it sends, until it closes too or the linger deadline passes.
    m_socket->flush();
    ::shutdown(int(m_socket->socketDescriptor()), SHUT_WR);
}

void HttpConnection::discardLingering()
{
    if (!m_socket)
        return;
    m_lingeringBytes += m_socket->skip(m_socket->bytesAvailable());
    if (m_lingeringBytes > MaxLingeringBytes) {
        abort();
        return;
    }
    updateTimer();
}

void HttpConnection::handleBytesWritten()
{
    if (!m_socket)
        return;
    if (m_lingering) {
        if (m_socket->bytesToWrite() == 0)
            shutdownWriting();
        m_timer.stop(); // progress: a fresh deadline
        updateTimer();
        return;
    }
    if (m_wait == Wait::Reader)
        m_timer.stop(); // progress: the peer gets a fresh deadline (updateTimer)
    if (m_state == State::Streaming) {
        updateTimer();
        if (isStreamWritable())
            emit streamWritable(this);
        return;
    }
    if (m_socket->bytesToWrite() < MaxUnsentBytes)
        resumeReadingLater();
    updateTimer();
}

void HttpConnection::resumeReadingLater()
{
    // Bytes may be waiting that no new readyRead will announce (we stopped reading at the
    // pending limit). Queued, so that the server's answering loop is not re-entered.
    if (m_resumeScheduled || m_state == State::Waiting || m_state == State::Streaming ||
        m_state == State::Closed || !m_socket)
        return;
    if (isThrottled())
        return;
    if (m_bufferOffset < m_buffer.size() || m_socket->bytesAvailable() > 0) {
        m_resumeScheduled = true;
        QMetaObject::invokeMethod(this, &HttpConnection::readFromSocket, Qt::QueuedConnection);
    }
}

HttpConnection::Wait HttpConnection::currentWait() const
{
    if (!m_socket)
        return Wait::Nothing;
    if (m_socket->bytesToWrite() > 0 &&
        (m_state == State::Closed || m_state == State::Streaming || isThrottled()))
        return Wait::Reader;
    if (m_lingering)
        return Wait::Linger;
    if (m_state == State::Closed || m_state == State::Waiting || m_state == State::Streaming)
        return Wait::Nothing;
    if (m_state != State::Head)
        return Wait::Body;
    if (!m_headDeadline.isForever())
        return Wait::Head;
    // Requests in the server's hands: the wait is ours, not the peer's.
    return m_pending.empty() ? Wait::NextRequest : Wait::Nothing;
}

void HttpConnection::updateTimer()
{
    const Wait wait = currentWait();
    if (wait == m_wait && (m_timer.isActive() || wait == Wait::Nothing))
        return; // a running deadline is not pushed back by more of the same
    m_wait = wait;
    switch (wait) {
    case Wait::Nothing:
        m_timer.stop();
        return;
    case Wait::NextRequest:
        m_timer.start(m_limits.idleTimeout);
        return;
    case Wait::Head:
        m_timer.start(std::chrono::milliseconds(m_headDeadline.remainingTime()));
        return;
    case Wait::Body:
    case Wait::Reader:
        m_timer.start(m_limits.readTimeout);
        return;
    case Wait::Linger:
        m_timer.start(qMin(m_limits.readTimeout, MaxLinger));
        return;
    }
}

void HttpConnection::handleTimeout()
{
    if (!m_socket)
        return;
    switch (m_wait) {
    case Wait::NextRequest:
        // An idle keep-alive connection: a normal close, nothing is lost.
        m_state = State::Closed;
        m_socket->disconnectFromHost();
        return;
    case Wait::Head:
    case Wait::Body:
    case Wait::Reader:
        qCDebug(lcServer) << "closing a connection that stalled" << int(m_wait);
        abort();
        return;
    case Wait::Linger:
        abort();
        return;
    case Wait::Nothing:
        return;
    }
}

QTcpSocket *HttpConnection::upgrade(quint64 number, QWebSocketServer *server)
{
    if (m_state != State::Waiting || !m_socket || m_pending.size() != 1 ||
        m_pending.front().number != number || !m_socket->isTransactionStarted()) {
        qCWarning(lcServer) << "upgrade called on a request that cannot be upgraded";
        abort();
        return nullptr;
    }
    QTcpSocket *socket = m_socket;
    m_socket = nullptr;
    m_state = State::Closed;
    m_pending.clear();
    m_timer.stop();
    socket->rollbackTransaction();
    // The socket now holds exactly the handshake. Nothing more is read until the WebSocket
    // exists and knows it is a server (see Subscriber): QWebSocket parses what it finds
    // buffered while it is being built, before it is told not to mask, and would answer a
    // peer's junk with a masked close frame.
    socket->setReadBufferSize(qMax<qint64>(1, socket->bytesAvailable()));
    disconnect(socket, nullptr, this, nullptr);
    // QWebSocket does not take ownership of the TCP socket it wraps (Qt 6): the WebSocket
    // server keeps it as a child until a Subscriber adopts it.
    socket->setParent(server);
    server->handleConnection(socket);
    deleteLater();
    return socket;
}

void HttpConnection::fail(int status, const QByteArray &reason)
{
    // The error answer queues behind the answers still owed, then the connection closes.
    Pending pending;
    pending.number = m_nextNumber++;
    pending.closeAfter = true;
    pending.answered = true;
    pending.response = formatResponse(
        status, ntfy::errorBody(status, status * 100 + 1, QString::fromLatin1(reason)),
        QByteArrayLiteral("application/json"), true, false);
    m_pending.push_back(pending);
    m_state = State::Waiting;
    m_headDeadline = QDeadlineTimer(QDeadlineTimer::Forever);
    writeAnswered();
}

QByteArray HttpConnection::formatResponse(int status, const QByteArray &body,
                                          const QByteArray &contentType, bool close,
                                          bool isHead) const
{
    QByteArray response;
    response.reserve(128 + contentType.size() + (isHead ? 0 : body.size()));
    response += "HTTP/1.1 ";
    response += QByteArray::number(status);
    response += ' ';
    response += reasonPhrase(status);
    response += "\r\nContent-Type: ";
    response += contentType;
    response += "\r\nContent-Length: ";
    response += QByteArray::number(body.size());
    response += close ? "\r\nConnection: close\r\n\r\n" : "\r\n\r\n";
    if (!isHead) // RFC 9110 §9.3.2: the same head as for GET, never a body
        response += body;
    return response;
}

} // namespace traybeat
