#include "popupstack.h"
#include "popupwidget.h"

#include "actionbar.h"
#include "browserstandin.h"
#include "notificationstore.h"

#include <QGuiApplication>
#include <QLabel>
#include <QPushButton>
#include <QScreen>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace traybeat;
using namespace std::chrono_literals;

Q_DECLARE_METATYPE(traybeat::PopupCorner)

class tst_PopupStack : public QObject
{
    Q_OBJECT
private slots:
    void showsInTheCorner_data();
    void showsInTheCorner();
    void burstOfThousand();
    void cardsFollowABurstAtMostOncePerInterval();
    void fullScreenReplacesTheOldest();
    void urgentOnesAreNotPushedAway();
    void summaryCountsAcrossBatches();
    void clickOpensSafeUrlsOnly();
    void summaryClickOpensHistory();
    void staysClearOfTheTray();
    void dismissTimesFollowPriority();
    void clearingActionMarksRead();
    void burstShowsTheNewestBesideTheSummary();
    void summaryNeverStandsForOneMessage();
    void summaryOutlastsTheBurst();
    void clickReadsWithAndWithoutLink();
    void linkThatCannotOpenIsSaidSo();
    void readInTheHistoryClosesThePopup();

private:
    static Notification message(int index, int priority = 3,
                                const QString &subscription = QStringLiteral("Demo"))
    {
        Notification notification;
        notification.id = QStringLiteral("m%1").arg(index);
        notification.subscription = subscription;
        notification.topic = QStringLiteral("demo");
        notification.title = QStringLiteral("Message %1").arg(index);
        notification.body = QStringLiteral("Body of message %1").arg(index);
        notification.priority = priority;
        notification.time = QDateTime::currentDateTimeUtc();
        return notification;
    }
    static NotificationList messages(int count, int first = 0)
    {
        NotificationList list;
        for (int i = first; i < first + count; ++i)
            list << message(i);
        return list;
    }
    static QRect available() { return QGuiApplication::primaryScreen()->availableGeometry(); }
};

void tst_PopupStack::showsInTheCorner_data()
{
    QTest::addColumn<PopupCorner>("corner");
    QTest::newRow("top right") << PopupCorner::TopRight;
    QTest::newRow("top left") << PopupCorner::TopLeft;
    QTest::newRow("bottom right") << PopupCorner::BottomRight;
    QTest::newRow("bottom left") << PopupCorner::BottomLeft;
}

void tst_PopupStack::showsInTheCorner()
{
    QFETCH(PopupCorner, corner);
    PopupStack stack;
    stack.setCorner(corner);
    stack.present(messages(3));
    const QList<PopupWidget *> popups = stack.popups();
    QCOMPARE(popups.size(), 3);
    const QRect area = available().adjusted(PopupStack::margin, PopupStack::margin,
                                            -PopupStack::margin, -PopupStack::margin);
    const bool top = corner == PopupCorner::TopRight || corner == PopupCorner::TopLeft;
    const bool right = corner == PopupCorner::TopRight || corner == PopupCorner::BottomRight;
    for (int i = 0; i < popups.size(); ++i) {
        const QRect frame = popups[i]->geometry();
        QVERIFY(popups[i]->isVisible());
        QVERIFY2(area.contains(frame), qPrintable(QStringLiteral("%1,%2 %3x%4")
                                                      .arg(frame.x())
                                                      .arg(frame.y())
                                                      .arg(frame.width())
                                                      .arg(frame.height())));
        QCOMPARE(right ? frame.right() : frame.left(), right ? area.right() : area.left());
        for (int j = 0; j < i; ++j)
            QVERIFY(!frame.intersects(popups[j]->geometry()));
    }
    // Newest next to the corner.
    QCOMPARE(popups.first()->notification().id, QStringLiteral("m2"));
    const QRect nearest = popups.first()->geometry();
    QCOMPARE(top ? nearest.top() : nearest.bottom(), top ? area.top() : area.bottom());
}

void tst_PopupStack::burstOfThousand()
{
    PopupStack stack;
    QElapsedTimer clock;
    clock.start();
    stack.present(messages(1000));
    QVERIFY(clock.elapsed() < 2000); // a burst must not freeze the desktop
    const QList<PopupWidget *> popups = stack.popups();
    QVERIFY(popups.size() <= 5);
    int visible = 0;
    for (const PopupWidget *popup : popups)
        visible += popup->isVisible() ? 1 : 0;
    QCOMPARE(visible, popups.size());
    QVERIFY(stack.summary());
    QCOMPARE(stack.foldedCount() + popups.size() - 1, 1000); // nothing lost from the count
    const QString title = stack.summary()->findChild<QLabel *>(QStringLiteral("title"))->text();
    QCOMPARE(title, QStringLiteral("%1 new notifications from Demo").arg(stack.foldedCount()));
    QCOMPARE(popups.first(), stack.summary()); // the summary sits next to the corner

    // More of the burst: the same summary counts on, still at most five on screen.
    stack.present(messages(500, 1000));
    QVERIFY(stack.popups().size() <= 5);
    QCOMPARE(stack.summary()->findChild<QLabel *>(QStringLiteral("title"))->text(),
             QStringLiteral("%1 new notifications from Demo").arg(stack.foldedCount()));
    QVERIFY(stack.foldedCount() >= 1497);
}

void tst_PopupStack::fullScreenReplacesTheOldest()
{
    // A calm rate, but the screen is full: the newest takes the oldest one's place.
    PopupStack stack;
    stack.setThrottle({5, 1000, 1000ms});
    stack.present(messages(4));
    QCOMPARE(stack.popups().size(), 4);
    stack.present(messages(1, 4));
    QCOMPARE(stack.popups().size(), 4);
    QVERIFY(!stack.summary());
    QCOMPARE(stack.popups().first()->notification().id, QStringLiteral("m4"));
    QCOMPARE(stack.popups().last()->notification().id, QStringLiteral("m1"));
}

void tst_PopupStack::urgentOnesAreNotPushedAway()
{
    PopupStack stack;
    stack.setThrottle({5, 1000, 1000ms});
    NotificationList urgent;
    for (int i = 0; i < 4; ++i)
        urgent << message(i, 5);
    stack.present(urgent);
    stack.present(messages(1, 10));
    QCOMPARE(stack.popups().size(), 5); // four urgent ones, and the fifth in the summary's place
    QVERIFY(stack.summary());
    for (PopupWidget *popup : stack.popups()) {
        if (popup != stack.summary())
            QCOMPARE(popup->notification().priority, 5);
    }
    // A summary of one is that message's card.
    QVERIFY(!stack.summary()->isSummary());
    QCOMPARE(stack.summary()->notification().id, QStringLiteral("m10"));
}

void tst_PopupStack::summaryCountsAcrossBatches()
{
    PopupStack stack;
    NotificationList list = messages(10);
    for (int i = 0; i < 5; ++i)
        list << message(100 + i, 3, QStringLiteral("alerts"));
    stack.present(list);
    QVERIFY(stack.summary());
    QCOMPARE(stack.summary()->findChild<QLabel *>(QStringLiteral("title"))->text(),
             QStringLiteral("12 new notifications from Demo, alerts"));
}

void tst_PopupStack::clickOpensSafeUrlsOnly()
{
    PopupStack stack;
    Notification safe = message(1);
    safe.url = QUrl(QStringLiteral("https://example.org/x"));
    Notification unsafe = message(2);
    unsafe.url = QUrl(QStringLiteral("javascript:alert(1)"));
    stack.present({safe, unsafe});
    BrowserStandIn browser;
    QSignalSpy history(&stack, &PopupStack::historyRequested);

    PopupWidget *unsafePopup = stack.popups().at(0);
    QCOMPARE(unsafePopup->notification().id, QStringLiteral("m2"));
    QVERIFY(!unsafePopup->opensLink());
    emit unsafePopup->activated();
    QCOMPARE(browser.opened.size(), 0);
    QCOMPARE(history.size(), 1);
    QCOMPARE(history.first().at(0).toString(), QStringLiteral("Demo"));
    QCOMPARE(history.first().at(1).toString(), QStringLiteral("m2"));
    QCOMPARE(stack.popups().size(), 1); // a clicked pop-up goes away

    QVERIFY(stack.popups().at(0)->opensLink());
    emit stack.popups().at(0)->activated();
    QCOMPARE(browser.opened, QList<QUrl>{safe.url});
    QCOMPARE(history.size(), 1);
    QCOMPARE(stack.popups().size(), 0);
}

void tst_PopupStack::summaryClickOpensHistory()
{
    PopupStack stack;
    stack.present(messages(20));
    QVERIFY(stack.summary());
    QSignalSpy history(&stack, &PopupStack::historyRequested);
    emit stack.summary()->activated();
    QCOMPARE(history.size(), 1);
    QCOMPARE(history.first().at(0).toString(), QStringLiteral("Demo"));
    QVERIFY(history.first().at(1).toString().isEmpty());
    QVERIFY(!stack.summary());
    QCOMPARE(stack.foldedCount(), 0);
}

void tst_PopupStack::staysClearOfTheTray()
{
    PopupStack stack;
    const QRect area = available();
    const QRect tray(area.right() - 24, area.top(), 24, 32);
    stack.setReservedArea(tray);
    stack.present(messages(2));
    for (const PopupWidget *popup : stack.popups())
        QVERIFY(!popup->geometry().intersects(tray));
    QVERIFY(stack.popups().first()->geometry().top() > tray.bottom());
}

void tst_PopupStack::dismissTimesFollowPriority()
{
    PopupStack stack;
    PopupSettings settings;
    settings.duration = 6s;
    stack.setPolicy(DeliveryPolicy(false, QuietHours{}, settings));
    stack.present({message(1, 1), message(2, 5)});
    const QList<PopupWidget *> popups = stack.popups();
    QCOMPARE(popups.size(), 2);
    QCOMPARE(popups[1]->dismissAfter().value_or(0ms).count(), 3000);
    QVERIFY(!popups[0]->dismissAfter().has_value()); // urgent: until closed
}

void tst_PopupStack::clearingActionMarksRead()
{
    PopupStack stack;
    Notification notification = message(1);
    NotificationAction copy;
    copy.type = NotificationAction::Type::Copy;
    copy.label = QStringLiteral("Copy");
    copy.value = QStringLiteral("v");
    copy.clear = true;
    NotificationAction view;
    view.type = NotificationAction::Type::View;
    view.label = QStringLiteral("Open");
    view.url = QUrl(QStringLiteral("https://example.org/v"));
    notification.actions = {view, copy};
    stack.present({notification, message(2)});
    BrowserStandIn browser;
    QSignalSpy read(&stack, &PopupStack::readRequested);
    PopupWidget *popup = stack.popups().at(1);
    QCOMPARE(popup->notification().id, QStringLiteral("m1"));
    const QList<QPushButton *> buttons = popup->actionBar()->buttons();

    buttons[0]->click(); // view without clear: opens, the pop-up stays
    QCOMPARE(browser.opened, QList<QUrl>{view.url});
    QCOMPARE(stack.popups().size(), 2);
    QCOMPARE(read.size(), 0);

    buttons[1]->click(); // copy with clear: done with the message
    QCOMPARE(read.size(), 1);
    QCOMPARE(read.first().at(0).toString(), QStringLiteral("Demo"));
    QCOMPARE(read.first().at(1).toString(), QStringLiteral("m1"));
    QCOMPARE(stack.popups().size(), 1);
    QCOMPARE(stack.popups().first()->notification().id, QStringLiteral("m2"));
}

void tst_PopupStack::burstShowsTheNewestBesideTheSummary()
{
    PopupStack stack; // five places, three new pop-ups a second
    stack.present(messages(20));
    QVERIFY(stack.summary());
    QStringList shown;
    for (const PopupWidget *popup : stack.popups())
        shown << (popup->isSummary() ? QStringLiteral("summary") : popup->notification().id);
    QCOMPARE(shown, (QStringList{"summary", "m19", "m18", "m17"}));
    QCOMPARE(stack.foldedCount(), 17);
    QCOMPARE(stack.summary()->findChild<QLabel *>(QStringLiteral("title"))->text(),
             QStringLiteral("17 new notifications from Demo"));

    // One at a time, as a live stream brings them: still the newest, in order.
    for (int i = 20; i < 25; ++i)
        stack.present({message(i)});
    shown.clear();
    for (const PopupWidget *popup : stack.popups())
        shown << (popup->isSummary() ? QStringLiteral("summary") : popup->notification().id);
    QCOMPARE(shown, (QStringList{"summary", "m24", "m23", "m22"}));
    QCOMPARE(stack.foldedCount() + 3, 25);
}

void tst_PopupStack::summaryNeverStandsForOneMessage()
{
    PopupStack stack;
    stack.setThrottle({5, 1, 1000ms}); // one new pop-up a second
    stack.present(messages(2));
    const QList<PopupWidget *> popups = stack.popups();
    QCOMPARE(popups.size(), 2);
    for (const PopupWidget *popup : popups)
        QVERIFY(!popup->isSummary());
    QCOMPARE(popups[0]->notification().id, QStringLiteral("m1")); // newest first
    QCOMPARE(popups[1]->notification().id, QStringLiteral("m0"));
    QCOMPARE(popups[1]->findChild<QLabel *>(QStringLiteral("title"))->text(),
             QStringLiteral("Message 0"));

    // A click on it is a click on that message's card.
    QSignalSpy history(&stack, &PopupStack::historyRequested);
    QSignalSpy read(&stack, &PopupStack::readRequested);
    stack.present(messages(1, 2));
    QVERIFY(stack.summary()->isSummary()); // two now: a summary
    QCOMPARE(stack.summary()->findChild<QLabel *>(QStringLiteral("title"))->text(),
             QStringLiteral("2 new notifications from Demo"));
    emit stack.popups().at(1)->activated(); // m2's card
    QCOMPARE(history.size(), 1);
    QCOMPARE(history.first().at(1).toString(), QStringLiteral("m2"));
    QCOMPARE(read.size(), 1);
}

void tst_PopupStack::summaryOutlastsTheBurst()
{
    // Cards and the summary of a default-priority burst stay 4 s. A message after the burst's
    // summary (shown as a card) starts the summary's time again: it is still there 4 s after
    // the burst began, and goes 4 s after that message.
    PopupStack stack;
    PopupSettings settings;
    settings.duration = 4s;
    stack.setPolicy(DeliveryPolicy(false, QuietHours{}, settings));
    stack.setThrottle({5, 3, 200ms});
    QElapsedTimer clock;
    clock.start();
    stack.present(messages(10));
    QVERIFY(stack.summary());
    QTest::qWait(2000);
    stack.present(messages(1, 10)); // the rate has calmed: a card of its own
    const qint64 lastMessage = clock.elapsed();
    QVERIFY(stack.summary());
    QTest::qWait(int(std::max<qint64>(0, 4500 - clock.elapsed())));
    if (clock.elapsed() < lastMessage + 3800) // a very slow machine cannot tell
        QVERIFY(stack.summary());
    QTRY_VERIFY_WITH_TIMEOUT(!stack.summary(), 15000);
}

void tst_PopupStack::clickReadsWithAndWithoutLink()
{
    PopupStack stack;
    Notification linked = message(1);
    linked.url = QUrl(QStringLiteral("https://example.org/1"));
    stack.present({linked, message(2)});
    BrowserStandIn browser;
    QSignalSpy read(&stack, &PopupStack::readRequested);
    QSignalSpy history(&stack, &PopupStack::historyRequested);

    PopupWidget *plain = stack.popups().at(0);
    PopupWidget *withLink = stack.popups().at(1);
    QVERIFY(!plain->opensLink());
    QCOMPARE(plain->cursor().shape(), Qt::ArrowCursor);
    QVERIFY(!plain->findChild<QLabel *>(QStringLiteral("openLink"))->isVisibleTo(plain));
    QVERIFY(withLink->opensLink());
    QCOMPARE(withLink->cursor().shape(), Qt::PointingHandCursor);
    auto *openLink = withLink->findChild<QLabel *>(QStringLiteral("openLink"));
    QVERIFY(openLink->isVisibleTo(withLink));
    QVERIFY2(openLink->text().contains(QStringLiteral("example.org")),
             qPrintable(openLink->text()));

    emit plain->activated();
    QCOMPARE(read.size(), 1);
    QCOMPARE(read.last().at(1).toString(), QStringLiteral("m2"));
    QCOMPARE(history.size(), 1);
    emit withLink->activated();
    QCOMPARE(read.size(), 2);
    QCOMPARE(read.last().at(1).toString(), QStringLiteral("m1"));
    QCOMPARE(browser.opened, QList<QUrl>{linked.url});
    QCOMPARE(history.size(), 1);
    QVERIFY(stack.popups().isEmpty());
}

void tst_PopupStack::linkThatCannotOpenIsSaidSo()
{
    // The offscreen platform has no browser: QDesktopServices::openUrl fails as it does on a
    // desktop without one.
    PopupStack stack;
    Notification linked = message(1);
    linked.url = QUrl(QStringLiteral("https://example.org/1"));
    stack.present({linked});
    PopupWidget *popup = stack.popups().at(0);
    const int heightBefore = popup->height();
    QSignalSpy read(&stack, &PopupStack::readRequested);
    emit popup->activated();
    QCOMPARE(read.size(), 1); // read all the same
    QCOMPARE(stack.popups().size(), 1);
    QVERIFY2(popup->openFailure().contains(QStringLiteral("Could not open the link")),
             qPrintable(popup->openFailure()));
    QVERIFY(popup->height() > heightBefore);
    QVERIFY(popup->isCountingDown());
}

void tst_PopupStack::readInTheHistoryClosesThePopup()
{
    QTemporaryDir dir;
    NotificationStore store;
    QVERIFY(store.open(dir.filePath(QStringLiteral("n.db"))));
    const NotificationList stored = store.add({message(1, 5), message(2, 5), message(3)});
    PopupStack stack;
    stack.present(stored);
    QCOMPARE(stack.popups().size(), 3);

    store.markRead(QStringLiteral("Demo"), QStringLiteral("m1"));
    stack.closeRead(store);
    QStringList shown;
    for (const PopupWidget *popup : stack.popups())
        shown << popup->notification().id;
    QCOMPARE(shown, (QStringList{"m3", "m2"}));

    store.markAllRead();
    stack.closeRead(store);
    QVERIFY(stack.popups().isEmpty());
}

// A burst arrives slice by slice: with an update interval the cards and the summary's count
// change at most once per interval, and end as they would have without one: the newest
// messages in order beside a summary counting all the others.
void tst_PopupStack::cardsFollowABurstAtMostOncePerInterval()
{
    PopupStack stack;
    stack.setCardUpdateInterval(10s); // nothing happens by itself during the test's slices
    stack.present(messages(20));      // the first fold shows at once
    QVERIFY(stack.summary());
    QCOMPARE(stack.foldedCount() + 3, 20);
    for (int slice = 1; slice < 10; ++slice)
        stack.present(messages(20, slice * 20));
    QStringList shown;
    for (const PopupWidget *popup : stack.popups())
        shown << (popup->isSummary() ? QStringLiteral("summary") : popup->notification().id);
    QCOMPARE(shown, (QStringList{"summary", "m19", "m18", "m17"})); // not re-laid out yet

    stack.setCardUpdateInterval(50ms);
    stack.present(messages(20, 200)); // within the interval of the first: waits for its end
    QTRY_COMPARE(stack.foldedCount() + 3, 220);
    shown.clear();
    for (const PopupWidget *popup : stack.popups())
        shown << (popup->isSummary() ? QStringLiteral("summary") : popup->notification().id);
    QCOMPARE(shown, (QStringList{"summary", "m219", "m218", "m217"}));
    QCOMPARE(stack.summary()->findChild<QLabel *>(QStringLiteral("title"))->text(),
             QStringLiteral("217 new notifications from Demo"));

    // Closing everything closes what was still waiting too: nothing shows up afterwards.
    stack.setCardUpdateInterval(10s);
    stack.present(messages(5, 220));
    stack.closeAll();
    QVERIFY(stack.popups().isEmpty());
}

QTEST_MAIN(tst_PopupStack)
#include "tst_popupstack.moc"
