#include "systemwatcher.h"

#include <QtTest>

using namespace traybeat;
using std::chrono::milliseconds;

class tst_SystemWatcher : public QObject
{
    Q_OBJECT
private slots:
    void wasSuspended_data();
    void wasSuspended();
    void constructsWithOrWithoutNetworkBackend();
};

void tst_SystemWatcher::wasSuspended_data()
{
    QTest::addColumn<qint64>("monotonic");
    QTest::addColumn<qint64>("boottime");
    QTest::addColumn<bool>("suspended");
    QTest::newRow("clocks agree") << qint64(5000) << qint64(5000) << false;
    QTest::newRow("jitter of a busy machine") << qint64(5000) << qint64(5400) << false;
    QTest::newRow("exactly the threshold") << qint64(5000) << qint64(6000) << false;
    QTest::newRow("a short nap") << qint64(5000) << qint64(6001) << true;
    QTest::newRow("a night asleep") << qint64(5000) << qint64(8 * 3600 * 1000) << true;
    QTest::newRow("boottime behind (never)") << qint64(5000) << qint64(4000) << false;
}

void tst_SystemWatcher::wasSuspended()
{
    QFETCH(qint64, monotonic);
    QFETCH(qint64, boottime);
    QFETCH(bool, suspended);
    QCOMPARE(SystemWatcher::wasSuspended(milliseconds(monotonic), milliseconds(boottime),
                                         milliseconds(1000)),
             suspended);
}

// A headless CI box usually has no network-information backend: the watcher must still work
// (sleep detection only) and never report a wake-up that did not happen.
void tst_SystemWatcher::constructsWithOrWithoutNetworkBackend()
{
    SystemWatcher watcher(milliseconds(20));
    QSignalSpy resumed(&watcher, &SystemWatcher::resumedFromSleep);
    QVERIFY(!resumed.wait(150));
    qInfo() << "network information backend:" << watcher.hasNetworkInformation();
}

QTEST_GUILESS_MAIN(tst_SystemWatcher)
#include "tst_systemwatcher.moc"
