#include "historymodel.h"
#include "historywindow.h"
#include "notificationstore.h"

#include "actionbar.h"
#include "browserstandin.h"

#include <QAbstractItemView>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QDesktopServices>
#include <QGuiApplication>
#include <QMenu>
#include <QStackedWidget>
#include <QTextBrowser>
#include <QTimer>
#include <functional>

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace traybeat;

namespace {

Notification makeNotification(const QString &subscription, int number)
{
    Notification n;
    n.id = QString::number(number);
    n.subscription = subscription;
    n.topic = QStringLiteral("topic");
    n.title = QStringLiteral("Title %1").arg(number);
    n.body = QStringLiteral("Body %1").arg(number);
    n.time = QDateTime::currentDateTimeUtc();
    return n;
}

template <typename T> T *child(QWidget *parent, const char *name)
{
    return parent->findChild<T *>(QLatin1String(name));
}

} // namespace

class tst_HistoryWindow : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void emptyState();
    void showNotificationSelectsAndMarksRead();
    void showNotificationClearsHidingFilters();
    void detailsArePlainText();
    void openLinkOnlyForSafeUrls();
    void searchAndSubscriptionFilter();
    void newMessagesKeepSelection();
    void markAllRead();
    void actionsAndEmojiTagsInDetails();
    void readingMeansOpening();
    void detailPaneFollowsTheFilter();
    void unreadAndPriorityFilters();
    void searchMatchesTags();
    void contextMenuMarksUnreadAndDeletes();
    void escapeClosesOnlyTheDropDown();
    void markdownInDetails();

private:
    // Runs `act` on the context menu once it is open (it runs its own event loop).
    void withContextMenu(const std::function<void(QMenu *)> &act);

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<NotificationStore> m_store;
    std::unique_ptr<HistoryWindow> m_window;
};

void tst_HistoryWindow::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_store = std::make_unique<NotificationStore>();
    QVERIFY(m_store->open(m_dir->filePath(QStringLiteral("h.db"))));
    m_window = std::make_unique<HistoryWindow>(m_store.get());
    m_window->setSubscriptionNames({QStringLiteral("alpha"), QStringLiteral("beta")});
}

void tst_HistoryWindow::cleanup()
{
    m_window.reset();
    m_store.reset();
    m_dir.reset();
}

void tst_HistoryWindow::emptyState()
{
    m_window->show();
    auto *empty = child<QLabel>(m_window.get(), "emptyLabel");
    QVERIFY(empty->isVisible());
    QCOMPARE(empty->text(), QStringLiteral("No notifications yet"));
    QVERIFY(!child<QTableView>(m_window.get(), "historyTable")->isVisible());
    QVERIFY(!child<QPushButton>(m_window.get(), "markAllReadButton")->isEnabled());

    m_store->add({makeNotification(QStringLiteral("alpha"), 1)});
    QTRY_VERIFY(child<QTableView>(m_window.get(), "historyTable")->isVisible());
    QVERIFY(!empty->isVisible());
}

void tst_HistoryWindow::showNotificationSelectsAndMarksRead()
{
    NotificationList list;
    for (int i = 0; i < 50; ++i)
        list.append(makeNotification(i % 2 ? QStringLiteral("beta") : QStringLiteral("alpha"), i));
    m_store->add(list);
    m_window->refresh();
    QVERIFY(!m_window->isVisible());
    QCOMPARE(m_store->unreadCount(), 50);

    m_window->showNotification(QStringLiteral("beta"), QStringLiteral("21"));
    QVERIFY(m_window->isVisible());
    auto *table = child<QTableView>(m_window.get(), "historyTable");
    const QModelIndex current = table->currentIndex();
    QVERIFY(current.isValid());
    QCOMPARE(current.data(HistoryModel::IdRole).toString(), QStringLiteral("21"));
    QCOMPARE(current.data(HistoryModel::SubscriptionRole).toString(), QStringLiteral("beta"));
    QCOMPARE(child<QLabel>(m_window.get(), "detailTitle")->text(), QStringLiteral("Title 21"));
    QCOMPARE(m_store->unreadCount(), 49);
    QTRY_COMPARE(current.data(HistoryModel::ReadRole).toBool(), true);

    // Moving the selection shows the next one; only opening it reads it.
    QTest::keyClick(table, Qt::Key_Down);
    QCOMPARE(child<QLabel>(m_window.get(), "detailTitle")->text(), QStringLiteral("Title 20"));
    QCOMPARE(m_store->unreadCount(), 49);
}

void tst_HistoryWindow::showNotificationClearsHidingFilters()
{
    m_store->add({makeNotification(QStringLiteral("alpha"), 1),
                  makeNotification(QStringLiteral("beta"), 2)});
    auto *filter = child<QComboBox>(m_window.get(), "subscriptionFilter");
    filter->setCurrentIndex(filter->findData(QStringLiteral("beta")));
    QCOMPARE(m_window->model()->rowCount(), 1);
    m_window->showNotification(QStringLiteral("alpha"), QStringLiteral("1"));
    QCOMPARE(filter->currentIndex(), 0);
    QCOMPARE(m_window->model()->rowCount(), 2);
    auto *table = child<QTableView>(m_window.get(), "historyTable");
    QCOMPARE(table->currentIndex().data(HistoryModel::IdRole).toString(), QStringLiteral("1"));
}

void tst_HistoryWindow::detailsArePlainText()
{
    Notification n = makeNotification(QStringLiteral("alpha"), 7);
    n.title = QStringLiteral("<b>x</b>");
    n.body = QStringLiteral("<script>alert(1)</script>\n<a href=\"file:///etc/passwd\">y</a>");
    n.tags = {QStringLiteral("<i>tag</i>")};
    m_store->add({n});
    m_window->showNotification(n.subscription, n.id);
    auto *title = child<QLabel>(m_window.get(), "detailTitle");
    QCOMPARE(title->textFormat(), Qt::PlainText);
    QCOMPARE(title->text(), QStringLiteral("<b>x</b>"));
    auto *meta = child<QLabel>(m_window.get(), "detailMeta");
    QCOMPARE(meta->textFormat(), Qt::PlainText);
    QVERIFY(meta->text().contains(QStringLiteral("<i>tag</i>")));
    QCOMPARE(child<QPlainTextEdit>(m_window.get(), "detailBody")->toPlainText(), n.body);
}

void tst_HistoryWindow::openLinkOnlyForSafeUrls()
{
    Notification safe = makeNotification(QStringLiteral("alpha"), 1);
    safe.url = QUrl(QStringLiteral("https://example.com/x"));
    Notification unsafe = makeNotification(QStringLiteral("alpha"), 2);
    unsafe.url = QUrl(QStringLiteral("file:///etc/passwd"));
    Notification none = makeNotification(QStringLiteral("alpha"), 3);
    m_store->add({safe, unsafe, none});
    auto *open = child<QPushButton>(m_window.get(), "openLinkButton");

    m_window->showNotification(QStringLiteral("alpha"), QStringLiteral("1"));
    QVERIFY(open->isVisible());
    QVERIFY(open->isEnabled());
    m_window->showNotification(QStringLiteral("alpha"), QStringLiteral("2"));
    QVERIFY(!open->isEnabled());
    m_window->showNotification(QStringLiteral("alpha"), QStringLiteral("3"));
    QVERIFY(!open->isVisible());
}

void tst_HistoryWindow::searchAndSubscriptionFilter()
{
    NotificationList list;
    for (int i = 0; i < 30; ++i)
        list.append(makeNotification(i % 3 ? QStringLiteral("beta") : QStringLiteral("alpha"), i));
    m_store->add(list);
    m_window->show();
    QSignalSpy resetSpy(m_window->model(), &HistoryModel::modelReset);
    auto *search = child<QLineEdit>(m_window.get(), "searchEdit");
    // Typing is debounced: one query for the whole word, not one per key.
    QTest::keyClicks(search, QStringLiteral("Title 1"));
    QCOMPARE(resetSpy.size(), 0);
    QTRY_COMPARE(m_window->model()->rowCount(), 11); // 1, 10..19
    QCOMPARE(resetSpy.size(), 1);

    auto *filter = child<QComboBox>(m_window.get(), "subscriptionFilter");
    QCOMPARE(filter->count(), 3);
    filter->setCurrentIndex(filter->findData(QStringLiteral("alpha")));
    QCOMPARE(m_window->model()->rowCount(), 3); // 12, 15, 18

    search->clear();
    QTRY_COMPARE(m_window->model()->rowCount(), 10);
    search->setText(QStringLiteral("no such thing"));
    QTRY_COMPARE(m_window->model()->rowCount(), 0);
    QTRY_COMPARE(child<QLabel>(m_window.get(), "emptyLabel")->text(),
                 QStringLiteral("No matching notifications"));

    // The filtered subscription disappears from the settings: back to all.
    m_window->setSubscriptionNames({QStringLiteral("beta")});
    QCOMPARE(filter->currentIndex(), 0);

    // A summary pop-up's click narrows the list to its subscription; an unknown name shows all.
    search->clear();
    m_window->setSubscriptionNames({QStringLiteral("alpha"), QStringLiteral("beta")});
    m_window->setSubscriptionFilter(QStringLiteral("beta"));
    QCOMPARE(filter->currentData().toString(), QStringLiteral("beta"));
    QTRY_COMPARE(m_window->model()->rowCount(), 20);
    m_window->setSubscriptionFilter(QStringLiteral("gone"));
    QTRY_COMPARE(m_window->model()->rowCount(), 30);
}

void tst_HistoryWindow::newMessagesKeepSelection()
{
    NotificationList list;
    for (int i = 0; i < 20; ++i)
        list.append(makeNotification(QStringLiteral("alpha"), i));
    m_store->add(list);
    m_window->showNotification(QStringLiteral("alpha"), QStringLiteral("5"));
    auto *table = child<QTableView>(m_window.get(), "historyTable");
    const int rowBefore = table->currentIndex().row();
    m_store->add({makeNotification(QStringLiteral("alpha"), 100),
                  makeNotification(QStringLiteral("alpha"), 101)});
    QTRY_COMPARE(m_window->model()->rowCount(), 22);
    QCOMPARE(table->currentIndex().data(HistoryModel::IdRole).toString(), QStringLiteral("5"));
    QCOMPARE(table->currentIndex().row(), rowBefore + 2);
    // A filter change resets the model; the selected message is found again.
    auto *filter = child<QComboBox>(m_window.get(), "subscriptionFilter");
    filter->setCurrentIndex(filter->findData(QStringLiteral("alpha")));
    QCOMPARE(table->currentIndex().data(HistoryModel::IdRole).toString(), QStringLiteral("5"));
    filter->setCurrentIndex(0);
    QCOMPARE(table->currentIndex().data(HistoryModel::IdRole).toString(), QStringLiteral("5"));
    QCOMPARE(child<QLabel>(m_window.get(), "detailTitle")->text(), QStringLiteral("Title 5"));
}

void tst_HistoryWindow::markAllRead()
{
    m_store->add({makeNotification(QStringLiteral("alpha"), 1),
                  makeNotification(QStringLiteral("beta"), 2)});
    m_window->refresh();
    auto *button = child<QPushButton>(m_window.get(), "markAllReadButton");
    QVERIFY(button->isEnabled());
    auto *filter = child<QComboBox>(m_window.get(), "subscriptionFilter");
    filter->setCurrentIndex(filter->findData(QStringLiteral("beta")));
    button->click();
    QCOMPARE(m_store->unreadCount(QStringLiteral("beta")), 0);
    QCOMPARE(m_store->unreadCount(QStringLiteral("alpha")), 1);
    QVERIFY(!button->isEnabled());
}

void tst_HistoryWindow::actionsAndEmojiTagsInDetails()
{
    Notification n = makeNotification(QStringLiteral("alpha"), 3);
    n.title = QStringLiteral("Garage open");
    n.tags = {QStringLiteral("warning"), QStringLiteral("garage")};
    NotificationAction copy;
    copy.type = NotificationAction::Type::Copy;
    copy.label = QStringLiteral("Copy code");
    copy.value = QStringLiteral("1234");
    NotificationAction broadcast;
    broadcast.type = NotificationAction::Type::Broadcast;
    broadcast.label = QStringLiteral("Android only");
    n.actions = {copy, broadcast};
    m_store->add({n, makeNotification(QStringLiteral("alpha"), 4)});
    m_window->showNotification(n.subscription, n.id);

    QCOMPARE(child<QLabel>(m_window.get(), "detailTitle")->text(),
             QStringLiteral("\u26a0\ufe0f Garage open"));
    const QString meta = child<QLabel>(m_window.get(), "detailMeta")->text();
    QVERIFY2(meta.contains(QStringLiteral("tags: garage")), qPrintable(meta));
    auto *bar = child<ActionBar>(m_window.get(), "actionBar");
    QVERIFY(bar->isVisible());
    QVERIFY(bar->buttons().at(0)->isVisible());
    QVERIFY(bar->buttons().at(0)->isEnabled());
    QVERIFY(!bar->buttons().at(1)->isEnabled());
    QVERIFY(!bar->buttons().at(2)->isVisible());
    bar->buttons().at(0)->click();
    QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("1234"));
    QCOMPARE(bar->statusText(), QStringLiteral("Copied"));

    m_window->showNotification(QStringLiteral("alpha"), QStringLiteral("4")); // no actions
    QVERIFY(!bar->isVisible());
    QVERIFY(bar->statusText().isEmpty());
}

void tst_HistoryWindow::withContextMenu(const std::function<void(QMenu *)> &act)
{
    bool seen = false;
    QTimer::singleShot(0, m_window.get(), [&] {
        QMenu *menu = m_window->contextMenu();
        seen = menu != nullptr;
        if (menu)
            act(menu);
    });
    auto *table = child<QTableView>(m_window.get(), "historyTable");
    QTest::keyClick(table, Qt::Key_F10, Qt::ShiftModifier);
    QTRY_VERIFY(seen);
    QVERIFY(!m_window->contextMenu());
}

void tst_HistoryWindow::readingMeansOpening()
{
    Notification linked = makeNotification(QStringLiteral("alpha"), 1);
    linked.url = QUrl(QStringLiteral("https://example.org/1"));
    m_store->add({linked, makeNotification(QStringLiteral("alpha"), 2),
                  makeNotification(QStringLiteral("alpha"), 3),
                  makeNotification(QStringLiteral("alpha"), 4)});
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    auto *table = child<QTableView>(m_window.get(), "historyTable");
    auto *title = child<QLabel>(m_window.get(), "detailTitle");
    const auto isRead = [this](int number) {
        return m_store->notification(QStringLiteral("alpha"), QString::number(number))->read;
    };
    const auto rowCenter = [table](int row) {
        return table->visualRect(table->model()->index(row, HistoryModel::TitleColumn)).center();
    };

    // Rows, newest first: 4, 3, 2, 1. A right click selects and shows, but does not read.
    QTest::mouseClick(table->viewport(), Qt::RightButton, {}, rowCenter(0));
    QTRY_COMPARE(title->text(), QStringLiteral("Title 4"));
    QVERIFY(!isRead(4));
    // Keyboard moves show without reading.
    table->setFocus();
    QTest::keyClick(table, Qt::Key_Down);
    QCOMPARE(title->text(), QStringLiteral("Title 3"));
    QVERIFY(!isRead(3));
    // A click reads.
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, rowCenter(1));
    QVERIFY(isRead(3));
    // Enter opens: reads, and opens the link if there is one.
    BrowserStandIn browser;
    QTest::keyClick(table, Qt::Key_Down);
    QTest::keyClick(table, Qt::Key_Return);
    QVERIFY(isRead(2));
    QTest::keyClick(table, Qt::Key_Down);
    QVERIFY(!isRead(1));
    QTest::keyClick(table, Qt::Key_Enter);
    QVERIFY(isRead(1));
    QCOMPARE(browser.opened, QList<QUrl>{linked.url});
    QVERIFY(!isRead(4));
}

void tst_HistoryWindow::detailPaneFollowsTheFilter()
{
    m_store->add({makeNotification(QStringLiteral("alpha"), 1),
                  makeNotification(QStringLiteral("beta"), 2)});
    m_window->showNotification(QStringLiteral("alpha"), QStringLiteral("1"));
    auto *details = child<QLabel>(m_window.get(), "detailTitle");
    QVERIFY(details->isVisible());
    QCOMPARE(details->text(), QStringLiteral("Title 1"));

    // A search that hides it: the pane does not go on showing it.
    auto *search = child<QLineEdit>(m_window.get(), "searchEdit");
    search->setText(QStringLiteral("Title 2"));
    QTRY_COMPARE(m_window->model()->rowCount(), 1);
    QVERIFY(!details->isVisible());
    search->clear();
    QTRY_COMPARE(m_window->model()->rowCount(), 2);

    // "Unread only": the message being read stays in the pane after it became read.
    m_store->markUnread(QStringLiteral("beta"), QStringLiteral("2"));
    child<QCheckBox>(m_window.get(), "unreadOnlyFilter")->setChecked(true);
    QTRY_COMPARE(m_window->model()->rowCount(), 1);
    auto *table = child<QTableView>(m_window.get(), "historyTable");
    const QPoint row =
        table->visualRect(table->model()->index(0, HistoryModel::TitleColumn)).center();
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, row);
    QCOMPARE(details->text(), QStringLiteral("Title 2"));
    QTRY_COMPARE(m_window->model()->rowCount(), 0); // read: it left the unread list
    QVERIFY(details->isVisible());
    QCOMPARE(details->text(), QStringLiteral("Title 2"));
}

void tst_HistoryWindow::unreadAndPriorityFilters()
{
    Notification urgent = makeNotification(QStringLiteral("alpha"), 1);
    urgent.priority = 5;
    Notification high = makeNotification(QStringLiteral("alpha"), 2);
    high.priority = 4;
    m_store->add({urgent, high, makeNotification(QStringLiteral("beta"), 3),
                  makeNotification(QStringLiteral("beta"), 4)});
    m_store->markRead(QStringLiteral("alpha"), QStringLiteral("1"));
    m_store->markRead(QStringLiteral("beta"), QStringLiteral("3"));
    m_window->refresh();
    QCOMPARE(m_window->model()->rowCount(), 4);

    auto *unread = child<QCheckBox>(m_window.get(), "unreadOnlyFilter");
    auto *priority = child<QComboBox>(m_window.get(), "priorityFilter");
    unread->setChecked(true);
    QCOMPARE(m_window->model()->rowCount(), 2); // 2 and 4
    priority->setCurrentIndex(priority->findData(4));
    QCOMPARE(m_window->model()->rowCount(), 1); // 2
    unread->setChecked(false);
    QCOMPARE(m_window->model()->rowCount(), 2); // 1 and 2
    priority->setCurrentIndex(priority->findData(5));
    QCOMPARE(m_window->model()->rowCount(), 1); // 1
    QCOMPARE(m_window->model()->index(0, 0).data(HistoryModel::IdRole).toString(),
             QStringLiteral("1"));
    m_window->show();
    QTRY_COMPARE(child<QLabel>(m_window.get(), "statusLabel")->text(),
                 QStringLiteral("1 notification · 2 unread"));
    priority->setCurrentIndex(0);
    QCOMPARE(m_window->model()->rowCount(), 4);
}

void tst_HistoryWindow::searchMatchesTags()
{
    Notification tagged = makeNotification(QStringLiteral("alpha"), 1);
    tagged.tags = {QStringLiteral("backup"), QStringLiteral("warning")};
    m_store->add({tagged, makeNotification(QStringLiteral("alpha"), 2)});
    auto *search = child<QLineEdit>(m_window.get(), "searchEdit");
    search->setText(QStringLiteral("BACKUP"));
    QTRY_COMPARE(m_window->model()->rowCount(), 1);
    QCOMPARE(m_window->model()->index(0, 0).data(HistoryModel::IdRole).toString(),
             QStringLiteral("1"));
    QVERIFY(search->placeholderText().contains(QStringLiteral("tags")));
}

void tst_HistoryWindow::contextMenuMarksUnreadAndDeletes()
{
    m_store->add({makeNotification(QStringLiteral("alpha"), 1),
                  makeNotification(QStringLiteral("alpha"), 2)});
    m_window->showNotification(QStringLiteral("alpha"), QStringLiteral("2"));
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    QVERIFY(m_store->notification(QStringLiteral("alpha"), QStringLiteral("2"))->read);

    QStringList texts;
    withContextMenu([&](QMenu *menu) {
        for (const QAction *action : menu->actions())
            texts << action->text();
        QTest::keyClick(menu, Qt::Key_U); // Mark &Unread
    });
    QCOMPARE(texts, (QStringList{"&Open Link", "&Copy Text", "", "Mark &Unread", "&Mark All Read",
                                 "", "&Delete"}));
    QVERIFY(!m_store->notification(QStringLiteral("alpha"), QStringLiteral("2"))->read);
    // Still selected, and not read again by being selected.
    QTest::qWait(300); // past the model's refresh
    QVERIFY(!m_store->notification(QStringLiteral("alpha"), QStringLiteral("2"))->read);

    // Back from the menu (offscreen gives neither the activation nor the focus back by itself).
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    child<QTableView>(m_window.get(), "historyTable")->setFocus();
    withContextMenu([&](QMenu *menu) {
        texts.clear();
        for (const QAction *action : menu->actions())
            texts << action->text();
        QTest::keyClick(menu, Qt::Key_D);
    });
    QVERIFY(texts.contains(QStringLiteral("Mark &Read")));
    QVERIFY(!m_store->notification(QStringLiteral("alpha"), QStringLiteral("2")));
    QCOMPARE(m_window->model()->rowCount(), 1);
    QVERIFY(!child<QLabel>(m_window.get(), "detailTitle")->isVisible());
}

void tst_HistoryWindow::escapeClosesOnlyTheDropDown()
{
    m_store->add({makeNotification(QStringLiteral("alpha"), 1)});
    m_window->show();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    // A search typed: the window's own Escape would clear it first.
    auto *search = child<QLineEdit>(m_window.get(), "searchEdit");
    search->setText(QStringLiteral("Title"));
    for (const char *name : {"subscriptionFilter", "priorityFilter"}) {
        auto *combo = child<QComboBox>(m_window.get(), name);
        combo->setFocus();
        combo->showPopup();
        QTRY_VERIFY(combo->view()->isVisible());
        QVERIFY(QApplication::activePopupWidget());
        // As the platform sends it: to the list in the drop-down, shortcut override first.
        QTest::keyClick(combo->view(), Qt::Key_Escape);
        QTRY_VERIFY(!combo->view()->isVisible());
        QVERIFY2(m_window->isVisible(), name);
        QCOMPARE(search->text(), QStringLiteral("Title"));
    }
    search->clear();
    // With no drop-down open, Escape still closes the window.
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    QTest::keyClick(m_window.get(), Qt::Key_Escape);
    QTRY_VERIFY(!m_window->isVisible());
}

void tst_HistoryWindow::markdownInDetails()
{
    Notification n = makeNotification(QStringLiteral("alpha"), 1);
    n.contentType = Notification::markdownType();
    n.body = QStringLiteral("**Disk** <b>raw</b> [bad](javascript:alert(1)) "
                            "[good](https://example.org/g) ![img](http://127.0.0.1:9/x.png)");
    m_store->add({n, makeNotification(QStringLiteral("alpha"), 2)});
    m_window->showNotification(n.subscription, n.id);
    auto *markdown = child<QTextBrowser>(m_window.get(), "detailMarkdown");
    auto *plain = child<QPlainTextEdit>(m_window.get(), "detailBody");
    QVERIFY(markdown->isVisible());
    QVERIFY(!plain->isVisible());
    QCOMPARE(markdown->toPlainText(), QStringLiteral("Disk <b>raw</b> bad good img"));
    QVERIFY(!markdown->openLinks());
    QVERIFY(!markdown->openExternalLinks());
    const QString html = markdown->toHtml();
    QVERIFY(!html.contains(QStringLiteral("javascript")));
    QVERIFY(!html.contains(QStringLiteral("<img")));
    QVERIFY(html.contains(QStringLiteral("href=\"https://example.org/g\"")));

    // A click on the link goes the app's way: http/https to the browser, nothing else.
    BrowserStandIn browser;
    emit markdown->anchorClicked(QUrl(QStringLiteral("https://example.org/g")));
    emit markdown->anchorClicked(QUrl(QStringLiteral("javascript:alert(1)")));
    QCOMPARE(browser.opened, QList<QUrl>{QUrl(QStringLiteral("https://example.org/g"))});

    // A plain message after it: plain text again.
    m_window->showNotification(QStringLiteral("alpha"), QStringLiteral("2"));
    QVERIFY(plain->isVisible());
    QVERIFY(!markdown->isVisible());
}

QTEST_MAIN(tst_HistoryWindow)
#include "tst_historywindow.moc"
