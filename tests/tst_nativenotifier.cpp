#include "actionrunner.h"
#include "nativenotifier.h"
#include "notificationstore.h"

#include <QClipboard>
#include <QDBusConnection>
#include <QDBusMessage>
#include <QGuiApplication>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace traybeat;

namespace {

const QString service = QStringLiteral("org.freedesktop.Notifications");
const QString objectPath = QStringLiteral("/org/freedesktop/Notifications");
const QString interfaceName = QStringLiteral("org.freedesktop.Notifications");

struct Shown
{
    QString summary;
    QString body;
    QStringList actions;
};

// Stands in for the notification daemon on a private bus of the test's own dbus-daemon: keeps
// what Notify was sent, and lets the test press buttons (ActionInvoked) as a person would.
class Daemon final : public QObject
{
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.freedesktop.Notifications")
public:
    explicit Daemon(const QDBusConnection &bus) : m_bus(bus) {}
    QList<Shown> shown;
    QList<uint> closed; // ids CloseNotification was called with

    void press(uint id, const QString &key)
    {
        QDBusMessage signal =
            QDBusMessage::createSignal(objectPath, interfaceName, QStringLiteral("ActionInvoked"));
        signal << id << key;
        QVERIFY(m_bus.send(signal));
    }

public slots:
    QStringList GetCapabilities() { return {QStringLiteral("actions"), QStringLiteral("body")}; }
    uint Notify(const QString &, uint, const QString &, const QString &summary, const QString &body,
                const QStringList &actions, const QVariantMap &, int)
    {
        shown.append({summary, body, actions});
        return uint(shown.size());
    }
    void CloseNotification(uint id) { closed.append(id); }
    QString GetServerInformation(QString &vendor, QString &version, QString &spec)
    {
        vendor = version = spec = QStringLiteral("test");
        return QStringLiteral("test");
    }

private:
    QDBusConnection m_bus;
};

} // namespace

class tst_NativeNotifier : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void actionsReachTheDaemonAndComeBack();

private:
    QProcess m_busDaemon;
};

void tst_NativeNotifier::initTestCase()
{
    // A bus of our own: the notifier uses the session bus, so it must point here before any use.
    m_busDaemon.start(QStringLiteral("dbus-daemon"),
                      {QStringLiteral("--session"), QStringLiteral("--nofork"),
                       QStringLiteral("--print-address")});
    if (!m_busDaemon.waitForStarted(5000))
        QSKIP("dbus-daemon is not installed (apt-get install dbus)");
    QTRY_VERIFY(m_busDaemon.canReadLine());
    const QByteArray address = m_busDaemon.readLine().trimmed();
    QVERIFY(!address.isEmpty());
    qputenv("DBUS_SESSION_BUS_ADDRESS", address);
    QVERIFY(QDBusConnection::sessionBus().isConnected());
}

void tst_NativeNotifier::cleanupTestCase()
{
    m_busDaemon.terminate();
    m_busDaemon.waitForFinished(5000);
}

void tst_NativeNotifier::actionsReachTheDaemonAndComeBack()
{
    QDBusConnection daemonBus = QDBusConnection::connectToBus(
        QString::fromLocal8Bit(qgetenv("DBUS_SESSION_BUS_ADDRESS")), QStringLiteral("daemon"));
    QVERIFY(daemonBus.isConnected());
    Daemon daemon(daemonBus);
    QVERIFY(daemonBus.registerObject(objectPath, &daemon, QDBusConnection::ExportAllSlots));
    QVERIFY(daemonBus.registerService(service));

    // A web hook that answers 200 to whatever it gets.
    QTcpServer hook;
    QVERIFY(hook.listen(QHostAddress::LocalHost, 0));
    QByteArray received;
    connect(&hook, &QTcpServer::newConnection, this, [&] {
        QTcpSocket *socket = hook.nextPendingConnection();
        connect(socket, &QTcpSocket::readyRead, socket, [&received, socket] {
            received += socket->readAll();
            if (received.contains("\r\n\r\n") && received.endsWith("close"))
                socket->write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        });
    });

    ActionRunner runner;
    NativeNotifier notifier(nullptr);
    notifier.setActionRunner(&runner);
    QSignalSpy known(&notifier, &NativeNotifier::capabilitiesKnown);
    QVERIFY(known.wait(5000));
    QVERIFY(notifier.daemonHasActions());

    Notification notification;
    notification.id = QStringLiteral("m1");
    notification.subscription = QStringLiteral("Home");
    notification.title = QStringLiteral("Garage open");
    notification.body = QStringLiteral("<b>since 10 min</b>");
    notification.tags = {QStringLiteral("warning")};
    NotificationAction http;
    http.type = NotificationAction::Type::Http;
    http.label = QStringLiteral("Close it");
    http.url = QUrl(QStringLiteral("http://127.0.0.1:%1/garage").arg(hook.serverPort()));
    http.body = QStringLiteral("close");
    http.clear = true;
    NotificationAction broadcast;
    broadcast.type = NotificationAction::Type::Broadcast;
    broadcast.label = QStringLiteral("Android");
    NotificationAction copy;
    copy.type = NotificationAction::Type::Copy;
    copy.label = QStringLiteral("Copy code");
    copy.value = QStringLiteral("9876");
    notification.actions = {http, broadcast, copy};
    notifier.present({notification});

    QTRY_COMPARE(daemon.shown.size(), 1);
    const Shown shown = daemon.shown.first();
    QCOMPARE(shown.summary, QStringLiteral("\u26a0\ufe0f Garage open"));
    QCOMPARE(shown.body, QStringLiteral("&lt;b&gt;since 10 min&lt;/b&gt;")); // escaped as before
    // The default action, then the buttons by their index; broadcast is left out.
    QCOMPARE(shown.actions,
             (QStringList{"default", "Open", "action-0", "Close it", "action-2", "Copy code"}));

    QTRY_COMPARE(notifier.trackedCount(), 1); // it knows the daemon's id for it
    daemon.press(1, QStringLiteral("action-2"));
    QTRY_COMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("9876"));

    QSignalSpy read(&notifier, &NativeNotifier::readRequested);
    daemon.press(1, QStringLiteral("action-0"));
    QVERIFY(read.wait(5000)); // `clear` after the request succeeded
    QCOMPARE(read.first().at(0).toString(), QStringLiteral("Home"));
    QCOMPARE(read.first().at(1).toString(), QStringLiteral("m1"));
    QVERIFY(received.startsWith("POST /garage "));
    QTRY_COMPARE(daemon.shown.size(), 2); // the outcome, as a notification of its own
    QCOMPARE(daemon.shown.at(1).summary, QStringLiteral("Close it"));
    QCOMPARE(daemon.shown.at(1).body, QStringLiteral("Done"));

    QSignalSpy urls(&notifier, &NativeNotifier::urlRequested);
    QSignalSpy history(&notifier, &NativeNotifier::historyRequested);
    daemon.press(1, QStringLiteral("default"));
    QTRY_COMPARE(history.size(), 1);
    QCOMPARE(read.size(), 2); // a click on the notification reads the message
    QCOMPARE(read.last().at(1).toString(), QStringLiteral("m1"));
    daemon.press(1, QStringLiteral("action-7"));  // no such button: nothing happens
    daemon.press(99, QStringLiteral("action-0")); // not ours
    QTest::qWait(100);
    QCOMPARE(urls.size(), 0);
    QCOMPARE(read.size(), 2);

    // Markdown reaches the daemon as the text it renders to, escaped like any body: no
    // markup, no raw HTML, no link of any kind.
    Notification markdown;
    markdown.id = QStringLiteral("m2");
    markdown.subscription = QStringLiteral("Home");
    markdown.title = QStringLiteral("Report");
    markdown.contentType = Notification::markdownType();
    markdown.body = QStringLiteral("**Disk** <b>x</b> [site](javascript:alert(1)) & more");
    notifier.present({markdown});
    QTRY_COMPARE(daemon.shown.size(), 3);
    QCOMPARE(daemon.shown.at(2).body, QStringLiteral("Disk &lt;b&gt;x&lt;/b&gt; site &amp; more"));

    // Read somewhere else (the history, "Mark All Read"): the message's notification is closed on
    // the daemon; an action's outcome stays (it says "Done" because of that very read).
    QTemporaryDir dir;
    NotificationStore store;
    QVERIFY(store.open(dir.filePath(QStringLiteral("notifications.db"))));
    Notification later = notification;
    later.id = QStringLiteral("m3");
    bool stored = false;
    store.add({notification, later}, &stored);
    QVERIFY(stored);
    notifier.present({later});
    QTRY_COMPARE(daemon.shown.size(), 4);
    QTRY_COMPARE(notifier.trackedCount(), 4); // m1, its outcome, m2, m3
    notifier.closeRead(store);
    QTest::qWait(100);
    QVERIFY(daemon.closed.isEmpty()); // nothing read yet
    store.markRead(QStringLiteral("Home"), QStringLiteral("m3"));
    store.markRead(QStringLiteral("Home"), QStringLiteral("m1"));
    notifier.closeRead(store);
    QTRY_COMPARE(daemon.closed.size(), 2);
    std::sort(daemon.closed.begin(), daemon.closed.end());
    QCOMPARE(daemon.closed, (QList<uint>{1, 4})); // not 2, the outcome, nor 3, m2 (not stored)
    QCOMPARE(notifier.trackedCount(), 2);
    notifier.closeRead(store); // once only
    QTest::qWait(100);
    QCOMPARE(daemon.closed.size(), 2);
}

QTEST_MAIN(tst_NativeNotifier)
#include "tst_nativenotifier.moc"
