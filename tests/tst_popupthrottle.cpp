#include "popupthrottle.h"

#include <QTest>

using namespace traybeat;
using namespace std::chrono_literals;

class tst_PopupThrottle : public QObject
{
    Q_OBJECT
private slots:
    void offer_data();
    void offer();
    void burstOfThousand();
};

// A sequence of offers: "time:visible" each, and the verdicts expected ("S" show, "F" fold).
void tst_PopupThrottle::offer_data()
{
    QTest::addColumn<QString>("offers");
    QTest::addColumn<QString>("verdicts");

    QTest::newRow("three in a second show") << "0:0 100:1 200:2" << "SSS";
    QTest::newRow("the fourth in a second folds") << "0:0 100:1 200:2 300:3" << "SSSF";
    QTest::newRow("window slides") << "0:0 100:1 200:2 1000:2 1099:2" << "SSSSF";
    QTest::newRow("one place kept for the summary") << "0:4" << "F";
    QTest::newRow("room below the limit") << "0:3" << "S";
    QTest::newRow("slow trickle always shows") << "0:0 2000:1 4000:2 6000:3" << "SSSS";
    QTest::newRow("a fold is not counted as shown") << "0:0 0:1 0:2 0:3 0:3 1000:0" << "SSSFFS";
}

void tst_PopupThrottle::offer()
{
    QFETCH(QString, offers);
    QFETCH(QString, verdicts);
    PopupThrottle throttle;
    QString actual;
    const QStringList items = offers.split(QLatin1Char(' '));
    for (const QString &item : items) {
        const QStringList parts = item.split(QLatin1Char(':'));
        const auto verdict = throttle.offer(std::chrono::milliseconds(parts[0].toInt()),
                                            parts[1].toInt());
        actual += verdict == PopupThrottle::Verdict::Show ? QLatin1Char('S') : QLatin1Char('F');
    }
    QCOMPARE(actual, verdicts);
}

void tst_PopupThrottle::burstOfThousand()
{
    PopupThrottle throttle;
    int shown = 0;
    for (int i = 0; i < 1000; ++i) {
        if (throttle.offer(5ms * i, shown) == PopupThrottle::Verdict::Show)
            ++shown; // nothing is dismissed during the burst
    }
    // Three in the first second, one more once the window slid; then the screen is full (one
    // place stays for the summary).
    QCOMPARE(shown, 4);
}

QTEST_APPLESS_MAIN(tst_PopupThrottle)
#include "tst_popupthrottle.moc"
