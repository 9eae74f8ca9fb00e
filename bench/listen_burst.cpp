// A burst into one client: N ntfy message frames pushed back to back over one WebSocket, received
// and printed — `traybeat listen` (which stores every message before it prints it) beside the peer
// of issue 13, a Node client on reconnecting-websocket 4.4.0 + ws (bench/peer, installed here
// with `npm ci` when it is missing; it stores nothing).
//
// The bench is the server: a QWebSocketServer on 127.0.0.1 that answers each connection with
// ntfy's "open" event and, once the client has said it is ready (listen's "connected" state line,
// the peer's printed "open" frame), writes all N frames at once. The time is from the first frame
// sent to the N-th message line read from the client's stdout. The clients run one at a time,
// alternating, --rounds times each; the table shows each one's median and the ratio.
//
// usage: bench_listen_burst [--messages N] [--rounds R] [--binary PATH] [--peer DIR]
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>
#include <QTimer>
#include <QWebSocket>
#include <QWebSocketServer>
#include <algorithm>
#include <cstdio>

namespace {

struct Options
{
    int messages = 10000;
    int rounds = 3;
    QString binary = QStringLiteral(TRAYBEAT_BINARY);
    QString peerDir = QStringLiteral(PEER_DIR);
};

struct Result
{
    bool ok = false;
    double seconds = 0;
    int lines = 0;
};

// One ntfy message event as ntfy's server writes it.
QByteArray messageFrame(int index, qint64 now)
{
    return QStringLiteral("{\"id\":\"burst%1\",\"time\":%2,\"expires\":%3,\"event\":\"message\","
                          "\"topic\":\"burst\",\"title\":\"Backup %1\",\"message\":\"Backup job "
                          "%1 finished: 1.2 GB in 42 s\",\"priority\":3}")
        .arg(index)
        .arg(now)
        .arg(now + 43200)
        .toUtf8();
}

class Round final : public QObject
{
public:
    Round(const Options &options, const QList<QString> &frames)
        : m_options(options), m_frames(frames)
    {
    }

    // Runs PROGRAM ARGUMENTS as the client; READY is the stdout text that says it is subscribed.
    Result run(const QString &program, const QStringList &arguments, const QByteArray &ready)
    {
        m_ready = ready;
        if (!m_server.listen(QHostAddress::LocalHost, 0)) {
            std::fprintf(stderr, "listen_burst: %s\n", qPrintable(m_server.errorString()));
            return {};
        }
        connect(&m_server, &QWebSocketServer::newConnection, this, [this] {
            m_socket = m_server.nextPendingConnection();
            m_socket->sendTextMessage(
                QStringLiteral(
                    "{\"id\":\"open1\",\"time\":%1,\"event\":\"open\",\"topic\":\"burst\"}")
                    .arg(QDateTime::currentSecsSinceEpoch()));
        });
        m_client.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        connect(&m_client, &QProcess::readyReadStandardOutput, this, &Round::readLines);
        QStringList withUrl = arguments;
        for (QString &argument : withUrl)
            argument.replace(QStringLiteral("PORT"), QString::number(m_server.serverPort()));
        m_client.start(program, withUrl);

        QTimer deadline;
        deadline.setSingleShot(true);
        connect(&deadline, &QTimer::timeout, &m_loop, [] { QCoreApplication::exit(1); });
        deadline.start(std::chrono::minutes(2));
        const bool finished = QCoreApplication::exec() == 0;
        m_client.terminate();
        m_client.waitForFinished(10000);
        return {finished, m_seconds, m_messageLines};
    }

private:
    void readLines()
    {
        while (m_client.canReadLine()) {
            const QByteArray line = m_client.readLine();
            if (!m_pushed) {
                if (line.contains(m_ready) && m_socket)
                    push();
                continue;
            }
            if (line.contains("\"event\":\"message\"") && ++m_messageLines == m_options.messages) {
                m_seconds = double(m_clock.nsecsElapsed()) / 1e9;
                QCoreApplication::exit(0);
            }
        }
    }

    void push()
    {
        m_pushed = true;
        m_clock.start();
        for (const QString &frame : m_frames)
            m_socket->sendTextMessage(frame);
    }

    const Options &m_options;
    const QList<QString> &m_frames;
    QWebSocketServer m_server{QStringLiteral("listen_burst"), QWebSocketServer::NonSecureMode};
    QWebSocket *m_socket = nullptr;
    QProcess m_client;
    QObject m_loop;
    QByteArray m_ready;
    QElapsedTimer m_clock;
    bool m_pushed = false;
    int m_messageLines = 0;
    double m_seconds = 0;
};

bool installPeer(const QString &peerDir)
{
    if (QDir(peerDir).exists(QStringLiteral("node_modules/reconnecting-websocket")))
        return true;
    QProcess npm;
    npm.setWorkingDirectory(peerDir);
    npm.setProcessChannelMode(QProcess::ForwardedChannels);
    npm.start(QStringLiteral("npm"), {QStringLiteral("ci"), QStringLiteral("--no-audit"),
                                      QStringLiteral("--no-fund"), QStringLiteral("--silent")});
    return npm.waitForFinished(300000) && npm.exitStatus() == QProcess::NormalExit &&
           npm.exitCode() == 0;
}

double median(QList<double> values)
{
    std::sort(values.begin(), values.end());
    return values.isEmpty() ? 0 : values.at(values.size() / 2);
}

QString nodeVersion()
{
    QProcess node;
    node.start(QStringLiteral("node"), {QStringLiteral("--version")});
    node.waitForFinished(10000);
    return QString::fromUtf8(node.readAllStandardOutput()).trimmed();
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOptions(
        {{QStringLiteral("messages"), QStringLiteral("Frames per burst."), QStringLiteral("N")},
         {QStringLiteral("rounds"), QStringLiteral("Runs per client."), QStringLiteral("R")},
         {QStringLiteral("binary"), QStringLiteral("traybeat to run."), QStringLiteral("PATH")},
         {QStringLiteral("peer"), QStringLiteral("The Node peer's folder."),
          QStringLiteral("DIR")}});
    parser.process(app);
    Options options;
    if (parser.isSet(QStringLiteral("messages")))
        options.messages = parser.value(QStringLiteral("messages")).toInt();
    if (parser.isSet(QStringLiteral("rounds")))
        options.rounds = parser.value(QStringLiteral("rounds")).toInt();
    if (parser.isSet(QStringLiteral("binary")))
        options.binary = parser.value(QStringLiteral("binary"));
    if (parser.isSet(QStringLiteral("peer")))
        options.peerDir = parser.value(QStringLiteral("peer"));

    QList<QString> frames;
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    for (int i = 0; i < options.messages; ++i)
        frames << QString::fromUtf8(messageFrame(i, now));

    const bool havePeer = installPeer(options.peerDir);
    if (!havePeer)
        std::fprintf(stderr, "listen_burst: no peer (npm ci failed in %s)\n",
                     qPrintable(options.peerDir));

    QList<double> ours, peers;
    for (int round = 0; round < options.rounds; ++round) {
        QTemporaryDir state;
        Round listen(options, frames);
        const Result mine =
            listen.run(options.binary,
                       {QStringLiteral("listen"), QStringLiteral("--server"),
                        QStringLiteral("http://127.0.0.1:PORT"), QStringLiteral("--topic"),
                        QStringLiteral("burst"), QStringLiteral("--state-dir"), state.path()},
                       "\"state\":\"connected\"");
        if (!mine.ok) {
            std::fprintf(stderr, "listen_burst: listen printed %d of %d\n", mine.lines,
                         options.messages);
            return 1;
        }
        ours << options.messages / mine.seconds;
        if (!havePeer)
            continue;
        Round peer(options, frames);
        const Result theirs = peer.run(QStringLiteral("node"),
                                       {QDir(options.peerDir).filePath(QStringLiteral("client.js")),
                                        QStringLiteral("ws://127.0.0.1:PORT/burst/ws")},
                                       "\"event\":\"open\"");
        if (!theirs.ok) {
            std::fprintf(stderr, "listen_burst: the peer printed %d of %d\n", theirs.lines,
                         options.messages);
            return 1;
        }
        peers << options.messages / theirs.seconds;
    }

    auto rates = [](const QList<double> &values) {
        QStringList shown;
        for (double value : values)
            shown << QString::number(value / 1000, 'f', 1);
        return shown.join(QStringLiteral(", "));
    };
    std::printf("| %d frames over one WebSocket, received and printed | msgs/s (median of %d) | "
                "runs, k/s |\n"
                "|---|---:|---|\n",
                options.messages, options.rounds);
    std::printf("| traybeat listen (persisting) | %.0f | %s |\n", median(ours),
                qPrintable(rates(ours)));
    if (havePeer) {
        std::printf("| reconnecting-websocket 4.4.0 + ws (Node %s, not persisting) | %.0f | %s |\n",
                    qPrintable(nodeVersion()), median(peers), qPrintable(rates(peers)));
        std::printf("| ratio listen / peer (goal ≥ 1.0) | %.2f | |\n",
                    median(ours) / median(peers));
    }
    return 0;
}
