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
    void idleWatcherReadsNoClocks();
    void checkReportsASleepFromClockReadings();
    void fallbackTimerReportsASleep();
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
// (sleep detection only), check the clocks on its fallback timer, and report no wake-up while
// both clocks advance together. The backend is loaded when asked for, not before, and once.
void tst_SystemWatcher::constructsWithOrWithoutNetworkBackend()
{
    int readings = 0;
    milliseconds now{1000};
    SystemWatcher watcher(
        milliseconds(20),
        [&] {
            ++readings;
            now += milliseconds(20);
            return SystemWatcher::ClockReading{now, now};
        },
        SystemWatcher::SleepNotice::Timer);
    QVERIFY(!watcher.hearsClockChanges());
    QVERIFY(!watcher.isWatchingNetwork());
    QSignalSpy resumed(&watcher, &SystemWatcher::resumedFromSleep);
    QTRY_VERIFY(readings >= 6); // the timer runs the check
    QCOMPARE(resumed.size(), 0);
    watcher.watchNetwork();
    QVERIFY(watcher.isWatchingNetwork());
    const bool hasBackend = watcher.hasNetworkInformation();
    watcher.watchNetwork(); // a second link lost: nothing more to load
    QCOMPARE(watcher.hasNetworkInformation(), hasBackend);
    qInfo() << "network information backend:" << hasBackend;
}

// On Linux the kernel says when a clock jumped (a resume is one): no timer runs meanwhile, so an
// idle app is not woken to compare clocks that agree. (A real resume cannot be made in a test;
// the check it runs is the one tested below.)
void tst_SystemWatcher::idleWatcherReadsNoClocks()
{
    int readings = 0;
    SystemWatcher watcher(milliseconds(20), [&] {
        ++readings;
        return SystemWatcher::ClockReading{};
    });
    QVERIFY(watcher.hearsClockChanges());
    QCOMPARE(readings, 1); // the first reading, made at construction
    QTest::qWait(300);     // fifteen fallback intervals: what must not happen cannot be awaited
    QCOMPARE(readings, 1);
}

// The check itself, fed clock readings: no real sleep needed to see one.
void tst_SystemWatcher::checkReportsASleepFromClockReadings()
{
    SystemWatcher::ClockReading reading{milliseconds(10000), milliseconds(10000)};
    SystemWatcher watcher(std::chrono::hours(1), [&] { return reading; });
    QSignalSpy resumed(&watcher, &SystemWatcher::resumedFromSleep);

    reading = {milliseconds(15000), milliseconds(15400)}; // a busy machine: no sleep
    watcher.check();
    QCOMPARE(resumed.size(), 0);

    reading = {milliseconds(20000), milliseconds(20400 + 3600 * 1000)}; // an hour asleep
    watcher.check();
    QCOMPARE(resumed.size(), 1);
    QCOMPARE(resumed.at(0).at(0).value<milliseconds>(), milliseconds(3600 * 1000));

    reading = {milliseconds(25000), milliseconds(25400 + 3600 * 1000)}; // awake again
    watcher.check();
    QCOMPARE(resumed.size(), 1);
}

// Where the kernel cannot tell, the fallback timer drives the same check: a jump of the
// boot-time clock is reported by itself.
void tst_SystemWatcher::fallbackTimerReportsASleep()
{
    SystemWatcher::ClockReading reading{milliseconds(10000), milliseconds(10000)};
    SystemWatcher watcher(
        milliseconds(20), [&] { return reading; }, SystemWatcher::SleepNotice::Timer);
    QSignalSpy resumed(&watcher, &SystemWatcher::resumedFromSleep);
    reading.boottime += std::chrono::minutes(5);
    QVERIFY(resumed.wait(10000));
    QCOMPARE(resumed.at(0).at(0).value<milliseconds>(), milliseconds(std::chrono::minutes(5)));
}

QTEST_GUILESS_MAIN(tst_SystemWatcher)
#include "tst_systemwatcher.moc"
