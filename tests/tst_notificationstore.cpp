#include "notificationstore.h"

#include <QFile>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <memory>
#include <unistd.h>

using namespace traybeat;

namespace {

Notification message(const QString &subscription, const QString &id, const QString &title = {},
                     const QString &body = {})
{
    Notification n;
    n.subscription = subscription;
    n.id = id;
    n.topic = subscription + QStringLiteral("-topic");
    n.title = title.isEmpty() ? QStringLiteral("title ") + id : title;
    n.body = body.isEmpty() ? QStringLiteral("body ") + id : body;
    return n;
}

// "sub:id" → a message; lets _data() tables spell batches compactly.
NotificationList batch(const QStringList &keys)
{
    NotificationList list;
    for (const QString &key : keys) {
        const QStringList parts = key.split(QLatin1Char(':'));
        list.append(message(parts.at(0), parts.at(1)));
    }
    return list;
}

QStringList keys(const NotificationList &list)
{
    QStringList result;
    for (const Notification &n : list)
        result.append(n.subscription + QLatin1Char(':') + n.id);
    return result;
}

QStringList ids(const NotificationList &list)
{
    QStringList result;
    for (const Notification &n : list)
        result.append(n.id);
    return result;
}

HistoryQuery inSubscription(const QString &subscription)
{
    HistoryQuery query;
    query.subscription = subscription;
    return query;
}

// Reads one PRAGMA from the file through a connection of the test's own.
QVariant pragma(const QString &filePath, const QString &name)
{
    QVariant value;
    {
        QSqlDatabase db =
            QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("tst.pragma"));
        db.setDatabaseName(filePath);
        if (db.open()) {
            QSqlQuery query(db);
            if (query.exec(QStringLiteral("PRAGMA ") + name) && query.next())
                value = query.value(0);
        }
    }
    QSqlDatabase::removeDatabase(QStringLiteral("tst.pragma"));
    return value;
}

} // namespace

class tst_NotificationStore : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void openCreatesFolderAndSchema();
    void openFails_data();
    void openFails();
    void openRejectsNewerSchema();
    void notOpenIsHarmless();
    void twoStoresInOneProcess();

    void addReturnsOnlyNew_data();
    void addReturnsOnlyNew();
    void refusedBatchIsLeftWhole();
    void addKeepsEveryField();
    void addKeepsWhatAMessageCarries();
    void migratesVersionOneKeepingRows();
    void messagesWithoutIdAreKept();
    void nullFieldsAreStored();
    void notificationLookup();

    void cursorAdvancesAndSurvivesReopen();
    void setCursor();

    void historyIsNewestStoredFirst();
    void historyPaging_data();
    void historyPaging();
    void historyFilters_data();
    void historyFilters();
    void counts();

    void markRead();
    void markAllRead();
    void markUnreadAndRemoveOne();
    void clearKeepsCursors();
    void removeSubscription();
    void changedOnlyWhenSomethingChanged();

private:
    QString dbPath() const { return m_dir->filePath(QStringLiteral("state/store.sqlite")); }
    void openStore();

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<NotificationStore> m_store;
};

void tst_NotificationStore::init()
{
    // A QSqlQuery outliving its connection makes Qt warn and leak the connection.
    QTest::failOnWarning(QRegularExpression(QStringLiteral("still in use")));
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    openStore();
}

void tst_NotificationStore::cleanup()
{
    m_store.reset();
    m_dir.reset();
}

void tst_NotificationStore::openStore()
{
    m_store = std::make_unique<NotificationStore>();
    QString error;
    QVERIFY2(m_store->open(dbPath(), &error), qPrintable(error));
    QVERIFY(m_store->isOpen());
}

void tst_NotificationStore::openCreatesFolderAndSchema()
{
    QCOMPARE(m_store->filePath(), dbPath());
    QVERIFY(QFile::exists(dbPath()));
    QCOMPARE(pragma(dbPath(), QStringLiteral("journal_mode")).toString(), QStringLiteral("wal"));
    QCOMPARE(pragma(dbPath(), QStringLiteral("user_version")).toInt(), 3);
    QCOMPARE(m_store->count(), 0);
}

void tst_NotificationStore::openFails_data()
{
    QTest::addColumn<QString>("setup");
    QTest::addColumn<QString>("reason");
    QTest::newRow("parent is a file") << "parent-file"
                                      << "cannot create the folder";
    QTest::newRow("garbage file") << "garbage"
                                  << "not a traybeat database";
    QTest::newRow("path is a folder") << "folder"
                                      << "is a folder";
    QTest::newRow("read-only folder") << "read-only"
                                      << "not writable";
}

void tst_NotificationStore::openFails()
{
    QFETCH(QString, setup);
    QFETCH(QString, reason);
    m_store.reset();
    QString path;
    if (setup == QLatin1String("parent-file")) {
        QFile file(m_dir->filePath(QStringLiteral("plain")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        path = m_dir->filePath(QStringLiteral("plain/sub/store.sqlite"));
    } else if (setup == QLatin1String("garbage")) {
        path = m_dir->filePath(QStringLiteral("garbage.sqlite"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray(8192, 'x').prepend("this is not SQLite, just bytes\n"));
    } else if (setup == QLatin1String("folder")) {
        path = m_dir->filePath(QStringLiteral("a-folder"));
        QVERIFY(QDir().mkpath(path));
    } else {
        if (::geteuid() == 0)
            QSKIP("root can write into a read-only folder");
        const QString folder = m_dir->filePath(QStringLiteral("locked"));
        QVERIFY(QDir().mkpath(folder));
        QVERIFY(QFile::setPermissions(folder, QFile::ReadOwner | QFile::ExeOwner));
        path = folder + QStringLiteral("/store.sqlite");
    }
    NotificationStore store;
    QString error;
    QVERIFY(!store.open(path, &error));
    QVERIFY(!store.isOpen());
    QVERIFY2(error.contains(reason), qPrintable(error));
    // A failed store stays usable as an empty one.
    QVERIFY(store.add({message(QStringLiteral("a"), QStringLiteral("1"))}).isEmpty());
    QCOMPARE(store.count(), 0);
}

void tst_NotificationStore::openRejectsNewerSchema()
{
    m_store.reset();
    {
        QSqlDatabase db =
            QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("tst.newer"));
        db.setDatabaseName(dbPath());
        QVERIFY(db.open());
        QSqlQuery query(db);
        QVERIFY(query.exec(QStringLiteral("PRAGMA user_version=99")));
    }
    QSqlDatabase::removeDatabase(QStringLiteral("tst.newer"));
    NotificationStore store;
    QString error;
    QVERIFY(!store.open(dbPath(), &error));
    QVERIFY2(error.contains(QStringLiteral("newer")), qPrintable(error));
}

void tst_NotificationStore::notOpenIsHarmless()
{
    NotificationStore store;
    QVERIFY(!store.isOpen());
    QVERIFY(store.add({message(QStringLiteral("a"), QStringLiteral("1"))}).isEmpty());
    QVERIFY(store.cursor(QStringLiteral("a")).isEmpty());
    QVERIFY(store.history({}, 0, 10).isEmpty());
    QCOMPARE(store.unreadCount(), 0);
    store.markAllRead();
    store.clear();
}

void tst_NotificationStore::twoStoresInOneProcess()
{
    NotificationStore other;
    QString error;
    QVERIFY2(other.open(m_dir->filePath(QStringLiteral("other.sqlite")), &error),
             qPrintable(error));
    {
        // A second store on the same file, closed again: must not disturb the others.
        NotificationStore same;
        QVERIFY(same.open(dbPath()));
        QCOMPARE(same.add(batch({QStringLiteral("a:1")})).size(), 1);
    }
    QCOMPARE(other.add(batch({QStringLiteral("a:1"), QStringLiteral("a:2")})).size(), 2);
    QCOMPARE(m_store->add(batch({QStringLiteral("a:1"), QStringLiteral("a:3")})).size(), 1);
    QCOMPARE(m_store->count(), 2);
    QCOMPARE(other.count(), 2);
}

void tst_NotificationStore::addReturnsOnlyNew_data()
{
    QTest::addColumn<QStringList>("first");
    QTest::addColumn<QStringList>("second");
    QTest::addColumn<QStringList>("freshFromSecond");
    QTest::addColumn<int>("total");

    QTest::newRow("all new") << QStringList{"a:1"} << QStringList{"a:2", "a:3"}
                             << QStringList{"a:2", "a:3"} << 3;
    QTest::newRow("dup across calls")
        << QStringList{"a:1", "a:2"} << QStringList{"a:2", "a:3", "a:1"} << QStringList{"a:3"} << 3;
    QTest::newRow("dup within batch") << QStringList{} << QStringList{"a:1", "a:2", "a:1", "a:2"}
                                      << QStringList{"a:1", "a:2"} << 2;
    QTest::newRow("same id, two subscriptions")
        << QStringList{"a:1"} << QStringList{"b:1", "a:1", "c:1"} << QStringList{"b:1", "c:1"} << 3;
    QTest::newRow("all duplicates")
        << QStringList{"a:1", "b:2"} << QStringList{"b:2", "a:1"} << QStringList{} << 2;
}

void tst_NotificationStore::addReturnsOnlyNew()
{
    QFETCH(QStringList, first);
    QFETCH(QStringList, second);
    QFETCH(QStringList, freshFromSecond);
    QFETCH(int, total);

    m_store->add(batch(first));
    QCOMPARE(keys(m_store->add(batch(second))), freshFromSecond);
    QCOMPARE(m_store->count(), total);
}

// A batch the store refuses (a full disk, here a trigger another connection adds) stays with
// the caller whole, to be stored later; once stored, only the new messages come back.
void tst_NotificationStore::refusedBatchIsLeftWhole()
{
    m_store->add(batch({QStringLiteral("a:1")}));
    const QString saboteurName = QStringLiteral("tst.saboteur");
    auto saboteurQuery = [&](const QString &sql) {
        QSqlDatabase saboteur = QSqlDatabase::database(saboteurName);
        QSqlQuery query(saboteur);
        return query.exec(sql);
    };
    {
        QSqlDatabase saboteur = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), saboteurName);
        saboteur.setDatabaseName(dbPath());
        QVERIFY(saboteur.open());
    }
    QVERIFY(saboteurQuery(QStringLiteral("CREATE TRIGGER refuse BEFORE INSERT ON notifications "
                                         "BEGIN SELECT RAISE(ABORT, 'disk full'); END")));

    NotificationList pending =
        batch({QStringLiteral("a:1"), QStringLiteral("a:2"), QStringLiteral("a:3")});
    bool ok = true;
    QVERIFY(m_store->add(std::move(pending), &ok).isEmpty());
    QVERIFY(!ok);
    QCOMPARE(keys(pending), (QStringList{"a:1", "a:2", "a:3"}));

    QVERIFY(saboteurQuery(QStringLiteral("DROP TRIGGER refuse")));
    QSqlDatabase::database(saboteurName).close();
    QSqlDatabase::removeDatabase(saboteurName);
    QCOMPARE(keys(m_store->add(std::move(pending), &ok)), (QStringList{"a:2", "a:3"}));
    QVERIFY(ok);
    QCOMPARE(m_store->count(), 3);
    QCOMPARE(m_store->cursor(QStringLiteral("a")), QStringLiteral("3"));
}

void tst_NotificationStore::addKeepsEveryField()
{
    Notification n =
        message(QStringLiteral("sub"), QStringLiteral("id-1"), QStringLiteral("Grüße 🚀 \"quoted\""),
                QStringLiteral("line 1\nline 2"));
    n.topic = QStringLiteral("alerts");
    n.priority = 5;
    n.tags = {QStringLiteral("warning"), QStringLiteral("with, comma"), QStringLiteral("ünï")};
    n.url = QUrl(QStringLiteral("https://example.org/path?q=a%20b&x=1#frag"));
    n.time = QDateTime::fromMSecsSinceEpoch(1764160000123, Qt::UTC);
    QCOMPARE(m_store->add({n}).size(), 1);

    // Read back from a fresh store object, so nothing comes from memory.
    m_store.reset();
    openStore();
    const std::optional<Notification> stored =
        m_store->notification(QStringLiteral("sub"), QStringLiteral("id-1"));
    QVERIFY(stored);
    QCOMPARE(stored->id, n.id);
    QCOMPARE(stored->subscription, n.subscription);
    QCOMPARE(stored->topic, n.topic);
    QCOMPARE(stored->title, n.title);
    QCOMPARE(stored->body, n.body);
    QCOMPARE(stored->priority, 5);
    QCOMPARE(stored->tags, n.tags);
    QCOMPARE(stored->url, n.url);
    QCOMPARE(stored->time, n.time);
    QCOMPARE(stored->time.timeSpec(), Qt::UTC);
    QCOMPARE(stored->read, false);

    // Optional fields left empty come back empty.
    QCOMPARE(m_store->add(batch({QStringLiteral("sub:id-2")})).size(), 1);
    const std::optional<Notification> plain =
        m_store->notification(QStringLiteral("sub"), QStringLiteral("id-2"));
    QVERIFY(plain);
    QVERIFY(plain->tags.isEmpty());
    QVERIFY(plain->url.isEmpty());
    QVERIFY(!plain->time.isValid());
}

void tst_NotificationStore::addKeepsWhatAMessageCarries()
{
    Notification n = message(QStringLiteral("sub"), QStringLiteral("rich"));
    QString problem;
    const auto open = NotificationAction::fromJson(
        {{QStringLiteral("action"), QStringLiteral("view")},
         {QStringLiteral("label"), QStringLiteral("Open")},
         {QStringLiteral("url"), QStringLiteral("https://example.org/garage")}},
        &problem);
    const auto close = NotificationAction::fromJson(
        {{QStringLiteral("action"), QStringLiteral("http")},
         {QStringLiteral("label"), QStringLiteral("Close door")},
         {QStringLiteral("url"), QStringLiteral("https://api.example.org/door")},
         {QStringLiteral("method"), QStringLiteral("put")},
         {QStringLiteral("headers"), QJsonObject{{QStringLiteral("X-Key"), QStringLiteral("v")}}},
         {QStringLiteral("body"), QStringLiteral("{\"open\":false}")},
         {QStringLiteral("clear"), true}},
        &problem);
    QVERIFY2(open && close, qPrintable(problem));
    n.actions = {*open, *close};
    n.attachment.name = QStringLiteral("cam.jpg");
    n.attachment.url = QUrl(QStringLiteral("https://example.org/cam.jpg"));
    n.attachment.type = QStringLiteral("image/jpeg");
    n.attachment.size = 15398;
    n.attachment.expires = QDateTime::fromSecsSinceEpoch(1764160000, Qt::UTC);
    n.icon = QUrl(QStringLiteral("https://example.org/icon.png"));
    n.contentType = Notification::markdownType();
    QCOMPARE(m_store->add({n}).size(), 1);

    m_store.reset();
    openStore();
    const auto stored = m_store->notification(QStringLiteral("sub"), QStringLiteral("rich"));
    QVERIFY(stored);
    QCOMPARE(stored->actions.size(), 2);
    QVERIFY(stored->actions == n.actions);
    QCOMPARE(stored->actions.at(1).method, QStringLiteral("PUT"));
    QVERIFY(stored->attachment == n.attachment);
    QCOMPARE(stored->icon, n.icon);
    QVERIFY(stored->isMarkdown());
}

// A history written by the first release (schema 1) opens, keeps every row, and takes the
// new fields from then on.
void tst_NotificationStore::migratesVersionOneKeepingRows()
{
    m_store.reset();
    const QString oldPath = m_dir->filePath(QStringLiteral("old.sqlite"));
    {
        QSqlDatabase db =
            QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("tst.old"));
        db.setDatabaseName(oldPath);
        QVERIFY(db.open());
        QSqlQuery query(db);
        for (const char *statement :
             {"CREATE TABLE notifications (received_seq INTEGER PRIMARY KEY, subscription TEXT "
              "NOT NULL, id TEXT, topic TEXT NOT NULL DEFAULT '', title TEXT NOT NULL DEFAULT '', "
              "body TEXT NOT NULL DEFAULT '', priority INTEGER NOT NULL DEFAULT 3, tags TEXT NOT "
              "NULL DEFAULT '', url TEXT NOT NULL DEFAULT '', time INTEGER, read INTEGER NOT NULL "
              "DEFAULT 0, search TEXT NOT NULL DEFAULT '', UNIQUE(subscription, id))",
              "CREATE TABLE cursors (subscription TEXT PRIMARY KEY NOT NULL, id TEXT NOT NULL)",
              "INSERT INTO notifications (subscription, id, title, body) VALUES ('sub', 'old-1', "
              "'Old', 'kept')",
              // Version 3 makes its tags searchable too.
              "INSERT INTO notifications (subscription, id, title, tags, search) VALUES ('sub', "
              "'old-2', 'Tagged', '[\"Warning\",\"say \\\"hi\\\"\"]', 'sub\x1ftagged\x1f')",
              "INSERT INTO cursors VALUES ('sub', 'old-1')", "PRAGMA user_version=1"})
            QVERIFY2(query.exec(QString::fromLatin1(statement)), statement);
    }
    QSqlDatabase::removeDatabase(QStringLiteral("tst.old"));

    NotificationStore store;
    QString error;
    QVERIFY2(store.open(oldPath, &error), qPrintable(error));
    QCOMPARE(pragma(oldPath, QStringLiteral("user_version")).toInt(), 3);
    const auto old = store.notification(QStringLiteral("sub"), QStringLiteral("old-1"));
    QVERIFY(old);
    QCOMPARE(old->body, QStringLiteral("kept"));
    QVERIFY(old->actions.isEmpty());
    QVERIFY(old->attachment.isEmpty());
    QCOMPARE(store.cursor(QStringLiteral("sub")), QStringLiteral("old-1"));
    HistoryQuery byTag;
    byTag.text = QStringLiteral("warning");
    QCOMPARE(ids(store.history(byTag, 0, 10)), QStringList{QStringLiteral("old-2")});
    byTag.text = QStringLiteral("say \"hi\"");
    QCOMPARE(ids(store.history(byTag, 0, 10)), QStringList{QStringLiteral("old-2")});

    Notification fresh = message(QStringLiteral("sub"), QStringLiteral("new-1"));
    fresh.icon = QUrl(QStringLiteral("https://example.org/i.png"));
    QCOMPARE(store.add({fresh}).size(), 1);
    QCOMPARE(store.notification(QStringLiteral("sub"), QStringLiteral("new-1"))->icon, fresh.icon);
}

void tst_NotificationStore::messagesWithoutIdAreKept()
{
    m_store->setCursor(QStringLiteral("a"), QStringLiteral("before"));
    const NotificationList noIds = {message(QStringLiteral("a"), QString(), QStringLiteral("x")),
                                    message(QStringLiteral("a"), QString(), QStringLiteral("y"))};
    QCOMPARE(m_store->add(noIds).size(), 2);
    QCOMPARE(m_store->count(), 2);
    QCOMPARE(m_store->cursor(QStringLiteral("a")), QStringLiteral("before"));
}

void tst_NotificationStore::nullFieldsAreStored()
{
    // What a protocol builds when a frame lacks title/topic/body: null QStrings, which SQL
    // must not see as NULL (a constraint failure would cost the whole batch).
    Notification n;
    n.subscription = QStringLiteral("a");
    n.id = QStringLiteral("1");
    QCOMPARE(m_store->add({n, message(QStringLiteral("a"), QStringLiteral("2"))}).size(), 2);
    const std::optional<Notification> stored =
        m_store->notification(QStringLiteral("a"), QStringLiteral("1"));
    QVERIFY(stored);
    QVERIFY(stored->title.isEmpty());
    QVERIFY(stored->body.isEmpty());

    // Even a null subscription name is stored, gets a cursor and can be found again.
    Notification unnamed;
    unnamed.id = QStringLiteral("u1");
    QCOMPARE(m_store->add({unnamed}).size(), 1);
    QCOMPARE(m_store->cursor(QString()), QStringLiteral("u1"));
    QVERIFY(m_store->notification(QString(), QStringLiteral("u1")));
    QVERIFY(m_store->add({unnamed}).isEmpty());
    m_store->markRead(QString(), QStringLiteral("u1"));
    QVERIFY(m_store->notification(QString(), QStringLiteral("u1"))->read);
}

void tst_NotificationStore::notificationLookup()
{
    m_store->add(batch({QStringLiteral("a:1"), QStringLiteral("b:2")}));
    QVERIFY(m_store->notification(QStringLiteral("a"), QStringLiteral("1")));
    QVERIFY(!m_store->notification(QStringLiteral("a"), QStringLiteral("2")));
    QVERIFY(!m_store->notification(QStringLiteral("b"), QStringLiteral("1")));
    QVERIFY(!m_store->notification(QStringLiteral("a"), QString()));
}

void tst_NotificationStore::cursorAdvancesAndSurvivesReopen()
{
    QVERIFY(m_store->cursor(QStringLiteral("a")).isEmpty());
    m_store->add(batch({QStringLiteral("a:1"), QStringLiteral("b:7"), QStringLiteral("a:2"),
                        QStringLiteral("b:8")}));
    QCOMPARE(m_store->cursor(QStringLiteral("a")), QStringLiteral("2"));
    QCOMPARE(m_store->cursor(QStringLiteral("b")), QStringLiteral("8"));

    // A duplicate at the end of a batch does not move the cursor back to it.
    m_store->add(batch({QStringLiteral("a:3"), QStringLiteral("a:1")}));
    QCOMPARE(m_store->cursor(QStringLiteral("a")), QStringLiteral("3"));
    // An all-duplicate batch leaves it alone.
    m_store->add(batch({QStringLiteral("a:2")}));
    QCOMPARE(m_store->cursor(QStringLiteral("a")), QStringLiteral("3"));

    m_store.reset();
    openStore();
    QCOMPARE(m_store->cursor(QStringLiteral("a")), QStringLiteral("3"));
    QCOMPARE(m_store->cursor(QStringLiteral("b")), QStringLiteral("8"));
    QCOMPARE(m_store->count(), 5);
    // Dedup survives the restart too.
    QVERIFY(m_store->add(batch({QStringLiteral("a:1"), QStringLiteral("b:8")})).isEmpty());
}

void tst_NotificationStore::setCursor()
{
    m_store->setCursor(QStringLiteral("a"), QStringLiteral("start"));
    QCOMPARE(m_store->cursor(QStringLiteral("a")), QStringLiteral("start"));
    m_store->setCursor(QStringLiteral("a"), QStringLiteral("later"));
    QCOMPARE(m_store->cursor(QStringLiteral("a")), QStringLiteral("later"));
    QVERIFY(m_store->cursor(QStringLiteral("b")).isEmpty());

    m_store.reset();
    openStore();
    QCOMPARE(m_store->cursor(QStringLiteral("a")), QStringLiteral("later"));
    m_store->setCursor(QStringLiteral("a"), QString());
    QVERIFY(m_store->cursor(QStringLiteral("a")).isEmpty());
}

void tst_NotificationStore::historyIsNewestStoredFirst()
{
    // The server's clock says the opposite of the arrival order: arrival order wins.
    const QDateTime base = QDateTime::fromMSecsSinceEpoch(1764160000000, Qt::UTC);
    NotificationList list;
    for (int i = 0; i < 5; ++i) {
        Notification n = message(QStringLiteral("a"), QString::number(i));
        n.time = base.addSecs(-i * 60);
        list.append(n);
    }
    m_store->add(list.mid(0, 3));
    m_store->add(list.mid(3));
    QCOMPARE(ids(m_store->history({}, 0, 10)), (QStringList{"4", "3", "2", "1", "0"}));
    // oldest() is the last row of the same order, and follows the query's filters.
    QCOMPARE(m_store->oldest({})->id, QStringLiteral("0"));
    QVERIFY(!m_store->oldest({QStringLiteral("nobody"), {}, false}).has_value());
}

void tst_NotificationStore::historyPaging_data()
{
    QTest::addColumn<int>("offset");
    QTest::addColumn<int>("limit");
    QTest::addColumn<QStringList>("expected");
    // 100 messages "0".."99" stored in order; newest is "99".
    QTest::newRow("first page") << 0 << 3 << QStringList{"99", "98", "97"};
    QTest::newRow("second page") << 3 << 3 << QStringList{"96", "95", "94"};
    QTest::newRow("last, partial") << 98 << 5 << QStringList{"1", "0"};
    QTest::newRow("past the end") << 100 << 5 << QStringList{};
    QTest::newRow("zero limit") << 0 << 0 << QStringList{};
    QTest::newRow("negative offset") << -4 << 2 << QStringList{"99", "98"};
}

void tst_NotificationStore::historyPaging()
{
    QFETCH(int, offset);
    QFETCH(int, limit);
    QFETCH(QStringList, expected);
    NotificationList list;
    for (int i = 0; i < 100; ++i)
        list.append(message(QStringLiteral("a"), QString::number(i)));
    QCOMPARE(m_store->add(list).size(), 100);
    QCOMPARE(ids(m_store->history({}, offset, limit)), expected);
}

void tst_NotificationStore::historyFilters_data()
{
    QTest::addColumn<QString>("subscription");
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("unreadOnly");
    QTest::addColumn<int>("minimumPriority");
    QTest::addColumn<QStringList>("expected");

    QTest::newRow("everything") << ""
                                << "" << false << 1 << QStringList{"b5", "a4", "a3", "b2", "a1"};
    QTest::newRow("one subscription") << "a"
                                      << "" << false << 1 << QStringList{"a4", "a3", "a1"};
    QTest::newRow("unknown subscription") << "zz"
                                          << "" << false << 1 << QStringList{};
    QTest::newRow("text in title, any case") << ""
                                             << "DISK" << false << 1 << QStringList{"a1"};
    QTest::newRow("text in body") << ""
                                  << "backup done" << false << 1 << QStringList{"b2"};
    QTest::newRow("text in topic") << ""
                                   << "b-TOPIC" << false << 1 << QStringList{"b5", "b2"};
    QTest::newRow("percent is literal") << ""
                                        << "100%" << false << 1 << QStringList{"a3"};
    QTest::newRow("percent alone") << ""
                                   << "%" << false << 1 << QStringList{"a3"};
    QTest::newRow("underscore is literal") << ""
                                           << "a_b" << false << 1 << QStringList{"a4"};
    QTest::newRow("non-ASCII case") << ""
                                    << "ÄRGER" << false << 1 << QStringList{"b5"};
    QTest::newRow("unread only") << ""
                                 << "" << true << 1 << QStringList{"b5", "a4", "b2"};
    QTest::newRow("unread, one subscription") << "a"
                                              << "" << true << 1 << QStringList{"a4"};
    QTest::newRow("all three") << "b"
                               << "backup" << true << 1 << QStringList{"b2"};
    QTest::newRow("text in tags") << ""
                                  << "cpu_hot" << false << 1 << QStringList{"a3"};
    QTest::newRow("tags, any case") << ""
                                    << "WARN" << false << 1 << QStringList{"a3"};
    QTest::newRow("high and urgent") << ""
                                     << "" << false << 4 << QStringList{"b2", "a1"};
    QTest::newRow("urgent only") << ""
                                 << "" << false << 5 << QStringList{"a1"};
    QTest::newRow("unread, high and urgent") << ""
                                             << "" << true << 4 << QStringList{"b2"};
}

void tst_NotificationStore::historyFilters()
{
    QFETCH(QString, subscription);
    QFETCH(QString, text);
    QFETCH(bool, unreadOnly);
    QFETCH(int, minimumPriority);
    QFETCH(QStringList, expected);

    NotificationList messages{
        message(QStringLiteral("a"), QStringLiteral("a1"), QStringLiteral("Disk full")),
        message(QStringLiteral("b"), QStringLiteral("b2"), QStringLiteral("Nightly"),
                QStringLiteral("Backup done in 3 min")),
        message(QStringLiteral("a"), QStringLiteral("a3"), QStringLiteral("CPU 100%")),
        message(QStringLiteral("a"), QStringLiteral("a4"), QStringLiteral("key a_b")),
        message(QStringLiteral("b"), QStringLiteral("b5"), QStringLiteral("Ärger"))};
    messages[0].priority = 5;
    messages[1].priority = 4;
    messages[2].tags = QStringList{QStringLiteral("warning"), QStringLiteral("Cpu_Hot")};
    m_store->add(messages);
    m_store->markRead(QStringLiteral("a"), QStringLiteral("a1"));
    m_store->markRead(QStringLiteral("a"), QStringLiteral("a3"));

    HistoryQuery query;
    query.subscription = subscription;
    query.text = text;
    query.unreadOnly = unreadOnly;
    query.minimumPriority = minimumPriority;
    // Every id here is unique across subscriptions, so ids alone identify the rows.
    QCOMPARE(ids(m_store->history(query, 0, 50)), expected);
    QCOMPARE(m_store->count(query), expected.size());
}

void tst_NotificationStore::counts()
{
    m_store->add(batch({"a:1", "a:2", "a:3", "b:1", "b:2"}));
    QCOMPARE(m_store->count(), 5);
    QCOMPARE(m_store->count(inSubscription(QStringLiteral("a"))), 3);
    QCOMPARE(m_store->unreadCount(), 5);
    QCOMPARE(m_store->unreadCount(QStringLiteral("b")), 2);
    QCOMPARE(m_store->unreadCount(QStringLiteral("none")), 0);
    m_store->markRead(QStringLiteral("b"), QStringLiteral("1"));
    QCOMPARE(m_store->unreadCount(), 4);
    QCOMPARE(m_store->unreadCount(QStringLiteral("b")), 1);
    QCOMPARE(m_store->unreadCount(QStringLiteral("a")), 3);
    QCOMPARE(m_store->count(), 5);
}

void tst_NotificationStore::markRead()
{
    m_store->add(batch({"a:1", "b:1"}));
    QSignalSpy changed(m_store.get(), &NotificationStore::changed);
    m_store->markRead(QStringLiteral("a"), QStringLiteral("1"));
    QCOMPARE(changed.size(), 1);
    QVERIFY(m_store->notification(QStringLiteral("a"), QStringLiteral("1"))->read);
    QVERIFY(!m_store->notification(QStringLiteral("b"), QStringLiteral("1"))->read);
    m_store->markRead(QStringLiteral("a"), QStringLiteral("1")); // already read
    m_store->markRead(QStringLiteral("a"), QStringLiteral("404"));
    QCOMPARE(changed.size(), 1);
}

void tst_NotificationStore::markUnreadAndRemoveOne()
{
    m_store->add(batch({"a:1", "a:2", "b:1"}));
    m_store->setCursor(QStringLiteral("a"), QStringLiteral("2"));
    m_store->markAllRead();
    QSignalSpy changed(m_store.get(), &NotificationStore::changed);
    m_store->markUnread(QStringLiteral("a"), QStringLiteral("1"));
    QCOMPARE(changed.size(), 1);
    QVERIFY(!m_store->notification(QStringLiteral("a"), QStringLiteral("1"))->read);
    QCOMPARE(m_store->unreadCount(), 1);
    m_store->markUnread(QStringLiteral("a"), QStringLiteral("1")); // already unread: no change
    QCOMPARE(changed.size(), 1);

    m_store->remove(QStringLiteral("a"), QStringLiteral("2"));
    QCOMPARE(changed.size(), 2);
    QVERIFY(!m_store->notification(QStringLiteral("a"), QStringLiteral("2")));
    QVERIFY(m_store->notification(QStringLiteral("a"), QStringLiteral("1")));
    QVERIFY(m_store->notification(QStringLiteral("b"), QStringLiteral("1")));
    QCOMPARE(m_store->cursor(QStringLiteral("a")), QStringLiteral("2")); // not fetched again
    m_store->remove(QStringLiteral("a"), QStringLiteral("404"));
    QCOMPARE(changed.size(), 2);
}

void tst_NotificationStore::markAllRead()
{
    m_store->add(batch({"a:1", "a:2", "b:1"}));
    QSignalSpy changed(m_store.get(), &NotificationStore::changed);
    m_store->markAllRead(QStringLiteral("a"));
    QCOMPARE(changed.size(), 1);
    QCOMPARE(m_store->unreadCount(QStringLiteral("a")), 0);
    QCOMPARE(m_store->unreadCount(QStringLiteral("b")), 1);
    m_store->markAllRead(QStringLiteral("a"));
    QCOMPARE(changed.size(), 1);
    m_store->markAllRead();
    QCOMPARE(changed.size(), 2);
    QCOMPARE(m_store->unreadCount(), 0);
}

void tst_NotificationStore::clearKeepsCursors()
{
    m_store->add(batch({"a:1", "a:2", "b:1"}));
    QSignalSpy changed(m_store.get(), &NotificationStore::changed);
    m_store->clear(QStringLiteral("a"));
    QCOMPARE(changed.size(), 1);
    QCOMPARE(m_store->count(inSubscription(QStringLiteral("a"))), 0);
    QCOMPARE(m_store->count(), 1);
    QCOMPARE(m_store->cursor(QStringLiteral("a")), QStringLiteral("2"));

    m_store->clear();
    QCOMPARE(changed.size(), 2);
    QCOMPARE(m_store->count(), 0);
    QCOMPARE(m_store->cursor(QStringLiteral("b")), QStringLiteral("1"));
    m_store->clear(); // nothing left to delete
    QCOMPARE(changed.size(), 2);
}

void tst_NotificationStore::removeSubscription()
{
    m_store->add(batch({"a:1", "a:2", "b:1"}));
    QSignalSpy changed(m_store.get(), &NotificationStore::changed);
    m_store->removeSubscription(QStringLiteral("a"));
    QCOMPARE(changed.size(), 1);
    QCOMPARE(m_store->count(inSubscription(QStringLiteral("a"))), 0);
    QVERIFY(m_store->cursor(QStringLiteral("a")).isEmpty());
    QCOMPARE(m_store->count(), 1);
    QCOMPARE(m_store->cursor(QStringLiteral("b")), QStringLiteral("1"));
}

void tst_NotificationStore::changedOnlyWhenSomethingChanged()
{
    QSignalSpy changed(m_store.get(), &NotificationStore::changed);
    m_store->add({});
    QCOMPARE(changed.size(), 0);
    m_store->add(batch({"a:1"}));
    QCOMPARE(changed.size(), 1);
    m_store->add(batch({"a:1"}));
    QCOMPARE(changed.size(), 1);
    m_store->setCursor(QStringLiteral("a"), QStringLiteral("9")); // not a history change
    QCOMPARE(changed.size(), 1);
    m_store->add(batch({"a:1", "a:2", "a:3"})); // one signal per batch, not per message
    QCOMPARE(changed.size(), 2);
}

QTEST_GUILESS_MAIN(tst_NotificationStore)
#include "tst_notificationstore.moc"
