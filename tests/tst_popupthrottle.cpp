#include "popupthrottle.h"

#include <QTest>
#include <algorithm>

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

// A sequence of offers, "time:visible" each ("time:visible:x" when no pop-up may be replaced),
// and the verdicts expected: S show, R replace the oldest, F fold.
void tst_PopupThrottle::offer_data()
{
    QTest::addColumn<QString>("offers");
    QTest::addColumn<QString>("verdicts");

    QTest::newRow("three in a second show") << "0:0 100:1 200:2"
                                            << "SSS";
    QTest::newRow("the fourth in a second folds") << "0:0 100:1 200:2 300:3"
                                                  << "SSSF";
    QTest::newRow("window slides") << "0:0 100:1 200:2 1000:2 1099:2"
                                   << "SSSSF";
    QTest::newRow("room below the limit") << "0:3"
                                          << "S";
    QTest::newRow("full, calm: replaces the oldest") << "0:4"
                                                     << "R";
    QTest::newRow("full of urgent ones: folds") << "0:4:x"
                                                << "F";
    QTest::newRow("room, nothing replaceable: shows") << "0:2:x"
                                                      << "S";
    QTest::newRow("full and fast: folds") << "0:4 10:4 20:4 30:4"
                                          << "RRRF";
    QTest::newRow("slow trickle always shows") << "0:0 2000:1 4000:2 6000:3 8000:4"
                                               << "SSSSR";
    QTest::newRow("a fold is not counted as shown") << "0:0 0:1 0:2 0:3 0:3 1000:0"
                                                    << "SSSFFS";
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
                                            parts[1].toInt(), parts.size() < 3);
        switch (verdict) {
        case PopupThrottle::Verdict::Show:
            actual += QLatin1Char('S');
            break;
        case PopupThrottle::Verdict::ReplaceOldest:
            actual += QLatin1Char('R');
            break;
        case PopupThrottle::Verdict::Fold:
            actual += QLatin1Char('F');
            break;
        }
    }
    QCOMPARE(actual, verdicts);
}

void tst_PopupThrottle::burstOfThousand()
{
    PopupThrottle throttle;
    int shown = 0;
    int folded = 0;
    for (int i = 0; i < 1000; ++i) {
        // 1,000 within 100 ms, nothing dismissed meanwhile.
        const auto verdict = throttle.offer(std::chrono::milliseconds(i / 10), std::min(shown, 4));
        if (verdict == PopupThrottle::Verdict::Fold)
            ++folded;
        else
            ++shown;
    }
    QCOMPARE(shown, 3);
    QCOMPARE(folded, 997);
}

QTEST_APPLESS_MAIN(tst_PopupThrottle)
#include "tst_popupthrottle.moc"
