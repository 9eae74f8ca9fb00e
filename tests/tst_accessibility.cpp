// Screen readers and keyboards: the history window and the settings dialog are walked with the
// keyboard alone (Tab, Enter, Space, arrows, Escape, mnemonics, the context menu key) and every
// control the walk reaches has an accessible name, as assistive technology reads it
// (QAccessible::queryAccessibleInterface). A pop-up is an alert (role AlertMessage) named by its
// title and described by its body; the QAccessible::Alert event it sends when shown reaches only a
// platform accessibility bridge (AT-SPI), which Qt 6.4 needs active even for an update handler and
// the offscreen platform does not have, so the event itself is not observed here. The tray menu's
// commands each have a mnemonic of their own.
#include "appsettings.h"
#include "autostart.h"
#include "browserstandin.h"
#include "historymodel.h"
#include "historywindow.h"
#include "notificationstore.h"
#include "popupwidget.h"
#include "settingsdialog.h"
#include "subscriptioneditor.h"
#include "traycontroller.h"

#include <QAbstractButton>
#include <QAccessible>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QContextMenuEvent>
#include <QGroupBox>
#include <QLineEdit>
#include <QMenu>
#include <QPlainTextEdit>
#include <QSettings>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeEdit>
#include <QTimer>
#include <QTreeWidget>

using namespace traybeat;

namespace {

constexpr int windowTimeoutMs = 10000;

Notification makeNotification(int number, const QUrl &url = {})
{
    Notification n;
    n.id = QString::number(number);
    n.subscription = QStringLiteral("alpha");
    n.topic = QStringLiteral("alerts");
    n.title = QStringLiteral("Title %1").arg(number);
    n.body = QStringLiteral("Body %1").arg(number);
    n.time = QDateTime::currentDateTimeUtc();
    n.url = url;
    return n;
}

QString accessibleName(QWidget *widget)
{
    QAccessibleInterface *interface = QAccessible::queryAccessibleInterface(widget);
    return interface ? interface->text(QAccessible::Name) : QString();
}

// What has the keyboard focus, by the name a test can tell it by.
QString focusName()
{
    QWidget *focus = QApplication::focusWidget();
    if (!focus)
        return QStringLiteral("(none)");
    if (!focus->objectName().isEmpty())
        return focus->objectName();
    return QString::fromLatin1(focus->metaObject()->className());
}

// Tabs from the current focus once round the window; the focus names in the order reached.
// Every control reached must have an accessible name.
QStringList tabRound(QWidget *window)
{
    QStringList order{focusName()};
    QWidget *const first = QApplication::focusWidget();
    QWidget *last = first;
    for (int step = 0; step < 40; ++step) {
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
        QWidget *focus = QApplication::focusWidget();
        if (focus == last)
            continue; // Tab went to the next section of a time field
        if (focus == nullptr || focus == first)
            break;
        last = focus;
        order << focusName();
        const QString name = accessibleName(QApplication::focusWidget());
        if (name.trimmed().isEmpty()) {
            qWarning() << "no accessible name:" << focusName() << "in"
                       << window->metaObject()->className();
            return {};
        }
    }
    return order;
}

// What has the focus in the subscription editor (the active window; offscreen's
// QApplication::focusWidget() may still name the settings' widget).
QWidget *editorFocus(SettingsDialog *dialog)
{
    QWidget *editor = dialog->openEditor();
    return editor->focusWidget() ? editor->focusWidget() : editor;
}

SubscriptionConfig alphaSubscription()
{
    SubscriptionConfig config;
    config.name = QStringLiteral("alpha");
    config.server = QUrl(QStringLiteral("https://ntfy.example.org"));
    config.topics = {QStringLiteral("alerts")};
    return config;
}

// Settings in a file of their own with one subscription saved, and their dialog.
struct SettingsWithOneSubscription
{
    SettingsWithOneSubscription() { settings.setSubscriptions({alphaSubscription()}); }
    QTemporaryDir dir;
    QSettings file{dir.filePath(QStringLiteral("traybeat.ini")), QSettings::IniFormat};
    AppSettings settings{&file};
    SettingsDialog dialog{&settings};
};

} // namespace

class tst_Accessibility : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void historyWithTheKeyboard();
    void historyContextMenuKey();
    void settingsWithTheKeyboard();
    void subscriptionListKeys();
    void popupAnnouncesTitleAndBody();
    void trayMenuMnemonics();

private:
    void fillStore(NotificationStore *store);
    QTemporaryDir m_config; // XDG_CONFIG_HOME: "Start at login" writes there
};

void tst_Accessibility::initTestCase()
{
    QVERIFY(m_config.isValid());
    qputenv("XDG_CONFIG_HOME", m_config.path().toUtf8());
}

void tst_Accessibility::fillStore(NotificationStore *store)
{
    store->add({makeNotification(1),
                makeNotification(2, QUrl(QStringLiteral("https://example.org/2"))),
                makeNotification(3)});
}

void tst_Accessibility::historyWithTheKeyboard()
{
    QTemporaryDir dir;
    NotificationStore store;
    QVERIFY(store.open(dir.filePath(QStringLiteral("h.db"))));
    fillStore(&store);
    HistoryWindow window(&store);
    window.setSubscriptionNames({QStringLiteral("alpha"), QStringLiteral("beta")});
    window.show();
    QVERIFY(QTest::qWaitForWindowActive(&window, windowTimeoutMs));
    auto *table = window.findChild<QTableView *>(QStringLiteral("historyTable"));
    auto *search = window.findChild<QLineEdit *>(QStringLiteral("searchEdit"));

    // Ctrl+F goes to the search; Tab then walks the window top to bottom, once round.
    QTest::keyClick(&window, Qt::Key_F, Qt::ControlModifier);
    QCOMPARE(QApplication::focusWidget(), search);
    // Past the subscription, priority and unread filters and Mark All Read.
    for (int control = 0; control < 5; ++control)
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
    QCOMPARE(focusName(), QStringLiteral("historyTable"));
    // Arrows choose a message: its text shows in the detail pane; Enter opens it (read).
    QTest::keyClick(table, Qt::Key_Down);
    QCOMPARE(table->currentIndex().row(), 1);
    auto *body = window.findChild<QPlainTextEdit *>(QStringLiteral("detailBody"));
    QCOMPARE(body->toPlainText(), QStringLiteral("Body 2"));
    QCOMPARE(store.unreadCount(QString()), 3);
    const BrowserStandIn browser;
    QTest::keyClick(table, Qt::Key_Return);
    QCOMPARE(store.unreadCount(QString()), 2);
    QCOMPARE(browser.opened, QList<QUrl>{QUrl(QStringLiteral("https://example.org/2"))});

    QCOMPARE(tabRound(&window),
             QStringList({"historyTable", "detailBody", "openLinkButton", "clearButton",
                          "searchEdit", "subscriptionFilter", "priorityFilter", "unreadOnlyFilter",
                          "markAllReadButton"}));

    // Arrows in the subscription filter narrow the list.
    auto *filter = window.findChild<QWidget *>(QStringLiteral("subscriptionFilter"));
    filter->setFocus();
    QTest::keyClick(filter, Qt::Key_Down);
    QCOMPARE(window.model()->query().subscription, QStringLiteral("alpha"));
    QTest::keyClick(filter, Qt::Key_Up);
    QCOMPARE(window.model()->query().subscription, QString());

    // Space presses the focused button: Mark All Read.
    auto *markAllRead = window.findChild<QAbstractButton *>(QStringLiteral("markAllReadButton"));
    markAllRead->setFocus();
    QTest::keyClick(markAllRead, Qt::Key_Space);
    QTRY_COMPARE(store.unreadCount(QString()), 0);

    // Typing and Enter search; Escape clears the search, a second Escape closes the window.
    search->setFocus();
    QTest::keyClicks(search, QStringLiteral("Title 3"));
    QTest::keyClick(search, Qt::Key_Return);
    QCOMPARE(window.model()->rowCount(), 1);
    QTest::keyClick(search, Qt::Key_Escape);
    QCOMPARE(search->text(), QString());
    QTest::keyClick(search, Qt::Key_Escape);
    QTRY_VERIFY(!window.isVisible());
}

void tst_Accessibility::historyContextMenuKey()
{
    QTemporaryDir dir;
    NotificationStore store;
    QVERIFY(store.open(dir.filePath(QStringLiteral("h.db"))));
    fillStore(&store);
    HistoryWindow window(&store);
    window.show();
    QVERIFY(QTest::qWaitForWindowActive(&window, windowTimeoutMs));
    auto *table = window.findChild<QTableView *>(QStringLiteral("historyTable"));
    table->setFocus();
    QTest::keyClick(table, Qt::Key_Down); // the second message
    QTest::keyClick(table, Qt::Key_Down);
    QTest::keyClick(table, Qt::Key_Up);
    QCOMPARE(table->currentIndex().row(), 1);

    // The context menu key: "Copy Text" by its mnemonic.
    QClipboard *clipboard = QGuiApplication::clipboard();
    clipboard->clear();
    bool menuSeen = false;
    QTimer::singleShot(0, &window, [&] {
        QMenu *menu = window.contextMenu();
        menuSeen = menu != nullptr;
        if (menu)
            QTest::keyClick(menu, Qt::Key_C);
    });
    // What the platform sends the focused widget for the key (offscreen has no keyboard of its
    // own to send it).
    const QPoint cursor = table->inputMethodQuery(Qt::ImCursorRectangle).toRect().center();
    QContextMenuEvent menuKey(QContextMenuEvent::Keyboard, cursor, table->mapToGlobal(cursor));
    QCoreApplication::sendEvent(table, &menuKey);
    QTRY_VERIFY(menuSeen);
    QTRY_COMPARE(clipboard->text(), QStringLiteral("Title 2\nBody 2"));
    QVERIFY(!window.contextMenu());

    // Shift+F10 opens it too (keyboards without the key); Escape closes it, nothing runs.
    clipboard->clear();
    menuSeen = false;
    // Back from the menu (offscreen gives neither the activation nor the focus back by itself).
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window, windowTimeoutMs));
    table->setFocus();
    QTimer::singleShot(0, &window, [&] {
        QMenu *menu = window.contextMenu();
        menuSeen = menu != nullptr;
        if (menu)
            QTest::keyClick(menu, Qt::Key_Escape);
    });
    QTest::keyClick(table, Qt::Key_F10, Qt::ShiftModifier);
    QTRY_VERIFY(menuSeen);
    QVERIFY(!window.contextMenu());
    QCOMPARE(clipboard->text(), QString());
}

void tst_Accessibility::settingsWithTheKeyboard()
{
    SettingsWithOneSubscription fixture;
    AppSettings &settings = fixture.settings;
    SettingsDialog &dialog = fixture.dialog;
    dialog.show();
    QVERIFY(QTest::qWaitForWindowActive(&dialog, windowTimeoutMs));

    // The subscriptions tab, once round: list, its buttons, start at login, OK, Cancel.
    dialog.findChild<QWidget *>(QStringLiteral("subscriptionList"))->setFocus();
    QCOMPARE(tabRound(&dialog),
             QStringList({"subscriptionList", "addSubscriptionButton", "editSubscriptionButton",
                          "removeSubscriptionButton", "startAtLoginCheck", "QPushButton",
                          "QPushButton", "qt_tabwidget_tabbar"}));

    // Alt+N opens the notifications tab; Tab walks it in reading order.
    QTest::keyClick(&dialog, Qt::Key_N, Qt::AltModifier);
    auto *corner = dialog.findChild<QWidget *>(QStringLiteral("popupCornerCombo"));
    QTRY_VERIFY(corner->isVisible());
    corner->setFocus();
    QStringList expected{"popupCornerCombo",
                         "popupDurationEdit",
                         "nativePopupsCheck",
                         "doNotDisturbCheck",
                         "urgentBreaksDoNotDisturbCheck",
                         "quietHoursGroup",
                         "QPushButton",
                         "QPushButton",
                         "qt_tabwidget_tabbar"};
    QCOMPARE(tabRound(&dialog), expected);

    // Space toggles, the arrows change a value, mnemonics reach what is in the group.
    auto *doNotDisturb = dialog.findChild<QCheckBox *>(QStringLiteral("doNotDisturbCheck"));
    doNotDisturb->setFocus();
    QTest::keyClick(doNotDisturb, Qt::Key_Space);
    QVERIFY(doNotDisturb->isChecked());
    auto *quietHours = dialog.findChild<QGroupBox *>(QStringLiteral("quietHoursGroup"));
    quietHours->setFocus();
    QTest::keyClick(quietHours, Qt::Key_Space);
    QVERIFY(quietHours->isChecked());
    QTest::keyClick(&dialog, Qt::Key_F, Qt::AltModifier);
    QCOMPARE(focusName(), QStringLiteral("quietFromEdit"));
    QCOMPARE(tabRound(&dialog).mid(0, 3),
             QStringList({"quietFromEdit", "quietToEdit", "urgentBreaksThroughCheck"}));
    auto *from = dialog.findChild<QTimeEdit *>(QStringLiteral("quietFromEdit"));
    from->setFocus();
    const QTime before = from->time();
    QTest::keyClick(from, Qt::Key_Up);
    QVERIFY(from->time() != before);

    // Enter is OK: what the keyboard changed is saved.
    QSignalSpy accepted(&dialog, &QDialog::accepted);
    QTest::keyClick(from, Qt::Key_Return);
    QCOMPARE(accepted.size(), 1);
    QVERIFY(settings.doNotDisturb());
    QVERIFY(settings.quietHours().enabled);
    QCOMPARE(settings.quietHours().from, from->time());
}

void tst_Accessibility::subscriptionListKeys()
{
    SettingsWithOneSubscription fixture;
    AppSettings &settings = fixture.settings;
    SettingsDialog &dialog = fixture.dialog;
    dialog.show();
    QVERIFY(QTest::qWaitForWindowActive(&dialog, windowTimeoutMs));
    auto *list = dialog.findChild<QTreeWidget *>(QStringLiteral("subscriptionList"));
    list->setFocus();

    // Enter edits the selected subscription (and does not press OK); Escape closes the editor.
    QSignalSpy accepted(&dialog, &QDialog::accepted);
    QTest::keyClick(list, Qt::Key_Return);
    QVERIFY(dialog.openEditor());
    QCOMPARE(accepted.size(), 0);
    QVERIFY(QTest::qWaitForWindowActive(dialog.openEditor(), windowTimeoutMs));
    QTest::keyClick(editorFocus(&dialog), Qt::Key_Escape);
    QTRY_VERIFY(!dialog.openEditor());

    // Delete removes it; Escape cancels the dialog and nothing is saved. (Alt+A, Add…, is
    // pressed by e2e_desktop with a real keyboard.)
    dialog.activateWindow(); // offscreen does not give it back by itself
    QVERIFY(QTest::qWaitForWindowActive(&dialog, windowTimeoutMs));
    list->setFocus();
    QTest::keyClick(list, Qt::Key_Delete);
    QCOMPARE(dialog.subscriptions().size(), 0);
    QSignalSpy rejected(&dialog, &QDialog::rejected);
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Escape);
    QCOMPARE(rejected.size(), 1);
    QCOMPARE(settings.subscriptions().size(), 1);
}

void tst_Accessibility::popupAnnouncesTitleAndBody()
{
    PopupWidget popup;
    Notification notification = makeNotification(7);
    notification.body = QStringLiteral("The whole body, not only the lines on screen.");
    popup.setNotification(notification);
    popup.show();
    QVERIFY(QTest::qWaitForWindowExposed(&popup));

    QAccessibleInterface *interface = QAccessible::queryAccessibleInterface(&popup);
    QVERIFY(interface);
    QCOMPARE(interface->role(), QAccessible::AlertMessage);
    QCOMPARE(interface->text(QAccessible::Name), QStringLiteral("Title 7"));
    QVERIFY2(interface->text(QAccessible::Description).startsWith(notification.body),
             qPrintable(interface->text(QAccessible::Description)));
    // The close button says what it does.
    auto *close = popup.findChild<QWidget *>(QStringLiteral("close"));
    QCOMPARE(accessibleName(close), PopupWidget::tr("Dismiss"));
}

void tst_Accessibility::trayMenuMnemonics()
{
    TrayController tray;
    QMenu *menu = tray.menu();
    QVERIFY(!accessibleName(menu).isEmpty());
    QSet<QChar> mnemonics;
    for (QAction *action : menu->actions()) {
        const QString text = action->text();
        const int marker = text.indexOf(QLatin1Char('&'));
        if (action->isSeparator() || !action->isEnabled() || marker < 0)
            continue; // status lines are read, not chosen
        QVERIFY2(marker + 1 < text.size(), qPrintable(text));
        const QChar key = text.at(marker + 1).toLower();
        QVERIFY2(!mnemonics.contains(key), qPrintable(text));
        mnemonics.insert(key);
    }
    // The commands: do not disturb, history, settings, quit (reconnect while there are links).
    QVERIFY(mnemonics.size() >= 4);
}

QTEST_MAIN(tst_Accessibility)
#include "tst_accessibility.moc"
