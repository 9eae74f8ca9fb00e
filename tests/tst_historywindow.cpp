#include "historymodel.h"
#include "historywindow.h"
#include "notificationstore.h"

#include "actionbar.h"

#include <QClipboard>
#include <QGuiApplication>

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

    // Moving the selection reads the next one.
    QTest::keyClick(table, Qt::Key_Down);
    QCOMPARE(m_store->unreadCount(), 48);
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

QTEST_MAIN(tst_HistoryWindow)
#include "tst_historywindow.moc"
