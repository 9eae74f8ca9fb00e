#include "messagestore.h"

#include "logging.h"
#include "privatepath.h"

#include <QAtomicInteger>
#include <QCoreApplication>
#include <QFileInfo>
#include <QSqlError>
#include <QVariant>

namespace traybeat {

namespace {
QString nextConnectionName()
{
    // Qt SQL keys connections by name process-wide: two servers (or a server restarted in a
    // test) must never share one.
    static QAtomicInteger<quint64> counter;
    return QStringLiteral("traybeat-pushserver-%1").arg(counter.fetchAndAddRelaxed(1));
}

const QString schema[] = {
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
} // namespace

MessageStore::MessageStore() : m_connectionName(nextConnectionName()) {}

MessageStore::~MessageStore()
{
    close();
}

bool MessageStore::open(const QString &filePath, QString *errorMessage)
{
    close();
    // 0600 before SQLite creates it: its -wal and -shm files take the database's mode.
    if (!filePath.isEmpty() && !PrivatePath::prepareDatabase(filePath, errorMessage))
        return false;
    m_database = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
    m_database.setDatabaseName(filePath.isEmpty() ? QStringLiteral(":memory:") : filePath);
    if (!m_database.open()) {
        if (errorMessage)
            *errorMessage =
                QCoreApplication::translate("traybeat::MessageStore", "cannot open database %1: %2")
                    .arg(filePath, m_database.lastError().text());
        close();
        return false;
    }
    // WAL + NORMAL: a commit is one append to the log, no fsync; a crash of the process loses
    // nothing committed, a power cut at worst the last moments. busy_timeout guards against a
    // second process (a stray old server) holding the file.
    QStringList statements{QStringLiteral("PRAGMA busy_timeout = 5000"),
                           QStringLiteral("PRAGMA synchronous = NORMAL")};
    if (!filePath.isEmpty())
        statements.prepend(QStringLiteral("PRAGMA journal_mode = WAL"));
    for (const QString &statement : schema)
        statements.append(statement);
    for (const QString &statement : std::as_const(statements)) {
        if (!execute(statement, errorMessage)) {
            if (errorMessage)
                *errorMessage = QCoreApplication::translate("traybeat::MessageStore",
                                                            "cannot use database %1: %2")
                                    .arg(filePath, *errorMessage);
            close();
            return false;
        }
    }
    m_insert = QSqlQuery(m_database);
    m_sequenceOf = QSqlQuery(m_database);
    m_prune = QSqlQuery(m_database);
    const bool prepared =
        m_insert.prepare(QStringLiteral(
            "INSERT INTO messages (id, time_ms, topic, title, message, priority, tags, click)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) &&
        m_sequenceOf.prepare(QStringLiteral("SELECT seq FROM messages WHERE id = ?")) &&
        m_prune.prepare(QStringLiteral("DELETE FROM messages WHERE time_ms < ?"));
    if (!prepared) {
        if (errorMessage)
            *errorMessage = QCoreApplication::translate("traybeat::MessageStore",
                                                        "cannot prepare statements on %1: %2")
                                .arg(filePath, m_database.lastError().text());
        close();
        return false;
    }
    m_sequenceOf.setForwardOnly(true);
    return true;
}

void MessageStore::close()
{
    // Queries first: removeDatabase warns (and leaks) while a query still uses the connection.
    m_insert = QSqlQuery();
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

bool MessageStore::execute(const QString &statement, QString *errorMessage)
{
    QSqlQuery query(m_database);
    if (query.exec(statement))
        return true;
    if (errorMessage)
        *errorMessage = query.lastError().text();
    return false;
}

bool MessageStore::insert(const QList<PushMessage> &messages, QString *errorMessage)
{
    if (!isOpen()) {
        if (errorMessage)
            *errorMessage = QStringLiteral("database is not open");
        return false;
    }
    if (!m_database.transaction()) {
        if (errorMessage)
            *errorMessage = m_database.lastError().text();
        return false;
    }
    for (const PushMessage &message : messages) {
        m_insert.bindValue(0, message.id);
        m_insert.bindValue(1, message.timeMs);
        m_insert.bindValue(2, message.topic);
        m_insert.bindValue(3, message.title);
        m_insert.bindValue(4, message.message);
        m_insert.bindValue(5, message.priority);
        m_insert.bindValue(6, message.tags.join(QLatin1Char(',')));
        m_insert.bindValue(7, message.click);
        if (!m_insert.exec()) {
            if (errorMessage)
                *errorMessage = m_insert.lastError().text();
            m_database.rollback();
            return false;
        }
    }
    if (!m_database.commit()) {
        if (errorMessage)
            *errorMessage = m_database.lastError().text();
        m_database.rollback();
        return false;
    }
    return true;
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

MessageStore::Cursor MessageStore::cursor(const QStringList &topics, const SinceFilter &since,
                                          qint64 notBeforeMs)
{
    Cursor cursor;
    cursor.topics = topics;
    cursor.notBeforeMs = notBeforeMs;
    if (!isOpen() || topics.isEmpty() || since.kind == SinceFilter::Kind::None) {
        cursor.atEnd = true;
        return cursor;
    }
    if (since.kind == SinceFilter::Kind::AfterId)
        cursor.afterSequence = sequenceOf(since.id).value_or(0);
    if (since.kind == SinceFilter::Kind::NotBefore)
        cursor.notBeforeMs = qMax(notBeforeMs, since.notBeforeMs);
    return cursor;
}

QList<PushMessage> MessageStore::nextPage(Cursor *cursor, int limit)
{
    QList<PushMessage> result;
    if (!isOpen() || cursor->atEnd)
        return result;
    QStringList placeholders;
    for (qsizetype i = 0; i < cursor->topics.size(); ++i)
        placeholders.append(QStringLiteral("?"));
    QSqlQuery query(m_database);
    query.setForwardOnly(true);
    query.prepare(QStringLiteral("SELECT id, time_ms, topic, title, message, priority, tags, click,"
                                 " seq FROM messages WHERE seq > ? AND time_ms >= ?"
                                 " AND topic IN (%1) ORDER BY seq LIMIT ?")
                      .arg(placeholders.join(QLatin1Char(','))));
    query.addBindValue(cursor->afterSequence);
    query.addBindValue(cursor->notBeforeMs);
    for (const QString &topic : std::as_const(cursor->topics))
        query.addBindValue(topic);
    query.addBindValue(limit);
    if (!query.exec()) {
        qCWarning(lcServer) << "cannot read cached messages:" << query.lastError().text();
        cursor->atEnd = true;
        return result;
    }
    while (query.next()) {
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
        cursor->afterSequence = query.value(8).toLongLong();
        result.append(message);
    }
    cursor->atEnd = result.size() < limit;
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

int MessageStore::count()
{
    QSqlQuery query(m_database);
    if (!query.exec(QStringLiteral("SELECT COUNT(*) FROM messages")) || !query.next())
        return 0;
    return query.value(0).toInt();
}

} // namespace traybeat
