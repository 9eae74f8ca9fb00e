// The outages that involve whole processes: `traybeat serve` killed with SIGKILL and started
// again on its database, `traybeat listen` killed and started again on its state folder.
// The client's output (JSON lines) must list every published message exactly once.
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

namespace {
const QString binary = QStringLiteral(TRAYBEAT_BINARY);

// A child process whose stdout is read line by line as it comes.
class Child
{
public:
    ~Child() { kill(); }
    void start(const QStringList &arguments)
    {
        m_buffer.clear();
        m_process.setProcessChannelMode(QProcess::SeparateChannels);
        m_process.start(binary, arguments);
    }
    QStringList newLines()
    {
        m_buffer += m_process.readAllStandardOutput();
        QStringList lines;
        int newline;
        while ((newline = m_buffer.indexOf('\n')) >= 0) {
            lines << QString::fromUtf8(m_buffer.left(newline));
            m_buffer.remove(0, newline + 1);
        }
        return lines;
    }
    void kill()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.kill(); // SIGKILL: no goodbye, no flush
        m_process.waitForFinished(5000);
    }
    QProcess &process() { return m_process; }

private:
    QProcess m_process;
    QByteArray m_buffer;
};

// Message ids the listener printed, in order.
struct Received
{
    QStringList ids;
    bool connected = false;
    void read(Child &listener)
    {
        for (const QString &line : listener.newLines()) {
            const QJsonObject event = QJsonDocument::fromJson(line.toUtf8()).object();
            const QString kind = event.value(QLatin1String("event")).toString();
            if (kind == QLatin1String("message"))
                ids << event.value(QLatin1String("id")).toString();
            else if (kind == QLatin1String("state"))
                connected =
                    event.value(QLatin1String("state")).toString() == QLatin1String("connected");
        }
    }
};
} // namespace

class tst_Outage : public QObject
{
    Q_OBJECT
private slots:
    void serverKilledAndRestarted();
    void clientKilledAndRestarted();

private:
    // Starts `serve` and returns its port, read from its "listening on" line.
    static quint16 startServer(Child &server, const QString &db, quint16 port = 0)
    {
        server.start({QStringLiteral("serve"), QStringLiteral("--listen=127.0.0.1:%1").arg(port),
                      QStringLiteral("--db"), db, QStringLiteral("--keepalive=100ms")});
        static const QRegularExpression portPattern(
            QStringLiteral("listening on http://127\\.0\\.0\\.1:(\\d+)"));
        QElapsedTimer waited;
        waited.start();
        while (waited.elapsed() < 10000) {
            server.process().waitForReadyRead(200);
            for (const QString &line : server.newLines()) {
                const auto match = portPattern.match(line);
                if (match.hasMatch())
                    return quint16(match.captured(1).toUInt());
            }
        }
        return 0;
    }
    static QString publish(quint16 port, int number)
    {
        QProcess publisher;
        publisher.start(binary,
                        {QStringLiteral("publish"),
                         QStringLiteral("--server=http://127.0.0.1:%1").arg(port),
                         QStringLiteral("--title=n%1").arg(number), QStringLiteral("alerts"),
                         QStringLiteral("message %1").arg(number)});
        if (!publisher.waitForFinished(10000) || publisher.exitCode() != 0)
            return {};
        return QJsonDocument::fromJson(publisher.readAllStandardOutput())
            .object()
            .value(QLatin1String("id"))
            .toString();
    }
    static QStringList listenArguments(quint16 port, const QString &stateDir)
    {
        return {QStringLiteral("listen"),
                QStringLiteral("--server=http://127.0.0.1:%1").arg(port),
                QStringLiteral("--topic=alerts"),
                QStringLiteral("--heartbeat-interval=100ms"),
                QStringLiteral("--heartbeat-timeout=100ms"),
                QStringLiteral("--reconnect-min=50ms"),
                QStringLiteral("--reconnect-max=200ms"),
                QStringLiteral("--state-dir"),
                stateDir};
    }
};

void tst_Outage::serverKilledAndRestarted()
{
    QTemporaryDir dir;
    Child server, listener;
    const QString db = dir.filePath(QStringLiteral("server.db"));
    const quint16 port = startServer(server, db);
    QVERIFY(port != 0);
    listener.start(listenArguments(port, dir.filePath(QStringLiteral("client"))));
    Received received;
    QTRY_VERIFY_WITH_TIMEOUT((received.read(listener), received.connected), 10000);

    QStringList published;
    for (int i = 0; i < 3; ++i)
        published << publish(port, i);
    QTRY_COMPARE_WITH_TIMEOUT((received.read(listener), received.ids.size()), 3, 10000);

    server.kill(); // gone without a close frame
    QTRY_VERIFY_WITH_TIMEOUT((received.read(listener), !received.connected), 10000);
    QCOMPARE(startServer(server, db, port), port); // back on the same port and database
    for (int i = 3; i < 8; ++i)
        published << publish(port, i); // some before the client is back, some after
    QVERIFY(!published.contains(QString()));
    QTRY_COMPARE_WITH_TIMEOUT((received.read(listener), received.ids.size()), 8, 15000);
    QCOMPARE(received.ids, published); // each once, in order
}

void tst_Outage::clientKilledAndRestarted()
{
    QTemporaryDir dir;
    Child server, listener;
    const quint16 port = startServer(server, dir.filePath(QStringLiteral("server.db")));
    QVERIFY(port != 0);
    const QString stateDir = dir.filePath(QStringLiteral("client"));
    listener.start(listenArguments(port, stateDir));
    Received before;
    QTRY_VERIFY_WITH_TIMEOUT((before.read(listener), before.connected), 10000);
    QStringList published;
    for (int i = 0; i < 4; ++i)
        published << publish(port, i);
    QTRY_COMPARE_WITH_TIMEOUT((before.read(listener), before.ids.size()), 4, 10000);

    listener.kill();
    QStringList whileDown;
    for (int i = 4; i < 9; ++i)
        whileDown << publish(port, i);
    listener.start(listenArguments(port, stateDir));
    Received after;
    QTRY_COMPARE_WITH_TIMEOUT((after.read(listener), after.ids.size()), 5, 10000);
    QCOMPARE(after.ids, whileDown); // what it missed, and nothing it had shown already
    QCOMPARE(before.ids, published);
}

QTEST_GUILESS_MAIN(tst_Outage)
#include "tst_outage.moc"
