// Publish throughput of `traybeat serve`: the server runs as a real child process with its
// SQLite file; this program POSTs N messages through QNetworkAccessManager (keep-alive
// connections, K requests in flight — QNAM opens at most 6 connections per host and queues the
// rest) while one WebSocket subscriber on the same topic counts what is fanned out. Prints one
// table row per in-flight setting: rate, POST latency p50/p99/max, and what the subscriber got
// (lost and doubled must both be 0: a POST is answered only once its row is committed, and
// fan-out happens after that commit).
//
// With --raw C the publisher is C plain TCP connections with K pipelined requests each instead
// of QNAM, whose per-request cost (a worker thread and queued signals per reply) otherwise
// limits the rate long before the server does.
//
// With --slowloris S, S more connections are held open during the runs, each sending a request
// head one byte per second and never finishing it (the server closes them at its head deadline;
// they reconnect at once, so S stay open): what well-behaved publishers pay for an attack.
//
// usage: bench_publish_throughput [--messages N] [--in-flight K[,K...]] [--pipelining]
//                                 [--raw C] [--slowloris S] [--binary PATH | --server URL]
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTimer>
#include <QWebSocket>
#include <algorithm>
#include <cstdio>
#include <deque>
#include <memory>

namespace {

struct Options
{
    int messages = 20000;
    QList<int> inFlight{1, 6, 24};
    bool pipelining = false;
    int rawConnections = 0; // > 0: raw pipelined sockets instead of QNAM
    int slowloris = 0;      // connections that trickle a head that never ends
    QString binary = QStringLiteral(TRAYBEAT_BINARY);
    QUrl server; // set: use this running server instead of starting one
};

struct Row
{
    int messages = 0;
    int inFlight = 0;
    double seconds = 0;
    QList<qint64> latenciesNs;
    int errors = 0;
    int delivered = 0;
    int doubled = 0;
};

double percentileMs(QList<qint64> values, double fraction)
{
    if (values.isEmpty())
        return 0;
    std::sort(values.begin(), values.end());
    const auto index = qsizetype(fraction * double(values.size() - 1));
    return double(values.at(index)) / 1e6;
}

// One run: K requests in flight until N are answered, then a short wait for the fan-out tail.
class Run final : public QObject
{
public:
    Run(const QUrl &server, const Options &options, int inFlight, const QString &topic)
        : m_server(server), m_options(options), m_topic(topic)
    {
        m_row.messages = options.messages;
        m_row.inFlight = inFlight;
        connect(&m_subscriber, &QWebSocket::textMessageReceived, this, [this](const QString &text) {
            const QJsonObject event = QJsonDocument::fromJson(text.toUtf8()).object();
            if (event.value(QStringLiteral("event")).toString() != QLatin1String("message"))
                return;
            const QString body = event.value(QStringLiteral("message")).toString();
            if (m_seen.contains(body))
                ++m_row.doubled;
            m_seen.insert(body);
            m_row.delivered = int(m_seen.size());
            finishIfDone();
        });
    }

    Row exec()
    {
        QUrl ws = m_server;
        ws.setScheme(QStringLiteral("ws"));
        ws.setPath(QLatin1Char('/') + m_topic + QStringLiteral("/ws"));
        m_subscriber.open(ws);
        QEventLoop waitOpen;
        connect(&m_subscriber, &QWebSocket::connected, &waitOpen, &QEventLoop::quit);
        QTimer::singleShot(std::chrono::seconds(10), &waitOpen, &QEventLoop::quit);
        waitOpen.exec();
        if (m_subscriber.state() != QAbstractSocket::ConnectedState) {
            std::fprintf(stderr, "bench: subscriber could not connect\n");
            return m_row;
        }
        m_row.latenciesNs.reserve(m_options.messages);
        m_clock.start();
        if (m_options.rawConnections > 0) {
            for (int i = 0; i < m_options.rawConnections; ++i)
                openRawPublisher();
        } else {
            for (int i = 0; i < m_row.inFlight; ++i)
                sendNext();
        }
        QTimer deadline;
        deadline.setSingleShot(true);
        connect(&deadline, &QTimer::timeout, &m_loop, &QEventLoop::quit);
        deadline.start(std::chrono::minutes(3));
        m_loop.exec();
        if (m_row.seconds == 0)
            m_row.seconds = double(m_clock.nsecsElapsed()) / 1e9;
        m_subscriber.close();
        return m_row;
    }

private:
    void sendNext()
    {
        if (m_sent >= m_options.messages)
            return;
        QUrl url = m_server;
        url.setPath(QLatin1Char('/') + m_topic);
        QNetworkRequest request(url);
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("text/plain"));
        request.setAttribute(QNetworkRequest::HttpPipeliningAllowedAttribute, m_options.pipelining);
        request.setRawHeader("Title", "bench");
        const QByteArray body = "message " + QByteArray::number(m_sent++);
        const qint64 started = m_clock.nsecsElapsed();
        QNetworkReply *reply = m_network.post(request, body);
        connect(reply, &QNetworkReply::finished, this, [this, reply, started] {
            m_row.latenciesNs.append(m_clock.nsecsElapsed() - started);
            if (reply->error() != QNetworkReply::NoError)
                ++m_row.errors;
            reply->deleteLater();
            if (++m_answered == m_options.messages)
                m_row.seconds = double(m_clock.nsecsElapsed()) / 1e9;
            sendNext();
            finishIfDone();
        });
    }

    struct RawPublisher
    {
        QTcpSocket socket;
        QByteArray received;
        std::deque<qint64> started; // send times of the requests in flight, oldest first
    };

    void openRawPublisher()
    {
        auto publisher = std::make_unique<RawPublisher>();
        RawPublisher *raw = publisher.get();
        m_raw.push_back(std::move(publisher));
        raw->socket.setSocketOption(QAbstractSocket::LowDelayOption, 1);
        connect(&raw->socket, &QTcpSocket::connected, this, [this, raw] { fillRaw(raw); });
        connect(&raw->socket, &QTcpSocket::readyRead, this, [this, raw] { readRaw(raw); });
        raw->socket.connectToHost(m_server.host(), quint16(m_server.port()));
    }

    // Keeps K requests pipelined, written in one go.
    void fillRaw(RawPublisher *raw)
    {
        QByteArray requests;
        const QByteArray head = "POST /" + m_topic.toUtf8() +
                                " HTTP/1.1\r\nHost: bench\r\n"
                                "Title: bench\r\nContent-Length: ";
        while (int(raw->started.size()) < m_row.inFlight && m_sent < m_options.messages) {
            const QByteArray body = "message " + QByteArray::number(m_sent++);
            requests += head + QByteArray::number(body.size()) + "\r\n\r\n" + body;
            raw->started.push_back(m_clock.nsecsElapsed());
        }
        if (!requests.isEmpty())
            raw->socket.write(requests);
    }

    void readRaw(RawPublisher *raw)
    {
        raw->received += raw->socket.readAll();
        qsizetype offset = 0;
        while (true) {
            const qsizetype headEnd = raw->received.indexOf("\r\n\r\n", offset);
            if (headEnd < 0)
                break;
            const qsizetype lengthAt = raw->received.indexOf("Content-Length: ", offset);
            if (lengthAt < 0 || lengthAt > headEnd)
                break;
            const qsizetype lengthEnd = raw->received.indexOf("\r\n", lengthAt);
            const qsizetype bodyEnd =
                headEnd + 4 +
                raw->received.mid(lengthAt + 16, lengthEnd - lengthAt - 16).toLongLong();
            if (raw->received.size() < bodyEnd)
                break;
            if (!raw->received.mid(offset, 12).startsWith("HTTP/1.1 200"))
                ++m_row.errors;
            offset = bodyEnd;
            if (!raw->started.empty()) {
                m_row.latenciesNs.append(m_clock.nsecsElapsed() - raw->started.front());
                raw->started.pop_front();
            }
            if (++m_answered == m_options.messages)
                m_row.seconds = double(m_clock.nsecsElapsed()) / 1e9;
        }
        raw->received.remove(0, offset);
        fillRaw(raw);
        finishIfDone();
    }

    void finishIfDone()
    {
        if (m_answered < m_options.messages)
            return;
        if (m_row.delivered >= m_options.messages - m_row.errors) {
            m_loop.quit();
        } else if (!m_tailStarted) {
            // Everything is answered; give the fan-out a moment, then count what is missing.
            m_tailStarted = true;
            QTimer::singleShot(std::chrono::seconds(5), &m_loop, &QEventLoop::quit);
        }
    }

    const QUrl m_server;
    const Options &m_options;
    const QString m_topic;
    QNetworkAccessManager m_network;
    QWebSocket m_subscriber;
    QEventLoop m_loop;
    QElapsedTimer m_clock;
    Row m_row;
    QSet<QString> m_seen;
    std::vector<std::unique_ptr<RawPublisher>> m_raw;
    int m_sent = 0;
    int m_answered = 0;
    bool m_tailStarted = false;
};

// Holds `count` connections open that each send one byte of a request head per second.
class Slowloris final
{
public:
    Slowloris(const QUrl &server, int count) : m_server(server)
    {
        for (int i = 0; i < count; ++i) {
            auto socket = std::make_unique<QTcpSocket>();
            QTcpSocket *raw = socket.get();
            QObject::connect(raw, &QTcpSocket::connected, raw, [raw] {
                raw->write("GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Slow: ");
            });
            QObject::connect(raw, &QTcpSocket::disconnected, raw, [this, raw] {
                ++m_reconnects;
                raw->connectToHost(m_server.host(), quint16(m_server.port()));
            });
            raw->connectToHost(m_server.host(), quint16(m_server.port()));
            m_sockets.push_back(std::move(socket));
        }
        m_timer.setInterval(1000);
        QObject::connect(&m_timer, &QTimer::timeout, &m_timer, [this] {
            for (const auto &socket : m_sockets) {
                if (socket->state() == QAbstractSocket::ConnectedState)
                    socket->write("a", 1);
            }
        });
        m_timer.start();
    }
    int openCount() const
    {
        return int(std::count_if(m_sockets.begin(), m_sockets.end(), [](const auto &socket) {
            return socket->state() == QAbstractSocket::ConnectedState;
        }));
    }
    int reconnects() const { return m_reconnects; }

private:
    QUrl m_server;
    std::vector<std::unique_ptr<QTcpSocket>> m_sockets;
    QTimer m_timer;
    int m_reconnects = 0;
};

std::optional<QUrl> startServer(QProcess &server, const Options &options, const QTemporaryDir &dir)
{
    server.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    QStringList arguments{QStringLiteral("serve"), QStringLiteral("--listen"),
                          QStringLiteral("127.0.0.1:0"), QStringLiteral("--db"),
                          dir.filePath(QStringLiteral("server.db"))};
    // All of them come from 127.0.0.1: the per-address cap (100) would refuse most of them,
    // which is the point of the cap but not what this row measures.
    if (options.slowloris > 0)
        arguments << QStringLiteral("--max-connections-per-address=%1")
                         .arg(options.slowloris + options.rawConnections + 100);
    server.start(options.binary, arguments);
    static const QRegularExpression pattern(QStringLiteral("listening on (http://\\S+)"));
    QByteArray output;
    while (server.waitForReadyRead(10000)) {
        output += server.readAll();
        const auto match = pattern.match(QString::fromUtf8(output));
        if (match.hasMatch())
            return QUrl(match.captured(1));
    }
    return std::nullopt;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOptions({
        {QStringLiteral("messages"), QStringLiteral("Messages per run (default 20000)."),
         QStringLiteral("N")},
        {QStringLiteral("in-flight"),
         QStringLiteral("Requests in flight, one run each (default 1,6,24)."),
         QStringLiteral("K,...")},
        {QStringLiteral("pipelining"),
         QStringLiteral("Let QNAM pipeline requests on its connections.")},
        {QStringLiteral("raw"),
         QStringLiteral("Publish over C raw sockets, K pipelined requests each, instead of QNAM."),
         QStringLiteral("C")},
        {QStringLiteral("slowloris"),
         QStringLiteral("Hold S slowloris connections open during the runs."), QStringLiteral("S")},
        {QStringLiteral("binary"), QStringLiteral("The traybeat executable."),
         QStringLiteral("PATH")},
        {QStringLiteral("server"), QStringLiteral("Use a running server (e.g. to profile it)."),
         QStringLiteral("URL")},
    });
    parser.process(app);
    Options options;
    if (parser.isSet(QStringLiteral("messages")))
        options.messages = qMax(1, parser.value(QStringLiteral("messages")).toInt());
    if (parser.isSet(QStringLiteral("in-flight"))) {
        options.inFlight.clear();
        for (const QString &value :
             parser.value(QStringLiteral("in-flight")).split(QLatin1Char(',')))
            options.inFlight.append(qMax(1, value.toInt()));
    }
    options.pipelining = parser.isSet(QStringLiteral("pipelining"));
    if (parser.isSet(QStringLiteral("raw")))
        options.rawConnections = qMax(1, parser.value(QStringLiteral("raw")).toInt());
    if (parser.isSet(QStringLiteral("slowloris")))
        options.slowloris = qMax(0, parser.value(QStringLiteral("slowloris")).toInt());
    if (parser.isSet(QStringLiteral("binary")))
        options.binary = parser.value(QStringLiteral("binary"));
    if (parser.isSet(QStringLiteral("server")))
        options.server = QUrl(parser.value(QStringLiteral("server")));

    QTemporaryDir dir;
    QProcess server;
    const auto url = options.server.isValid() ? std::optional<QUrl>(options.server)
                                              : startServer(server, options, dir);
    if (!dir.isValid() || !url) {
        std::fprintf(stderr, "bench: the server did not start\n");
        return 1;
    }

    std::unique_ptr<Slowloris> slowloris;
    if (options.slowloris > 0) {
        slowloris = std::make_unique<Slowloris>(*url, options.slowloris);
        QElapsedTimer opening;
        opening.start();
        while (slowloris->openCount() < options.slowloris && opening.elapsed() < 10000)
            QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
        std::printf("%d slowloris connections open\n", slowloris->openCount());
    }
    if (options.rawConnections > 0)
        std::printf("traybeat serve publish throughput (%d raw keep-alive connections, in-flight = "
                    "pipelined per connection; one WebSocket subscriber)\n",
                    options.rawConnections);
    else
        std::printf("traybeat serve publish throughput (QNAM POSTs, keep-alive%s; one WebSocket "
                    "subscriber)\n",
                    options.pipelining ? ", pipelining" : "");
    std::printf("%9s %9s %8s %9s %8s %8s %8s %9s %5s %7s %6s\n", "messages", "in-flight", "seconds",
                "msgs/s", "p50 ms", "p99 ms", "max ms", "delivered", "lost", "doubled", "errors");
    bool clean = true;
    int runNumber = 0;
    for (const int inFlight : std::as_const(options.inFlight)) {
        Run run(*url, options, inFlight, QStringLiteral("bench%1").arg(++runNumber));
        const Row row = run.exec();
        const int lost = row.messages - row.errors - row.delivered;
        clean = clean && lost == 0 && row.doubled == 0 && row.errors == 0;
        std::printf("%9d %9d %8.2f %9.0f %8.2f %8.2f %8.2f %9d %5d %7d %6d\n", row.messages,
                    row.inFlight, row.seconds, row.seconds > 0 ? row.messages / row.seconds : 0.0,
                    percentileMs(row.latenciesNs, 0.50), percentileMs(row.latenciesNs, 0.99),
                    percentileMs(row.latenciesNs, 1.0), row.delivered, lost, row.doubled,
                    row.errors);
        std::fflush(stdout);
    }
    if (slowloris)
        std::printf("slowloris: %d open at the end, %d closed by the server and reopened\n",
                    slowloris->openCount(), slowloris->reconnects());
    slowloris.reset();
    if (server.state() != QProcess::NotRunning) {
        server.terminate();
        server.waitForFinished(10000);
    }
    return clean ? 0 : 1;
}
