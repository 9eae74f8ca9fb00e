#include "deliverypolicy.h"

#include <QTest>

using namespace traybeat;
using namespace std::chrono_literals;

Q_DECLARE_METATYPE(std::optional<std::chrono::milliseconds>)

class tst_DeliveryPolicy : public QObject
{
    Q_OBJECT
private slots:
    void isQuietTime_data();
    void isQuietTime();
    void shouldPopUp_data();
    void shouldPopUp();
    void dismissAfter_data();
    void dismissAfter();
};

void tst_DeliveryPolicy::isQuietTime_data()
{
    QTest::addColumn<QTime>("from");
    QTest::addColumn<QTime>("to");
    QTest::addColumn<QTime>("now");
    QTest::addColumn<bool>("quiet");

    const QTime ten(22, 0), seven(7, 0);
    QTest::newRow("crossing midnight, evening inside") << ten << seven << QTime(23, 30) << true;
    QTest::newRow("crossing midnight, at from") << ten << seven << QTime(22, 0) << true;
    QTest::newRow("crossing midnight, just before from")
        << ten << seven << QTime(21, 59, 59) << false;
    QTest::newRow("crossing midnight, at midnight") << ten << seven << QTime(0, 0) << true;
    QTest::newRow("crossing midnight, early morning") << ten << seven << QTime(6, 59, 59) << true;
    QTest::newRow("crossing midnight, at to (exclusive)") << ten << seven << QTime(7, 0) << false;
    QTest::newRow("crossing midnight, noon") << ten << seven << QTime(12, 0) << false;
    QTest::newRow("same day, inside") << QTime(13, 0) << QTime(14, 0) << QTime(13, 30) << true;
    QTest::newRow("same day, before") << QTime(13, 0) << QTime(14, 0) << QTime(12, 59) << false;
    QTest::newRow("same day, after") << QTime(13, 0) << QTime(14, 0) << QTime(14, 0) << false;
    QTest::newRow("same day, at midnight") << QTime(13, 0) << QTime(14, 0) << QTime(0, 0) << false;
    QTest::newRow("empty span") << QTime(8, 0) << QTime(8, 0) << QTime(8, 0) << false;
    QTest::newRow("invalid from") << QTime() << seven << QTime(3, 0) << false;
}

void tst_DeliveryPolicy::isQuietTime()
{
    QFETCH(QTime, from);
    QFETCH(QTime, to);
    QFETCH(QTime, now);
    QFETCH(bool, quiet);
    QuietHours hours;
    hours.enabled = true;
    hours.from = from;
    hours.to = to;
    QCOMPARE(DeliveryPolicy::isQuietTime(hours, now), quiet);
}

void tst_DeliveryPolicy::shouldPopUp_data()
{
    QTest::addColumn<bool>("doNotDisturb");
    QTest::addColumn<bool>("quietEnabled");
    QTest::addColumn<bool>("urgentBreaksThrough");
    QTest::addColumn<QTime>("now");
    QTest::addColumn<int>("priority");
    QTest::addColumn<bool>("popUp");

    const QTime night(23, 0), day(12, 0);
    QTest::newRow("nothing set") << false << false << true << night << 3 << true;
    QTest::newRow("quiet hours off at night") << false << false << true << night << 1 << true;
    QTest::newRow("quiet at night, default") << false << true << true << night << 3 << false;
    QTest::newRow("quiet at night, high") << false << true << true << night << 4 << false;
    QTest::newRow("quiet at night, urgent breaks through")
        << false << true << true << night << 5 << true;
    QTest::newRow("quiet at night, urgent held back")
        << false << true << false << night << 5 << false;
    QTest::newRow("quiet hours by day, default") << false << true << true << day << 3 << true;
    QTest::newRow("quiet after midnight, urgent")
        << false << true << true << QTime(2, 0) << 5 << true;
    QTest::newRow("quiet after midnight, low")
        << false << true << true << QTime(2, 0) << 2 << false;
    QTest::newRow("dnd by day, default") << true << false << true << day << 3 << false;
    // Do not disturb lets urgent through by default (GNOME, KDE); its own setting, below.
    QTest::newRow("dnd by day, urgent") << true << false << true << day << 5 << true;
    QTest::newRow("dnd by day, high") << true << false << true << day << 4 << false;
    QTest::newRow("dnd and quiet, urgent") << true << true << true << night << 5 << true;
}

void tst_DeliveryPolicy::shouldPopUp()
{
    QFETCH(bool, doNotDisturb);
    QFETCH(bool, quietEnabled);
    QFETCH(bool, urgentBreaksThrough);
    QFETCH(QTime, now);
    QFETCH(int, priority);
    QFETCH(bool, popUp);
    QuietHours hours; // 22:00 to 07:00
    hours.enabled = quietEnabled;
    hours.urgentBreaksThrough = urgentBreaksThrough;
    const DeliveryPolicy policy(doNotDisturb, hours, PopupSettings{});
    QCOMPARE(policy.shouldPopUp(priority, now), popUp);
    // Urgent held back by do not disturb when its setting says so; nothing else changes.
    const DeliveryPolicy strict(doNotDisturb, hours, PopupSettings{}, false);
    QCOMPARE(strict.shouldPopUp(priority, now), doNotDisturb ? false : popUp);
}

void tst_DeliveryPolicy::dismissAfter_data()
{
    QTest::addColumn<int>("baseMs");
    QTest::addColumn<int>("priority");
    QTest::addColumn<std::optional<std::chrono::milliseconds>>("expected");

    using Duration = std::optional<std::chrono::milliseconds>;
    QTest::newRow("min") << 6000 << 1 << Duration(3s);
    QTest::newRow("low") << 6000 << 2 << Duration(4500ms);
    QTest::newRow("default") << 6000 << 3 << Duration(6s);
    QTest::newRow("high") << 6000 << 4 << Duration(12s);
    QTest::newRow("urgent stays") << 6000 << 5 << Duration();
    QTest::newRow("short base, min floored") << 2000 << 1 << Duration(2s);
    QTest::newRow("out of range low") << 6000 << 0 << Duration(3s);
    QTest::newRow("out of range high") << 6000 << 9 << Duration();
}

void tst_DeliveryPolicy::dismissAfter()
{
    QFETCH(int, baseMs);
    QFETCH(int, priority);
    QFETCH(std::optional<std::chrono::milliseconds>, expected);
    PopupSettings popups;
    popups.duration = std::chrono::milliseconds(baseMs);
    const DeliveryPolicy policy(false, QuietHours{}, popups);
    const auto duration = policy.dismissAfter(priority);
    QCOMPARE(duration.has_value(), expected.has_value());
    if (expected)
        QCOMPARE(duration->count(), expected->count());
}

QTEST_APPLESS_MAIN(tst_DeliveryPolicy)
#include "tst_deliverypolicy.moc"
