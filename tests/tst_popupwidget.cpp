#include "popupwidget.h"

#include <QEnterEvent>
#include <QLabel>
#include <QSignalSpy>
#include <QTest>
#include <QToolButton>

using namespace traybeat;
using namespace std::chrono_literals;

class tst_PopupWidget : public QObject
{
    Q_OBJECT
private slots:
    void showsServerTextLiterally();
    void neverTakesFocus();
    void showsWhereItCameFrom();
    void elidesLongText();
    void elided_data();
    void elided();
    void dismissesByItself();
    void hoverPausesTheCountdown();
    void urgentStays();
    void clickAndClose();

private:
    static Notification sample()
    {
        Notification notification;
        notification.id = QStringLiteral("m1");
        notification.subscription = QStringLiteral("Demo");
        notification.topic = QStringLiteral("alerts");
        notification.title = QStringLiteral("Title");
        notification.body = QStringLiteral("Body");
        notification.time = QDateTime::currentDateTimeUtc();
        return notification;
    }
};

void tst_PopupWidget::showsServerTextLiterally()
{
    Notification notification = sample();
    notification.title = QStringLiteral("<b>x</b>");
    notification.body = QStringLiteral("<a href=\"https://evil.example\">click</a> &amp; <i>y</i>");
    notification.topic = QStringLiteral("<u>t</u>");
    PopupWidget popup;
    popup.setNotification(notification);
    const QList<QLabel *> labels = popup.findChildren<QLabel *>();
    QCOMPARE(labels.size(), 4);
    for (const QLabel *label : labels) {
        QCOMPARE(label->textFormat(), Qt::PlainText);
        QCOMPARE(label->openExternalLinks(), false);
    }
    auto *title = popup.findChild<QLabel *>(QStringLiteral("title"));
    auto *body = popup.findChild<QLabel *>(QStringLiteral("body"));
    auto *meta = popup.findChild<QLabel *>(QStringLiteral("meta"));
    QCOMPARE(title->text(), QStringLiteral("<b>x</b>"));
    QVERIFY2(body->text().contains(QStringLiteral("<a href=")), qPrintable(body->text()));
    QVERIFY(body->text().contains(QStringLiteral("&amp;")));
    QVERIFY(meta->text().contains(QStringLiteral("<u>t</u>")));
}

void tst_PopupWidget::neverTakesFocus()
{
    PopupWidget popup;
    QVERIFY(popup.windowFlags() & Qt::WindowDoesNotAcceptFocus);
    QVERIFY(popup.windowFlags() & Qt::FramelessWindowHint);
    QVERIFY(popup.windowFlags() & Qt::WindowStaysOnTopHint);
    QVERIFY(popup.testAttribute(Qt::WA_ShowWithoutActivating));
    QCOMPARE(popup.focusPolicy(), Qt::NoFocus);
    QCOMPARE(popup.windowTitle(), PopupWidget::windowName());
}

void tst_PopupWidget::showsWhereItCameFrom()
{
    Notification notification = sample();
    notification.priority = 5;
    PopupWidget popup;
    popup.setNotification(notification);
    const QString meta = popup.findChild<QLabel *>(QStringLiteral("meta"))->text();
    QVERIFY2(meta.contains(QStringLiteral("Demo")), qPrintable(meta));
    QVERIFY(meta.contains(QStringLiteral("alerts")));
    QVERIFY(meta.contains(QStringLiteral("urgent")));
    QVERIFY(!popup.findChild<QLabel *>(QStringLiteral("time"))->text().isEmpty());
    QCOMPARE(PopupWidget::accentColor(5), QColor(0xda, 0x36, 0x33));
    QVERIFY(PopupWidget::accentColor(1) != PopupWidget::accentColor(3));

    // No title: the body alone, no empty bold line.
    notification.title.clear();
    popup.setNotification(notification);
    QVERIFY(popup.findChild<QLabel *>(QStringLiteral("title"))->isHidden());
}

void tst_PopupWidget::elidesLongText()
{
    Notification notification = sample();
    notification.title = QString(500, QLatin1Char('T'));
    notification.body = QStringLiteral("word ").repeated(2000);
    PopupWidget popup;
    popup.setNotification(notification);
    QCOMPARE(popup.width(), PopupWidget::popupWidth);
    const QLabel *body = popup.findChild<QLabel *>(QStringLiteral("body"));
    const QStringList lines = body->text().split(QLatin1Char('\n'));
    QCOMPARE(lines.size(), 4);
    QVERIFY(lines.last().endsWith(QChar(0x2026)));
    for (const QString &line : lines)
        QVERIFY(body->fontMetrics().horizontalAdvance(line) <= body->width());
    QVERIFY(popup.height() < 200); // a few lines, not 2,000 words
    const QLabel *title = popup.findChild<QLabel *>(QStringLiteral("title"));
    QCOMPARE(title->text().count(QLatin1Char('\n')), 1); // two lines at most
}

void tst_PopupWidget::elided_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("maxLines");
    QTest::addColumn<QString>("expected");

    QTest::newRow("short") << "hello world" << 2 << "hello world";
    QTest::newRow("keeps line breaks") << "one\ntwo" << 3 << "one\ntwo";
    QTest::newRow("drops blank lines") << "one\n\n\r\ntwo" << 3 << "one\ntwo";
    QTest::newRow("joins what is past the last line") << "one\ntwo\nthree" << 2 << "one\ntwo three";
    QTest::newRow("empty") << "" << 2 << "";
}

void tst_PopupWidget::elided()
{
    QFETCH(QString, text);
    QFETCH(int, maxLines);
    QFETCH(QString, expected);
    QCOMPARE(PopupWidget::elided(text, QFont(), 300, maxLines), expected);
}

void tst_PopupWidget::dismissesByItself()
{
    PopupWidget popup;
    popup.setNotification(sample());
    popup.setDismissAfter(100ms);
    QSignalSpy closing(&popup, &PopupWidget::closeRequested);
    popup.move(200, 200); // away from the pointer, which would hold the countdown
    popup.show();
    QVERIFY(popup.isCountingDown());
    QVERIFY(closing.wait(2000));
}

void tst_PopupWidget::hoverPausesTheCountdown()
{
    PopupWidget popup;
    popup.setNotification(sample());
    popup.setDismissAfter(150ms);
    QSignalSpy closing(&popup, &PopupWidget::closeRequested);
    popup.move(200, 200);
    popup.show();
    QVERIFY(popup.isCountingDown());

    QEnterEvent enter(QPointF(10, 10), QPointF(10, 10), popup.mapToGlobal(QPointF(10, 10)));
    QApplication::sendEvent(&popup, &enter);
    QVERIFY(!popup.isCountingDown());
    // A witness, not hovered, started later with twice the countdown: by the time it closes,
    // the hovered pop-up's countdown would long have fired, had it kept running.
    PopupWidget witness;
    witness.setNotification(sample());
    witness.setDismissAfter(300ms);
    QSignalSpy witnessClosing(&witness, &PopupWidget::closeRequested);
    witness.move(600, 200);
    witness.show();
    QVERIFY(witnessClosing.wait(5000));
    QCOMPARE(closing.size(), 0);
    QVERIFY(!popup.isCountingDown());

    QEvent leave(QEvent::Leave);
    QApplication::sendEvent(&popup, &leave);
    QVERIFY(popup.isCountingDown());
    QVERIFY(closing.wait(5000)); // the rest, with a short grace after leaving
}

void tst_PopupWidget::urgentStays()
{
    PopupWidget popup;
    popup.setNotification(sample());
    popup.setDismissAfter(std::nullopt);
    popup.show();
    QVERIFY(!popup.isCountingDown());
}

void tst_PopupWidget::clickAndClose()
{
    PopupWidget popup;
    popup.setNotification(sample());
    popup.show();
    QSignalSpy activated(&popup, &PopupWidget::activated);
    QSignalSpy closing(&popup, &PopupWidget::closeRequested);
    QTest::mouseClick(popup.findChild<QLabel *>(QStringLiteral("body")), Qt::LeftButton);
    QCOMPARE(activated.size(), 1);
    QCOMPARE(closing.size(), 0);
    QTest::mouseClick(popup.findChild<QToolButton *>(QStringLiteral("close")), Qt::LeftButton);
    QCOMPARE(closing.size(), 1);
    QCOMPARE(activated.size(), 1);
}

QTEST_MAIN(tst_PopupWidget)
#include "tst_popupwidget.moc"
