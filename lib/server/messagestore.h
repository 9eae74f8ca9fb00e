#pragma once

#include "databaselocation.h"
#include "pushmessage.h"
#include "sincefilter.h"
#include "sqlitestatement.h"

#include <QList>
#include <QSqlDatabase>
#include <QSqlDriver>
#include <QSqlQuery>
#include <QString>
#include <limits>
#include <optional>

namespace traybeat {

// The push server's message cache: stores published messages in publish order, answers "what
// after X for these topics", and forgets what is older than the cache duration. One class, two
// backends through Qt SQL, the same statements but where the dialects differ:
// - an SQLite file (WAL, synchronous=NORMAL), one server instance;
// - a PostgreSQL database (QPSQL) that several instances share. There the table is the truth:
//   every publishing transaction takes one advisory lock, so sequence numbers commit in their
//   order and "everything after my position" is complete (see docs/design.md, "Several
//   instances"), and NOTIFYs the others, who read what is new (newMessages()).
// Not a QObject: the server drives it from its own event loop, one transaction per batch of
// publishes.
class MessageStore final
{
    Q_DISABLE_COPY_MOVE(MessageStore)
public:
    MessageStore();
    ~MessageStore();

    // Opens (creating if needed) `filePath`; an empty path means a private in-memory database.
    bool open(const QString &filePath, QString *errorMessage = nullptr);
    // Opens either backend, creating the table if needed.
    bool open(const DatabaseLocation &location, QString *errorMessage = nullptr);
    void close();
    bool isOpen() const;
    // PostgreSQL: other instances may write the same table (and wake us up, see driver()).
    bool isShared() const { return m_location.isPostgres(); }
    const DatabaseLocation &location() const { return m_location; }
    // The connection's driver, for its notifications (WakeUpChannel); null when closed.
    QSqlDriver *driver() const;
    static const QString WakeUpChannel;
    // The notification's payload when the batch holds a scheduled message (the others' delivery
    // timers may have to move earlier); other notifications carry none.
    static const QString ScheduledPayload;
    // Asks the database whether the connection still works (one round trip).
    bool isReachable();

    // All or nothing, in one transaction: when this returns true every message is durable.
    bool insert(const QList<PushMessage> &messages, QString *errorMessage = nullptr);

    // Messages on any of `topics` selected by `since`, oldest first, none published before
    // `notBeforeMs` (the cache horizon). An unknown id in `since` selects everything cached:
    // better a duplicate, which the client drops, than a loss.
    QList<PushMessage> messages(const QStringList &topics, const SinceFilter &since,
                                qint64 notBeforeMs);

    // The same selection read a page at a time, so that memory does not grow with the topic:
    // cursor() resolves `since` once, nextPage() returns up to `limit` messages after the last
    // one returned and sets `atEnd` when there are no more (right now).
    struct Cursor
    {
        QStringList topics;
        qint64 afterSequence = 0;
        qint64 notBeforeMs = 0;
        bool withScheduled = false; // scheduled=1: messages not yet delivered too
        // Nothing after this: a shared store's catch-up stops where live delivery starts.
        qint64 upToSequence = std::numeric_limits<qint64>::max();
        bool atEnd = false;
        bool failed = false; // the database could not be read: atEnd is not the end
    };
    Cursor cursor(const QStringList &topics, const SinceFilter &since, qint64 notBeforeMs,
                  bool withScheduled = false);
    QList<PushMessage> nextPage(Cursor *cursor, int limit);

    // Deletes the messages published before `beforeMs`; returns how many went.
    int prune(qint64 beforeMs);

    // Scheduled delivery: the earliest time a message waits for (nullopt: none waits), and
    // marking up to `limit` messages due at `nowMs` delivered, returned in delivery order. A
    // delivered message moves to the end of the publish order. Empty + error on failure.
    std::optional<qint64> nextDueMs();
    QList<PushMessage> deliverDue(qint64 nowMs, int limit, QString *errorMessage = nullptr);

    int count();

    // The newest delivered message's sequence number (0: none): where reading new ones starts.
    qint64 lastSequence();
    // Delivered messages on any topic after `*position`, oldest first, at most `limit`;
    // `*position` moves past the last row read (a scheduled message still waiting is passed
    // over: it gets a new number when delivered). nullopt when the database cannot be read.
    std::optional<QList<PushMessage>> newMessages(qint64 *position, int limit);

private:
    bool openSqlite(QString *errorMessage);
    bool openPostgres(QString *errorMessage);
    bool prepareStatements(QString *errorMessage);
    bool execute(const QString &statement, QString *errorMessage);
    // The shared store's insert: lock, INSERT of every row and NOTIFY in one round trip.
    bool insertShared(const QList<PushMessage> &messages, QString *errorMessage);
    bool executeAsOneTransaction(const QString (&statements)[3], QString *errorMessage);
    // `value` quoted by the driver for the text of a statement.
    QString sqlLiteral(const QVariant &value) const;
    // Shared store: taken first in every transaction that gives out sequence numbers.
    bool lockPublishOrder(QString *errorMessage);
    QList<PushMessage> selectDue(qint64 nowMs, int limit, QString *errorMessage);
    // Brings a database of an older schema to the current one (adds the columns it lacks).
    bool migrate(QString *errorMessage);
    bool beginTransaction(QString *errorMessage);
    bool commitTransaction(QString *errorMessage);              // rolls back when the commit fails
    bool rollBack(QString *errorMessage, const QString &error); // always false

    std::optional<qint64> latestSequence(const QStringList &topics);
    std::optional<qint64> sequenceOf(const QString &id);

    QString m_connectionName;
    DatabaseLocation m_location;
    QSqlDatabase m_database;
    SqliteStatement m_insert; // SQLite only: run once per message (sqlitestatement.h)
    QSqlQuery m_sequenceOf;
    QSqlQuery m_prune;
};

} // namespace traybeat
