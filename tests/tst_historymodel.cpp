#include "historymodel.h"
#include "notificationstore.h"

#include <QAbstractItemModelTester>
#include <QElapsedTimer>
#include <QFont>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace traybeat;

namespace {

constexpr int totalRows = 100000;
constexpr int batchSize = 1000;
const QString htmlTitle = QStringLiteral("<b>bold</b> &amp; <img src=x onerror=alert(1)>");
constexpr int htmlId = 77777;

// Even ids go to "alpha", odd ones to "beta"; ids count up in the order they are stored.
Notification makeNotification(int number)
{
    Notification n;
    n.id = QString::number(number);
    n.subscription = number % 2 == 0 ? QStringLiteral("alpha") : QStringLiteral("beta");
    n.topic = QStringLiteral("topic%1").arg(number % 10);
    n.title = number == htmlId ? htmlTitle : QStringLiteral("Title %1").arg(number);
    n.body = QStringLiteral("Body of message %1\nsecond line").arg(number);
    n.priority = 1 + number % 5;
    n.time = QDateTime::fromSecsSinceEpoch(1700000000 + number, Qt::UTC);
    n.read = false;
    return n;
}

} // namespace

class tst_HistoryModel : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void rowCountAndOrder();
    void lastRows();
    void unreadIsBold();
    void htmlStaysLiteral();
    void filters_data();
    void filters();
    void modelTester();
    void newMessagesAreInsertedOnTop();
    void readChangeIsDataChanged();
    void storeChangedRefreshesByItself();
    void rowOf();
    void clearResets();
    void emojiTagsLeadTheTitle();
    void timeColumnShowsTheDateUnlessToday();
    void markdownCellShowsItsText();

private:
    QTemporaryDir m_dir;
    NotificationStore m_store;
    int m_nextNumber = 0;
};

void tst_HistoryModel::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QString error;
    QVERIFY2(m_store.open(m_dir.filePath(QStringLiteral("history.db")), &error), qPrintable(error));
    QElapsedTimer timer;
    timer.start();
    for (int batch = 0; batch < totalRows / batchSize; ++batch) {
        NotificationList notifications;
        notifications.reserve(batchSize);
        for (int i = 0; i < batchSize; ++i)
            notifications.append(makeNotification(m_nextNumber++));
        QCOMPARE(m_store.add(notifications).size(), batchSize);
    }
    qInfo("stored %d notifications in %lld ms", totalRows, timer.elapsed());
    // Half read: alpha (even ids) read, beta unread.
    m_store.markAllRead(QStringLiteral("alpha"));
}

void tst_HistoryModel::rowCountAndOrder()
{
    QElapsedTimer timer;
    timer.start();
    HistoryModel model(&m_store);
    QCOMPARE(model.rowCount(), totalRows);
    QCOMPARE(model.columnCount(), int(HistoryModel::ColumnCount));
    // Newest (last stored) first.
    QCOMPARE(model.data(model.index(0, HistoryModel::TitleColumn)).toString(),
             QStringLiteral("Title 99999"));
    QCOMPARE(model.data(model.index(1, HistoryModel::TitleColumn)).toString(),
             QStringLiteral("Title 99998"));
    QCOMPARE(model.data(model.index(0, HistoryModel::SubscriptionColumn)).toString(),
             QStringLiteral("beta"));
    QCOMPARE(model.data(model.index(0, HistoryModel::TopicColumn)).toString(),
             QStringLiteral("topic9"));
    // A cell is one line; the detail pane gets the full text through NotificationRole.
    QCOMPARE(model.data(model.index(0, HistoryModel::MessageColumn)).toString(),
             QStringLiteral("Body of message 99999 second line"));
    const auto full =
        model.data(model.index(0, 0), HistoryModel::NotificationRole).value<Notification>();
    QCOMPARE(full.body, QStringLiteral("Body of message 99999\nsecond line"));
    QCOMPARE(full.id, QStringLiteral("99999"));
    QVERIFY(!model.data(model.index(0, HistoryModel::TimeColumn)).toString().isEmpty());
    qInfo("model over %d rows ready in %lld ms", totalRows, timer.elapsed());
}

void tst_HistoryModel::lastRows()
{
    HistoryModel model(&m_store);
    QElapsedTimer timer;
    timer.start();
    const int last = model.rowCount() - 1;
    QCOMPARE(model.data(model.index(last, HistoryModel::TitleColumn)).toString(),
             QStringLiteral("Title 0"));
    QCOMPARE(model.data(model.index(last - 1, HistoryModel::TitleColumn)).toString(),
             QStringLiteral("Title 1"));
    QCOMPARE(model.data(model.index(last, 0), HistoryModel::IdRole).toString(),
             QStringLiteral("0"));
    // Out of range is nothing, not a crash.
    QVERIFY(!model.data(model.index(last + 1, 0)).isValid());
    QVERIFY(!model.notificationAt(last + 1));
    QVERIFY(!model.notificationAt(-1));
    // Jumping around the whole range (as dragging the scroll bar does) stays quick.
    for (int row = 0; row < totalRows; row += 997)
        QVERIFY(model.notificationAt(row));
    qInfo("last rows and 100 random pages in %lld ms", timer.elapsed());
}

void tst_HistoryModel::unreadIsBold()
{
    HistoryModel model(&m_store);
    // Row 0 is id 99999 (beta, unread); row 1 is id 99998 (alpha, read).
    const QVariant unread = model.data(model.index(0, HistoryModel::TitleColumn), Qt::FontRole);
    QVERIFY(unread.isValid());
    QVERIFY(unread.value<QFont>().bold());
    QCOMPARE(model.data(model.index(0, 0), HistoryModel::ReadRole).toBool(), false);
    const QVariant read = model.data(model.index(1, HistoryModel::TitleColumn), Qt::FontRole);
    QVERIFY(!read.isValid() || !read.value<QFont>().bold());
    QCOMPARE(model.data(model.index(1, 0), HistoryModel::ReadRole).toBool(), true);
}

void tst_HistoryModel::htmlStaysLiteral()
{
    HistoryModel model(&m_store);
    const int row = totalRows - 1 - htmlId;
    QCOMPARE(model.data(model.index(row, 0), HistoryModel::IdRole).toString(),
             QString::number(htmlId));
    QCOMPARE(model.data(model.index(row, HistoryModel::TitleColumn)).toString(), htmlTitle);
    // No tooltip carries server text (tooltips render rich text).
    QVERIFY(!model.data(model.index(row, HistoryModel::TitleColumn), Qt::ToolTipRole).isValid());
}

void tst_HistoryModel::filters_data()
{
    QTest::addColumn<QString>("subscription");
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("unreadOnly");
    QTest::addColumn<int>("expectedRows");
    QTest::addColumn<QString>("firstTitle");

    QTest::newRow("all") << QString() << QString() << false << totalRows << "Title 99999";
    QTest::newRow("alpha") << "alpha" << QString() << false << totalRows / 2 << "Title 99998";
    QTest::newRow("beta") << "beta" << QString() << false << totalRows / 2 << "Title 99999";
    QTest::newRow("unknown subscription") << "gamma" << QString() << false << 0 << QString();
    QTest::newRow("text exact") << QString() << "Title 12345" << false << 1 << "Title 12345";
    QTest::newRow("text case-insensitive")
        << QString() << "tItLe 4321" << false << 11 << "Title 43219";
    QTest::newRow("text in topic") << "alpha"
                                   << "topic4" << false << totalRows / 10 << "Title 99994";
    QTest::newRow("text and subscription") << "beta"
                                           << "Title 12345" << false << 1 << "Title 12345";
    QTest::newRow("text, other subscription") << "alpha"
                                              << "Title 12345" << false << 0 << QString();
    QTest::newRow("html text") << QString() << "<b>bold</b>" << false << 1 << htmlTitle;
    QTest::newRow("unread only") << QString() << QString() << true << totalRows / 2
                                 << "Title 99999";
    QTest::newRow("no match") << QString() << "nothing like this" << false << 0 << QString();
}

void tst_HistoryModel::filters()
{
    QFETCH(QString, subscription);
    QFETCH(QString, text);
    QFETCH(bool, unreadOnly);
    QFETCH(int, expectedRows);
    QFETCH(QString, firstTitle);

    HistoryModel model(&m_store);
    QSignalSpy resetSpy(&model, &HistoryModel::modelReset);
    model.setQuery(HistoryQuery{subscription, text, unreadOnly});
    QCOMPARE(resetSpy.size(), 1);
    QCOMPARE(model.rowCount(), expectedRows);
    if (expectedRows > 0) {
        QCOMPARE(model.data(model.index(0, HistoryModel::TitleColumn)).toString(), firstTitle);
        QVERIFY(model.notificationAt(expectedRows - 1));
    }
    model.setQuery({});
    QCOMPARE(model.rowCount(), totalRows);
}

void tst_HistoryModel::modelTester()
{
    // The tester walks every row; a filtered model keeps that short.
    HistoryModel model(&m_store);
    model.setQuery(HistoryQuery{QStringLiteral("beta"), QStringLiteral("Title 4321"), false});
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    m_store.add({makeNotification(m_nextNumber++), makeNotification(m_nextNumber++)});
    model.refresh();
    model.setQuery(HistoryQuery{QStringLiteral("alpha"), QStringLiteral("Title 4321"), false});
}

void tst_HistoryModel::newMessagesAreInsertedOnTop()
{
    HistoryModel model(&m_store);
    const int before = model.rowCount();
    const QString oldFirstId = model.data(model.index(0, 0), HistoryModel::IdRole).toString();
    QSignalSpy insertedSpy(&model, &HistoryModel::rowsInserted);
    QSignalSpy resetSpy(&model, &HistoryModel::modelReset);

    NotificationList fresh;
    for (int i = 0; i < 5; ++i)
        fresh.append(makeNotification(m_nextNumber++));
    QCOMPARE(m_store.add(fresh).size(), 5);
    model.refresh();

    QCOMPARE(resetSpy.size(), 0);
    QCOMPARE(insertedSpy.size(), 1);
    QCOMPARE(insertedSpy.first().at(1).toInt(), 0);
    QCOMPARE(insertedSpy.first().at(2).toInt(), 4);
    QCOMPARE(model.rowCount(), before + 5);
    QCOMPARE(model.data(model.index(0, 0), HistoryModel::IdRole).toString(),
             QString::number(m_nextNumber - 1));
    QCOMPARE(model.data(model.index(5, 0), HistoryModel::IdRole).toString(), oldFirstId);
}

void tst_HistoryModel::readChangeIsDataChanged()
{
    HistoryModel model(&m_store);
    const auto first = model.notificationAt(0);
    QVERIFY(first);
    QVERIFY(!first->read);
    QSignalSpy dataSpy(&model, &HistoryModel::dataChanged);
    QSignalSpy resetSpy(&model, &HistoryModel::modelReset);
    m_store.markRead(first->subscription, first->id);
    model.refresh();
    QCOMPARE(resetSpy.size(), 0);
    QCOMPARE(dataSpy.size(), 1);
    QCOMPARE(model.data(model.index(0, 0), HistoryModel::ReadRole).toBool(), true);
    const QVariant font = model.data(model.index(0, HistoryModel::TitleColumn), Qt::FontRole);
    QVERIFY(!font.isValid() || !font.value<QFont>().bold());
}

void tst_HistoryModel::storeChangedRefreshesByItself()
{
    HistoryModel model(&m_store);
    const int before = model.rowCount();
    QSignalSpy insertedSpy(&model, &HistoryModel::rowsInserted);
    // A burst of separate adds is folded into few refreshes.
    for (int i = 0; i < 50; ++i)
        m_store.add({makeNotification(m_nextNumber++)});
    QTRY_COMPARE(model.rowCount(), before + 50);
    QVERIFY(insertedSpy.size() < 50);
}

void tst_HistoryModel::clearResets()
{
    // Declared last: it empties a subscription.
    HistoryModel model(&m_store);
    model.setQuery(HistoryQuery{QStringLiteral("alpha"), {}, false});
    QVERIFY(model.rowCount() > 0);
    QSignalSpy resetSpy(&model, &HistoryModel::modelReset);
    m_store.clear(QStringLiteral("alpha"));
    model.refresh();
    QCOMPARE(resetSpy.size(), 1);
    QCOMPARE(model.rowCount(), 0);
    QVERIFY(!model.notificationAt(0));
}

void tst_HistoryModel::rowOf()
{
    HistoryModel model(&m_store);
    const auto third = model.notificationAt(2);
    QVERIFY(third);
    QCOMPARE(model.rowOf(third->subscription, third->id), 2);
    QCOMPARE(model.rowOf(QStringLiteral("nope"), QStringLiteral("0")), -1);
    // Deeper than the search limit: not found, and quickly so.
    const auto deep = model.notificationAt(model.rowCount() - 1);
    QVERIFY(deep);
    QCOMPARE(model.rowOf(deep->subscription, deep->id, -1, 1000), -1);
    // ...unless it is looked for where it was.
    const int last = model.rowCount() - 1;
    QCOMPARE(model.rowOf(deep->subscription, deep->id, last - 150, 1000), last);
    QCOMPARE(model.rowOf(deep->subscription, deep->id, last + 10, 1000), last);
}

void tst_HistoryModel::emojiTagsLeadTheTitle()
{
    NotificationStore store;
    QVERIFY(store.open(m_dir.filePath(QStringLiteral("emoji.db"))));
    Notification n = makeNotification(1);
    n.title = QStringLiteral("Deployed");
    n.tags = {QStringLiteral("tada"), QStringLiteral("prod")};
    QCOMPARE(store.add({n}).size(), 1);
    HistoryModel model(&store);
    QCOMPARE(model.data(model.index(0, HistoryModel::TitleColumn)).toString(),
             QStringLiteral("🎉 Deployed"));
}

void tst_HistoryModel::timeColumnShowsTheDateUnlessToday()
{
    NotificationStore store;
    QVERIFY(store.open(m_dir.filePath(QStringLiteral("dates.db"))));
    const QDateTime now = QDateTime::currentDateTime();
    // Midday today (not "now": a test running at midnight would see yesterday).
    const QDateTime today(now.date(), QTime(12, 0));
    const QDateTime lastWeek(now.date().addDays(-6), QTime(9, 30));
    Notification old = makeNotification(1);
    old.time = lastWeek.toUTC();
    Notification fresh = makeNotification(2);
    fresh.time = today.toUTC();
    QCOMPARE(store.add({old, fresh}).size(), 2);
    HistoryModel model(&store);
    const QLocale locale;
    const QString freshText = model.data(model.index(0, HistoryModel::TimeColumn)).toString();
    const QString oldText = model.data(model.index(1, HistoryModel::TimeColumn)).toString();
    QCOMPARE(freshText, locale.toString(today.time(), QLocale::ShortFormat));
    QVERIFY2(oldText.contains(locale.toString(lastWeek.date(), QLocale::ShortFormat)),
             qPrintable(oldText));
    QVERIFY(oldText.contains(locale.toString(lastWeek.time(), QLocale::ShortFormat)));
}

void tst_HistoryModel::markdownCellShowsItsText()
{
    NotificationStore store;
    QVERIFY(store.open(m_dir.filePath(QStringLiteral("markdown.db"))));
    Notification markdown = makeNotification(1);
    markdown.contentType = Notification::markdownType();
    markdown.body = QStringLiteral("**3 failed**, see [report](https://example.org)\n\n- a <b>");
    Notification plain = makeNotification(2);
    plain.body = markdown.body;
    QCOMPARE(store.add({markdown, plain}).size(), 2);
    HistoryModel model(&store);
    QCOMPARE(model.data(model.index(1, HistoryModel::MessageColumn)).toString(),
             QStringLiteral("3 failed, see report a <b>"));
    // Plain text is shown as it came, markup and all.
    QCOMPARE(model.data(model.index(0, HistoryModel::MessageColumn)).toString(),
             QStringLiteral("**3 failed**, see [report](https://example.org) - a <b>"));
}

QTEST_MAIN(tst_HistoryModel)
#include "tst_historymodel.moc"
