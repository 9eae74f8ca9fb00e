#include "traycontroller.h"
#include "trayicons.h"

#include <QAction>
#include <QApplication>
#include <QHelpEvent>
#include <QMenu>
#include <QSignalSpy>
#include <QTest>
#include <QTextDocument>

using namespace traybeat;
using namespace std::chrono_literals;

class tst_TrayController : public QObject
{
    Q_OBJECT
private slots:
    void worstState_data();
    void worstState();
    void icon_data();
    void icon();
    void toolTip();
    void toolTipOfAFailedLinkSaysWhenItTriesAgain();
    void toolTipShowsTheDateWhenNotToday();
    void freshStatusesBeforeShowing();
    void toolTipHasNoSecrets();
    void toolTipStaysPlainText();
    void menu();
    void doNotDisturbAction();
    void leftClickOpensHistory();
    void refreshesOnlyWhileOpen();
    void quietHoursShowInIconToolTipAndMenu();

private:
    static LinkStatus status(const QString &name, ConnectionState state, int unread = 0)
    {
        LinkStatus result;
        result.name = name;
        result.server = QUrl(QStringLiteral("https://push.example.org"));
        result.state = state;
        result.unread = unread;
        return result;
    }
};

using State = ConnectionState;

void tst_TrayController::worstState_data()
{
    QTest::addColumn<QList<State>>("states");
    QTest::addColumn<State>("worst");

    QTest::newRow("none: offline") << QList<State>{} << State::Disconnected;
    QTest::newRow("one connected") << QList<State>{State::Connected} << State::Connected;
    QTest::newRow("connecting beats connected")
        << QList<State>{State::Connected, State::Connecting} << State::Connecting;
    QTest::newRow("reconnecting beats connecting")
        << QList<State>{State::Connecting, State::Reconnecting} << State::Reconnecting;
    QTest::newRow("offline beats reconnecting")
        << QList<State>{State::Reconnecting, State::Disconnected, State::Connected}
        << State::Disconnected;
    QTest::newRow("failed beats all")
        << QList<State>{State::Connected, State::Failed, State::Disconnected} << State::Failed;
}

void tst_TrayController::worstState()
{
    QFETCH(QList<State>, states);
    QFETCH(State, worst);
    LinkStatusList statuses;
    for (const State state : states)
        statuses << status(QStringLiteral("s%1").arg(statuses.size()), state);
    QCOMPARE(TrayController::worstState(statuses), worst);
}

void tst_TrayController::icon_data()
{
    QTest::addColumn<State>("state");
    QTest::addColumn<bool>("doNotDisturb");
    QTest::addColumn<int>("unread");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QColor>("bellColour"); // the state colour, sampled in the bell's body

    QTest::newRow("connected") << State::Connected << false << 0 << "connected"
                               << QColor(0x2e, 0xa0, 0x43);
    QTest::newRow("connecting") << State::Connecting << false << 0 << "connecting"
                                << QColor(0xd2, 0x99, 0x22);
    QTest::newRow("reconnecting") << State::Reconnecting << false << 0 << "connecting"
                                  << QColor(0xd2, 0x99, 0x22);
    QTest::newRow("failed") << State::Failed << false << 0 << "failed" << QColor(0xda, 0x36, 0x33);
    QTest::newRow("offline") << State::Disconnected << false << 0 << "offline" << QColor();
    QTest::newRow("unread") << State::Connected << false << 3 << "connected+unread"
                            << QColor(0x2e, 0xa0, 0x43);
    QTest::newRow("do not disturb")
        << State::Failed << true << 0 << "failed+dnd" << QColor(0xda, 0x36, 0x33);
    QTest::newRow("both") << State::Connecting << true << 1 << "connecting+dnd+unread"
                          << QColor(0xd2, 0x99, 0x22);
}

void tst_TrayController::icon()
{
    QFETCH(State, state);
    QFETCH(bool, doNotDisturb);
    QFETCH(int, unread);
    QFETCH(QString, key);
    QFETCH(QColor, bellColour);

    TrayController controller;
    controller.setDoNotDisturb(doNotDisturb);
    controller.setStatuses({status(QStringLiteral("a"), state, unread)});
    QCOMPARE(controller.iconKey(), key);
    QVERIFY(!controller.trayIcon()->icon().isNull());

    // The pixels say the same: the bell has the state's colour, the badges are where they belong.
    const QImage image = TrayIcons::pixmap(state, doNotDisturb, unread > 0, 64).toImage();
    QCOMPARE(image.size(), QSize(64, 64));
    if (bellColour.isValid())
        QCOMPARE(image.pixelColor(32, 30).rgb(), bellColour.rgb());
    const QColor unreadDot = image.pixelColor(51, 13);
    QCOMPARE(unreadDot.rgb() == QColor(0x1f, 0x6f, 0xeb).rgb(), unread > 0);
    const QColor moon = image.pixelColor(26, 48); // the violet disc, right of the crescent
    QCOMPARE(moon.rgb() == QColor(0x66, 0x39, 0xba).rgb(), doNotDisturb);
}

void tst_TrayController::toolTip()
{
    LinkStatus demo = status(QStringLiteral("Demo"), State::Connected, 3);
    demo.server = QUrl(QStringLiteral("http://127.0.0.1:8080"));
    // Noon: five seconds either side stays on the same day in any time zone's local clock.
    const QDateTime now(QDate::currentDate(), QTime(12, 0, 0));
    demo.lastProofOfLife = now.addSecs(-5);
    demo.roundTrip = 42ms;
    LinkStatus alerts = status(QStringLiteral("alerts"), State::Reconnecting);
    alerts.reason = QStringLiteral("connection refused");
    alerts.nextAttemptAt = now.addSecs(12);

    const QString text = TrayController::toolTipText({demo, alerts}, true, now);
    const QStringList lines = text.split(QLatin1Char('\n'));
    QCOMPARE(lines.size(), 5);
    QCOMPARE(lines[0], QStringLiteral("traybeat: reconnecting · do not disturb"));
    QCOMPARE(lines[1], QStringLiteral("Demo: connected"));
    QCOMPARE(lines[2].trimmed(),
             QStringLiteral("http://127.0.0.1:8080 · last sign of life at 11:59:55 · "
                            "round trip 42 ms · 3 unread"));
    QCOMPARE(lines[3], QStringLiteral("alerts: reconnecting (connection refused)"));
    QCOMPARE(lines[4].trimmed(), QStringLiteral("https://push.example.org · no sign of life yet · "
                                                "next attempt at 12:00:12 · 0 unread"));

    TrayController controller;
    controller.setStatuses({demo});
    QVERIFY(controller.toolTip().contains(QStringLiteral("Demo: connected")));
    QVERIFY(controller.toolTip().contains(QStringLiteral("round trip 42 ms")));

    QVERIFY(
        TrayController::toolTipText({}, false, now).contains(QStringLiteral("No subscriptions")));
}

// A failed link is tried again only every 10 minutes: the tooltip says why and when, and the
// try itself shows as connecting with the old cause.
void tst_TrayController::toolTipOfAFailedLinkSaysWhenItTriesAgain()
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    LinkStatus failed = status(QStringLiteral("alerts"), State::Failed);
    failed.reason = QStringLiteral("the server refused the credentials (HTTP 401)");
    failed.nextAttemptAt = now.addSecs(600);
    QStringList lines = TrayController::toolTipText({failed}, false, now).split(QLatin1Char('\n'));
    QCOMPARE(lines[0], QStringLiteral("traybeat: failed"));
    QCOMPARE(lines[1],
             QStringLiteral("alerts: failed (the server refused the credentials (HTTP 401))"));
    const QString when = TrayController::clockText(failed.nextAttemptAt, now);
    QVERIFY2(lines[2].contains(QStringLiteral("next attempt at ") + when), qPrintable(lines[2]));

    LinkStatus retrying = failed;
    retrying.state = State::Connecting;
    retrying.reason = QStringLiteral("trying again: ") + failed.reason;
    retrying.nextAttemptAt = {};
    lines = TrayController::toolTipText({retrying}, false, now).split(QLatin1Char('\n'));
    QCOMPARE(lines[1], QStringLiteral("alerts: connecting (trying again: the server refused the "
                                      "credentials (HTTP 401))"));
}

void tst_TrayController::toolTipShowsTheDateWhenNotToday()
{
    const QDateTime now(QDate(2026, 11, 30), QTime(9, 0, 0));
    const QDateTime yesterday(QDate(2026, 11, 29), QTime(23, 0, 0));
    QCOMPARE(TrayController::clockText(now.addSecs(-1), now), QStringLiteral("08:59:59"));
    const QString text = TrayController::clockText(yesterday, now);
    QVERIFY2(text.contains(QLatin1String("29")), qPrintable(text)); // the day, in the locale's form
}

// Nothing ticks in an idle tray app: the tooltip and the menu ask for fresh statuses right
// before they are shown (the tooltip event Qt hands to the QSystemTrayIcon; aboutToShow).
void tst_TrayController::freshStatusesBeforeShowing()
{
    TrayController controller;
    QSignalSpy wanted(&controller, &TrayController::statusesWanted);
    int answered = 0;
    connect(&controller, &TrayController::statusesWanted, &controller, [&] {
        LinkStatus link = status(QStringLiteral("alerts"), ConnectionState::Connected);
        link.unread = ++answered;
        controller.setStatuses({link});
    });

    QHelpEvent hover(QEvent::ToolTip, QPoint(1, 1), QPoint(1, 1));
    QCoreApplication::sendEvent(controller.trayIcon(), &hover);
    QCOMPARE(wanted.count(), 1);
    QVERIFY2(controller.toolTip().contains(QStringLiteral("1 unread")),
             qPrintable(controller.toolTip()));

    emit controller.menu()->aboutToShow();
    QCOMPARE(wanted.count(), 2);
    QVERIFY(controller.toolTip().contains(QStringLiteral("2 unread")));
}

void tst_TrayController::toolTipHasNoSecrets()
{
    LinkStatus link = status(QStringLiteral("private"), State::Failed);
    link.server =
        QUrl(QStringLiteral("https://alice:hunter2@push.example.org/base?auth=tk_SECRET#x"));
    TrayController controller;
    controller.setStatuses({link});
    const QString text = controller.toolTip();
    QVERIFY2(text.contains(QStringLiteral("https://push.example.org/base")), qPrintable(text));
    QVERIFY2(!text.contains(QStringLiteral("tk_SECRET")), qPrintable(text));
    QVERIFY2(!text.contains(QStringLiteral("hunter2")), qPrintable(text));
    QVERIFY2(!text.contains(QStringLiteral("alice")), qPrintable(text));
    const QList<QAction *> actions = controller.menu()->actions();
    for (const QAction *action : actions)
        QVERIFY(!action->text().contains(QStringLiteral("tk_SECRET")));
}

void tst_TrayController::toolTipStaysPlainText()
{
    LinkStatus link = status(QStringLiteral("<b>name</b>"), State::Failed);
    link.reason = QStringLiteral("<img src=x> server said <b>no</b>");
    const QString text =
        TrayController::toolTipText({link}, false, QDateTime::currentDateTimeUtc());
    // Qt shows a tooltip as rich text only when it looks like rich text.
    QVERIFY(!Qt::mightBeRichText(text));
    QVERIFY(text.contains(QStringLiteral("<b>name</b>"))); // the user's own name, as typed
    // The server's words carry no markup characters at all: hosts that render tooltips as
    // markup regardless (StatusNotifierItem) get nothing to interpret.
    QVERIFY(!text.contains(QStringLiteral("<img")));
    QVERIFY(text.contains(QStringLiteral("\u2039img src=x\u203A server said \u2039b\u203Ano")));
}

void tst_TrayController::menu()
{
    TrayController controller;
    controller.setStatuses({status(QStringLiteral("Demo"), State::Connected, 2),
                            status(QStringLiteral("R&D"), State::Failed)});
    QStringList texts;
    const QList<QAction *> actions = controller.menu()->actions();
    for (const QAction *action : actions) {
        if (!action->isSeparator() && action->isVisible())
            texts << action->text();
    }
    QCOMPARE(texts, (QStringList{QStringLiteral("Demo: connected (2 unread)"),
                                 QStringLiteral("R&&D: failed"), QStringLiteral("&Reconnect now"),
                                 QStringLiteral("&Mark all read"),
                                 QStringLiteral("&Do not disturb"), QStringLiteral("&History…"),
                                 QStringLiteral("&Settings…"), QStringLiteral("&Quit")}));
    // A status line keeps its state's colour: an enabled line (not greyed text) with the state's
    // icon, a submenu whose Reconnect reconnects that subscription only.
    for (int line : {0, 1}) {
        QVERIFY(actions[line]->isEnabled());
        QVERIFY(actions[line]->menu());
        QVERIFY(!actions[line]->icon().isNull());
    }
    QSignalSpy reconnectOne(&controller, &TrayController::reconnectOneRequested);
    actions[1]->menu()->actions().first()->trigger();
    QCOMPARE(reconnectOne.size(), 1);
    QCOMPARE(reconnectOne.first().first().toString(), QStringLiteral("R&D"));
    QSignalSpy markAllRead(&controller, &TrayController::markAllReadRequested);
    for (QAction *action : actions) {
        if (action->text() == QStringLiteral("&Mark all read")) {
            QVERIFY(action->isEnabled()); // 2 unread
            action->trigger();
        }
    }
    QCOMPARE(markAllRead.size(), 1);

    // The status lines follow the subscriptions.
    controller.setStatuses({status(QStringLiteral("Only"), State::Connecting)});
    QCOMPARE(controller.menu()->actions().first()->text(), QStringLiteral("Only: connecting"));
    controller.setStatuses({});
    QVERIFY(controller.menu()->actions().first()->text().startsWith(
        QStringLiteral("No subscriptions")));

    // The same statuses again (they come every second): the lines are left alone, so an open
    // menu does not flicker.
    controller.setStatuses({status(QStringLiteral("Demo"), State::Connected)});
    const QList<QAction *> before = controller.menu()->actions();
    controller.setStatuses({status(QStringLiteral("Demo"), State::Connected)});
    QCOMPARE(controller.menu()->actions(), before);

    QSignalSpy reconnect(&controller, &TrayController::reconnectRequested);
    QSignalSpy quit(&controller, &TrayController::quitRequested);
    QSignalSpy settings(&controller, &TrayController::settingsRequested);
    QSignalSpy history(&controller, &TrayController::historyRequested);
    controller.setStatuses({status(QStringLiteral("Demo"), State::Connected)});
    for (QAction *action : controller.menu()->actions()) {
        if (action->isEnabled() && action->isVisible() && !action->isCheckable() &&
            !action->isSeparator() && !action->menu())
            action->trigger();
    }
    QCOMPARE(reconnect.size(), 1);
    QCOMPARE(history.size(), 1);
    QCOMPARE(settings.size(), 1);
    QCOMPARE(quit.size(), 1);
}

void tst_TrayController::doNotDisturbAction()
{
    TrayController controller;
    QVERIFY(controller.menu()->actions().first()->text().startsWith(
        QStringLiteral("No subscriptions")));
    QSignalSpy toggled(&controller, &TrayController::doNotDisturbToggled);
    QAction *action = nullptr;
    for (QAction *candidate : controller.menu()->actions()) {
        if (candidate->isCheckable())
            action = candidate;
    }
    QVERIFY(action);
    controller.setDoNotDisturb(true); // from the settings: checked, not reported back
    QVERIFY(action->isChecked());
    QCOMPARE(toggled.size(), 0);
    QVERIFY(controller.iconKey().contains(QStringLiteral("+dnd")));
    action->trigger(); // the person unchecks it
    QCOMPARE(toggled.size(), 1);
    QCOMPARE(toggled.first().first().toBool(), false);
}

void tst_TrayController::leftClickOpensHistory()
{
    TrayController controller;
    QSignalSpy history(&controller, &TrayController::historyRequested);
    emit controller.trayIcon()->activated(QSystemTrayIcon::Context);
    QCOMPARE(history.size(), 0);
    emit controller.trayIcon()->activated(QSystemTrayIcon::Trigger);
    QCOMPARE(history.size(), 1);
}

// Idle, nothing ticks; while the tooltip (or the menu) is open the statuses are asked for every
// interval, and that stops by itself once it is gone.
void tst_TrayController::refreshesOnlyWhileOpen()
{
    TrayController controller;
    controller.setRefreshTimings(50ms, 400ms);
    QSignalSpy wanted(&controller, &TrayController::statusesWanted);
    controller.setStatuses({status(QStringLiteral("alerts"), State::Connected)});
    QVERIFY(!controller.isRefreshing());

    QHelpEvent hover(QEvent::ToolTip, QPoint(1, 1), QPoint(1, 1));
    QCoreApplication::sendEvent(controller.trayIcon(), &hover);
    QVERIFY(controller.isRefreshing());
    QTRY_VERIFY(wanted.count() >= 3);
    QTRY_VERIFY_WITH_TIMEOUT(!controller.isRefreshing(), 10000);
    const int settled = wanted.count();
    QTest::qWait(200);
    QCOMPARE(wanted.count(), settled);

    // The menu: refreshed while it is open, not after.
    controller.menu()->popup(QPoint(0, 0));
    QTRY_VERIFY(controller.menu()->isVisible());
    QVERIFY(controller.isRefreshing());
    QTRY_VERIFY(wanted.count() >= settled + 3);
    controller.menu()->hide();
    QTRY_VERIFY(!controller.isRefreshing());
}

void tst_TrayController::quietHoursShowInIconToolTipAndMenu()
{
    TrayController controller;
    controller.setStatuses({status(QStringLiteral("alerts"), State::Connected)});
    const auto quietLine = [&controller]() -> QAction * {
        for (QAction *action : controller.menu()->actions()) {
            if (action->isVisible() && action->text().startsWith(QStringLiteral("Quiet hours")))
                return action;
        }
        return nullptr;
    };
    QVERIFY(!quietLine());
    controller.setQuietHours(true, QTime(7, 0));
    QCOMPARE(controller.iconKey(), QStringLiteral("connected+quiet"));
    QVERIFY2(controller.toolTip().contains(QStringLiteral("quiet hours until")),
             qPrintable(controller.toolTip()));
    QAction *line = quietLine();
    QVERIFY(line);
    QVERIFY(line->isEnabled());
    QSignalSpy settings(&controller, &TrayController::settingsRequested);
    line->trigger(); // leads to where quiet hours are set
    QCOMPARE(settings.size(), 1);
    // Do not disturb says more than quiet hours: it wins in the icon and the headline.
    controller.setDoNotDisturb(true);
    QCOMPARE(controller.iconKey(), QStringLiteral("connected+dnd"));
    controller.setDoNotDisturb(false);
    controller.setQuietHours(false);
    QCOMPARE(controller.iconKey(), QStringLiteral("connected"));
    QVERIFY(!controller.toolTip().contains(QStringLiteral("quiet hours")));
    QVERIFY(!quietLine());
}

QTEST_MAIN(tst_TrayController)
#include "tst_traycontroller.moc"
