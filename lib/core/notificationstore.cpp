#include "notificationstore.h"

#include "sqlitestatement.h"

#include "logging.h"
#include "privatepath.h"

#include <QAtomicInteger>
#include <QDir>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <algorithm>
#include <vector>

namespace traybeat {

namespace {

// Bump when the schema changes, and append the step that brings version N-1 to N to
// `migrationSteps()`. PRAGMA user_version records how far a file has come.
constexpr int SchemaVersion = 3;

// Each entry upgrades the schema by one version; entry 0 creates version 1 from nothing.
// received_seq is the rowid: the order in which this client stored messages. "Newest" means
// that, never the server's `time` (server clocks lie). `search` holds topic, title, body and
// tags case-folded once at insert, so the text filter is a plain, Unicode-correct substring test
// (SQLite's own LIKE folds ASCII only, and would need %/_ escaping).
const QList<QStringList> &migrationSteps()
{
    static const QList<QStringList> steps = {
        {
            QStringLiteral("CREATE TABLE notifications ("
                           " received_seq INTEGER PRIMARY KEY,"
                           " subscription TEXT NOT NULL,"
                           " id TEXT,"
                           " topic TEXT NOT NULL DEFAULT '',"
                           " title TEXT NOT NULL DEFAULT '',"
                           " body TEXT NOT NULL DEFAULT '',"
                           " priority INTEGER NOT NULL DEFAULT 3,"
                           " tags TEXT NOT NULL DEFAULT '',"
                           " url TEXT NOT NULL DEFAULT '',"
                           " time INTEGER,"
                           " read INTEGER NOT NULL DEFAULT 0,"
                           " search TEXT NOT NULL DEFAULT '',"
                           " UNIQUE(subscription, id))"),
            QStringLiteral("CREATE TABLE cursors ("
                           " subscription TEXT PRIMARY KEY NOT NULL,"
                           " id TEXT NOT NULL)"),
            // Newest-first paging of one subscription without a sort step.
            QStringLiteral("CREATE INDEX notifications_by_subscription"
                           " ON notifications(subscription, received_seq)"),
            // Unread counts and unread-only paging touch only unread rows; most rows are read.
            QStringLiteral("CREATE INDEX notifications_unread"
                           " ON notifications(subscription, received_seq) WHERE read = 0"),
        },
        // Version 2: what a message carries beyond its text (actions, attachment, icon, content
        // type) as one JSON object in ntfy's field names; '' for none, as for every older row.
        {
            QStringLiteral("ALTER TABLE notifications ADD COLUMN extras TEXT NOT NULL DEFAULT ''"),
        },
        // Version 3: the search text also holds the tags, as searchText() writes them. The
        // stored JSON array ["a","b"] becomes "a b"; SQLite's lower() folds ASCII only, and
        // tags are short codes in ASCII nearly always (a row stored from now on is folded
        // fully).
        {
            QStringLiteral("UPDATE notifications SET search = search || char(31) ||"
                           " lower(replace(replace(replace(replace(tags, '[\"', ''),"
                           " '\"]', ''), '\",\"', ' '), '\\\"', '\"'))"
                           " WHERE tags != ''"),
        },
    };
    return steps;
}

// The extras column: ntfy's own JSON shapes, so a row reads back as the server sent it.
QString extrasText(const Notification &n)
{
    if (n.actions.isEmpty() && n.attachment.isEmpty() && n.icon.isEmpty() &&
        n.contentType.isEmpty())
        return QStringLiteral(""); // the common case: no JSON round trip
    QJsonObject extras;
    if (!n.actions.isEmpty())
        extras.insert(QStringLiteral("actions"), NotificationAction::listToJson(n.actions));
    if (!n.attachment.isEmpty())
        extras.insert(QStringLiteral("attachment"), n.attachment.toJson());
    if (!n.icon.isEmpty())
        extras.insert(QStringLiteral("icon"), n.icon.toString(QUrl::FullyEncoded));
    if (!n.contentType.isEmpty())
        extras.insert(QStringLiteral("content_type"), n.contentType);
    return QString::fromUtf8(QJsonDocument(extras).toJson(QJsonDocument::Compact));
}

void readExtrasText(const QString &text, Notification *n)
{
    if (text.isEmpty())
        return;
    const QJsonObject extras = QJsonDocument::fromJson(text.toUtf8()).object();
    n->actions =
        NotificationAction::listFromJson(extras.value(QLatin1String("actions")).toArray(), nullptr);
    if (auto attachment = NotificationAttachment::fromJson(
            extras.value(QLatin1String("attachment")).toObject(), nullptr))
        n->attachment = *attachment;
    n->icon = QUrl(extras.value(QLatin1String("icon")).toString());
    n->contentType = extras.value(QLatin1String("content_type")).toString();
}

// Column list shared by every query that builds a Notification (see `fromRow`).
const QString &selectColumns()
{
    static const QString columns = QStringLiteral(
        "SELECT subscription, id, topic, title, body, priority, tags, url, time, read,"
        " extras FROM notifications");
    return columns;
}

Notification fromRow(const QSqlQuery &query)
{
    Notification n;
    n.subscription = query.value(0).toString();
    n.id = query.value(1).toString();
    n.topic = query.value(2).toString();
    n.title = query.value(3).toString();
    n.body = query.value(4).toString();
    n.priority = query.value(5).toInt();
    const QString tags = query.value(6).toString();
    if (!tags.isEmpty()) {
        const QJsonArray array = QJsonDocument::fromJson(tags.toUtf8()).array();
        n.tags.reserve(array.size());
        for (const QJsonValue &tag : array)
            n.tags.append(tag.toString());
    }
    const QString url = query.value(7).toString();
    if (!url.isEmpty())
        n.url = QUrl(url);
    const QVariant time = query.value(8);
    if (!time.isNull())
        n.time = QDateTime::fromMSecsSinceEpoch(time.toLongLong(), Qt::UTC);
    n.read = query.value(9).toBool();
    readExtrasText(query.value(10).toString(), &n);
    return n;
}

// QSQLITE binds a null QString as SQL NULL, which the NOT NULL text columns refuse.
QString nonNull(const QString &text)
{
    return text.isNull() ? QStringLiteral("") : text;
}

QString tagsText(const QStringList &tags)
{
    if (tags.isEmpty())
        return QStringLiteral(""); // the common case: no JSON round trip
    return QString::fromUtf8(
        QJsonDocument(QJsonArray::fromStringList(tags)).toJson(QJsonDocument::Compact));
}

// Case folding for the text filter, applied alike to stored text and to the query. ASCII is
// folded inline: QString::toCaseFolded() looks every character up in the Unicode tables and
// was a tenth of add()'s time.
QString folded(QString text)
{
    QChar *data = text.data();
    for (qsizetype i = 0, size = text.size(); i < size; ++i) {
        const char16_t c = data[i].unicode();
        if (c >= 0x80)
            return text.toCaseFolded(); // ASCII folded so far stays folded
        if (c >= u'A' && c <= u'Z')
            data[i] = QChar(char16_t(c + (u'a' - u'A')));
    }
    return text;
}

QString searchText(const Notification &n)
{
    // The unit separator keeps a match from spanning two fields.
    QString text;
    text.reserve(n.topic.size() + n.title.size() + n.body.size() + 3);
    text.append(n.topic).append(QChar(0x1f)).append(n.title).append(QChar(0x1f)).append(n.body);
    if (!n.tags.isEmpty())
        text.append(QChar(0x1f)).append(n.tags.join(QLatin1Char(' ')));
    return folded(std::move(text));
}

QString nextConnectionName()
{
    static QAtomicInteger<quint64> counter;
    return QStringLiteral("traybeat.store.%1").arg(counter.fetchAndAddRelaxed(1) + 1);
}

// SQLite's primary result codes, as QSQLITE reports them in nativeErrorCode().
bool isNotADatabase(const QSqlError &error)
{
    const QString code = error.nativeErrorCode();
    return code == QLatin1String("26") || code == QLatin1String("11"); // NOTADB, CORRUPT
}

} // namespace

// Binds `values` in order; a null QString (a default-constructed subscription name, say) is
// bound as '' so it matches what add() stored for it, never as an unmatchable NULL.
void bindAll(QSqlQuery *query, const QVariantList &values)
{
    for (int i = 0; i < values.size(); ++i) {
        const QVariant &value = values.at(i);
        const bool nullText = value.typeId() == QMetaType::QString && value.toString().isNull();
        query->bindValue(i, nullText ? QVariant(QStringLiteral("")) : value);
    }
}

// Binds `n` to the insert statement prepared in open(); the column order is that statement's.
void bindNotification(SqliteStatement &insert, const Notification &n)
{
    // A message without an id cannot be deduplicated; storing it with a NULL id keeps it
    // (UNIQUE lets NULLs repeat) instead of letting the first one swallow all the others.
    insert.bindText(0, nonNull(n.subscription));
    if (n.id.isEmpty())
        insert.bindNull(1);
    else
        insert.bindText(1, n.id);
    insert.bindText(2, nonNull(n.topic));
    insert.bindText(3, nonNull(n.title));
    insert.bindText(4, nonNull(n.body));
    insert.bindInteger(5, n.priority);
    insert.bindText(6, nonNull(tagsText(n.tags)));
    insert.bindText(7, nonNull(n.url.toString(QUrl::FullyEncoded)));
    if (n.time.isValid())
        insert.bindInteger(8, n.time.toMSecsSinceEpoch());
    else
        insert.bindNull(8);
    insert.bindInteger(9, n.read ? 1 : 0);
    insert.bindText(10, nonNull(searchText(n)));
    insert.bindText(11, nonNull(extrasText(n)));
}

struct NotificationStore::Private
{
    QString connectionName;
    QString filePath;
    QSqlDatabase db;
    // add() runs for every burst: its statements are prepared once per open(), the one run per
    // message through SQLite's own API.
    SqliteStatement insertNotification;
    QSqlQuery upsertCursor;
    // Other statements, prepared on first use and kept, keyed by their SQL.
    QHash<QString, QSqlQuery> cache;

    bool isOpen() const { return db.isValid() && db.isOpen(); }
    // Inside add()'s transaction: every message inserted (`isNew` marks those not stored
    // before), then the cursors advanced; false, logged, at the first failure.
    bool insertAll(const NotificationList &notifications, std::vector<bool> *isNew);
    QSqlQuery *prepared(const QString &sql);
    bool exec(QSqlQuery *query, const char *what);
    int scalar(const QString &sql, const QVariantList &values);
    int modify(const QString &sql, const QVariantList &values);
    bool configure(QString *error);
    bool migrate(QString *error);
    void close();
};

QSqlQuery *NotificationStore::Private::prepared(const QString &sql)
{
    auto it = cache.find(sql);
    if (it == cache.end()) {
        QSqlQuery query(db);
        query.setForwardOnly(true); // otherwise QSQLITE caches every row of a result
        if (!query.prepare(sql)) {
            qCWarning(lcStore) << "cannot prepare" << sql << query.lastError().text();
            return nullptr;
        }
        it = cache.insert(sql, query);
    }
    return &it.value();
}

bool NotificationStore::Private::exec(QSqlQuery *query, const char *what)
{
    if (query->exec())
        return true;
    qCWarning(lcStore) << what << "failed:" << query->lastError().text();
    query->finish();
    return false;
}

int NotificationStore::Private::scalar(const QString &sql, const QVariantList &values)
{
    QSqlQuery *query = prepared(sql);
    if (!query)
        return 0;
    bindAll(query, values);
    int result = 0;
    if (exec(query, "count") && query->next())
        result = query->value(0).toInt();
    query->finish(); // an open read statement would pin the WAL snapshot
    return result;
}

// Runs one UPDATE/DELETE; the number of rows it changed, or -1 on failure.
int NotificationStore::Private::modify(const QString &sql, const QVariantList &values)
{
    QSqlQuery *query = prepared(sql);
    if (!query)
        return -1;
    bindAll(query, values);
    if (!exec(query, "update"))
        return -1;
    const int rows = query->numRowsAffected();
    query->finish();
    return rows;
}

bool NotificationStore::Private::configure(QString *error)
{
    QSqlQuery query(db);
    // The first statement that reads the file: this is where a non-database shows itself.
    if (!query.exec(QStringLiteral("PRAGMA journal_mode=WAL"))) {
        const QSqlError sqlError = query.lastError();
        *error = isNotADatabase(sqlError)
                     ? NotificationStore::tr("%1 is not a traybeat database (or it is damaged)")
                           .arg(QDir::toNativeSeparators(filePath))
                     : NotificationStore::tr("cannot read %1: %2")
                           .arg(QDir::toNativeSeparators(filePath), sqlError.text());
        return false;
    }
    if (query.next() && query.value(0).toString() != QLatin1String("wal"))
        qCWarning(lcStore) << "WAL journal unavailable, using" << query.value(0).toString();
    // NORMAL is durable across application crashes in WAL mode; only a power cut can lose the
    // last transactions, and those are fetched again from the (older) cursor. Reading pages
    // through mmap instead of read() calls made a history page at offset 50,000 of 100,000
    // rows 16x faster (16 ms -> 1 ms) and inserts ~1.5x faster; it is address space, not RAM.
    // The dedup index is keyed by random ids, so every stored row dirties its own index page and
    // each commit writes ~one page to the WAL per row; a checkpoint every 1,000 pages (SQLite's
    // default) then copied the same index pages back again and again (22 % of `listen` in a
    // burst). Every 8,000 pages (32 MB) copies each page once per several batches; the WAL file,
    // ~40 MB at its peak, is cut back to 4 MB when it is reused after a checkpoint.
    const QStringList pragmas = {
        QStringLiteral("PRAGMA synchronous=NORMAL"), QStringLiteral("PRAGMA temp_store=MEMORY"),
        QStringLiteral("PRAGMA cache_size=-16384"), QStringLiteral("PRAGMA mmap_size=268435456"),
        QStringLiteral("PRAGMA wal_autocheckpoint=8000"),
        QStringLiteral("PRAGMA journal_size_limit=4194304")};
    for (const QString &pragma : pragmas) {
        if (!query.exec(pragma)) {
            *error = NotificationStore::tr("cannot configure %1: %2")
                         .arg(QDir::toNativeSeparators(filePath), query.lastError().text());
            return false;
        }
    }
    return true;
}

bool NotificationStore::Private::migrate(QString *error)
{
    QSqlQuery query(db);
    int version = 0;
    if (query.exec(QStringLiteral("PRAGMA user_version")) && query.next())
        version = query.value(0).toInt();
    query.finish();
    if (version > SchemaVersion) {
        *error = NotificationStore::tr("%1 was written by a newer traybeat (schema %2, this one "
                                       "knows up to %3)")
                     .arg(QDir::toNativeSeparators(filePath))
                     .arg(version)
                     .arg(SchemaVersion);
        return false;
    }
    const QList<QStringList> &steps = migrationSteps();
    for (; version < SchemaVersion; ++version) {
        // Each step is all-or-nothing, so a crash mid-migration leaves the old version intact.
        db.transaction();
        QStringList statements = steps.at(version);
        statements.append(QStringLiteral("PRAGMA user_version=%1").arg(version + 1));
        for (const QString &statement : std::as_const(statements)) {
            if (!query.exec(statement)) {
                *error = NotificationStore::tr("cannot create the tables in %1: %2")
                             .arg(QDir::toNativeSeparators(filePath), query.lastError().text());
                db.rollback();
                return false;
            }
        }
        if (!db.commit()) {
            *error = NotificationStore::tr("cannot write %1: %2")
                         .arg(QDir::toNativeSeparators(filePath), db.lastError().text());
            return false;
        }
    }
    return true;
}

void NotificationStore::Private::close()
{
    // Every QSqlQuery and QSqlDatabase copy must be gone before removeDatabase(), or Qt warns
    // that the connection is still in use and leaks it.
    insertNotification.finalize();
    upsertCursor = QSqlQuery();
    cache.clear();
    if (db.isValid())
        db.close();
    db = QSqlDatabase();
    if (!connectionName.isEmpty())
        QSqlDatabase::removeDatabase(connectionName);
    connectionName.clear();
}

NotificationStore::NotificationStore(QObject *parent)
    : QObject(parent), d(std::make_unique<Private>())
{
}

NotificationStore::~NotificationStore()
{
    d->close();
}

bool NotificationStore::open(const QString &filePath, QString *errorMessage)
{
    d->close();
    d->filePath = filePath;
    QString error;
    const bool ok = [&] {
        const QFileInfo file(filePath);
        const QString folder = file.absolutePath();
        // A folder created here is 0700; an existing one is refused when others can write it.
        if (!PrivatePath::ensureDirectory(folder, PrivatePath::Existing::Keep, &error))
            return false;
        if (file.isDir()) {
            error =
                tr("%1 is a folder, not a database file").arg(QDir::toNativeSeparators(filePath));
            return false;
        }
        // WAL needs to create its -wal and -shm files next to the database.
        if (!QFileInfo(folder).isWritable() || (file.exists() && !file.isWritable())) {
            error = tr("%1 is not writable")
                        .arg(QDir::toNativeSeparators(file.exists() ? filePath : folder));
            return false;
        }
        // 0600 before SQLite creates it: its -wal and -shm files take the database's mode.
        if (!PrivatePath::prepareDatabase(filePath, &error))
            return false;
        d->connectionName = nextConnectionName();
        d->db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), d->connectionName);
        d->db.setDatabaseName(filePath);
        if (!d->db.open()) {
            error = tr("cannot open %1: %2")
                        .arg(QDir::toNativeSeparators(filePath), d->db.lastError().text());
            return false;
        }
        return d->configure(&error) && d->migrate(&error);
    }();
    if (ok) {
        d->upsertCursor = QSqlQuery(d->db);
        QString reason;
        const bool prepared =
            d->insertNotification.prepare(
                d->db,
                QStringLiteral(
                    "INSERT INTO notifications (subscription, id, topic, title, body, priority,"
                    " tags, url, time, read, search, extras) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"
                    // Not OR IGNORE: that would also drop, silently, a row breaking any other
                    // constraint; only the dedup key may make an insert a no-op.
                    " ON CONFLICT(subscription, id) DO NOTHING"),
                &reason) &&
            d->upsertCursor.prepare(
                QStringLiteral("INSERT INTO cursors (subscription, id) VALUES (?, ?)"
                               " ON CONFLICT(subscription) DO UPDATE SET id = excluded.id"));
        if (prepared)
            return true;
        error = tr("cannot prepare statements on %1").arg(QDir::toNativeSeparators(filePath));
        if (!reason.isEmpty())
            error += QStringLiteral(": ") + reason;
    }
    qCWarning(lcStore) << "cannot open store:" << error;
    if (errorMessage)
        *errorMessage = error;
    d->close();
    return false;
}

bool NotificationStore::isOpen() const
{
    return d->isOpen();
}

QString NotificationStore::filePath() const
{
    return d->filePath;
}

NotificationList NotificationStore::add(const NotificationList &notifications, bool *ok)
{
    NotificationList copy = notifications;
    return add(std::move(copy), ok);
}

NotificationList NotificationStore::add(NotificationList &&notifications, bool *ok)
{
    if (ok)
        *ok = false; // until the commit went through
    if (notifications.isEmpty()) {
        if (ok)
            *ok = true;
        return {};
    }
    if (!d->isOpen()) {
        qCWarning(lcStore) << "add() on a store that is not open; dropped" << notifications.size();
        return {};
    }
    if (!d->db.transaction()) {
        qCWarning(lcStore) << "cannot begin a transaction:" << d->db.lastError().text();
        return {};
    }
    std::vector<bool> isNew(size_t(notifications.size()), false);
    if (!d->insertAll(notifications, &isNew)) {
        d->db.rollback();
        return {};
    }
    if (!d->db.commit()) {
        qCWarning(lcStore) << "committing a batch failed, nothing kept:"
                           << d->db.lastError().text();
        d->db.rollback();
        return {};
    }
    if (ok)
        *ok = true;
    const auto newCount = std::count(isNew.cbegin(), isNew.cend(), true);
    if (newCount == 0)
        return {};
    emit changed();
    if (newCount == notifications.size())
        return std::exchange(notifications, {});
    NotificationList fresh;
    fresh.reserve(newCount);
    for (qsizetype i = 0; i < notifications.size(); ++i) {
        if (isNew[size_t(i)])
            fresh.append(std::move(notifications[i]));
    }
    return fresh;
}

bool NotificationStore::Private::insertAll(const NotificationList &notifications,
                                          std::vector<bool> *isNew)
{
    SqliteStatement &insert = insertNotification;
    // Insertion order is kept, so the last id seen per subscription is its newest message.
    QHash<QString, QString> lastIds;
    for (qsizetype i = 0; i < notifications.size(); ++i) {
        const Notification &n = notifications.at(i);
        bindNotification(insert, n);
        QString error;
        if (!insert.exec(&error)) {
            qCWarning(lcStore) << "storing a batch failed, nothing kept:" << error;
            return false;
        }
        // DO NOTHING reports 0 rows for a message already stored, earlier in this batch too.
        if (insert.rowsAffected() > 0) {
            (*isNew)[size_t(i)] = true;
            if (!n.id.isEmpty())
                lastIds.insert(n.subscription, n.id);
        }
    }
    for (auto it = lastIds.cbegin(); it != lastIds.cend(); ++it) {
        upsertCursor.bindValue(0, nonNull(it.key()));
        upsertCursor.bindValue(1, it.value());
        if (!upsertCursor.exec()) {
            qCWarning(lcStore) << "advancing the cursor failed, nothing kept:"
                               << upsertCursor.lastError().text();
            return false;
        }
    }
    return true;
}

QString NotificationStore::cursor(const QString &subscription) const
{
    if (!d->isOpen())
        return {};
    QSqlQuery *query = d->prepared(QStringLiteral("SELECT id FROM cursors WHERE subscription = ?"));
    if (!query)
        return {};
    query->bindValue(0, nonNull(subscription));
    QString id;
    if (d->exec(query, "reading the cursor") && query->next())
        id = query->value(0).toString();
    query->finish();
    return id;
}

void NotificationStore::setCursor(const QString &subscription, const QString &id)
{
    if (!d->isOpen()) {
        qCWarning(lcStore) << "setCursor() on a store that is not open";
        return;
    }
    if (id.isEmpty()) {
        // "No cursor": the next connection starts wherever the dialect starts a new one.
        d->modify(QStringLiteral("DELETE FROM cursors WHERE subscription = ?"), {subscription});
        return;
    }
    d->upsertCursor.bindValue(0, nonNull(subscription));
    d->upsertCursor.bindValue(1, id);
    d->exec(&d->upsertCursor, "setting the cursor");
}

namespace {

// The WHERE clause of a history query and its bound values, in order.
QString whereClause(const HistoryQuery &query, QVariantList *values)
{
    QStringList conditions;
    if (!query.subscription.isEmpty()) {
        conditions.append(QStringLiteral("subscription = ?"));
        values->append(query.subscription);
    }
    if (query.unreadOnly)
        conditions.append(QStringLiteral("read = 0")); // literal, so the partial index applies
    if (query.minimumPriority > 1) {
        conditions.append(QStringLiteral("priority >= ?"));
        values->append(query.minimumPriority);
    }
    if (!query.text.isEmpty()) {
        conditions.append(QStringLiteral("instr(search, ?) > 0"));
        values->append(folded(query.text));
    }
    if (conditions.isEmpty())
        return QString();
    return QStringLiteral(" WHERE ") + conditions.join(QStringLiteral(" AND "));
}

} // namespace

int NotificationStore::count(const HistoryQuery &query) const
{
    if (!d->isOpen())
        return 0;
    QVariantList values;
    const QString where = whereClause(query, &values);
    return d->scalar(QStringLiteral("SELECT count(*) FROM notifications") + where, values);
}

int NotificationStore::unreadCount(const QString &subscription) const
{
    HistoryQuery query;
    query.subscription = subscription;
    query.unreadOnly = true;
    return count(query);
}

NotificationList NotificationStore::history(const HistoryQuery &query, int offset, int limit) const
{
    NotificationList result;
    if (!d->isOpen() || limit <= 0)
        return result;
    QVariantList values;
    const QString sql = selectColumns() + whereClause(query, &values) +
                        QStringLiteral(" ORDER BY received_seq DESC LIMIT ? OFFSET ?");
    values << limit << qMax(0, offset);
    QSqlQuery *select = d->prepared(sql);
    if (!select)
        return result;
    bindAll(select, values);
    if (d->exec(select, "reading the history")) {
        result.reserve(qMin(limit, 1000)); // limit may be "everything"
        while (select->next())
            result.append(fromRow(*select));
    }
    select->finish();
    return result;
}

std::optional<Notification> NotificationStore::oldest(const HistoryQuery &query) const
{
    if (!d->isOpen())
        return std::nullopt;
    QVariantList values;
    const QString sql = selectColumns() + whereClause(query, &values) +
                        QStringLiteral(" ORDER BY received_seq ASC LIMIT 1");
    QSqlQuery *select = d->prepared(sql);
    if (!select)
        return std::nullopt;
    bindAll(select, values);
    std::optional<Notification> result;
    if (d->exec(select, "reading the oldest notification") && select->next())
        result = fromRow(*select);
    select->finish();
    return result;
}

std::optional<Notification> NotificationStore::notification(const QString &subscription,
                                                            const QString &id) const
{
    if (!d->isOpen() || id.isEmpty())
        return std::nullopt;
    QSqlQuery *select =
        d->prepared(selectColumns() + QStringLiteral(" WHERE subscription = ? AND id = ?"));
    if (!select)
        return std::nullopt;
    select->bindValue(0, nonNull(subscription));
    select->bindValue(1, id);
    std::optional<Notification> result;
    if (d->exec(select, "reading a notification") && select->next())
        result = fromRow(*select);
    select->finish();
    return result;
}

void NotificationStore::modifyAndTell(const QString &sql, const QVariantList &values)
{
    if (d->isOpen() && d->modify(sql, values) > 0)
        emit changed();
}

void NotificationStore::markRead(const QString &subscription, const QString &id)
{
    modifyAndTell(QStringLiteral("UPDATE notifications SET read = 1"
                                 " WHERE subscription = ? AND id = ? AND read = 0"),
                  {subscription, id});
}

void NotificationStore::markUnread(const QString &subscription, const QString &id)
{
    modifyAndTell(QStringLiteral("UPDATE notifications SET read = 0"
                                 " WHERE subscription = ? AND id = ? AND read = 1"),
                  {subscription, id});
}

void NotificationStore::remove(const QString &subscription, const QString &id)
{
    modifyAndTell(QStringLiteral("DELETE FROM notifications WHERE subscription = ? AND id = ?"),
                  {subscription, id});
}

void NotificationStore::markAllRead(const QString &subscription)
{
    if (subscription.isEmpty())
        modifyAndTell(QStringLiteral("UPDATE notifications SET read = 1 WHERE read = 0"), {});
    else
        modifyAndTell(QStringLiteral("UPDATE notifications SET read = 1"
                                     " WHERE subscription = ? AND read = 0"),
                      {subscription});
}

void NotificationStore::clear(const QString &subscription)
{
    if (!d->isOpen())
        return;
    const int rows =
        subscription.isEmpty()
            ? d->modify(QStringLiteral("DELETE FROM notifications"), {})
            : d->modify(QStringLiteral("DELETE FROM notifications WHERE subscription = ?"),
                        {subscription});
    if (rows > 0)
        emit changed();
}

void NotificationStore::removeSubscription(const QString &subscription)
{
    if (!d->isOpen())
        return;
    if (!d->db.transaction()) {
        qCWarning(lcStore) << "cannot begin a transaction:" << d->db.lastError().text();
        return;
    }
    const int rows = d->modify(QStringLiteral("DELETE FROM notifications WHERE subscription = ?"),
                               {subscription});
    const int cursors =
        d->modify(QStringLiteral("DELETE FROM cursors WHERE subscription = ?"), {subscription});
    if (rows < 0 || cursors < 0 || !d->db.commit()) {
        d->db.rollback();
        return;
    }
    if (rows > 0)
        emit changed();
}

} // namespace traybeat
