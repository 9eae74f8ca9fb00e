#include "authstore.h"

#include "privatepath.h"

#include <QAtomicInteger>
#include <QCryptographicHash>
#include <QDateTime>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <crypt.h>
#include <cstdlib>
#include <cstring>

namespace traybeat {

namespace {
QString nextConnectionName()
{
    static QAtomicInteger<quint64> counter;
    return QStringLiteral("traybeat-auth-%1").arg(counter.fetchAndAddRelaxed(1));
}

// The auth file's tables, as first made (a file of an older traybeat opens unchanged).
const QString sqliteSchema[] = {
    QStringLiteral("PRAGMA foreign_keys = ON"),
    QStringLiteral("CREATE TABLE IF NOT EXISTS users ("
                   " name TEXT PRIMARY KEY,"
                   " hash TEXT NOT NULL,"
                   " admin INTEGER NOT NULL DEFAULT 0)"),
    // user "*" is everyone; it has no row in users, hence no foreign key here
    QStringLiteral("CREATE TABLE IF NOT EXISTS access ("
                   " user TEXT NOT NULL,"
                   " pattern TEXT NOT NULL,"
                   " permission INTEGER NOT NULL,"
                   " PRIMARY KEY (user, pattern))"),
    QStringLiteral("CREATE TABLE IF NOT EXISTS tokens ("
                   " digest BLOB PRIMARY KEY,"
                   " user TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,"
                   " hint TEXT NOT NULL,"
                   " label TEXT NOT NULL,"
                   " created_ms INTEGER NOT NULL,"
                   " expires_ms INTEGER NOT NULL)"),
};

// The same tables in PostgreSQL, beside the messages. `user` is a keyword there, so it is
// quoted, in every statement of both backends.
const QString postgresSchema[] = {
    QStringLiteral("CREATE TABLE IF NOT EXISTS users ("
                   " name TEXT PRIMARY KEY,"
                   " hash TEXT NOT NULL,"
                   " admin INTEGER NOT NULL DEFAULT 0)"),
    QStringLiteral("CREATE TABLE IF NOT EXISTS access ("
                   " \"user\" TEXT NOT NULL,"
                   " pattern TEXT NOT NULL,"
                   " permission INTEGER NOT NULL,"
                   " PRIMARY KEY (\"user\", pattern))"),
    QStringLiteral("CREATE TABLE IF NOT EXISTS tokens ("
                   " digest BYTEA PRIMARY KEY,"
                   " \"user\" TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,"
                   " hint TEXT NOT NULL,"
                   " label TEXT NOT NULL,"
                   " created_ms BIGINT NOT NULL,"
                   " expires_ms BIGINT NOT NULL)"),
};

// Orders instances that start at once and would race on CREATE TABLE IF NOT EXISTS (a key of
// its own: it must not wait for the messages' publish-order lock).
constexpr const char *lockSchemaStatement = "SELECT pg_advisory_xact_lock(7261711053)";

constexpr int TokenRandomLength = 29; // ntfy's: "tk_" + 29 = 32 characters
constexpr int HintLength = 8;         // "tk_" + 5

QByteArray tokenDigest(const QString &token)
{
    return QCryptographicHash::hash(token.toUtf8(), QCryptographicHash::Sha256);
}

QString newToken()
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    QString token = QStringLiteral("tk_");
    for (int i = 0; i < TokenRandomLength; ++i)
        token += QLatin1Char(alphabet[QRandomGenerator::system()->bounded(36)]);
    return token;
}

void setError(QString *errorMessage, const QString &text)
{
    if (errorMessage)
        *errorMessage = text;
}
} // namespace

std::optional<Permission> parsePermission(const QString &text)
{
    const QString lower = text.toLower();
    if (lower == QLatin1String("read-write") || lower == QLatin1String("rw"))
        return Permission::ReadWrite;
    if (lower == QLatin1String("read-only") || lower == QLatin1String("ro") ||
        lower == QLatin1String("read"))
        return Permission::ReadOnly;
    if (lower == QLatin1String("write-only") || lower == QLatin1String("wo") ||
        lower == QLatin1String("write"))
        return Permission::WriteOnly;
    if (lower == QLatin1String("deny") || lower == QLatin1String("none"))
        return Permission::Deny;
    return std::nullopt;
}

QString permissionName(Permission permission)
{
    switch (permission) {
    case Permission::ReadWrite:
        return QStringLiteral("read-write");
    case Permission::ReadOnly:
        return QStringLiteral("read-only");
    case Permission::WriteOnly:
        return QStringLiteral("write-only");
    case Permission::Deny:
        break;
    }
    return QStringLiteral("deny");
}

AuthStore::AuthStore() : m_connectionName(nextConnectionName()) {}

const QString AuthStore::ChangeChannel = QStringLiteral("traybeat_auth");

AuthStore::~AuthStore()
{
    close();
}

bool AuthStore::open(const QString &filePath, QString *errorMessage)
{
    return open(DatabaseLocation::sqlite(filePath), errorMessage);
}

bool AuthStore::open(const DatabaseLocation &location, QString *errorMessage)
{
    close();
    m_location = location;
    const bool opened = location.isPostgres()
                            ? location.openPostgres(&m_database, m_connectionName, errorMessage) &&
                                  createPostgresTables(errorMessage)
                            : openSqlite(errorMessage);
    if (!opened)
        close();
    m_readFailed = false;
    return opened;
}

bool AuthStore::openSqlite(QString *errorMessage)
{
    const QString filePath = m_location.filePath;
    if (!PrivatePath::prepareDatabase(filePath, errorMessage))
        return false;
    m_database = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
    m_database.setDatabaseName(filePath);
    if (!m_database.open()) {
        setError(errorMessage,
                 tr("cannot open auth file %1: %2").arg(filePath, m_database.lastError().text()));
        return false;
    }
    // The server reads while the command line writes: wait for each other, briefly.
    if (!execute(QStringLiteral("PRAGMA busy_timeout = 5000"), {}, errorMessage))
        return false;
    for (const QString &statement : sqliteSchema) {
        if (!execute(statement, {}, errorMessage)) {
            setError(errorMessage, tr("cannot use auth file %1: %2").arg(filePath, *errorMessage));
            return false;
        }
    }
    return true;
}

bool AuthStore::createPostgresTables(QString *errorMessage)
{
    // libpq would print its "already exists" notices.
    QString error;
    bool created = execute(QStringLiteral("SET client_min_messages TO warning"), {}, &error) &&
                   m_database.transaction() &&
                   execute(QLatin1String(lockSchemaStatement), {}, &error);
    for (const QString &statement : postgresSchema)
        created = created && execute(statement, {}, &error);
    created = created && m_database.commit();
    if (created)
        return true;
    if (error.isEmpty())
        error = m_database.lastError().text();
    m_database.rollback();
    setError(
        errorMessage,
        tr("cannot use database %1 for users and access: %2").arg(m_location.displayName(), error));
    return false;
}

void AuthStore::close()
{
    if (!m_database.isValid())
        return;
    m_database.close();
    m_database = QSqlDatabase();
    QSqlDatabase::removeDatabase(m_connectionName);
}

bool AuthStore::isOpen() const
{
    return m_database.isOpen();
}

bool AuthStore::isReachable()
{
    return read(QStringLiteral("SELECT 1")).next();
}

QSqlQuery AuthStore::read(const QString &statement, const QVariantList &values) const
{
    QSqlQuery query(m_database);
    m_readFailed = true;
    if (!isOpen())
        return query;
    query.setForwardOnly(true);
    if (!query.prepare(statement))
        return query;
    for (const QVariant &value : values)
        query.addBindValue(value);
    m_readFailed = !query.exec();
    return query;
}

bool AuthStore::execute(const QString &statement, const QVariantList &values, QString *errorMessage,
                        int *rowsAffected)
{
    QSqlQuery query(m_database);
    // Without values, run as it is: PostgreSQL prepares no SET or CREATE.
    if (!values.isEmpty() && !query.prepare(statement)) {
        setError(errorMessage, query.lastError().text());
        return false;
    }
    for (const QVariant &value : values)
        query.addBindValue(value);
    if (values.isEmpty() ? !query.exec(statement) : !query.exec()) {
        setError(errorMessage, query.lastError().text());
        return false;
    }
    if (rowsAffected)
        *rowsAffected = query.numRowsAffected();
    // A change (they all bind values; the schema does not): tell the servers sharing it.
    if (isShared() && !values.isEmpty())
        query.exec(QStringLiteral("NOTIFY ") + ChangeChannel);
    return true;
}

bool AuthStore::isValidUserName(const QString &name)
{
    static const QRegularExpression valid(QStringLiteral("^[A-Za-z0-9._@-]{1,64}$"));
    return valid.match(name).hasMatch();
}

bool AuthStore::isValidPattern(const QString &pattern)
{
    static const QRegularExpression valid(QStringLiteral("^[A-Za-z0-9_*-]{1,64}$"));
    return valid.match(pattern).hasMatch();
}

bool AuthStore::matches(const QString &pattern, const QString &topic)
{
    // Greedy glob with one backtrack point: linear in practice, no regular expression built
    // from text a user typed.
    qsizetype p = 0, t = 0, starP = -1, starT = 0;
    while (t < topic.size()) {
        if (p < pattern.size() && pattern[p] == QLatin1Char('*')) {
            starP = p++;
            starT = t;
        } else if (p < pattern.size() && pattern[p] == topic[t]) {
            ++p;
            ++t;
        } else if (starP >= 0) {
            p = starP + 1;
            t = ++starT;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == QLatin1Char('*'))
        ++p;
    return p == pattern.size();
}

const QString &AuthStore::decoyHash()
{
    static const QString hash = hashPassword(newToken());
    return hash;
}

QString AuthStore::hashPassword(const QString &password)
{
    // "$y$": yescrypt at libxcrypt's default cost; the salt comes from the kernel's random.
    char *setting = crypt_gensalt_ra("$y$", 0, nullptr, 0);
    if (!setting)
        return {};
    void *data = nullptr;
    int size = 0;
    const QByteArray phrase = password.toUtf8();
    const char *hash = crypt_ra(phrase.constData(), setting, &data, &size);
    QString result;
    if (hash && hash[0] != '*')
        result = QString::fromLatin1(hash);
    if (data)
        std::memset(data, 0, size_t(size));
    std::free(data);
    std::free(setting);
    return result;
}

bool AuthStore::verifyPassword(const QString &password, const QString &hash)
{
    if (hash.isEmpty())
        return false;
    void *data = nullptr;
    int size = 0;
    const QByteArray phrase = password.toUtf8();
    const QByteArray setting = hash.toLatin1();
    const char *computed = crypt_ra(phrase.constData(), setting.constData(), &data, &size);
    const bool equal =
        computed && computed[0] != '*' && equalInFixedTime(QByteArray(computed), setting);
    if (data)
        std::memset(data, 0, size_t(size));
    std::free(data);
    return equal;
}

bool AuthStore::requireUser(const QString &name, QString *errorMessage) const
{
    if (user(name))
        return true;
    setError(errorMessage, tr("no user \"%1\"").arg(name));
    return false;
}

bool AuthStore::addUser(const QString &name, const QString &password, bool isAdmin,
                        QString *errorMessage)
{
    if (!isValidUserName(name)) {
        setError(errorMessage, tr("\"%1\" is not a valid user name (letters, digits, . _ @ -, "
                                  "at most 64)")
                                   .arg(name));
        return false;
    }
    if (user(name)) {
        setError(errorMessage, tr("user \"%1\" exists already").arg(name));
        return false;
    }
    const QString hash = hashPassword(password);
    if (hash.isEmpty()) {
        setError(errorMessage, tr("cannot hash the password"));
        return false;
    }
    return execute(QStringLiteral("INSERT INTO users (name, hash, admin) VALUES (?, ?, ?)"),
                   {name, hash, int(isAdmin)}, errorMessage);
}

bool AuthStore::removeUser(const QString &name, QString *errorMessage)
{
    if (!requireUser(name, errorMessage))
        return false;
    return execute(QStringLiteral("DELETE FROM access WHERE \"user\" = ?"), {name}, errorMessage) &&
           execute(QStringLiteral("DELETE FROM tokens WHERE \"user\" = ?"), {name}, errorMessage) &&
           execute(QStringLiteral("DELETE FROM users WHERE name = ?"), {name}, errorMessage);
}

bool AuthStore::changePassword(const QString &name, const QString &password, QString *errorMessage)
{
    if (!requireUser(name, errorMessage))
        return false;
    const QString hash = hashPassword(password);
    if (hash.isEmpty()) {
        setError(errorMessage, tr("cannot hash the password"));
        return false;
    }
    return execute(QStringLiteral("UPDATE users SET hash = ? WHERE name = ?"), {hash, name},
                   errorMessage);
}

bool AuthStore::setAdmin(const QString &name, bool isAdmin, QString *errorMessage)
{
    return requireUser(name, errorMessage) &&
           execute(QStringLiteral("UPDATE users SET admin = ? WHERE name = ?"),
                   {int(isAdmin), name}, errorMessage);
}

QList<AuthUser> AuthStore::users() const
{
    QList<AuthUser> result;
    QSqlQuery query = read(QStringLiteral("SELECT name, admin FROM users ORDER BY name"));
    while (query.next())
        result.append({query.value(0).toString(), query.value(1).toInt() != 0});
    return result;
}

std::optional<AuthUser> AuthStore::user(const QString &name, QString *passwordHash) const
{
    QSqlQuery query =
        read(QStringLiteral("SELECT name, admin, hash FROM users WHERE name = ?"), {name});
    if (!query.next())
        return std::nullopt;
    if (passwordHash)
        *passwordHash = query.value(2).toString();
    return AuthUser{query.value(0).toString(), query.value(1).toInt() != 0};
}

QString AuthStore::passwordHash(const QString &name) const
{
    QString hash;
    user(name, &hash);
    return hash;
}

std::optional<AuthUser> AuthStore::authenticate(const QString &name, const QString &password) const
{
    const QString hash = passwordHash(name);
    if (hash.isEmpty()) {
        verifyPassword(password, decoyHash());
        return std::nullopt;
    }
    if (!verifyPassword(password, hash))
        return std::nullopt;
    return user(name);
}

bool AuthStore::grant(const QString &user, const QString &pattern, Permission permission,
                      QString *errorMessage)
{
    if (user != Everyone && !requireUser(user, errorMessage))
        return false;
    if (!isValidPattern(pattern)) {
        setError(errorMessage,
                 tr("\"%1\" is not a topic pattern (letters, digits, _ - and *, at most 64)")
                     .arg(pattern));
        return false;
    }
    // An upsert both backends read alike (SQLite since 3.24).
    return execute(QStringLiteral("INSERT INTO access (\"user\", pattern, permission)"
                                  " VALUES (?, ?, ?) ON CONFLICT (\"user\", pattern)"
                                  " DO UPDATE SET permission = excluded.permission"),
                   {user, pattern, int(permission)}, errorMessage);
}

bool AuthStore::resetAccess(const QString &user, const QString &pattern, QString *errorMessage)
{
    int removed = 0;
    const bool done =
        pattern.isEmpty()
            ? execute(QStringLiteral("DELETE FROM access WHERE \"user\" = ?"), {user}, errorMessage,
                      &removed)
            : execute(QStringLiteral("DELETE FROM access WHERE \"user\" = ? AND pattern = ?"),
                      {user, pattern}, errorMessage, &removed);
    if (done && removed == 0 && !pattern.isEmpty()) {
        setError(errorMessage, tr("\"%1\" has no grant on \"%2\"").arg(user, pattern));
        return false;
    }
    return done;
}

QList<AccessGrant> AuthStore::grants(const QString &user) const
{
    QSqlQuery query = user.isEmpty()
                          ? read(QStringLiteral("SELECT \"user\", pattern, permission FROM access"
                                                " ORDER BY \"user\", pattern"))
                          : read(QStringLiteral("SELECT \"user\", pattern, permission FROM access"
                                                " WHERE \"user\" = ? ORDER BY pattern"),
                                 {user});
    QList<AccessGrant> result;
    while (query.next()) {
        result.append({query.value(0).toString(), query.value(1).toString(),
                       Permission(query.value(2).toInt() & 3)});
    }
    return result;
}

Permission AuthStore::permission(const QString &user, const QString &topic,
                                 Permission defaultPermission) const
{
    if (!user.isEmpty()) {
        const auto account = this->user(user);
        if (account && account->isAdmin)
            return Permission::ReadWrite;
        if (m_readFailed)
            return Permission::Deny;
    }
    // ntfy's order: the user's own grants before everyone's, the longest pattern first, a
    // writing grant before a reading one of the same length.
    std::optional<AccessGrant> best;
    auto isBetter = [&](const AccessGrant &candidate) {
        if (!best)
            return true;
        const bool candidateOwn = candidate.user != Everyone;
        const bool bestOwn = best->user != Everyone;
        if (candidateOwn != bestOwn)
            return candidateOwn;
        if (candidate.pattern.size() != best->pattern.size())
            return candidate.pattern.size() > best->pattern.size();
        return canWrite(candidate.permission) && !canWrite(best->permission);
    };
    QSqlQuery query = read(QStringLiteral("SELECT \"user\", pattern, permission FROM access"
                                          " WHERE \"user\" IN (?, ?)"),
                           {user.isEmpty() ? Everyone : user, Everyone});
    if (m_readFailed)
        return Permission::Deny; // a broken store grants nothing
    while (query.next()) {
        const AccessGrant candidate{query.value(0).toString(), query.value(1).toString(),
                                    Permission(query.value(2).toInt() & 3)};
        if (matches(candidate.pattern, topic) && isBetter(candidate))
            best = candidate;
    }
    return best ? best->permission : defaultPermission;
}

bool AuthStore::equalInFixedTime(const QByteArray &a, const QByteArray &b)
{
    if (a.size() != b.size())
        return false;
    unsigned char difference = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        difference |= static_cast<unsigned char>(a[i] ^ b[i]);
    return difference == 0;
}

bool AuthStore::isTokenShaped(const QString &text)
{
    static const QRegularExpression shape(QStringLiteral("^tk_[a-z0-9]{29}$"));
    return shape.match(text).hasMatch();
}

std::optional<QString> AuthStore::addToken(const QString &user, const QString &label,
                                           qint64 expiresMs, QString *errorMessage)
{
    if (!requireUser(user, errorMessage))
        return std::nullopt;
    const QString token = newToken();
    if (!execute(QStringLiteral("INSERT INTO tokens (digest, \"user\", hint, label, created_ms,"
                                " expires_ms) VALUES (?, ?, ?, ?, ?, ?)"),
                 {tokenDigest(token), user, token.left(HintLength),
                  label.isNull() ? QStringLiteral("") : label, QDateTime::currentMSecsSinceEpoch(),
                  expiresMs},
                 errorMessage)) {
        return std::nullopt;
    }
    return token;
}

bool AuthStore::removeToken(const QString &user, const QString &tokenOrHint, QString *errorMessage)
{
    int removed = 0;
    const bool done =
        isTokenShaped(tokenOrHint)
            ? execute(QStringLiteral("DELETE FROM tokens WHERE \"user\" = ? AND digest = ?"),
                      {user, tokenDigest(tokenOrHint)}, errorMessage, &removed)
            : execute(QStringLiteral("DELETE FROM tokens WHERE \"user\" = ? AND hint = ?"),
                      {user, tokenOrHint}, errorMessage, &removed);
    if (done && removed == 0) {
        setError(errorMessage, tr("user \"%1\" has no token \"%2\"").arg(user, tokenOrHint));
        return false;
    }
    return done;
}

QList<TokenInfo> AuthStore::tokens(const QString &user) const
{
    QSqlQuery query =
        read(QStringLiteral("SELECT \"user\", hint, label, created_ms, expires_ms FROM tokens"
                            " WHERE \"user\" = ? ORDER BY created_ms"),
             {user});
    QList<TokenInfo> result;
    while (query.next()) {
        result.append({query.value(0).toString(), query.value(1).toString(),
                       query.value(2).toString(), query.value(3).toLongLong(),
                       query.value(4).toLongLong()});
    }
    return result;
}

std::optional<AuthUser> AuthStore::userForToken(const QString &token, qint64 nowMs) const
{
    if (!isTokenShaped(token)) {
        m_readFailed = false; // nothing to read: a plain "no"
        return std::nullopt;
    }
    // Looked up by its digest, which a guesser cannot steer; compared again in fixed time.
    const QByteArray digest = tokenDigest(token);
    QSqlQuery query =
        read(QStringLiteral("SELECT digest, \"user\", expires_ms FROM tokens WHERE digest = ?"),
             {digest});
    if (!query.next())
        return std::nullopt;
    if (!equalInFixedTime(query.value(0).toByteArray(), digest))
        return std::nullopt;
    const qint64 expiresMs = query.value(2).toLongLong();
    if (expiresMs != 0 && expiresMs <= nowMs)
        return std::nullopt;
    return user(query.value(1).toString());
}

} // namespace traybeat
