#include "httpconnection.h"

#include "logging.h"
#include "ntfy.h"

#include <QTcpSocket>
#include <QWebSocketServer>

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
} // namespace

HttpConnection::HttpConnection(QTcpSocket *socket, qsizetype bodyLimit, QObject *parent)
    : QObject(parent), m_socket(socket), m_bodyLimit(bodyLimit)
{
    socket->setParent(this);
    // Small answers go out at once; Nagle would hold each behind the previous one's ACK.
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    socket->setReadBufferSize(ReadBufferSize);
    connect(socket, &QTcpSocket::readyRead, this, &HttpConnection::readFromSocket);
    connect(socket, &QTcpSocket::bytesWritten, this, [this] {
        if (m_socket && m_socket->bytesToWrite() < MaxUnsentBytes)
            resumeReadingLater();
    });
    connect(socket, &QTcpSocket::disconnected, this, &HttpConnection::handleDisconnected);
}

HttpConnection::~HttpConnection() = default;

void HttpConnection::start()
{
    readFromSocket();
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
    if (m_socket)
        m_socket->abort();
}

void HttpConnection::handleDisconnected()
{
    m_state = State::Closed;
    m_pending.clear();
    deleteLater();
}

void HttpConnection::readFromSocket()
{
    m_resumeScheduled = false;
    // Waiting (an upgrade decision, or Connection: close sent) or too much outstanding: leave
    // the bytes in the socket.
    if (m_state == State::Waiting || m_state == State::Closed || !m_socket ||
        m_pending.size() >= MaxPending || m_socket->bytesToWrite() >= MaxUnsentBytes)
        return;
    if (m_bufferOffset >= m_buffer.size()) {
        m_buffer.clear();
        m_bufferOffset = 0;
    }
    if (m_state == State::Head && m_buffer.isEmpty() && m_pending.empty() &&
        m_socket->bytesAvailable() > 0) {
        if (!m_socket->isTransactionStarted())
            m_socket->startTransaction();
        m_requestAtTransactionStart = true;
    }
    m_buffer.append(m_socket->readAll());
    processBuffer();
}

void HttpConnection::processBuffer()
{
    while (m_state != State::Waiting && m_state != State::Closed && m_pending.size() < MaxPending) {
        if (m_state == State::Head) {
            if (m_socket->bytesToWrite() >= MaxUnsentBytes)
                return; // the client is not reading its answers: bytesWritten resumes us
            // RFC 9112 asks servers to skip empty lines before a request line.
            while (m_bufferOffset + 1 < m_buffer.size() && m_buffer[m_bufferOffset] == '\r' &&
                   m_buffer[m_bufferOffset + 1] == '\n') {
                m_bufferOffset += 2;
            }
            if (m_bufferOffset >= m_buffer.size())
                return;
            const qsizetype headEnd = m_buffer.indexOf("\r\n\r\n", m_bufferOffset);
            if (headEnd < 0 || headEnd - m_bufferOffset > MaxHeadSize) {
                if (headEnd >= 0 || m_buffer.size() - m_bufferOffset > MaxHeadSize)
                    fail(431, QByteArrayLiteral("request header too large"));
                return;
            }
            const qsizetype headStart = m_bufferOffset;
            m_bufferOffset = headEnd + 4;
            if (!parseHead(headStart, headEnd))
                return;
            continue;
        }
        const bool complete = m_state == State::Body ? readBody() : readChunked();
        if (!complete)
            return;
        dispatchRequest();
    }
}

bool HttpConnection::parseHead(qsizetype headStart, qsizetype headEnd)
{
    m_request = HttpRequest();
    m_bodyReceived = 0;
    const QByteArray head = m_buffer.mid(headStart, headEnd - headStart);
    const QList<QByteArray> lines = head.split('\n');
    const QList<QByteArray> requestLine = lines.first().trimmed().split(' ');
    if (requestLine.size() != 3 || requestLine[0].isEmpty() || !requestLine[1].startsWith('/')) {
        fail(400, QByteArrayLiteral("malformed request line"));
        return false;
    }
    const QByteArray &version = requestLine[2];
    if (!version.startsWith("HTTP/1.")) {
        fail(505, QByteArrayLiteral("only HTTP/1.x is supported"));
        return false;
    }
    m_request.method = requestLine[0];
    const QByteArray &target = requestLine[1];
    const qsizetype question = target.indexOf('?');
    m_request.path = question < 0 ? target : target.left(question);
    m_request.query = question < 0 ? QByteArray() : target.mid(question + 1);

    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray &line = lines[i];
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0 || line.startsWith(' ') || line.startsWith('\t')) {
            fail(400, QByteArrayLiteral("malformed header line"));
            return false;
        }
        m_request.headers.append(
            {line.left(colon).trimmed().toLower(), line.mid(colon + 1).trimmed()});
    }

    const QByteArray connection = m_request.header("connection");
    m_keepAlive = version == "HTTP/1.0" ? containsToken(connection, "keep-alive")
                                        : !containsToken(connection, "close");
    m_request.isWebSocketUpgrade = m_request.method == "GET" &&
                                   containsToken(m_request.header("upgrade"), "websocket") &&
                                   containsToken(connection, "upgrade");
    // Any answer to an upgrade request other than the upgrade itself ends the connection: a
    // WebSocket client that got 401 does not reuse it, and would otherwise hang in "connecting".
    if (m_request.isWebSocketUpgrade)
        m_keepAlive = false;

    const QByteArray transferEncoding = m_request.header("transfer-encoding").toLower();
    const QByteArray contentLength = m_request.header("content-length");
    const bool expectsContinue = m_request.header("expect").toLower() == "100-continue";
    qint64 length = 0;
    if (!transferEncoding.isEmpty()) {
        if (transferEncoding.trimmed() != "chunked") {
            fail(501, QByteArrayLiteral("unsupported transfer encoding"));
            return false;
        }
        m_state = State::ChunkSize;
    } else if (!contentLength.isEmpty()) {
        bool isNumber = false;
        length = contentLength.toLongLong(&isNumber);
        if (!isNumber || length < 0) {
            fail(400, QByteArrayLiteral("invalid Content-Length"));
            return false;
        }
        m_state = State::Body;
        m_bodyRemaining = length;
    } else {
        m_state = State::Body;
        m_bodyRemaining = 0;
    }

    const bool hasBody = m_state == State::ChunkSize || length > 0;
    if (hasBody && (length > MaxDiscardedBody || (expectsContinue && length > m_bodyLimit))) {
        // Not worth reading (or, with Expect, not even sent yet): answer now and close.
        fail(413, QByteArrayLiteral("message too large"));
        return false;
    }
    if (hasBody && expectsContinue && m_pending.empty())
        m_socket->write(QByteArrayLiteral("HTTP/1.1 100 Continue\r\n\r\n"));
    if (m_socket->isTransactionStarted() &&
        !(m_request.isWebSocketUpgrade && m_requestAtTransactionStart)) {
        m_socket->commitTransaction();
    }
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
    if (m_request.body.size() + size > m_bodyLimit) {
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
    while (true) {
        if (m_state == State::ChunkData) {
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
            continue;
        }
        const qsizetype lineEnd = m_buffer.indexOf("\r\n", m_bufferOffset);
        if (lineEnd < 0) {
            if (m_buffer.size() - m_bufferOffset > MaxChunkLineSize)
                fail(400, QByteArrayLiteral("malformed chunked body"));
            return false;
        }
        const QByteArray line = m_buffer.mid(m_bufferOffset, lineEnd - m_bufferOffset);
        m_bufferOffset = lineEnd + 2;
        if (m_state == State::ChunkTrailer) {
            if (line.isEmpty())
                return true;
            continue;
        }
        const qsizetype semicolon = line.indexOf(';');
        bool isNumber = false;
        const qint64 size =
            (semicolon < 0 ? line : line.left(semicolon)).trimmed().toLongLong(&isNumber, 16);
        if (!isNumber || size < 0) {
            fail(400, QByteArrayLiteral("malformed chunked body"));
            return false;
        }
        if (size > MaxDiscardedBody) {
            fail(413, QByteArrayLiteral("message too large"));
            return false;
        }
        m_state = size == 0 ? State::ChunkTrailer : State::ChunkData;
        m_bodyRemaining = size;
    }
}

void HttpConnection::dispatchRequest()
{
    // Only a request that begins a fresh read transaction, with nothing answered-but-unsent
    // before it, can be handed back unread to QWebSocketServer.
    const bool upgradable = m_request.isWebSocketUpgrade && m_requestAtTransactionStart;
    m_request.isWebSocketUpgrade = upgradable;
    m_requestAtTransactionStart = false;
    Pending pending;
    pending.number = m_nextNumber++;
    pending.closeAfter = !m_keepAlive;
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
        pending.response = formatResponse(status, body, contentType, pending.closeAfter);
        writeAnswered();
        return;
    }
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
            m_state = State::Closed;
            m_pending.clear();
            m_socket->disconnectFromHost(); // after the written bytes are sent
            return;
        }
    }
    resumeReadingLater();
}

void HttpConnection::resumeReadingLater()
{
    // Bytes may be waiting that no new readyRead will announce (we stopped reading at the
    // pending limit). Queued, so that the server's answering loop is not re-entered.
    if (m_resumeScheduled || m_state == State::Waiting || m_state == State::Closed || !m_socket)
        return;
    if (m_pending.size() >= MaxPending || m_socket->bytesToWrite() >= MaxUnsentBytes)
        return;
    if (m_bufferOffset < m_buffer.size() || m_socket->bytesAvailable() > 0) {
        m_resumeScheduled = true;
        QMetaObject::invokeMethod(this, &HttpConnection::readFromSocket, Qt::QueuedConnection);
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
    socket->rollbackTransaction();
    socket->setReadBufferSize(0); // QWebSocket reads frames its own way, as before
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
        QByteArrayLiteral("application/json"), true);
    m_pending.push_back(pending);
    m_state = State::Waiting;
    writeAnswered();
}

QByteArray HttpConnection::formatResponse(int status, const QByteArray &body,
                                          const QByteArray &contentType, bool close) const
{
    QByteArray response;
    response.reserve(128 + contentType.size() + body.size());
    response += "HTTP/1.1 ";
    response += QByteArray::number(status);
    response += ' ';
    response += reasonPhrase(status);
    response += "\r\nContent-Type: ";
    response += contentType;
    response += "\r\nContent-Length: ";
    response += QByteArray::number(body.size());
    response += close ? "\r\nConnection: close\r\n\r\n" : "\r\n\r\n";
    response += body;
    return response;
}

} // namespace traybeat
