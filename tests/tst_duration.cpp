#include "duration.h"

#include <QtTest>

using namespace traybeat;
using namespace std::chrono_literals;

class tst_Duration : public QObject
{
    Q_OBJECT
private slots:
    void parse_data();
    void parse();
    void format_data();
    void format();
    void describe_data();
    void describe();
};

void tst_Duration::parse_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<qint64>("milliseconds");
    QTest::newRow("ms") << "250ms" << true << qint64(250);
    QTest::newRow("seconds") << "5s" << true << qint64(5000);
    QTest::newRow("minutes") << "2m" << true << qint64(120000);
    QTest::newRow("hours") << "12h" << true << qint64(12 * 3600 * 1000);
    QTest::newRow("days") << "1d" << true << qint64(86400000);
    QTest::newRow("zero") << "0s" << true << qint64(0);
    QTest::newRow("spaces around") << " 5s " << true << qint64(5000);
    QTest::newRow("unknown unit") << "5x" << false << qint64(0);
    QTest::newRow("bare number") << "5" << false << qint64(0);
    QTest::newRow("negative") << "-5s" << false << qint64(0);
    QTest::newRow("fraction") << "1.5s" << false << qint64(0);
    QTest::newRow("empty") << "" << false << qint64(0);
    QTest::newRow("unit only") << "ms" << false << qint64(0);
    QTest::newRow("upper case") << "5S" << false << qint64(0);
    QTest::newRow("space inside") << "5 s" << false << qint64(0);
    QTest::newRow("overflow") << "999999999999d" << false << qint64(0);
}

void tst_Duration::parse()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);
    QFETCH(qint64, milliseconds);
    const auto duration = parseDuration(text);
    QCOMPARE(duration.has_value(), valid);
    if (valid)
        QCOMPARE(duration->count(), milliseconds);
}

void tst_Duration::format_data()
{
    QTest::addColumn<qint64>("milliseconds");
    QTest::addColumn<QString>("text");
    QTest::newRow("ms") << qint64(1500) << "1500ms";
    QTest::newRow("s") << qint64(25000) << "25s";
    QTest::newRow("m") << qint64(120000) << "2m";
    QTest::newRow("h") << qint64(12 * 3600 * 1000) << "12h";
    QTest::newRow("zero") << qint64(0) << "0ms";
}

void tst_Duration::format()
{
    QFETCH(qint64, milliseconds);
    QFETCH(QString, text);
    QCOMPARE(formatDuration(std::chrono::milliseconds(milliseconds)), text);
    QCOMPARE(parseDuration(text)->count(), milliseconds); // round trip
}

void tst_Duration::describe_data()
{
    QTest::addColumn<qint64>("milliseconds");
    QTest::addColumn<QString>("text");
    QTest::newRow("seconds") << qint64(35000) << "35 s";
    QTest::newRow("minutes and seconds") << qint64(75000) << "1 min 15 s";
    QTest::newRow("whole minutes") << qint64(120000) << "2 min";
    QTest::newRow("hours and minutes") << qint64((2 * 60 + 5) * 60 * 1000) << "2 h 5 min";
    QTest::newRow("hour and seconds: seconds dropped") << qint64(3605000) << "1 h";
    QTest::newRow("milliseconds") << qint64(500) << "500 ms";
    QTest::newRow("seconds and milliseconds") << qint64(1500) << "1 s 500 ms";
    QTest::newRow("zero") << qint64(0) << "0 s";
    // The trial's "86399913610 s" came from huge input: still short, never a wall of digits.
    QTest::newRow("huge") << qint64(86399913610) << "23999 h 58 min";
}

void tst_Duration::describe()
{
    QFETCH(qint64, milliseconds);
    QFETCH(QString, text);
    QCOMPARE(describeDuration(std::chrono::milliseconds(milliseconds)), text);
}

QTEST_APPLESS_MAIN(tst_Duration)
#include "tst_duration.moc"
