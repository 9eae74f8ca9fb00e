// MessageStore on both backends: every test runs on an SQLite file and on a PostgreSQL
// database of a private cluster (tests/support/postgrescluster.h). PostgreSQL missing is a
// failure, not a skip: CI installs it.

#include "databaselocation.h"
#include "messagestore.h"
#include "postgrescluster.h"

#include <QTemporaryDir>
#include <QTest>
#include <memory>

using namespace traybeat;

namespace {
PushMessage message(const QString &id, const QString &topic, qint64 timeMs = 1000,
                    bool delivered = true)
{
    PushMessage result;
    result.id = id;
    result.topic = topic;
    result.timeMs = timeMs;
    result.message = QStringLiteral("text of ") + id;
    result.title = id == QLatin1String("titled") ? QStringLiteral("Ü title") : QString();
    result.tags = {QStringLiteral("a"), QStringLiteral("b")};
    result.delivered = delivered;
    return result;
}

QStringList ids(const QList<PushMessage> &messages)
{
    QStringList result;
    for (const PushMessage &each : messages)
        result.append(each.id);
    return result;
}
} // namespace

class tst_MessageStore : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();

    void storesAndReadsInOrder_data() { backends(); }
    void storesAndReadsInOrder();
    void textIsStoredAsItCame_data() { backends(); }
    void textIsStoredAsItCame();
    void cursorStopsAtItsBound_data() { backends(); }
    void cursorStopsAtItsBound();
    void newMessagesFromAnyWriter_data() { backends(); }
    void newMessagesFromAnyWriter();
    void dueMessagesAreDeliveredOnce_data() { backends(); }
    void dueMessagesAreDeliveredOnce();
    void prunesExpired_data() { backends(); }
    void prunesExpired();
    void passwordFromEnvironment();
    void unreachableDatabaseIsNamedWithoutPassword();
    void closedStoreReadsNothing_data() { backends(); }
    void closedStoreReadsNothing();

private:
    void backends();
    // A fresh database of the row's backend (the same one for every call within a test).
    DatabaseLocation location();
    std::unique_ptr<MessageStore> openStore();

    PostgresCluster m_cluster;
    QString m_clusterError;
    std::unique_ptr<QTemporaryDir> m_dir;
    int m_databaseNumber = 0;
};

void tst_MessageStore::initTestCase()
{
    QVERIFY2(m_cluster.start(&m_clusterError), qPrintable(m_clusterError));
}

void tst_MessageStore::backends()
{
    QTest::addColumn<bool>("postgres");
    QTest::newRow("sqlite") << false;
    QTest::newRow("postgresql") << true;
}

void tst_MessageStore::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    ++m_databaseNumber;
    if (QTest::currentDataTag() && QByteArray(QTest::currentDataTag()) == "postgresql") {
        QString error;
        QVERIFY2(m_cluster.createDatabase(QStringLiteral("store%1").arg(m_databaseNumber), &error),
                 qPrintable(error));
    }
}

DatabaseLocation tst_MessageStore::location()
{
    QFETCH(bool, postgres);
    if (!postgres)
        return DatabaseLocation::sqlite(m_dir->filePath(QStringLiteral("messages.db")));
    QString error;
    const auto parsed = DatabaseLocation::parse(
        m_cluster.socketUrl(QStringLiteral("store%1").arg(m_databaseNumber)), &error);
    if (!parsed)
        qWarning() << "socket URL not read:" << error;
    return parsed.value_or(DatabaseLocation());
}

std::unique_ptr<MessageStore> tst_MessageStore::openStore()
{
    auto store = std::make_unique<MessageStore>();
    QString error;
    if (!store->open(location(), &error))
        qWarning() << "cannot open the store:" << error;
    return store;
}

void tst_MessageStore::storesAndReadsInOrder()
{
    auto store = openStore();
    QVERIFY(store->isOpen());
    QVERIFY(store->insert({message(QStringLiteral("m1"), QStringLiteral("a")),
                           message(QStringLiteral("titled"), QStringLiteral("b")),
                           message(QStringLiteral("m3"), QStringLiteral("a"))}));
    QVERIFY(store->insert({message(QStringLiteral("m4"), QStringLiteral("a"))}));
    const QStringList both{QStringLiteral("a"), QStringLiteral("b")};
    SinceFilter all;
    all.kind = SinceFilter::Kind::All;
    const QList<PushMessage> read = store->messages(both, all, 0);
    QCOMPARE(ids(read), QStringList({"m1", "titled", "m3", "m4"}));
    QCOMPARE(read.at(1).title, QStringLiteral("Ü title"));
    QCOMPARE(read.at(1).tags, QStringList({"a", "b"}));
    SinceFilter after;
    after.kind = SinceFilter::Kind::AfterId;
    after.id = QStringLiteral("m1");
    QCOMPARE(ids(store->messages({QStringLiteral("a")}, after, 0)), QStringList({"m3", "m4"}));
    SinceFilter latest;
    latest.kind = SinceFilter::Kind::Latest;
    QCOMPARE(ids(store->messages({QStringLiteral("b")}, latest, 0)), QStringList({"titled"}));
    // A duplicate id is refused, and the whole batch with it.
    QVERIFY(!store->insert({message(QStringLiteral("m5"), QStringLiteral("a")),
                            message(QStringLiteral("m1"), QStringLiteral("a"))}));
    QCOMPARE(store->count(), 4);
}

void tst_MessageStore::textIsStoredAsItCame()
{
    // PostgreSQL gets a batch as the text of one statement (values quoted by the driver): what
    // a publisher sends must come back unchanged, whatever quoting it looks like.
    auto store = openStore();
    QVERIFY(store->isOpen());
    PushMessage tricky = message(QStringLiteral("tricky"), QStringLiteral("a"));
    tricky.message = QStringLiteral("it's a \\' \"quote\"; DROP TABLE messages; -- $$ $1 ? %1 \\x00 中文 🙂");
    tricky.title = QStringLiteral("'); NOTIFY traybeat_messages; --");
    tricky.click = QStringLiteral("https://example.com/?a='b'&c=\\");
    tricky.icon = QStringLiteral("https://example.com/icon's.png");
    tricky.tags = {QStringLiteral("x'y"), QStringLiteral("\\")};
    PushMessage untitled = message(QStringLiteral("untitled"), QStringLiteral("a"));
    untitled.title = QString();
    untitled.tags = {};
    QVERIFY(store->insert({tricky, untitled}));
    SinceFilter all;
    all.kind = SinceFilter::Kind::All;
    const QList<PushMessage> read = store->messages({QStringLiteral("a")}, all, 0);
    QCOMPARE(read.size(), 2);
    QCOMPARE(read.at(0).message, tricky.message);
    QCOMPARE(read.at(0).title, tricky.title);
    QCOMPARE(read.at(0).click, tricky.click);
    QCOMPARE(read.at(0).icon, tricky.icon);
    QCOMPARE(read.at(0).tags, tricky.tags);
    QVERIFY(read.at(1).title.isEmpty());
    QVERIFY(read.at(1).tags.isEmpty());
    QCOMPARE(store->count(), 2);
}

void tst_MessageStore::cursorStopsAtItsBound()
{
    auto store = openStore();
    QVERIFY(store->insert({message(QStringLiteral("m1"), QStringLiteral("a")),
                           message(QStringLiteral("m2"), QStringLiteral("a")),
                           message(QStringLiteral("m3"), QStringLiteral("a"))}));
    SinceFilter all;
    all.kind = SinceFilter::Kind::All;
    MessageStore::Cursor cursor = store->cursor({QStringLiteral("a")}, all, 0);
    qint64 second = 0;
    QCOMPARE(store->newMessages(&second, 2)->size(), 2);
    cursor.upToSequence = second;
    QCOMPARE(ids(store->nextPage(&cursor, 10)), QStringList({"m1", "m2"}));
    QVERIFY(cursor.atEnd);
    QVERIFY(!cursor.failed);
}

void tst_MessageStore::newMessagesFromAnyWriter()
{
    QFETCH(bool, postgres);
    auto reader = openStore();
    auto writer = postgres ? openStore() : nullptr; // SQLite: one instance, one connection
    MessageStore *writing = writer ? writer.get() : reader.get();
    qint64 position = reader->lastSequence();
    QCOMPARE(position, 0);
    QVERIFY(writing->insert({message(QStringLiteral("m1"), QStringLiteral("a")),
                             message(QStringLiteral("m2"), QStringLiteral("b"))}));
    // Scheduled messages are not new until they are delivered.
    QVERIFY(writing->insert({message(QStringLiteral("later"), QStringLiteral("a"), 5000, false)}));
    QVERIFY(reader->insert({message(QStringLiteral("m3"), QStringLiteral("a"))}));
    const auto page = reader->newMessages(&position, 2);
    QVERIFY(page);
    QCOMPARE(ids(*page), QStringList({"m1", "m2"}));
    QCOMPARE(ids(*reader->newMessages(&position, 100)), QStringList({"m3"}));
    QVERIFY(reader->newMessages(&position, 100)->isEmpty());
    QCOMPARE(writing->deliverDue(5000, 10).size(), 1);
    QCOMPARE(ids(*reader->newMessages(&position, 100)), QStringList({"later"}));
    QCOMPARE(reader->lastSequence(), position);
}

void tst_MessageStore::dueMessagesAreDeliveredOnce()
{
    QFETCH(bool, postgres);
    auto first = openStore();
    auto second = postgres ? openStore() : nullptr;
    QVERIFY(first->insert({message(QStringLiteral("s1"), QStringLiteral("a"), 2000, false),
                           message(QStringLiteral("s2"), QStringLiteral("a"), 3000, false),
                           message(QStringLiteral("now"), QStringLiteral("a"), 1000)}));
    QCOMPARE(first->nextDueMs(), std::optional<qint64>(2000));
    QVERIFY(first->deliverDue(1999, 10).isEmpty());
    QString error;
    const QList<PushMessage> due = first->deliverDue(2500, 10, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(ids(due), QStringList({"s1"}));
    QVERIFY(due.first().delivered);
    // Another instance at the same moment finds it delivered.
    if (second)
        QVERIFY(second->deliverDue(2500, 10).isEmpty());
    QCOMPARE(ids(first->deliverDue(2500, 10)), QStringList());
    MessageStore *other = second ? second.get() : first.get();
    QCOMPARE(ids(other->deliverDue(9000, 10)), QStringList({"s2"}));
    QCOMPARE(first->nextDueMs(), std::nullopt);
    // Delivered messages move to the end of the publish order.
    SinceFilter after;
    after.kind = SinceFilter::Kind::AfterId;
    after.id = QStringLiteral("now");
    QCOMPARE(ids(first->messages({QStringLiteral("a")}, after, 0)), QStringList({"s1", "s2"}));
}

void tst_MessageStore::prunesExpired()
{
    auto store = openStore();
    QVERIFY(store->insert({message(QStringLiteral("old"), QStringLiteral("a"), 1000),
                           message(QStringLiteral("waiting"), QStringLiteral("a"), 1000, false),
                           message(QStringLiteral("new"), QStringLiteral("a"), 5000)}));
    QCOMPARE(store->prune(2000), 1);
    QCOMPARE(store->count(), 2);
    SinceFilter all;
    all.kind = SinceFilter::Kind::All;
    QCOMPARE(ids(store->messages({QStringLiteral("a")}, all, 0)), QStringList({"new"}));
}

void tst_MessageStore::passwordFromEnvironment()
{
    // Over TCP the cluster asks for a password: none in the URL, so libpq reads PGPASSWORD.
    QString error;
    QVERIFY2(m_cluster.createDatabase(QStringLiteral("password"), &error), qPrintable(error));
    const auto location =
        DatabaseLocation::parse(m_cluster.tcpUrl(QStringLiteral("password")), &error);
    QVERIFY2(location, qPrintable(error));
    QVERIFY(location->password.isEmpty());
    MessageStore store;
    qunsetenv("PGPASSWORD");
    qputenv("PGPASSFILE", "/nonexistent");
    QVERIFY(!store.open(*location, &error));
    QVERIFY2(error.contains(QLatin1String("password")), qPrintable(error));
    qputenv("PGPASSWORD", m_cluster.password().toUtf8());
    QVERIFY2(store.open(*location, &error), qPrintable(error));
    qunsetenv("PGPASSWORD");
    qunsetenv("PGPASSFILE");
    QVERIFY(store.insert({message(QStringLiteral("m1"), QStringLiteral("a"))}));
}

void tst_MessageStore::unreachableDatabaseIsNamedWithoutPassword()
{
    QString error;
    const auto location = DatabaseLocation::parse(
        QStringLiteral("postgresql://someone:secret-word@127.0.0.1:%1/none").arg(m_cluster.port()),
        &error);
    QVERIFY2(location, qPrintable(error));
    MessageStore store;
    QVERIFY(!store.open(*location, &error));
    QVERIFY2(error.contains(QLatin1String("postgresql://someone@127.0.0.1")), qPrintable(error));
    QVERIFY2(!error.contains(QLatin1String("secret-word")), qPrintable(error));
}

void tst_MessageStore::closedStoreReadsNothing()
{
    auto store = openStore();
    store->close();
    qint64 position = 0;
    QVERIFY(!store->newMessages(&position, 10));
    QVERIFY(!store->isReachable());
    QVERIFY(!store->insert({message(QStringLiteral("m1"), QStringLiteral("a"))}));
}

QTEST_GUILESS_MAIN(tst_MessageStore)
#include "tst_messagestore.moc"
