// End-to-end throughput and latency: `traybeat serve` → one `traybeat listen`, both as real
// processes over loopback, both persisting (server SQLite, client NotificationStore).
// Publishes N messages over pipelined HTTP/1.1 keep-alive connections (raw sockets: the load
// generator must cost less than what it measures), reads the listener's JSON lines, and prints a
// table: sustained rate, lost, doubled, publish→receive latency p50/p99/max.
//
// Without --rate it publishes as fast as the server answers (peak rate; latency then mostly
// measures queueing); with --rate R it offers R messages/s, so latency is that of a pipeline
// running at R.
//
// With --port P it uses a server already running on 127.0.0.1:P (or HAProxy in front of several;
// bench/several_instances.sh) instead of starting one.
//
// usage: bench_end_to_end [--messages N] [--rate R] [--connections C] [--in-flight K] [--binary PATH]
//                         [--port P]

#include "servechild.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTimer>
#include <algorithm>
#include <limits>
#include <cstdio>
#include <unistd.h>

namespace {

struct Options
{
    int messages = 50000;
    int connections = 4;
    int inFlight = 64; // per connection
    int rate = 0;      // messages/s offered; 0: as fast as possible
    quint16 port = 0;  // set: a server already running there
    QString binary = QStringLiteral(TRAYBEAT_BINARY);
};

class Bench final : public QObject
{
public:
    explicit Bench(Options options) : m_options(std::move(options)) {}

    int run()
    {
        if (!m_dir.isValid() || !startServer() || !startListener())
            return 1;
        m_clock.start();
        if (m_options.rate > 0) {
            connect(&m_pacer, &QTimer::timeout, this, [this] {
                for (const auto &publisher : m_publishers)
                    fill(publisher.get());
            });
            m_pacer.start(std::chrono::milliseconds(5));
        }
        for (int i = 0; i < m_options.connections; ++i)
            openPublisher();
        QTimer deadline;
        deadline.setSingleShot(true);
        connect(&deadline, &QTimer::timeout, this, [] { QCoreApplication::exit(3); });
        deadline.start(std::chrono::minutes(5));
        const int status = QCoreApplication::exec();
        stop();
        report(status == 3);
        return status == 3 ? 1 : 0;
    }

private:
    bool startServer()
    {
        if (m_options.port != 0) {
            m_port = m_options.port;
            return true;
        }
        m_port = startServe(m_server, m_options.binary, m_dir.filePath(QStringLiteral("server.db")));
        return m_port != 0;
    }

    bool startListener()
    {
        m_listener.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        connect(&m_listener, &QProcess::readyReadStandardOutput, this, [this] { readListener(); });
        m_listener.start(m_options.binary,
                         {QStringLiteral("listen"), QStringLiteral("--server=http://127.0.0.1:%1").arg(m_port),
                          QStringLiteral("--topic=bench"), QStringLiteral("--state-dir"),
                          m_dir.filePath(QStringLiteral("client"))});
        QElapsedTimer waited;
        waited.start();
        while (!m_connected && waited.elapsed() < 10000) {
            m_listener.waitForReadyRead(200);
            readListener();
        }
        if (!m_connected)
            std::fprintf(stderr, "bench: the listener did not connect\n");
        return m_connected;
    }

    struct Publisher
    {
        QTcpSocket socket;
        QByteArray buffer;
        int inFlight = 0;
    };

    void openPublisher()
    {
        auto *publisher = new Publisher;
        m_publishers.emplace_back(publisher);
        connect(&publisher->socket, &QTcpSocket::connected, this, [this, publisher] { fill(publisher); });
        connect(&publisher->socket, &QTcpSocket::readyRead, this, [this, publisher] { readAnswers(publisher); });
        publisher->socket.connectToHost(QHostAddress::LocalHost, m_port);
    }

    // Keeps `inFlight` requests pipelined on the connection.
    void fill(Publisher *publisher)
    {
        QByteArray requests;
        const QByteArray body = QByteArrayLiteral("benchmark message body");
        // With a rate, never run ahead of the schedule: message k is due at k / rate seconds.
        const qint64 due = m_options.rate > 0 ? m_clock.elapsed() * m_options.rate / 1000 + 1
                                              : std::numeric_limits<qint64>::max();
        while (publisher->inFlight < m_options.inFlight && m_sent < m_options.messages && m_sent < due) {
            const int sequence = m_sent++;
            m_sentAt.insert(sequence, QDateTime::currentMSecsSinceEpoch());
            requests += "POST /bench HTTP/1.1\r\nHost: 127.0.0.1\r\nTitle: " + QByteArray::number(sequence)
                        + "\r\nContent-Type: text/plain\r\nContent-Length: " + QByteArray::number(body.size())
                        + "\r\n\r\n" + body;
            ++publisher->inFlight;
        }
        if (!requests.isEmpty())
            publisher->socket.write(requests);
    }

    // Counts complete answers (status line, headers, Content-Length body) and refills.
    void readAnswers(Publisher *publisher)
    {
        publisher->buffer += publisher->socket.readAll();
        static const QRegularExpression lengthPattern(QStringLiteral("(?i)content-length:\\s*(\\d+)"));
        for (;;) {
            const int headerEnd = publisher->buffer.indexOf("\r\n\r\n");
            if (headerEnd < 0)
                break;
            const QString head = QString::fromLatin1(publisher->buffer.left(headerEnd));
            const auto match = lengthPattern.match(head);
            const int total = headerEnd + 4 + (match.hasMatch() ? match.captured(1).toInt() : 0);
            if (publisher->buffer.size() < total)
                break;
            if (!head.startsWith(QLatin1String("HTTP/1.1 200")))
                ++m_publishErrors;
            publisher->buffer.remove(0, total);
            --publisher->inFlight;
        }
        fill(publisher);
    }

    void readListener()
    {
        m_buffer += m_listener.readAllStandardOutput();
        int newline;
        while ((newline = m_buffer.indexOf('\n')) >= 0) {
            const QJsonObject event = QJsonDocument::fromJson(m_buffer.left(newline)).object();
            m_buffer.remove(0, newline + 1);
            const QString kind = event.value(QLatin1String("event")).toString();
            if (kind == QLatin1String("state")) {
                m_connected = event.value(QLatin1String("state")).toString() == QLatin1String("connected");
            } else if (kind == QLatin1String("message")) {
                const int sequence = event.value(QLatin1String("title")).toString().toInt();
                const qint64 receivedAt = qint64(event.value(QLatin1String("time")).toDouble());
                if (m_seen.contains(sequence))
                    ++m_doubled;
                m_seen.insert(sequence);
                m_latencies.push_back(receivedAt - m_sentAt.value(sequence, receivedAt));
                if (int(m_seen.size()) == m_options.messages) {
                    m_elapsedMs = m_clock.elapsed();
                    QCoreApplication::exit(0);
                }
            }
        }
    }

    // User + system CPU seconds a child has used so far (/proc/PID/stat, fields 14 and 15):
    // on a shared box a steadier figure than the rate, which depends on what else runs.
    static double cpuSeconds(const QProcess &process)
    {
        QFile stat(QStringLiteral("/proc/%1/stat").arg(process.processId()));
        if (!stat.open(QIODevice::ReadOnly))
            return 0;
        const QByteArray text = stat.readAll();
        const QList<QByteArray> fields = text.mid(text.lastIndexOf(')') + 2).split(' ');
        if (fields.size() < 13)
            return 0;
        return double(fields.at(11).toLongLong() + fields.at(12).toLongLong()) /
               double(sysconf(_SC_CLK_TCK));
    }

    void stop()
    {
        m_serverCpu = cpuSeconds(m_server);
        m_listenerCpu = cpuSeconds(m_listener);
        for (QProcess *process : {&m_listener, &m_server}) {
            process->terminate();
            if (!process->waitForFinished(5000))
                process->kill();
        }
    }

    void report(bool timedOut)
    {
        std::sort(m_latencies.begin(), m_latencies.end());
        const auto percentile = [this](double p) -> qint64 {
            if (m_latencies.empty())
                return -1;
            return m_latencies[std::min(m_latencies.size() - 1, size_t(p * double(m_latencies.size())))];
        };
        const qint64 elapsed = timedOut ? m_clock.elapsed() : m_elapsedMs;
        std::printf("| offered msgs/s | messages | seconds | msgs/s | lost | doubled | publish errors | p50 ms | p99 ms | max ms |\n");
        std::printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        const QString offered = m_options.rate > 0 ? QString::number(m_options.rate) : QStringLiteral("max");
        std::printf("| %s | %d | %.2f | %.0f | %d | %d | %d | %lld | %lld | %lld |\n",
                    qPrintable(offered), m_options.messages, double(elapsed) / 1000.0, double(m_seen.size()) * 1000.0 / double(std::max<qint64>(elapsed, 1)),
                    m_options.messages - int(m_seen.size()), m_doubled, m_publishErrors, percentile(0.5),
                    percentile(0.99), m_latencies.empty() ? -1LL : m_latencies.back());
        std::printf("\n(%d connections with %d pipelined publishes each; serve and listen persist to SQLite;"
                    " CPU used: serve %.2f s, listen %.2f s)\n",
                    m_options.connections, m_options.inFlight, m_serverCpu, m_listenerCpu);
        std::fflush(stdout);
    }

    Options m_options;
    QTemporaryDir m_dir;
    QProcess m_server, m_listener;
    double m_serverCpu = 0, m_listenerCpu = 0;
    quint16 m_port = 0;
    bool m_connected = false;
    std::vector<std::unique_ptr<Publisher>> m_publishers;
    QTimer m_pacer;
    QElapsedTimer m_clock;
    qint64 m_elapsedMs = 0;
    int m_sent = 0, m_publishErrors = 0, m_doubled = 0;
    QHash<int, qint64> m_sentAt;
    QSet<int> m_seen;
    std::vector<qint64> m_latencies;
    QByteArray m_buffer;
};

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOptions({{QStringLiteral("messages"), QStringLiteral("How many to publish."), QStringLiteral("N")},
                       {QStringLiteral("rate"), QStringLiteral("Messages/s offered (0: max)."), QStringLiteral("R")},
                       {QStringLiteral("connections"), QStringLiteral("Publishing connections."), QStringLiteral("C")},
                       {QStringLiteral("in-flight"), QStringLiteral("Pipelined publishes per connection."), QStringLiteral("K")},
                       {QStringLiteral("binary"), QStringLiteral("The traybeat executable."), QStringLiteral("PATH")},
                       {QStringLiteral("port"), QStringLiteral("Use the server running on 127.0.0.1:P."), QStringLiteral("P")}});
    parser.process(app);
    Options options;
    if (parser.isSet(QStringLiteral("messages")))
        options.messages = std::max(1, parser.value(QStringLiteral("messages")).toInt());
    if (parser.isSet(QStringLiteral("in-flight")))
        options.inFlight = std::max(1, parser.value(QStringLiteral("in-flight")).toInt());
    if (parser.isSet(QStringLiteral("rate")))
        options.rate = std::max(0, parser.value(QStringLiteral("rate")).toInt());
    if (parser.isSet(QStringLiteral("connections")))
        options.connections = std::max(1, parser.value(QStringLiteral("connections")).toInt());
    if (parser.isSet(QStringLiteral("binary")))
        options.binary = parser.value(QStringLiteral("binary"));
    if (parser.isSet(QStringLiteral("port")))
        options.port = quint16(parser.value(QStringLiteral("port")).toUInt());
    Bench bench(options);
    return bench.run();
}
