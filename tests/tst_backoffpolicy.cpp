#include "backoffpolicy.h"

#include <QtTest>

using namespace traybeat;
using std::chrono::milliseconds;

class tst_BackoffPolicy : public QObject
{
    Q_OBJECT
private slots:
    void delays_data();
    void delays();
    void cappedWithoutOverflow();
    void resetOnlyAfterStabilityWindow_data();
    void resetOnlyAfterStabilityWindow();
    void jitterSpreadsClients();
};

// floor 100, cap 1000: the jitter window doubles from the floor until floor + window hits the cap.
void tst_BackoffPolicy::delays_data()
{
    QTest::addColumn<int>("failuresBefore");
    QTest::addColumn<double>("random");
    QTest::addColumn<qint64>("expected");
    QTest::newRow("first, no jitter: the floor") << 0 << 0.0 << qint64(100);
    QTest::newRow("first, top of range") << 0 << 0.999 << qint64(199);
    QTest::newRow("first, middle") << 0 << 0.5 << qint64(150);
    QTest::newRow("second, top") << 1 << 0.999 << qint64(299);
    QTest::newRow("third, top") << 2 << 0.999 << qint64(499);
    QTest::newRow("fourth, top") << 3 << 0.999 << qint64(899);
    QTest::newRow("fifth, capped") << 4 << 0.999 << qint64(999);
    QTest::newRow("fiftieth, capped") << 50 << 1.0 << qint64(1000);
    QTest::newRow("fiftieth, floor still holds") << 50 << 0.0 << qint64(100);
    QTest::newRow("random out of range is clamped") << 0 << 7.0 << qint64(200);
}

void tst_BackoffPolicy::delays()
{
    QFETCH(int, failuresBefore);
    QFETCH(double, random);
    QFETCH(qint64, expected);
    BackoffPolicy policy({milliseconds(100), milliseconds(1000), milliseconds(5000)});
    for (int i = 0; i < failuresBefore; ++i)
        policy.nextDelay(0.0);
    QCOMPARE(policy.nextDelay(random).count(), expected);
    QCOMPARE(policy.failures(), failuresBefore + 1);
}

void tst_BackoffPolicy::cappedWithoutOverflow()
{
    BackoffPolicy policy({milliseconds(1000), milliseconds(60000), milliseconds(30000)});
    for (int i = 0; i < 10000; ++i)
        policy.nextDelay(0.5);
    QCOMPARE(policy.maximumDelay().count(), qint64(60000));
    QVERIFY(policy.nextDelay(0.999).count() <= 60000);
}

void tst_BackoffPolicy::resetOnlyAfterStabilityWindow_data()
{
    QTest::addColumn<qint64>("upTime");
    QTest::addColumn<int>("failuresAfter");
    QTest::newRow("dropped at once: keep backing off") << qint64(10) << 3;
    QTest::newRow("just short of the window") << qint64(4999) << 3;
    QTest::newRow("exactly the window") << qint64(5000) << 0;
    QTest::newRow("long and stable") << qint64(600000) << 0;
}

void tst_BackoffPolicy::resetOnlyAfterStabilityWindow()
{
    QFETCH(qint64, upTime);
    QFETCH(int, failuresAfter);
    BackoffPolicy policy({milliseconds(100), milliseconds(1000), milliseconds(5000)});
    for (int i = 0; i < 3; ++i)
        policy.nextDelay(0.0);
    policy.linkWasUp(milliseconds(upTime));
    QCOMPARE(policy.failures(), failuresAfter);
}

// 1,000 clients whose server restarts: full jitter must spread them over the window, not stack
// them on one instant as a fixed 4 s retry does.
void tst_BackoffPolicy::jitterSpreadsClients()
{
    QRandomGenerator random(42);
    QSet<qint64> distinct;
    qint64 smallest = std::numeric_limits<qint64>::max(), largest = 0;
    for (int client = 0; client < 1000; ++client) {
        BackoffPolicy policy({milliseconds(1000), milliseconds(60000), milliseconds(30000)});
        const qint64 delay = policy.nextDelay(random.generateDouble()).count();
        distinct.insert(delay / 100); // 100 ms buckets
        smallest = std::min(smallest, delay);
        largest = std::max(largest, delay);
    }
    QVERIFY(smallest >= 1000);
    QVERIFY(largest < 2000);
    QVERIFY2(distinct.size() == 10, "every 100 ms bucket of the first window gets clients");
}

QTEST_APPLESS_MAIN(tst_BackoffPolicy)
#include "tst_backoffpolicy.moc"
