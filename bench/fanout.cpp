// `traybeat serve` fan-out: S WebSocket subscribers on one topic, P messages published, every
// one of the S × P frames delivered. Measures the time from the first publish written to the
// last frame read by the last subscriber, and the server's peak resident memory (VmHWM).
//
// The subscribers are plain TCP sockets that do the upgrade by hand and count frames by their
// headers (a QWebSocket each would make this process, not the server, the bottleneck). The
// publisher writes all P requests pipelined on one keep-alive connection. The server runs with
// the keepalive off, so every text frame after a subscriber's "open" is a message.
//
// usage: bench_fanout [--subscribers S] [--messages P] [--rounds R] [--binary PATH]
#include "servechild.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTimer>
#include <algorithm>
#include <cstdio>
#include <memory>
#include <vector>

namespace {

struct Options
{
    int subscribers = 1000;
    int messages = 1000;
    int rounds = 3;
    QString binary = QStringLiteral(TRAYBEAT_BINARY);
};

struct Result
{
    bool ok = false;
    double seconds = 0;
    double peakMb = 0;
    double idleMb = 0;
    qint64 delivered = 0;
};

struct Reader
{
    QTcpSocket socket;
    QByteArray buffer;
    bool upgraded = false;
    qint64 textFrames = 0;
};

// Resident set figures of a process from /proc, in MB.
double statusMb(qint64 pid, const QByteArray &field)
{
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith(field))
            return line.mid(field.size()).trimmed().split(' ').constFirst().toDouble() / 1024;
    }
    return 0;
}

class Round final : public QObject
{
public:
    explicit Round(const Options &options) : m_options(options) {}

    Result run()
    {
        if (!m_dir.isValid() || !startServer())
            return {};
        for (int i = 0; i < m_options.subscribers; ++i)
            subscribe();
        QTimer deadline;
        deadline.setSingleShot(true);
        connect(&deadline, &QTimer::timeout, this, [] { QCoreApplication::exit(1); });
        deadline.start(std::chrono::minutes(2));
        const bool finished = QCoreApplication::exec() == 0;
        m_finished = true;
        m_result.ok = finished;
        m_result.peakMb = statusMb(m_server.processId(), "VmHWM:");
        for (const auto &reader : m_readers)
            m_result.delivered += std::max<qint64>(0, reader->textFrames - 1);
        m_server.terminate();
        m_server.waitForFinished(10000);
        return m_result;
    }

private:
    bool startServer()
    {
        const QString many = QString::number(m_options.subscribers + 100);
        m_port = startServe(m_server, m_options.binary, m_dir.filePath(QStringLiteral("server.db")),
                            {QStringLiteral("--keepalive"), QStringLiteral("1d"),
                             QStringLiteral("--max-connections"), many,
                             QStringLiteral("--max-connections-per-address"), many});
        return m_port != 0;
    }

    void subscribe()
    {
        m_readers.push_back(std::make_unique<Reader>());
        Reader *reader = m_readers.back().get();
        connect(&reader->socket, &QTcpSocket::connected, this, [reader] {
            reader->socket.write("GET /fan/ws HTTP/1.1\r\nHost: bench\r\nUpgrade: websocket\r\n"
                                 "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                                 "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
        });
        connect(&reader->socket, &QTcpSocket::readyRead, this, [this, reader] { read(reader); });
        connect(&reader->socket, &QTcpSocket::disconnected, this, [this] {
            if (m_finished)
                return;
            std::fprintf(stderr, "fanout: the server closed a subscriber\n");
            QCoreApplication::exit(1);
        });
        reader->socket.connectToHost(QHostAddress::LocalHost, m_port);
    }

    void read(Reader *reader)
    {
        reader->buffer += reader->socket.readAll();
        if (!reader->upgraded) {
            const qsizetype headEnd = reader->buffer.indexOf("\r\n\r\n");
            if (headEnd < 0)
                return;
            if (!reader->buffer.startsWith("HTTP/1.1 101")) {
                std::fprintf(stderr, "fanout: upgrade refused: %s\n",
                             reader->buffer.left(headEnd).constData());
                QCoreApplication::exit(1);
                return;
            }
            reader->upgraded = true;
            reader->buffer.remove(0, headEnd + 4);
        }
        countFrames(reader);
    }

    // Counts the complete frames in the buffer by their headers (server frames are unmasked).
    void countFrames(Reader *reader)
    {
        const auto *bytes = reinterpret_cast<const uchar *>(reader->buffer.constData());
        const qsizetype size = reader->buffer.size();
        qsizetype offset = 0;
        while (size - offset >= 2) {
            qsizetype header = 2;
            quint64 length = bytes[offset + 1] & 0x7f;
            if (length == 126) {
                header = 4;
                if (size - offset < header)
                    break;
                length = (quint64(bytes[offset + 2]) << 8) | bytes[offset + 3];
            } else if (length == 127) {
                header = 10;
                if (size - offset < header)
                    break;
                length = 0;
                for (int i = 2; i < 10; ++i)
                    length = (length << 8) | bytes[offset + i];
            }
            if (quint64(size - offset - header) < length)
                break;
            if ((bytes[offset] & 0x0f) == 1)
                counted(reader);
            offset += header + qsizetype(length);
        }
        reader->buffer.remove(0, offset);
    }

    void counted(Reader *reader)
    {
        if (++reader->textFrames == 1) { // "open": subscribed
            if (++m_open == m_options.subscribers)
                publish();
            return;
        }
        if (++m_delivered == qint64(m_options.subscribers) * m_options.messages) {
            m_result.seconds = double(m_clock.nsecsElapsed()) / 1e9;
            QCoreApplication::exit(0);
        }
    }

    void publish()
    {
        m_result.idleMb = statusMb(m_server.processId(), "VmRSS:");
        connect(&m_publisher, &QTcpSocket::readyRead, this, [this] { m_publisher.readAll(); });
        connect(&m_publisher, &QTcpSocket::connected, this, [this] {
            QByteArray requests;
            for (int i = 0; i < m_options.messages; ++i) {
                const QByteArray body =
                    "Backup job " + QByteArray::number(i) + " finished: 1.2 GB in 42 s";
                requests += "POST /fan HTTP/1.1\r\nHost: bench\r\nTitle: Backup\r\n"
                            "Content-Length: " +
                            QByteArray::number(body.size()) + "\r\n\r\n" + body;
            }
            m_clock.start();
            m_publisher.write(requests);
        });
        m_publisher.connectToHost(QHostAddress::LocalHost, m_port);
    }

    const Options &m_options;
    QTemporaryDir m_dir;
    QProcess m_server;
    quint16 m_port = 0;
    std::vector<std::unique_ptr<Reader>> m_readers;
    QTcpSocket m_publisher;
    QElapsedTimer m_clock;
    bool m_finished = false;
    int m_open = 0;
    qint64 m_delivered = 0;
    Result m_result;
};

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOptions(
        {{QStringLiteral("subscribers"), QStringLiteral("WebSocket subscribers."),
          QStringLiteral("S")},
         {QStringLiteral("messages"), QStringLiteral("Messages published."), QStringLiteral("P")},
         {QStringLiteral("rounds"), QStringLiteral("Runs."), QStringLiteral("R")},
         {QStringLiteral("binary"), QStringLiteral("traybeat to run."), QStringLiteral("PATH")}});
    parser.process(app);
    Options options;
    if (parser.isSet(QStringLiteral("subscribers")))
        options.subscribers = parser.value(QStringLiteral("subscribers")).toInt();
    if (parser.isSet(QStringLiteral("messages")))
        options.messages = parser.value(QStringLiteral("messages")).toInt();
    if (parser.isSet(QStringLiteral("rounds")))
        options.rounds = parser.value(QStringLiteral("rounds")).toInt();
    if (parser.isSet(QStringLiteral("binary")))
        options.binary = parser.value(QStringLiteral("binary"));

    std::printf("| subscribers × messages | frames delivered | seconds | frames/s | server RSS "
                "subscribed → peak MB |\n|---|---:|---:|---:|---|\n");
    int failures = 0;
    for (int round = 0; round < options.rounds; ++round) {
        Round bench(options);
        const Result result = bench.run();
        const qint64 expected = qint64(options.subscribers) * options.messages;
        failures += result.ok ? 0 : 1;
        std::printf("| %d × %d | %lld of %lld | %s | %.0f | %.1f → %.1f |\n", options.subscribers,
                    options.messages, static_cast<long long>(result.delivered),
                    static_cast<long long>(expected),
                    result.ok ? qPrintable(QString::number(result.seconds, 'f', 2)) : "timeout",
                    result.ok ? double(expected) / result.seconds : 0.0, result.idleMb,
                    result.peakMb);
        std::fflush(stdout);
    }
    return failures == 0 ? 0 : 1;
}
