// libFuzzer harness for the push server's HTTP/1.1 reader (HttpConnection) and the routes behind
// it (PushServer, SinceFilter, ntfy): each input is written by a plain POSIX client over a real
// loopback TCP connection to a real PushServer, with the event loop pumped in between, so the
// reader sees exactly what it sees in production (partial reads, pipelining, the read
// transaction handed to QWebSocketServer on an upgrade).
//
// Input layout: byte 0 picks the setup, the rest is the byte stream the client sends.
//   bit 0     the server wants the bearer token "tk" (else: no auth)
//   bits 1-3  how the stream is cut into writes: 1, 2, 3, 7, 16, 64, 512 bytes or all at once
//
// Oracle, beyond ASan/UBSan/timeouts: what the server sends back must parse as a sequence of
// HTTP/1.1 responses framed by Content-Length (100 Continue interim answers allowed), until a
// 101 hands the stream to WebSocket framing (or QWebSocketServer refuses the handshake).
#include "pushserver.h"

#include <QCoreApplication>
#include <QEvent>
#include <QList>

#include <arpa/inet.h>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace traybeat;
using namespace std::chrono_literals;

namespace {

QCoreApplication *application = nullptr;
PushServer *servers[2] = {nullptr, nullptr};

void pump()
{
    QCoreApplication::processEvents(QEventLoop::AllEvents);
    // deleteLater outside exec() is only honoured when asked for.
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
}

// Everything the server has sent so far; false when the peer closed or reset.
bool drain(int fd, QByteArray *received)
{
    char buffer[65536];
    while (true) {
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
        if (n > 0) {
            received->append(buffer, qsizetype(n));
            continue;
        }
        return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
    }
}

[[noreturn]] void failWith(const char *what, const QByteArray &text)
{
    fprintf(stderr, "%s:\n%s\n", what, text.constData());
    abort();
}

// The end of a chunked body starting at `offset`, or -1 when cut short by the close.
qsizetype skipChunkedBody(const QByteArray &received, qsizetype offset)
{
    while (true) {
        const qsizetype lineEnd = received.indexOf("\r\n", offset);
        if (lineEnd < 0)
            return -1;
        bool isNumber = false;
        const qsizetype size = received.mid(offset, lineEnd - offset).toLongLong(&isNumber, 16);
        if (!isNumber || size < 0)
            failWith("bad chunk size in a streamed answer", received.mid(offset, 80));
        offset = lineEnd + 2 + size;
        if (received.size() < offset + 2)
            return -1;
        if (received.mid(offset, 2) != "\r\n")
            failWith("chunk not followed by CRLF", received.mid(offset, 80));
        offset += 2;
        if (size == 0)
            return offset;
    }
}

// The server's byte stream must be well-framed HTTP/1.1 answers (Content-Length, or chunked
// for streamed polls). After a HEAD request bodies are absent, so framing is not judged.
void checkResponses(const QByteArray &received, bool sawHead)
{
    qsizetype offset = 0;
    while (offset < received.size()) {
        const qsizetype headEnd = received.indexOf("\r\n\r\n", offset);
        if (headEnd < 0)
            return; // cut short by the close; nothing to judge
        const QByteArray head = received.mid(offset, headEnd - offset);
        if (!head.startsWith("HTTP/1.1 "))
            failWith("response does not start with a status line", received);
        // The handshake was handed to QWebSocketServer: WebSocket frames follow, or Qt's own
        // refusal (which carries no Content-Length), then the end.
        if (head.startsWith("HTTP/1.1 101 ") || head.contains("\r\nSec-WebSocket-Version: "))
            return;
        if (sawHead)
            return;
        if (head.startsWith("HTTP/1.1 100 ")) {
            offset = headEnd + 4;
            continue;
        }
        if (head.contains("\r\nTransfer-Encoding: chunked")) {
            offset = skipChunkedBody(received, headEnd + 4);
            if (offset < 0)
                return;
            continue;
        }
        const qsizetype lengthAt = head.indexOf("\r\nContent-Length: ");
        if (lengthAt < 0)
            failWith("response without Content-Length", head);
        const qsizetype lengthEnd = head.indexOf("\r\n", lengthAt + 2);
        const QByteArray length =
            head.mid(lengthAt + 18, (lengthEnd < 0 ? head.size() : lengthEnd) - lengthAt - 18);
        bool isNumber = false;
        const qsizetype bodySize = length.toLongLong(&isNumber);
        if (!isNumber || bodySize < 0)
            failWith("bad Content-Length", head);
        offset = headEnd + 4 + bodySize;
    }
}

PushServer *makeServer(const QString &token)
{
    PushServerOptions options;
    options.address = QHostAddress::LocalHost;
    options.token = token;
    // Messages published by earlier inputs are pruned soon, so that memory stays flat.
    options.cache = 2s;
    // Deadlines short enough that a stalled input is cut within the input's own time.
    options.readTimeout = 200ms;
    options.idleTimeout = 500ms;
    auto *server = new PushServer(options);
    QString error;
    if (!server->listen(&error)) {
        fprintf(stderr, "cannot start the push server: %s\n", qPrintable(error));
        abort();
    }
    return server;
}

int connectTo(quint16 port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        perror("socket");
        abort();
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    // libFuzzer's timeout alarm can interrupt connect; the connection then completes on its
    // own, which a repeated connect reports as EISCONN (or EALREADY while still under way).
    while (::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0 &&
           errno != EISCONN) {
        if (errno != EINTR && errno != EALREADY) {
            perror("connect");
            abort();
        }
    }
    // Close with a reset: no TIME_WAIT, so millions of connections do not run out of ports.
    const linger reset{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    qputenv("QT_LOGGING_RULES", "*.debug=false\ntraybeat.*.warning=false\nqt.*.warning=false");
    static int argc = 1;
    static char name[] = "fuzz_httpconnection";
    static char *argv[] = {name, nullptr};
    application = new QCoreApplication(argc, argv);
    servers[0] = makeServer({});
    servers[1] = makeServer(QStringLiteral("tk"));
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static constexpr qsizetype pieces[] = {1, 2, 3, 7, 16, 64, 512, 1 << 30};
    PushServer *server = servers[data[0] & 1];
    const qsizetype piece = pieces[(data[0] >> 1) & 7];
    const char *bytes = reinterpret_cast<const char *>(data + 1);
    const qsizetype total = qsizetype(size - 1);

    const int fd = connectTo(server->port());
    pump(); // accepted
    QByteArray received;
    bool open = true;
    qsizetype sent = 0;
    int stalls = 0;
    while (sent < total && open && stalls < 20) {
        const ssize_t n = ::send(fd, bytes + sent, size_t(qMin(piece, total - sent)), MSG_NOSIGNAL);
        if (n > 0) {
            sent += n;
            stalls = 0;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            ++stalls; // the server stopped reading (pending limit, upgrade): fine
        } else {
            break; // reset by the server
        }
        pump();
        open = drain(fd, &received);
    }
    // Let the server finish: answers, deferred batch commits, queued resumes.
    for (int idle = 0, rounds = 0; open && idle < 3 && rounds < 200; ++rounds) {
        const qsizetype before = received.size();
        pump();
        open = drain(fd, &received);
        idle = received.size() == before ? idle + 1 : 0;
    }
    ::close(fd);
    for (int i = 0; i < 3; ++i)
        pump(); // the server sees the reset and frees the connection
    checkResponses(received, QByteArrayView(bytes, total).indexOf("HEAD") >= 0);
    return 0;
}
