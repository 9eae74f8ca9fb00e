#include "singleinstance.h"

#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace traybeat;
using namespace std::chrono_literals;

class tst_SingleInstance : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void secondLaunchActivatesTheFirst();
    void differentKeysDoNotCollide();
    void lockIsReleasedWithTheInstance();
    void keyFollowsTheSettingsLocation();
    void secondLaunchOfTheAppSaysSoInOneLine();

private:
    QTemporaryDir m_runtime;
};

void tst_SingleInstance::initTestCase()
{
    QVERIFY(m_runtime.isValid());
    // Sockets and locks of this test stay in a folder of its own.
    qputenv("XDG_RUNTIME_DIR", QFile::encodeName(m_runtime.path()));
    QFile::setPermissions(m_runtime.path(),
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
}

void tst_SingleInstance::secondLaunchActivatesTheFirst()
{
    SingleInstance first(QStringLiteral("key-a"));
    QCOMPARE(first.claim(), SingleInstance::Role::Primary);
    QVERIFY(first.serverName().startsWith(m_runtime.path()));
    QSignalSpy activation(&first, &SingleInstance::activationRequested);

    SingleInstance second(QStringLiteral("key-a"));
    QCOMPARE(second.claim(), SingleInstance::Role::Secondary);
    QVERIFY(second.activatePrimary(2s));
    QVERIFY(activation.wait(2000));
    QCOMPARE(activation.size(), 1);
}

void tst_SingleInstance::differentKeysDoNotCollide()
{
    SingleInstance first(QStringLiteral("key-b"));
    SingleInstance other(QStringLiteral("key-c"));
    QVERIFY(first.serverName() != other.serverName());
    QCOMPARE(first.claim(), SingleInstance::Role::Primary);
    QCOMPARE(other.claim(), SingleInstance::Role::Primary);
}

void tst_SingleInstance::lockIsReleasedWithTheInstance()
{
    {
        SingleInstance first(QStringLiteral("key-d"));
        QCOMPARE(first.claim(), SingleInstance::Role::Primary);
    }
    SingleInstance again(QStringLiteral("key-d"));
    QCOMPARE(again.claim(), SingleInstance::Role::Primary);

    // Nobody listening (the lock holder vanished): activation gives up in time.
    SingleInstance orphan(QStringLiteral("key-never-claimed"));
    QElapsedTimer clock;
    clock.start();
    QVERIFY(!orphan.activatePrimary(300ms));
    QVERIFY(clock.elapsed() < 2000);
}

void tst_SingleInstance::keyFollowsTheSettingsLocation()
{
    const QByteArray saved = qgetenv("XDG_CONFIG_HOME");
    qputenv("XDG_CONFIG_HOME", "/tmp/tb-config-one");
    const QString one = SingleInstance::defaultKey(QStringLiteral("/tmp/state"));
    qputenv("XDG_CONFIG_HOME", "/tmp/tb-config-two");
    const QString two = SingleInstance::defaultKey(QStringLiteral("/tmp/state"));
    const QString otherState = SingleInstance::defaultKey(QStringLiteral("/tmp/state2"));
    qputenv("XDG_CONFIG_HOME", saved);
    QVERIFY(one != two);
    QVERIFY(two != otherState);
}

// The real app twice: the second launch hands over, prints one line saying so, and exits 0.
void tst_SingleInstance::secondLaunchOfTheAppSaysSoInOneLine()
{
    QTemporaryDir home;
    QVERIFY(home.isValid());
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    environment.insert(QStringLiteral("XDG_CONFIG_HOME"), home.filePath(QStringLiteral("config")));
    environment.insert(QStringLiteral("XDG_DATA_HOME"), home.filePath(QStringLiteral("data")));
    environment.insert(QStringLiteral("LANG"), QStringLiteral("C.UTF-8"));
    environment.remove(QStringLiteral("LANGUAGE"));
    environment.remove(QStringLiteral("DBUS_SESSION_BUS_ADDRESS")); // no keyring wanted here
    const QStringList arguments{QStringLiteral("--state-dir"),
                                home.filePath(QStringLiteral("state"))};
    QProcess first;
    first.setProcessEnvironment(environment);
    first.start(QStringLiteral(TRAYBEAT_BINARY), arguments);
    QVERIFY(first.waitForStarted());
    // Offscreen has no system tray: the line about the window mode comes once it runs.
    QByteArray firstErrors;
    QTRY_VERIFY_WITH_TIMEOUT(
        (firstErrors += first.readAllStandardError(), firstErrors.contains("no system tray")),
        15000);

    QProcess second;
    second.setProcessEnvironment(environment);
    second.start(QStringLiteral(TRAYBEAT_BINARY), arguments);
    QVERIFY(second.waitForFinished(15000));
    QCOMPARE(second.exitCode(), 0);
    const QByteArray output = second.readAllStandardOutput();
    QCOMPARE(output.count('\n'), 1);
    QVERIFY2(output.startsWith("traybeat: already running; brought its window forward"),
             output.constData());

    first.terminate();
    QVERIFY(first.waitForFinished(15000));
}

QTEST_MAIN(tst_SingleInstance)
#include "tst_singleinstance.moc"
