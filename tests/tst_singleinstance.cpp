#include "singleinstance.h"

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

QTEST_MAIN(tst_SingleInstance)
#include "tst_singleinstance.moc"
