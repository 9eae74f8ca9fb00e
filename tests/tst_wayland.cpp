// The tray app under a real Wayland compositor, where a client cannot place its own windows.
//
// Real parts only: a headless Weston of the test's own (its own socket and a 0700 runtime folder),
// a private D-Bus session bus (its own dbus-daemon, which activates nothing) on which this test
// is the desktop: it owns org.freedesktop.Notifications (a notification daemon that records
// every Notify call and answers it) and org.kde.StatusNotifierWatcher (the tray host's watcher,
// which records the items that register). `traybeat --demo` runs with QT_QPA_PLATFORM=wayland.
// What is on screen is asked of Weston itself: started with --debug, it lists every surface with
// its role, its client's PID and its title (`weston-debug scene-graph`).
//
// Skipped (ctest shows it as skipped, see tests/CMakeLists.txt) only when Weston cannot start on
// the machine at all; missing programs are a failure that says what to install.
#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusMessage>
#include <QDBusVariant>
#include <QDBusVirtualObject>
#include <QDir>
#include <QFile>
#include <QLibraryInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

namespace {

#ifdef TRAYBEAT_SANITIZED
constexpr int slowdown = 4; // the sanitized app starts and draws 3-5 times slower
#else
constexpr int slowdown = 1;
#endif
constexpr int startTimeoutMs = 20000 * slowdown;
constexpr int appTimeoutMs = 30000 * slowdown; // start-up, the demo server, its first messages

const QString notificationsName = QStringLiteral("org.freedesktop.Notifications");
const QString notificationsPath = QStringLiteral("/org/freedesktop/Notifications");
const QString watcherName = QStringLiteral("org.kde.StatusNotifierWatcher");
const QString watcherPath = QStringLiteral("/StatusNotifierWatcher");
const QString propertiesInterface = QStringLiteral("org.freedesktop.DBus.Properties");

struct NotifyCall
{
    QString appName;
    QString summary;
    QString body;
};

// The desktop's side of the bus: a notification daemon and a StatusNotifierItem watcher, as
// GNOME Shell (with its AppIndicator extension) or KDE Plasma provide them.
class Desktop final : public QDBusVirtualObject
{
public:
    QList<NotifyCall> notifyCalls;
    QStringList registeredItems;

    QString introspect(const QString &path) const override
    {
        if (path == notificationsPath) {
            return QStringLiteral(
                "<interface name=\"org.freedesktop.Notifications\">"
                "<method name=\"Notify\"><arg type=\"s\" direction=\"in\"/>"
                "<arg type=\"u\" direction=\"in\"/><arg type=\"s\" direction=\"in\"/>"
                "<arg type=\"s\" direction=\"in\"/><arg type=\"s\" direction=\"in\"/>"
                "<arg type=\"as\" direction=\"in\"/><arg type=\"a{sv}\" direction=\"in\"/>"
                "<arg type=\"i\" direction=\"in\"/><arg type=\"u\" direction=\"out\"/></method>"
                "<method name=\"GetCapabilities\"><arg type=\"as\" direction=\"out\"/></method>"
                "</interface>");
        }
        return QStringLiteral(
            "<interface name=\"org.kde.StatusNotifierWatcher\">"
            "<method name=\"RegisterStatusNotifierItem\"><arg type=\"s\" direction=\"in\"/>"
            "</method>"
            "<property name=\"IsStatusNotifierHostRegistered\" type=\"b\" access=\"read\"/>"
            "<property name=\"RegisteredStatusNotifierItems\" type=\"as\" access=\"read\"/>"
            "<property name=\"ProtocolVersion\" type=\"i\" access=\"read\"/>"
            "</interface>");
    }

    bool handleMessage(const QDBusMessage &message, const QDBusConnection &bus) override
    {
        const QString member = message.member();
        const QVariantList arguments = message.arguments();
        if (message.path() == notificationsPath) {
            if (member == QLatin1String("Notify") && arguments.size() == 8) {
                notifyCalls.append({arguments[0].toString(), arguments[3].toString(),
                                    arguments[4].toString()});
                return bus.send(message.createReply(QVariant::fromValue(uint(notifyCalls.size()))));
            }
            if (member == QLatin1String("GetCapabilities"))
                return bus.send(message.createReply(QStringList{QStringLiteral("body")}));
            if (member == QLatin1String("GetServerInformation")) {
                return bus.send(message.createReply(QVariantList{
                    QStringLiteral("tst_wayland"), QStringLiteral("traybeat"),
                    QStringLiteral("1"), QStringLiteral("1.2")}));
            }
            return false;
        }
        if (member == QLatin1String("RegisterStatusNotifierItem") && arguments.size() == 1) {
            registeredItems.append(arguments[0].toString());
            return bus.send(message.createReply());
        }
        if (message.interface() == propertiesInterface && member == QLatin1String("Get") &&
            arguments.size() == 2)
            return bus.send(message.createReply(
                QVariant::fromValue(QDBusVariant(watcherProperties().value(arguments[1].toString())))));
        if (message.interface() == propertiesInterface && member == QLatin1String("GetAll"))
            return bus.send(message.createReply(watcherProperties()));
        return false;
    }

private:
    QVariantMap watcherProperties() const
    {
        return {{QStringLiteral("IsStatusNotifierHostRegistered"), true},
                {QStringLiteral("RegisteredStatusNotifierItems"), registeredItems},
                {QStringLiteral("ProtocolVersion"), 0}};
    }
};

void stop(QProcess *process)
{
    if (process->state() == QProcess::NotRunning)
        return;
    process->terminate();
    if (!process->waitForFinished(10000 * slowdown))
        process->kill();
    process->waitForFinished(5000);
}

} // namespace

class tst_Wayland : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void init();
    void cleanup();
    void popupsGoThroughTheDaemonByDefault();
    void ownPopupsStayASetting();
    void withoutTrayTheAppSaysSoOnce();

private:
    void startWeston();
    void startApp();
    QString sceneGraph() const;
    QStringList appViews() const; // the compositor's views of the app's surfaces
    QString appOutput();
    bool hasDemoNotify() const;

    QTemporaryDir m_session; // the runtime folder, the bus's and Weston's files
    QString m_runtime;
    QString m_socket;
    QProcess m_bus;
    QProcess m_weston;
    QProcessEnvironment m_environment;
    Desktop m_desktop;
    std::unique_ptr<QTemporaryDir> m_home; // the app's settings and state, one per test
    QProcess m_app;
    QByteArray m_output;
};

void tst_Wayland::initTestCase()
{
    for (const char *program : {"weston", "weston-debug", "dbus-daemon"}) {
        QVERIFY2(!QStandardPaths::findExecutable(QLatin1String(program)).isEmpty(),
                 qPrintable(QStringLiteral("%1 is missing: apt-get install weston dbus "
                                           "(scripts/dev test does)")
                                .arg(QLatin1String(program))));
    }
    const QString plugin = QLibraryInfo::path(QLibraryInfo::PluginsPath) +
                           QStringLiteral("/platforms/libqwayland-generic.so");
    QVERIFY2(QFile::exists(plugin), qPrintable(QStringLiteral("%1 is missing: apt-get install "
                                                              "qt6-wayland (scripts/dev test does)")
                                                   .arg(plugin)));
    QVERIFY(m_session.isValid());
    // XDG_RUNTIME_DIR must be private to its owner: Weston and libwayland refuse it otherwise.
    m_runtime = m_session.filePath(QStringLiteral("run"));
    QVERIFY(QDir().mkpath(m_runtime));
    QVERIFY(QFile::setPermissions(m_runtime,
                                  QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));

    m_bus.setProgram(QStringLiteral("dbus-daemon"));
    m_bus.setArguments({QStringLiteral("--nofork"), QStringLiteral("--print-address=1"),
                        QStringLiteral("--config-file=" TRAYBEAT_TEST_DATA "/session-bus.conf")});
    m_bus.start();
    QVERIFY(m_bus.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(m_bus.canReadLine(), startTimeoutMs);
    const QByteArray address = m_bus.readLine().trimmed();
    QVERIFY(!address.isEmpty());
    qputenv("DBUS_SESSION_BUS_ADDRESS", address); // before this process first talks D-Bus
    QDBusConnection bus = QDBusConnection::sessionBus();
    QVERIFY(bus.isConnected());
    QVERIFY(bus.registerVirtualObject(notificationsPath, &m_desktop));
    QVERIFY(bus.registerVirtualObject(watcherPath, &m_desktop));
    QVERIFY(bus.registerService(notificationsName));

    startWeston();

    m_environment = QProcessEnvironment::systemEnvironment();
    m_environment.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), QString::fromUtf8(address));
    m_environment.insert(QStringLiteral("XDG_RUNTIME_DIR"), m_runtime);
    m_environment.insert(QStringLiteral("WAYLAND_DISPLAY"), m_socket);
    m_environment.insert(QStringLiteral("XDG_SESSION_TYPE"), QStringLiteral("wayland"));
    m_environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("wayland"));
    m_environment.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("traybeat.*.info=true"));
    // Nothing may reach an X server: the app must do without one.
    for (const char *name : {"DISPLAY", "XDG_CURRENT_DESKTOP", "DESKTOP_SESSION",
                             "QT_QPA_PLATFORMTHEME", "QT_WAYLAND_SHELL_INTEGRATION"})
        m_environment.remove(QLatin1String(name));
}

void tst_Wayland::startWeston()
{
    m_socket = QStringLiteral("traybeat-test-%1").arg(QCoreApplication::applicationPid());
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("XDG_RUNTIME_DIR"), m_runtime);
    environment.remove(QStringLiteral("WAYLAND_DISPLAY"));
    environment.remove(QStringLiteral("DISPLAY"));
    m_weston.setProcessEnvironment(environment);
    m_weston.setProcessChannelMode(QProcess::MergedChannels);
    const QString log = m_session.filePath(QStringLiteral("weston.log"));
    // Headless: no GPU, no seat, no root needed (pixman renderer). --debug lets weston-debug
    // read the scene graph; --idle-time=0: never blank, never lock.
    m_weston.start(QStringLiteral("weston"),
                   {QStringLiteral("--backend=headless-backend.so"),
                    QStringLiteral("--socket=") + m_socket, QStringLiteral("--idle-time=0"),
                    QStringLiteral("--no-config"), QStringLiteral("--debug"),
                    QStringLiteral("--log=") + log});
    const QString socketPath = QDir(m_runtime).filePath(m_socket);
    const auto westonLog = [&log] {
        QFile file(log);
        return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll().right(2000))
                                              : QString();
    };
    QElapsedTimer waited;
    waited.start();
    while (!QFile::exists(socketPath) || sceneGraph().isEmpty()) {
        if (m_weston.state() == QProcess::NotRunning || waited.elapsed() > startTimeoutMs) {
            QSKIP(qPrintable(QStringLiteral("weston cannot start on this machine: %1")
                                 .arg(westonLog() + QString::fromUtf8(m_weston.readAll()))));
        }
        QTest::qWait(100);
    }
}

void tst_Wayland::cleanupTestCase()
{
    stop(&m_weston);
    stop(&m_bus);
}

void tst_Wayland::init()
{
    m_home = std::make_unique<QTemporaryDir>();
    QVERIFY(m_home->isValid());
    m_desktop.notifyCalls.clear();
    m_desktop.registeredItems.clear();
    m_output.clear();
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (!bus.interface()->isServiceRegistered(watcherName))
        QVERIFY(bus.registerService(watcherName));
}

void tst_Wayland::cleanup()
{
    // SIGTERM ends the app like Quit does; under Wayland too, with status 0.
    if (m_app.state() != QProcess::NotRunning) {
        m_app.terminate();
        QVERIFY2(m_app.waitForFinished(appTimeoutMs), qPrintable(appOutput()));
        QCOMPARE(m_app.exitStatus(), QProcess::NormalExit);
        QVERIFY2(m_app.exitCode() == 0, qPrintable(appOutput()));
    }
    stop(&m_app);
    m_home.reset();
}

void tst_Wayland::startApp()
{
    QProcessEnvironment environment = m_environment;
    environment.insert(QStringLiteral("XDG_CONFIG_HOME"), m_home->filePath(QStringLiteral("config")));
    environment.insert(QStringLiteral("XDG_DATA_HOME"), m_home->filePath(QStringLiteral("data")));
    environment.insert(QStringLiteral("HOME"), m_home->path());
    m_app.setProcessEnvironment(environment);
    m_app.setProcessChannelMode(QProcess::MergedChannels);
    m_app.start(QStringLiteral(TRAYBEAT_BINARY),
                {QStringLiteral("--demo"), QStringLiteral("--state-dir"),
                 m_home->filePath(QStringLiteral("state"))});
    QVERIFY(m_app.waitForStarted(startTimeoutMs));
}

QString tst_Wayland::appOutput()
{
    m_output += m_app.readAll();
    return QString::fromUtf8(m_output);
}

QString tst_Wayland::sceneGraph() const
{
    QProcess dump;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("XDG_RUNTIME_DIR"), m_runtime);
    environment.insert(QStringLiteral("WAYLAND_DISPLAY"), m_socket);
    dump.setProcessEnvironment(environment);
    dump.start(QStringLiteral("weston-debug"), {QStringLiteral("scene-graph")});
    if (!dump.waitForFinished(10000 * slowdown) || dump.exitCode() != 0)
        return {};
    return QString::fromUtf8(dump.readAllStandardOutput());
}

// "View 0 (role xdg_toplevel, PID 4242, surface ID 3, top-level window 'traybeat notification
// — traybeat' of io.github.traybeat.Traybeat, 0x…):"
QStringList tst_Wayland::appViews() const
{
    const QString pid = QStringLiteral("PID %1,").arg(m_app.processId());
    QStringList views;
    for (const QString &line : sceneGraph().split(QLatin1Char('\n'))) {
        if (line.trimmed().startsWith(QLatin1String("View ")) &&
            (line.contains(pid) || line.contains(QLatin1String("io.github.traybeat"))))
            views.append(line.trimmed());
    }
    return views;
}

bool tst_Wayland::hasDemoNotify() const
{
    return std::any_of(m_desktop.notifyCalls.cbegin(), m_desktop.notifyCalls.cend(),
                       [](const NotifyCall &call) {
                           return call.summary.endsWith(QLatin1String("Welcome to traybeat")) &&
                                  call.body.startsWith(QLatin1String("This demo runs"));
                       });
}

void tst_Wayland::popupsGoThroughTheDaemonByDefault()
{
    startApp();
    // The tray icon is a StatusNotifierItem: it registered with the desktop's watcher.
    QTRY_VERIFY2_WITH_TIMEOUT(!m_desktop.registeredItems.isEmpty(), qPrintable(appOutput()),
                              appTimeoutMs);
    // The demo's messages reach the notification daemon; meanwhile no window of the app is
    // ever on screen (an own pop-up of a message would stay for seconds).
    QStringList views;
    QElapsedTimer waited;
    waited.start();
    while (m_desktop.notifyCalls.size() < 2 && waited.elapsed() < appTimeoutMs) {
        QVERIFY2(m_app.state() == QProcess::Running, qPrintable(appOutput()));
        views += appViews();
        QTest::qWait(200);
    }
    QVERIFY2(m_desktop.notifyCalls.size() >= 2, qPrintable(appOutput()));
    QVERIFY(hasDemoNotify());
    QVERIFY2(views.isEmpty(), qPrintable(views.join(QLatin1Char('\n'))));
    QVERIFY2(appOutput().contains(
                 QLatin1String("pop-ups: the desktop's notification daemon (Wayland session)")),
             qPrintable(appOutput()));
    QVERIFY2(appOutput().contains(QLatin1String("tray icon: a StatusNotifierItem")),
             qPrintable(appOutput()));
    QCOMPARE(m_app.state(), QProcess::Running);
}

void tst_Wayland::ownPopupsStayASetting()
{
    // The user chose traybeat's own pop-ups (settings dialog): they are Wayland windows then,
    // which the observation above would have seen.
    const QString configDir = m_home->filePath(QStringLiteral("config/traybeat"));
    QVERIFY(QDir().mkpath(configDir));
    QFile settings(QDir(configDir).filePath(QStringLiteral("traybeat.conf")));
    QVERIFY(settings.open(QIODevice::WriteOnly));
    settings.write("[popups]\ndelivery=own\n");
    settings.close();
    startApp();
    QTRY_VERIFY2_WITH_TIMEOUT(
        appViews().join(QLatin1Char('\n')).contains(QLatin1String("'traybeat notification")),
        qPrintable(appOutput()), appTimeoutMs);
    QVERIFY2(appOutput().contains(QLatin1String("pop-ups: traybeat's own windows (Wayland session)")),
             qPrintable(appOutput()));
    QVERIFY(!hasDemoNotify());
}

void tst_Wayland::withoutTrayTheAppSaysSoOnce()
{
    // A compositor without a tray host (plain Weston, GNOME without the AppIndicator extension).
    QVERIFY(QDBusConnection::sessionBus().unregisterService(watcherName));
    startApp();
    const QLatin1String said("no system tray available");
    QTRY_VERIFY2_WITH_TIMEOUT(appOutput().contains(said), qPrintable(appOutput()), appTimeoutMs);
    // The history window is the main window then; the daemon still gets the pop-ups.
    QTRY_VERIFY2_WITH_TIMEOUT(hasDemoNotify(), qPrintable(appOutput()), appTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(
        appViews().join(QLatin1Char('\n')).contains(QLatin1String("xdg_toplevel")), appTimeoutMs);
    QCOMPARE(appOutput().count(said), 1);
    QVERIFY(m_desktop.registeredItems.isEmpty());
}

QTEST_GUILESS_MAIN(tst_Wayland)
#include "tst_wayland.moc"
