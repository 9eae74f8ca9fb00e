#include "messagestore.h"

#include "logging.h"
#include "privatepath.h"

#include <QAtomicInteger>
#include <QCoreApplication>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlField>
#include <QVariant>

#include <algorithm>
#include <limits>

namespace traybeat {

namespace {
QString nextConnectionName()
{
    // Qt SQL keys connections by name process-wide: two servers (or a server restarted in a
    // test) must never share one.
    static QAtomicInteger<quint64> counter;
    return QStringLiteral("traybeat-pushserver-%1").arg(counter.fetchAndAddRelaxed(1));
}

const QString sqliteSchema[] = {
    // seq is the publish order; ids are random, so they cannot give it.
    QStringLiteral("CREATE TABLE IF NOT EXISTS messages ("
                   " seq INTEGER PRIMARY KEY,"
                   " id TEXT NOT NULL UNIQUE,"
                   " time_ms INTEGER NOT NULL,"
                   " topic TEXT NOT NULL,"
                   " title TEXT,"
                   " message TEXT NOT NULL,"
                   " priority INTEGER NOT NULL,"
                   " tags TEXT,"
                   " click TEXT)"),
    QStringLiteral("CREATE INDEX IF NOT EXISTS messages_topic_seq ON messages (topic, seq)"),
    QStringLiteral("CREATE INDEX IF NOT EXISTS messages_time ON messages (time_ms)"),
};

// Schema 1 (issue 9), for a table without its columns: the fields of ntfy's richer messages,
// expiry, and scheduled delivery. Older rows keep their values and read as delivered messages
// without extras.
const QString migrationTo1[] = {
    // icon, actions, attachment and content type, as one JSON object (PushMessage::extrasJson)
    QStringLiteral("ALTER TABLE messages ADD COLUMN extras TEXT"),
    QStringLiteral("ALTER TABLE messages ADD COLUMN expires_ms INTEGER NOT NULL DEFAULT 0"),
    // 0 while a scheduled message waits for its time (time_ms); it gets a new seq when delivered
    QStringLiteral("ALTER TABLE messages ADD COLUMN delivered INTEGER NOT NULL DEFAULT 1"),
    QStringLiteral("CREATE INDEX messages_due ON messages (delivered, time_ms)"),
};

// The same table in PostgreSQL, created at schema 1. BIGSERIAL: its sequence also numbers the
// scheduled messages delivered later (nextval), which SQLite does with MAX(seq) + 1.
const QString postgresSchema[] = {
    QStringLiteral("CREATE TABLE IF NOT EXISTS messages ("
                   " seq BIGSERIAL PRIMARY KEY,"
                   " id TEXT NOT NULL UNIQUE,"
                   " time_ms BIGINT NOT NULL,"
                   " topic TEXT NOT NULL,"
                   " title TEXT,"
                   " message TEXT NOT NULL,"
                   " priority INTEGER NOT NULL,"
                   " tags TEXT,"
                   " click TEXT,"
                   " extras TEXT,"
                   " expires_ms BIGINT NOT NULL DEFAULT 0,"
                   " delivered INTEGER NOT NULL DEFAULT 1)"),
    QStringLiteral("CREATE INDEX IF NOT EXISTS messages_topic_seq ON messages (topic, seq)"),
    QStringLiteral("CREATE INDEX IF NOT EXISTS messages_time ON messages (time_ms)"),
    // Only the waiting scheduled messages, a handful: an index over (delivered, time_ms) made
    // PostgreSQL read every delivered row for "seq > position AND delivered = 1" whenever its
    // statistics lagged behind a growing table (8.7 ms instead of 0.07 ms at 30,000 rows, on
    // every read of new messages). The first versions created that index: it goes.
    QStringLiteral("DROP INDEX IF EXISTS messages_due"),
    QStringLiteral("CREATE INDEX IF NOT EXISTS messages_waiting ON messages (time_ms)"
                   " WHERE delivered = 0"),
};

// The advisory lock that orders publishing transactions (any constant; ours by its digits).
constexpr const char *lockPublishOrderStatement = "SELECT pg_advisory_xact_lock(7261711052)";

constexpr const char *insertColumns =
    "id, time_ms, topic, title, message, priority, tags, click, extras, expires_ms, delivered";

constexpr const char *selectColumns =
    "SELECT id, time_ms, topic, title, message, priority, tags, click, extras, expires_ms,"
    " delivered, seq FROM messages";

PushMessage messageFromRow(const QSqlQuery &query)
{
    PushMessage message;
    message.id = query.value(0).toString();
    message.timeMs = query.value(1).toLongLong();
    message.topic = query.value(2).toString();
    message.title = query.value(3).toString();
    message.message = query.value(4).toString();
    message.priority = query.value(5).toInt();
    const QString tags = query.value(6).toString();
    if (!tags.isEmpty())
        message.tags = tags.split(QLatin1Char(','));
    message.click = query.value(7).toString();
    message.setExtrasJson(query.value(8).toByteArray());
    message.expiresMs = query.value(9).toLongLong();
    message.delivered = query.value(10).toInt() != 0;
    return message;
}

// One row of the INSERT, in the order of insertColumns.
QVariantList rowValues(const PushMessage &message)
{
    return {message.id,
            message.timeMs,
            message.topic,
            message.title,
            message.message,
            message.priority,
            message.tags.join(QLatin1Char(',')),
            message.click,
            QString::fromUtf8(message.extrasJson()),
            message.expiresMs,
            message.delivered ? 1 : 0};
}

// The same row, bound to the SQLite INSERT.
void bindRow(SqliteStatement &insert, const PushMessage &message)
{
    insert.bindText(0, message.id);
    insert.bindInteger(1, message.timeMs);
    insert.bindText(2, message.topic);
    insert.bindText(3, message.title);
    insert.bindText(4, message.message);
    insert.bindInteger(5, message.priority);
    insert.bindText(6, message.tags.join(QLatin1Char(',')));
    insert.bindText(7, message.click);
    insert.bindText(8, QString::fromUtf8(message.extrasJson()));
    insert.bindInteger(9, message.expiresMs);
    insert.bindInteger(10, message.delivered ? 1 : 0);
}

void setError(QString *errorMessage, const QString &text)
{
    if (errorMessage)
        *errorMessage = text;
}

QString placeholders(qsizetype count)
{
    QStringList marks;
    for (qsizetype i = 0; i < count; ++i)
        marks.append(QStringLiteral("?"));
    return marks.join(QLatin1Char(','));
}
} // namespace

MessageStore::MessageStore() : m_connectionName(nextConnectionName()) {}

MessageStore::~MessageStore()
{
    close();
}

const QString MessageStore::WakeUpChannel = QStringLiteral("traybeat_messages");
const QString MessageStore::ScheduledPayload = QStringLiteral("scheduled");

bool MessageStore::open(const QString &filePath, QString *errorMessage)
{
    return open(DatabaseLocation::sqlite(filePath), errorMessage);
}

bool MessageStore::open(const DatabaseLocation &location, QString *errorMessage)
{
    close();
    m_location = location;
    const bool opened =
        location.isPostgres() ? openPostgres(errorMessage) : openSqlite(errorMessage);
    if (!opened || !prepareStatements(errorMessage)) {
        close();
        return false;
    }
    return true;
}

bool MessageStore::openSqlite(QString *errorMessage)
{
    const QString filePath = m_location.filePath;
    // 0600 before SQLite creates it: its -wal and -shm files take the database's mode.
    if (!filePath.isEmpty() && !PrivatePath::prepareDatabase(filePath, errorMessage))
        return false;
    m_database = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
    m_database.setDatabaseName(filePath.isEmpty() ? QStringLiteral(":memory:") : filePath);
    if (!m_database.open()) {
        setError(errorMessage, QCoreApplication::translate("traybeat::MessageStore",
                                                           "cannot open database %1: %2")
                                   .arg(filePath, m_database.lastError().text()));
        return false;
    }
    // WAL + NORMAL: a commit is one append to the log, no fsync; a crash of the process loses
    // nothing committed, a power cut at worst the last moments. busy_timeout guards against a
    // second process (a stray old server) holding the file. Message ids are random, so each
    // stored message dirties its own page of the id index: a checkpoint every 8,000 WAL pages
    // instead of 1,000 copies each of those pages back once per several batches instead of
    // once per batch; the WAL file (~40 MB at its peak) is cut back to 4 MB when it is reused
    // after a checkpoint. (A 16 MB page cache saved index reads too, but it stays in RSS after
    // a burst: tst_hostileclients nonReadingSubscribersAreCut.)
    QStringList statements{QStringLiteral("PRAGMA busy_timeout = 5000"),
                           QStringLiteral("PRAGMA synchronous = NORMAL"),
                           QStringLiteral("PRAGMA wal_autocheckpoint = 8000"),
                           QStringLiteral("PRAGMA journal_size_limit = 4194304")};
    if (!filePath.isEmpty())
        statements.prepend(QStringLiteral("PRAGMA journal_mode = WAL"));
    for (const QString &statement : sqliteSchema)
        statements.append(statement);
    for (const QString &statement : std::as_const(statements)) {
        if (!execute(statement, errorMessage)) {
            if (errorMessage)
                *errorMessage = QCoreApplication::translate("traybeat::MessageStore",
                                                            "cannot use database %1: %2")
                                    .arg(filePath, *errorMessage);
            return false;
        }
    }
    if (!migrate(errorMessage)) {
        if (errorMessage)
            *errorMessage = QCoreApplication::translate("traybeat::MessageStore",
                                                        "cannot upgrade database %1: %2")
                                .arg(filePath, *errorMessage);
        return false;
    }
    return true;
}

bool MessageStore::openPostgres(QString *errorMessage)
{
    const QString name = m_location.displayName();
    if (!m_location.openPostgres(&m_database, m_connectionName, errorMessage))
        return false;
    // Two instances starting at once would race on CREATE TABLE IF NOT EXISTS; the lock that
    // orders publishes orders this too. libpq would print its "already exists" notices.
    QString error;
    bool created = execute(QStringLiteral("SET client_min_messages TO warning"), &error) &&
                   beginTransaction(&error) && lockPublishOrder(&error);
    for (const QString &statement : postgresSchema)
        created = created && execute(statement, &error);
    if (created)
        created = commitTransaction(&error);
    else
        rollBack(&error, error);
    if (!created) {
        setError(errorMessage,
                 QCoreApplication::translate("traybeat::MessageStore", "cannot use database %1: %2")
                     .arg(name, error));
        return false;
    }
    return true;
}

bool MessageStore::prepareStatements(QString *errorMessage)
{
    m_sequenceOf = QSqlQuery(m_database);
    m_prune = QSqlQuery(m_database);
    // PostgreSQL inserts a batch as one statement of literals (insertShared).
    QString reason;
    const bool prepared =
        (isShared()
         || m_insert.prepare(m_database,
                             QStringLiteral("INSERT INTO messages (%1) VALUES (?,?,?,?,?,?,?,?,?,?,?)")
                                 .arg(QLatin1String(insertColumns)),
                             &reason)) &&
        m_sequenceOf.prepare(QStringLiteral("SELECT seq FROM messages WHERE id = ?")) &&
        m_prune.prepare(QStringLiteral("DELETE FROM messages WHERE time_ms < ? AND delivered = 1"));
    if (!prepared) {
        setError(errorMessage, QCoreApplication::translate("traybeat::MessageStore",
                                                           "cannot prepare statements on %1: %2")
                                   .arg(m_location.displayName(),
                                        reason.isEmpty() ? m_database.lastError().text() : reason));
        return false;
    }
    m_sequenceOf.setForwardOnly(true);
    return true;
}

void MessageStore::close()
{
    // Queries first: removeDatabase warns (and leaks) while a query still uses the connection.
    m_insert.finalize();
    m_sequenceOf = QSqlQuery();
    m_prune = QSqlQuery();
    if (m_database.isValid()) {
        m_database.close();
        m_database = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_connectionName);
    }
}

bool MessageStore::isOpen() const
{
    return m_database.isOpen();
}

QSqlDriver *MessageStore::driver() const
{
    return m_database.isOpen() ? m_database.driver() : nullptr;
}

bool MessageStore::isReachable()
{
    if (!isOpen())
        return false;
    QSqlQuery query(m_database);
    return query.exec(QStringLiteral("SELECT 1")) && query.next();
}

bool MessageStore::lockPublishOrder(QString *errorMessage)
{
    // Held to the end of the transaction: a second instance's publish waits here, and so takes
    // its sequence numbers only after ours are committed. A reader can therefore never see a
    // number while a smaller one is still to commit.
    return !isShared() || execute(QLatin1String(lockPublishOrderStatement), errorMessage);
}

bool MessageStore::execute(const QString &statement, QString *errorMessage)
{
    QSqlQuery query(m_database);
    if (query.exec(statement))
        return true;
    if (errorMessage)
        *errorMessage = query.lastError().text();
    return false;
}

bool MessageStore::beginTransaction(QString *errorMessage)
{
    if (m_database.transaction())
        return true;
    setError(errorMessage, m_database.lastError().text());
    return false;
}

bool MessageStore::commitTransaction(QString *errorMessage)
{
    if (m_database.commit())
        return true;
    return rollBack(errorMessage, m_database.lastError().text());
}

bool MessageStore::rollBack(QString *errorMessage, const QString &error)
{
    setError(errorMessage, error);
    m_database.rollback();
    return false;
}

bool MessageStore::insert(const QList<PushMessage> &messages, QString *errorMessage)
{
    if (!isOpen()) {
        if (errorMessage)
            *errorMessage = QStringLiteral("database is not open");
        return false;
    }
    if (isShared())
        return insertShared(messages, errorMessage);
    if (!beginTransaction(errorMessage))
        return false;
    for (const PushMessage &message : messages) {
        bindRow(m_insert, message);
        QString error;
        if (!m_insert.exec(&error))
            return rollBack(errorMessage, error);
    }
    return commitTransaction(errorMessage);
}

QString MessageStore::sqlLiteral(const QVariant &value) const
{
    // A null string is NULL, as QPSQL binds it.
    if (value.typeId() == QMetaType::QString && value.toString().isNull())
        return QStringLiteral("NULL");
    QSqlField field(QString(), value.metaType());
    field.setValue(value);
    return m_database.driver()->formatValue(field);
}

bool MessageStore::insertShared(const QList<PushMessage> &messages, QString *errorMessage)
{
    if (messages.isEmpty())
        return true;
    // One round trip for the whole batch: a query string of several statements is one
    // implicit transaction, committed after the last one, so the publish-order lock is held
    // only while PostgreSQL itself runs the INSERT and the commit, never across a round trip.
    // The values are written into the text by the driver's own quoting, exactly as QPSQL
    // does for every prepared statement it executes ("EXECUTE name ('…', …)").
    QStringList rows;
    rows.reserve(messages.size());
    for (const PushMessage &message : messages) {
        QStringList literals;
        for (const QVariant &value : rowValues(message))
            literals.append(sqlLiteral(value));
        rows.append(QLatin1Char('(') + literals.join(QLatin1Char(',')) + QLatin1Char(')'));
    }
    // A waiting scheduled message tells the other instances to look at their delivery timer.
    const bool anyScheduled = std::any_of(messages.cbegin(), messages.cend(),
                                          [](const PushMessage &m) { return !m.delivered; });
    const QString statements[] = {
        QLatin1String(lockPublishOrderStatement),
        QStringLiteral("INSERT INTO messages (%1) VALUES %2")
            .arg(QLatin1String(insertColumns), rows.join(QLatin1Char(','))),
        // Sent by PostgreSQL at the commit, only if it succeeds; many per moment arrive as one.
        QStringLiteral("NOTIFY %1%2").arg(WakeUpChannel,
                                          anyScheduled ? QStringLiteral(", '%1'").arg(ScheduledPayload)
                                                       : QString()),
    };
    return executeAsOneTransaction(statements, errorMessage);
}

bool MessageStore::executeAsOneTransaction(const QString (&statements)[3], QString *errorMessage)
{
    QStringList all(std::begin(statements), std::end(statements));
    QSqlQuery query(m_database);
    // QPSQL answers with the first statement's result and keeps the others for nextResult();
    // an error in a later one only shows there, so every result is looked at.
    bool succeeded = query.exec(all.join(QStringLiteral("; ")));
    for (qsizetype i = 1; succeeded && i < all.size(); ++i)
        succeeded = query.nextResult();
    if (!succeeded)
        setError(errorMessage, query.lastError().text());
    return succeeded;
}

bool MessageStore::migrate(QString *errorMessage)
{
    // Told by the table's columns, not by PRAGMA user_version: the file may have been made by
    // another program that uses the version for its own schema.
    QSqlQuery columns(m_database);
    if (!columns.exec(QStringLiteral("PRAGMA table_info(messages)"))) {
        setError(errorMessage, columns.lastError().text());
        return false;
    }
    while (columns.next()) {
        if (columns.value(1).toString() == QLatin1String("delivered"))
            return true;
    }
    columns.finish();
    // All or nothing: a failed step leaves the file as it was.
    if (!beginTransaction(errorMessage))
        return false;
    for (const QString &statement : migrationTo1) {
        QString error;
        if (!execute(statement, &error))
            return rollBack(errorMessage, error);
    }
    return commitTransaction(errorMessage);
}

std::optional<qint64> MessageStore::sequenceOf(const QString &id)
{
    m_sequenceOf.bindValue(0, id);
    if (!m_sequenceOf.exec() || !m_sequenceOf.next()) {
        m_sequenceOf.finish();
        return std::nullopt;
    }
    const qint64 sequence = m_sequenceOf.value(0).toLongLong();
    m_sequenceOf.finish();
    return sequence;
}

std::optional<qint64> MessageStore::latestSequence(const QStringList &topics)
{
    QSqlQuery query(m_database);
    query.setForwardOnly(true);
    query.prepare(QStringLiteral("SELECT MAX(seq) FROM messages WHERE delivered = 1"
                                 " AND topic IN (%1)")
                      .arg(placeholders(topics.size())));
    for (const QString &topic : topics)
        query.addBindValue(topic);
    if (!query.exec() || !query.next() || query.value(0).isNull())
        return std::nullopt;
    return query.value(0).toLongLong();
}

MessageStore::Cursor MessageStore::cursor(const QStringList &topics, const SinceFilter &since,
                                          qint64 notBeforeMs, bool withScheduled)
{
    Cursor cursor;
    cursor.topics = topics;
    cursor.notBeforeMs = notBeforeMs;
    cursor.withScheduled = withScheduled;
    if (!isOpen() || topics.isEmpty() || since.kind == SinceFilter::Kind::None) {
        cursor.atEnd = true;
        cursor.failed = !isOpen();
        return cursor;
    }
    if (since.kind == SinceFilter::Kind::AfterId)
        cursor.afterSequence = sequenceOf(since.id).value_or(0);
    if (since.kind == SinceFilter::Kind::NotBefore)
        cursor.notBeforeMs = qMax(notBeforeMs, since.notBeforeMs);
    if (since.kind == SinceFilter::Kind::Latest) {
        // The newest delivered message and nothing before it; none at all on an empty topic.
        const auto latest = latestSequence(topics);
        cursor.afterSequence = latest ? *latest - 1 : 0;
        cursor.atEnd = !latest && !withScheduled;
    }
    return cursor;
}

QList<PushMessage> MessageStore::nextPage(Cursor *cursor, int limit)
{
    QList<PushMessage> result;
    if (!isOpen() || cursor->atEnd)
        return result;
    QSqlQuery query(m_database);
    query.setForwardOnly(true);
    query.prepare(QStringLiteral("%1 WHERE seq > ? AND seq <= ? AND time_ms >= ? AND topic IN (%2)"
                                 " AND (delivered = 1 OR ? = 1) ORDER BY seq LIMIT ?")
                      .arg(QLatin1String(selectColumns), placeholders(cursor->topics.size())));
    query.addBindValue(cursor->afterSequence);
    query.addBindValue(cursor->upToSequence);
    query.addBindValue(cursor->notBeforeMs);
    for (const QString &topic : std::as_const(cursor->topics))
        query.addBindValue(topic);
    query.addBindValue(cursor->withScheduled ? 1 : 0);
    query.addBindValue(limit);
    if (!query.exec()) {
        qCWarning(lcServer) << "cannot read cached messages:" << query.lastError().text();
        cursor->atEnd = true;
        cursor->failed = true;
        return result;
    }
    int rows = 0;
    while (query.next()) {
        ++rows;
        cursor->afterSequence = query.value(11).toLongLong();
        result.append(messageFromRow(query));
    }
    cursor->atEnd = rows < limit;
    return result;
}

QList<PushMessage> MessageStore::messages(const QStringList &topics, const SinceFilter &since,
                                          qint64 notBeforeMs)
{
    Cursor position = cursor(topics, since, notBeforeMs);
    QList<PushMessage> result;
    while (!position.atEnd)
        result += nextPage(&position, 1000);
    return result;
}

int MessageStore::prune(qint64 beforeMs)
{
    if (!isOpen())
        return 0;
    m_prune.bindValue(0, beforeMs);
    if (!m_prune.exec()) {
        qCWarning(lcServer) << "cannot prune expired messages:" << m_prune.lastError().text();
        return 0;
    }
    const int removed = m_prune.numRowsAffected();
    m_prune.finish();
    return removed;
}

std::optional<qint64> MessageStore::nextDueMs()
{
    QSqlQuery query(m_database);
    if (!query.exec(QStringLiteral("SELECT MIN(time_ms) FROM messages WHERE delivered = 0")) ||
        !query.next() || query.value(0).isNull())
        return std::nullopt;
    return query.value(0).toLongLong();
}

QList<PushMessage> MessageStore::selectDue(qint64 nowMs, int limit, QString *errorMessage)
{
    QList<PushMessage> due;
    QSqlQuery select(m_database);
    select.setForwardOnly(true);
    // FOR UPDATE: another instance's delivery waits for ours (it already waits on the lock).
    select.prepare(QStringLiteral("%1 WHERE delivered = 0 AND time_ms <= ? ORDER BY time_ms, seq"
                                  " LIMIT ?%2")
                       .arg(QLatin1String(selectColumns),
                            isShared() ? QLatin1String(" FOR UPDATE") : QLatin1String()));
    select.addBindValue(nowMs);
    select.addBindValue(limit);
    if (!select.exec()) {
        setError(errorMessage, select.lastError().text());
        return due;
    }
    while (select.next())
        due.append(messageFromRow(select));
    return due;
}

QList<PushMessage> MessageStore::deliverDue(qint64 nowMs, int limit, QString *errorMessage)
{
    if (!isOpen()) {
        setError(errorMessage, QStringLiteral("database is not open"));
        return {};
    }
    // One transaction for reading and marking: on a shared store another instance delivering
    // at the same moment waits on the lock and then finds these delivered — never twice.
    QString error;
    if (!beginTransaction(errorMessage))
        return {};
    if (!lockPublishOrder(&error)) {
        rollBack(errorMessage, error);
        return {};
    }
    QList<PushMessage> due = selectDue(nowMs, limit, &error);
    if (!error.isEmpty()) {
        rollBack(errorMessage, error);
        return {};
    }
    if (due.isEmpty()) {
        m_database.rollback();
        return due;
    }
    // Delivered messages take the next place in publish order, so that a subscriber resuming
    // after an id published before this delivery still gets them.
    QSqlQuery update(m_database);
    update.prepare(isShared()
                       ? QStringLiteral("UPDATE messages SET delivered = 1,"
                                        " seq = nextval(pg_get_serial_sequence('messages', 'seq'))"
                                        " WHERE id = ? AND delivered = 0")
                       : QStringLiteral("UPDATE messages SET delivered = 1,"
                                        " seq = (SELECT MAX(seq) FROM messages) + 1 WHERE id = ?"));
    for (PushMessage &message : due) {
        update.bindValue(0, message.id);
        if (!update.exec()) {
            rollBack(errorMessage, update.lastError().text());
            return {};
        }
        message.delivered = true;
    }
    if (isShared() && !execute(QStringLiteral("NOTIFY ") + WakeUpChannel, &error)) {
        rollBack(errorMessage, error);
        return {};
    }
    if (!commitTransaction(errorMessage))
        return {};
    return due;
}

int MessageStore::count()
{
    QSqlQuery query(m_database);
    if (!query.exec(QStringLiteral("SELECT COUNT(*) FROM messages")) || !query.next())
        return 0;
    return query.value(0).toInt();
}

qint64 MessageStore::lastSequence()
{
    QSqlQuery query(m_database);
    if (!query.exec(QStringLiteral("SELECT MAX(seq) FROM messages WHERE delivered = 1")) ||
        !query.next())
        return 0;
    return query.value(0).toLongLong();
}

std::optional<QList<PushMessage>> MessageStore::newMessages(qint64 *position, int limit)
{
    if (!isOpen())
        return std::nullopt;
    QList<PushMessage> result;
    // Scheduled rows still waiting are passed over here, not in the WHERE: "delivered = 1" made
    // PostgreSQL, whose statistics lag behind a growing table, scan the whole table instead of
    // the primary key. Passing over one is safe: delivered, it takes a new, higher number.
    for (;;) {
        const int wanted = limit - int(result.size());
        // Run after every commit: one round trip, not three (QPSQL prepares a bound
        // statement with PREPARE and drops it with DEALLOCATE); the values are numbers.
        QSqlQuery query(m_database);
        if (!query.exec(QStringLiteral("%1 WHERE seq > %2 ORDER BY seq LIMIT %3")
                            .arg(QLatin1String(selectColumns))
                            .arg(*position)
                            .arg(wanted))) {
            qCWarning(lcServer) << "cannot read new messages:" << query.lastError().text();
            return std::nullopt;
        }
        int rows = 0;
        while (query.next()) {
            ++rows;
            *position = query.value(11).toLongLong();
            PushMessage message = messageFromRow(query);
            if (message.delivered)
                result.append(std::move(message));
        }
        if (rows < wanted || result.size() >= limit)
            return result;
    }
}

} // namespace traybeat
