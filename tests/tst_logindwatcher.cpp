// Sleep and wake-up as logind tells them: the test's own dbus-daemon (tests/data/system-bus.conf,
// standing in for the system bus through DBUS_SYSTEM_BUS_ADDRESS), a stand-in for logind on it
// that sends the real PrepareForSleep signal, and a real WebSocket server on 127.0.0.1 counting
// handshakes. On "woke up" the link is opened again at once, long before its heartbeat (60 s)
// or backoff (30 s) would. Without a bus, or without logind on it: one log line, nothing else.
#include "logindwatcher.h"
#include "notificationstore.h"
#include "subscription.h"
#include "systemwatcher.h"

#include <QDBusConnectionInterface>
#include <QDBusMessage>
#include <QElapsedTimer>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QWebSocket>
#include <QWebSocketServer>
#include <QtTest>

using namespace traybeat;
using namespace std::chrono_literals;

namespace {
const QString logindService = QStringLiteral("org.freedesktop.login1");

// What the app logs, so a test can count the lines.
QStringList s_logged;
QtMessageHandler s_previousHandler = nullptr;
void collect(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (QByteArray(context.category ? context.category : "").startsWith("traybeat") ||
        type >= QtWarningMsg)
        s_logged << message;
    s_previousHandler(type, context, message);
}
} // namespace

class tst_LogindWatcher : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void init();
    void wakingUpReconnectsAtOnce();
    void withoutABusTheClocksAreTheFallback();
    void withoutLogindTheClocksAreTheFallback();

private:
    bool sendPrepareForSleep(const QDBusConnection &bus, bool sleeping)
    {
        QDBusMessage signal = QDBusMessage::createSignal(
            QStringLiteral("/org/freedesktop/login1"),
            QStringLiteral("org.freedesktop.login1.Manager"), QStringLiteral("PrepareForSleep"));
        signal << sleeping;
        return bus.send(signal);
    }

    QTemporaryDir m_dir;
    QProcess m_busDaemon;
    QString m_address;
};

void tst_LogindWatcher::initTestCase()
{
    QVERIFY(m_dir.isValid());
    // The test's own stand-in for the system bus (tests/data/system-bus.conf).
    m_busDaemon.start(QStringLiteral("dbus-daemon"),
                      {QStringLiteral("--config-file=" TRAYBEAT_TEST_DATA "/system-bus.conf"),
                       QStringLiteral("--nofork"), QStringLiteral("--print-address")});
    if (!m_busDaemon.waitForStarted(5000))
        QSKIP("dbus-daemon is not installed (apt-get install dbus)");
    QTRY_VERIFY_WITH_TIMEOUT(m_busDaemon.canReadLine(), 10000);
    m_address = QString::fromLocal8Bit(m_busDaemon.readLine().trimmed());
    QVERIFY(!m_address.isEmpty());
    // Before anything asks for the system bus: it is ours from now on.
    qputenv("DBUS_SYSTEM_BUS_ADDRESS", m_address.toLocal8Bit());
    QVERIFY(QDBusConnection::systemBus().isConnected());
    s_previousHandler = qInstallMessageHandler(collect);
}

void tst_LogindWatcher::cleanupTestCase()
{
    qInstallMessageHandler(s_previousHandler);
    m_busDaemon.terminate();
    m_busDaemon.waitForFinished(5000);
}

void tst_LogindWatcher::init()
{
    s_logged.clear();
}

void tst_LogindWatcher::wakingUpReconnectsAtOnce()
{
    QDBusConnection logindBus =
        QDBusConnection::connectToBus(m_address, QStringLiteral("fake-logind"));
    QVERIFY(logindBus.isConnected());
    QVERIFY(logindBus.registerService(logindService));

    QWebSocketServer server(QStringLiteral("test"), QWebSocketServer::NonSecureMode);
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    int handshakes = 0;
    connect(&server, &QWebSocketServer::newConnection, this, [&] {
        ++handshakes;
        QWebSocket *socket = server.nextPendingConnection();
        connect(socket, &QWebSocket::disconnected, socket, &QObject::deleteLater);
    });

    QTemporaryDir stateDir;
    NotificationStore store;
    QVERIFY(store.open(stateDir.filePath(QStringLiteral("client.db"))));
    SubscriptionConfig config;
    config.name = QStringLiteral("test");
    config.server = QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(server.serverPort()));
    config.protocol = QStringLiteral("text");
    config.connection.heartbeatInterval = 60s; // nothing else would reconnect within the test
    config.connection.backoff = {30s, 60s, 30s};
    Subscription subscription(config, &store);

    // As the tray app wires them: logind's word goes through the SystemWatcher.
    LogindWatcher logind; // the system bus, which is the test's
    QVERIFY(logind.isActive());
    SystemWatcher systemWatcher(10min);
    connect(&logind, &LogindWatcher::resumed, &systemWatcher, &SystemWatcher::notifyResumed);
    subscription.watch(&systemWatcher);
    subscription.start();
    QTRY_COMPARE_WITH_TIMEOUT(subscription.connection()->state(), ConnectionState::Connected,
                              10000);
    QCOMPARE(handshakes, 1);

    QSignalSpy sleeping(&logind, &LogindWatcher::aboutToSleep);
    QVERIFY(sendPrepareForSleep(logindBus, true));
    QVERIFY(sleeping.wait(10000));
    QCOMPARE(subscription.connection()->state(), ConnectionState::Connected); // left alone
    QCOMPARE(handshakes, 1);

    QElapsedTimer sinceWakeUp;
    sinceWakeUp.start();
    QVERIFY(sendPrepareForSleep(logindBus, false));
    QTRY_COMPARE_WITH_TIMEOUT(handshakes, 2, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(subscription.connection()->state(), ConnectionState::Connected,
                              10000);
    QVERIFY2(sinceWakeUp.elapsed() < 20000, "reconnected only as late as a backoff would");
    QVERIFY(logindBus.unregisterService(logindService));
    QDBusConnection::disconnectFromBus(QStringLiteral("fake-logind"));
}

void tst_LogindWatcher::withoutABusTheClocksAreTheFallback()
{
    const QString missing = QStringLiteral("unix:path=") + m_dir.filePath(QStringLiteral("none"));
    QDBusConnection noBus = QDBusConnection::connectToBus(missing, QStringLiteral("no-bus"));
    QVERIFY(!noBus.isConnected());
    s_logged.clear();
    LogindWatcher logind(noBus);
    QVERIFY(!logind.isActive());
    QCOMPARE(s_logged.size(), 1);
    QVERIFY2(s_logged.constFirst().contains(QStringLiteral("clocks")),
             qPrintable(s_logged.join('\n')));
    QDBusConnection::disconnectFromBus(QStringLiteral("no-bus"));
}

void tst_LogindWatcher::withoutLogindTheClocksAreTheFallback()
{
    QVERIFY(!QDBusConnection::systemBus().interface()->isServiceRegistered(logindService).value());
    LogindWatcher logind;
    QVERIFY(!logind.isActive());
    QCOMPARE(s_logged.size(), 1);
    QVERIFY2(s_logged.constFirst().contains(QStringLiteral("no logind")),
             qPrintable(s_logged.join('\n')));
}

QTEST_GUILESS_MAIN(tst_LogindWatcher)
#include "tst_logindwatcher.moc"
