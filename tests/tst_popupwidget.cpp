#include "popupwidget.h"

#include "actionbar.h"
#include "actionrunner.h"
#include "markdowndocument.h"
#include "markdownview.h"
#include "themecolors.h"

#include <QApplication>
#include <QClipboard>
#include <QEnterEvent>
#include <QGuiApplication>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
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
    void tagsAsEmojiAndTags();
    void actionsBecomeButtons();
    void httpActionHoldsThePopup();
    void httpErrorIsShown();
    void markdownRenderedInert();
    void markdownLinkOpensOnlyOnTheLink();
    void followsTheDesktopPalette_data();
    void followsTheDesktopPalette();
    void followsTheDesktopFont();

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
    // meta, time, title, body, "Open link", its failure, the action bar's outcome line, the
    // icon, the attachment's thumbnail and its file name
    QCOMPARE(labels.size(), 10);
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

    // A topic that only repeats the subscription's name (in another case) is said once.
    notification.topic = QStringLiteral("demo");
    popup.setNotification(notification);
    const QString once = popup.findChild<QLabel *>(QStringLiteral("meta"))->text();
    QVERIFY2(!once.contains(QStringLiteral("demo")) && once.count(QStringLiteral("Demo")) == 1,
             qPrintable(once));

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

void tst_PopupWidget::tagsAsEmojiAndTags()
{
    Notification notification = sample();
    notification.title = QStringLiteral("Garage open");
    notification.tags = {QStringLiteral("rotating_light"), QStringLiteral("garage"),
                         QStringLiteral("+1"), QStringLiteral("<b>home</b>")};
    PopupWidget popup;
    popup.setNotification(notification);
    QCOMPARE(popup.findChild<QLabel *>(QStringLiteral("title"))->text(),
             QStringLiteral("🚨👍 Garage open"));
    const QString meta = popup.findChild<QLabel *>(QStringLiteral("meta"))->text();
    QVERIFY2(meta.contains(QStringLiteral("garage, <b>home</b>")), qPrintable(meta));
    QVERIFY2(!meta.contains(QStringLiteral("rotating_light")), qPrintable(meta));
}

void tst_PopupWidget::actionsBecomeButtons()
{
    Notification notification = sample();
    NotificationAction view;
    view.type = NotificationAction::Type::View;
    view.label = QStringLiteral("Open the camera of the garage door & the driveway, in full");
    view.url = QUrl(QStringLiteral("https://example.org/camera"));
    NotificationAction copy;
    copy.type = NotificationAction::Type::Copy;
    copy.label = QStringLiteral("Copy code");
    copy.value = QStringLiteral("483920");
    NotificationAction broadcast;
    broadcast.type = NotificationAction::Type::Broadcast;
    broadcast.label = QStringLiteral("Take picture");
    notification.actions = {view, copy, broadcast};

    PopupWidget popup;
    popup.setNotification(notification);
    popup.show();
    const QList<QPushButton *> buttons = popup.actionBar()->buttons();
    QCOMPARE(buttons.size(), 3);
    for (QPushButton *button : buttons)
        QVERIFY(button->isVisible());
    // Elided to share the width, the whole label in the accessible name and tool tip.
    QVERIFY2(buttons[0]->text().endsWith(QChar(0x2026)), qPrintable(buttons[0]->text()));
    QVERIFY(buttons[0]->width() < PopupWidget::popupWidth / 2);
    QCOMPARE(buttons[0]->accessibleName(), view.label);
    QVERIFY(buttons[0]->toolTip().contains(QStringLiteral("driveway")));
    QVERIFY(buttons[0]->focusPolicy() & Qt::TabFocus);
    QCOMPARE(buttons[1]->text(), QStringLiteral("Copy code"));
    QVERIFY(!buttons[2]->isEnabled());
    QVERIFY(buttons[2]->toolTip().contains(QStringLiteral("not available on the desktop")));
    QVERIFY(popup.geometry().contains(popup.mapToGlobal(buttons[2]->geometry().bottomRight())));

    QSignalSpy urls(&popup, &PopupWidget::urlRequested);
    QSignalSpy activated(&popup, &PopupWidget::activated);
    QTest::mouseClick(buttons[0], Qt::LeftButton);
    QCOMPARE(urls.size(), 1);
    QCOMPARE(urls.first().first().toUrl(), view.url);
    QCOMPARE(activated.size(), 0); // a button is not a click on the pop-up

    const int heightBefore = popup.height();
    QTest::mouseClick(buttons[1], Qt::LeftButton);
    QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("483920"));
    QCOMPARE(popup.actionBar()->statusText(), QStringLiteral("Copied"));
    QVERIFY(popup.height() > heightBefore); // the outcome line fits inside
}

namespace {

// Answers an HTTP request only when told to.
class LateServer final : public QObject
{
public:
    LateServer()
    {
        QVERIFY(m_server.listen(QHostAddress::LocalHost, 0));
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            m_socket = m_server.nextPendingConnection();
            connect(m_socket, &QTcpSocket::readyRead, this,
                    [this] { m_received += m_socket->readAll(); });
        });
    }
    QUrl url() const
    {
        return QUrl(QStringLiteral("http://127.0.0.1:%1/hook").arg(m_server.serverPort()));
    }
    bool hasRequest() const { return m_received.contains("\r\n\r\n"); }
    void answer(const QByteArray &statusLine)
    {
        m_socket->write("HTTP/1.1 " + statusLine + "\r\nContent-Length: 0\r\n\r\n");
        m_socket->flush();
    }

private:
    QTcpServer m_server;
    QTcpSocket *m_socket = nullptr;
    QByteArray m_received;
};

NotificationAction httpAction(const QUrl &url, bool clear)
{
    NotificationAction action;
    action.type = NotificationAction::Type::Http;
    action.label = QStringLiteral("Close it");
    action.url = url;
    action.clear = clear;
    return action;
}

} // namespace

void tst_PopupWidget::httpActionHoldsThePopup()
{
    LateServer server;
    ActionRunner runner;
    Notification notification = sample();
    notification.actions = {httpAction(server.url(), true)};
    PopupWidget popup;
    popup.setActionRunner(&runner);
    popup.setNotification(notification);
    popup.setDismissAfter(150ms);
    popup.show();
    QVERIFY(popup.isCountingDown());
    QSignalSpy closes(&popup, &PopupWidget::closeRequested);
    QSignalSpy clears(&popup, &PopupWidget::clearRequested);

    QPushButton *button = popup.actionBar()->buttons().first();
    QTest::mouseClick(button, Qt::LeftButton);
    QVERIFY(popup.actionBar()->isBusy());
    QVERIFY(!button->isEnabled());
    QVERIFY(!popup.isCountingDown());
    QCOMPARE(popup.actionBar()->statusText(), QStringLiteral("Sending…"));
    QTRY_VERIFY(server.hasRequest());
    QVERIFY(!closes.wait(400)); // well past the dismiss time: it waits for the outcome

    server.answer("200 OK");
    QTRY_COMPARE(popup.actionBar()->statusText(), QStringLiteral("Done"));
    QVERIFY(!popup.actionBar()->isBusy());
    QCOMPARE(clears.size(), 1); // `clear`: the stack closes it and marks the message read
}

void tst_PopupWidget::httpErrorIsShown()
{
    LateServer server;
    ActionRunner runner;
    Notification notification = sample();
    notification.actions = {httpAction(server.url(), true)};
    PopupWidget popup;
    popup.setActionRunner(&runner);
    popup.setNotification(notification);
    popup.setDismissAfter(150ms);
    popup.show();
    QSignalSpy clears(&popup, &PopupWidget::clearRequested);
    popup.actionBar()->buttons().first()->click(); // the pointer is elsewhere
    QTRY_VERIFY(server.hasRequest());
    server.answer("502 Bad Gateway");
    QTRY_COMPARE(popup.actionBar()->statusText(), QStringLiteral("HTTP error 502 Bad Gateway"));
    QCOMPARE(clears.size(), 0); // failed: the message stays
    // The outcome is shown, then the pop-up goes as usual (held while the pointer is on it).
    QVERIFY(popup.isCountingDown() || popup.underMouse());
}

void tst_PopupWidget::markdownRenderedInert()
{
    Notification notification = sample();
    notification.contentType = Notification::markdownType();
    notification.body =
        QStringLiteral("**Disk** <b>raw</b> [js](javascript:alert(1)) [file](file:///etc/passwd) "
                       "[site](https://example.org/s) ![chart](http://127.0.0.1:9/c.png)");
    PopupWidget popup;
    popup.setNotification(notification);
    auto *markdown = popup.findChild<MarkdownView *>(QStringLiteral("markdownBody"));
    QVERIFY(markdown->isVisibleTo(&popup));
    QVERIFY(!popup.findChild<QLabel *>(QStringLiteral("body"))->isVisibleTo(&popup));
    QCOMPARE(markdown->plainText(), QStringLiteral("Disk <b>raw</b> js file site chart"));
    const QString html = markdown->document()->toHtml();
    QVERIFY(!html.contains(QStringLiteral("javascript")));
    QVERIFY(!html.contains(QStringLiteral("file:")));
    QVERIFY(!html.contains(QStringLiteral("<img")));
    QVERIFY(html.contains(QStringLiteral("https://example.org/s")));
    // What a screen reader reads: the rendered text, not the markup.
    QVERIFY2(popup.accessibleDescription().startsWith(QStringLiteral("Disk <b>raw</b>")),
             qPrintable(popup.accessibleDescription()));

    // Plain text stays plain text: the same words are not rendered.
    notification.contentType.clear();
    popup.setNotification(notification);
    QVERIFY(!markdown->isVisibleTo(&popup));
    QVERIFY(popup.findChild<QLabel *>(QStringLiteral("body"))
                ->text()
                .startsWith(QStringLiteral("**Disk** <b>raw</b>")));
}

void tst_PopupWidget::markdownLinkOpensOnlyOnTheLink()
{
    Notification notification = sample();
    notification.contentType = Notification::markdownType();
    notification.body = QStringLiteral("[site](https://example.org/s) and more words here");
    PopupWidget popup;
    popup.setNotification(notification);
    popup.show();
    QVERIFY(QTest::qWaitForWindowExposed(&popup));
    auto *markdown = popup.findChild<MarkdownView *>(QStringLiteral("markdownBody"));
    QPoint onLink;
    for (int x = 0; x < markdown->width() && onLink.isNull(); x += 2) {
        const QPoint point(x, markdown->fontMetrics().height() / 2);
        if (!markdown->linkAt(point).isEmpty())
            onLink = point;
    }
    QVERIFY(!onLink.isNull());
    QSignalSpy links(&popup, &PopupWidget::linkActivated);
    QSignalSpy activated(&popup, &PopupWidget::activated);
    QTest::mouseClick(markdown, Qt::LeftButton, {}, onLink);
    QCOMPARE(links.size(), 1);
    QCOMPARE(links.first().first().toUrl(), QUrl(QStringLiteral("https://example.org/s")));
    QCOMPARE(activated.size(), 0);
    // Anywhere else on the text it is a click on the card.
    QTest::mouseClick(markdown, Qt::LeftButton, {},
                      QPoint(markdown->width() - 4, markdown->fontMetrics().height() / 2));
    QCOMPARE(links.size(), 1);
    QCOMPARE(activated.size(), 1);
    // No link to open from the card: the arrow, not the hand.
    QVERIFY(!popup.opensLink());
    QCOMPARE(popup.cursor().shape(), Qt::ArrowCursor);
}

void tst_PopupWidget::followsTheDesktopPalette_data()
{
    QTest::addColumn<QColor>("window");
    QTest::addColumn<QColor>("text");
    QTest::newRow("light") << QColor(0xef, 0xef, 0xef) << QColor(Qt::black);
    QTest::newRow("white") << QColor(Qt::white) << QColor(Qt::black);
    QTest::newRow("dark") << QColor(0x2a, 0x2a, 0x2a) << QColor(0xee, 0xee, 0xee);
    QTest::newRow("black") << QColor(Qt::black) << QColor(Qt::white);
}

void tst_PopupWidget::followsTheDesktopPalette()
{
    QFETCH(QColor, window);
    QFETCH(QColor, text);
    const QPalette before = QApplication::palette();
    QPalette desktop = before;
    desktop.setColor(QPalette::Window, window);
    desktop.setColor(QPalette::WindowText, text);
    desktop.setColor(QPalette::Text, text);
    QApplication::setPalette(desktop);

    PopupWidget popup;
    Notification notification = sample();
    notification.url = QUrl(QStringLiteral("https://example.org/x"));
    popup.setNotification(notification);
    popup.showOpenFailure();
    const QImage card = popup.grab().toImage();
    // The card is the desktop's own window colour (a dark theme: a dark card).
    QCOMPARE(card.pixelColor(card.width() / 2, card.height() - 3), window);
    // Every priority's accent bar stands out from it (WCAG 1.4.11: 3:1), and is what is drawn.
    for (int priority = 1; priority <= 5; ++priority) {
        const QColor accent = PopupWidget::accentColor(priority, window);
        QVERIFY2(ThemeColors::contrastRatio(accent, window) >= ThemeColors::graphicContrast,
                 qPrintable(QStringLiteral("priority %1: %2").arg(priority).arg(accent.name())));
    }
    QCOMPARE(card.pixelColor(1, card.height() / 2), PopupWidget::accentColor(3, window));
    // Our own texts are readable on it: the failure line (4.5:1), the meta line.
    const QLabel *failure = popup.findChild<QLabel *>(QStringLiteral("openFailure"));
    QVERIFY(ThemeColors::contrastRatio(failure->palette().color(QPalette::WindowText), window) >=
            ThemeColors::textContrast);
    const QLabel *title = popup.findChild<QLabel *>(QStringLiteral("title"));
    QCOMPARE(title->palette().color(title->foregroundRole()), text);
    QApplication::setPalette(before);
}

void tst_PopupWidget::followsTheDesktopFont()
{
    const QFont before = QApplication::font();
    QFont large = before;
    large.setPointSizeF(before.pointSizeF() * 1.5);
    PopupWidget popup;
    popup.setNotification(sample());
    const qreal titleBefore =
        popup.findChild<QLabel *>(QStringLiteral("title"))->font().pointSizeF();
    QApplication::setFont(large);
    // A pop-up on screen follows, as does the next one.
    QTRY_VERIFY(popup.findChild<QLabel *>(QStringLiteral("title"))->font().pointSizeF() >
                titleBefore * 1.4);
    PopupWidget next;
    next.setNotification(sample());
    QCOMPARE(next.findChild<QLabel *>(QStringLiteral("title"))->font().pointSizeF(),
             popup.findChild<QLabel *>(QStringLiteral("title"))->font().pointSizeF());
    QVERIFY(next.findChild<QLabel *>(QStringLiteral("meta"))->font().pointSizeF() >
            before.pointSizeF());
    QApplication::setFont(before);
}

QTEST_MAIN(tst_PopupWidget)
#include "tst_popupwidget.moc"
