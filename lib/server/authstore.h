#pragma once

#include "databaselocation.h"

#include <QCoreApplication>
#include <QList>
#include <QSqlDatabase>
#include <QSqlDriver>
#include <QSqlQuery>
#include <QString>
#include <optional>

// The push server's users, their access to topics and their access tokens, managed by
// `traybeat user|access|token` and read by `traybeat serve`. One class, two backends through
// Qt SQL, the same statements but where the dialects differ:
// - a SQLite file of its own (the "auth file", --auth-file), one server instance;
// - the PostgreSQL database the server keeps its messages in (--db postgresql://…), shared by
//   several instances: nothing is cached, so a change made through any of them (or the command
//   line) counts at the next request everywhere.
// The rules are ntfy's (docs/design.md, "Users and access"):
// - A user has a name, a password hash and a role; an admin may read and write every topic.
// - A grant gives a user, or `*` (everyone, including anonymous clients), a permission on a
//   topic pattern in which `*` stands for any run of characters. For a topic, the grants of
//   the user win over those of everyone, then the longest pattern, then the one that writes.
//   No grant at all: the server's default access.
// - Passwords are kept only as yescrypt hashes made by crypt(3); tokens (`tk_` + 29 random
//   characters) only as SHA-256 digests, so a copy of the file reveals neither.
namespace traybeat {

enum class Permission {
    Deny = 0,
    ReadOnly = 1,
    WriteOnly = 2,
    ReadWrite = 3,
};

// "read-write", "read-only", "write-only", "deny" (also ntfy's "rw", "ro", "wo", "none").
std::optional<Permission> parsePermission(const QString &text);
QString permissionName(Permission permission);
inline bool canRead(Permission permission)
{
    return (int(permission) & int(Permission::ReadOnly)) != 0;
}
inline bool canWrite(Permission permission)
{
    return (int(permission) & int(Permission::WriteOnly)) != 0;
}

struct AuthUser
{
    QString name;
    bool isAdmin = false;
};

struct AccessGrant
{
    QString user; // a name, or "*" for everyone
    QString pattern;
    Permission permission = Permission::Deny;
};

struct TokenInfo
{
    QString user;
    QString hint; // the first characters of the token, enough to tell tokens apart
    QString label;
    qint64 createdMs = 0;
    qint64 expiresMs = 0; // 0: never
};

class AuthStore final
{
    Q_DECLARE_TR_FUNCTIONS(traybeat::AuthStore)
    Q_DISABLE_COPY_MOVE(AuthStore)
public:
    static inline const QString Everyone = QStringLiteral("*");

    AuthStore();
    ~AuthStore();

    // Opens (creating 0600 when absent) the auth file. False + a one-line reason.
    bool open(const QString &filePath, QString *errorMessage);
    // Opens either backend, creating the tables if needed.
    bool open(const DatabaseLocation &location, QString *errorMessage);
    void close();
    bool isOpen() const;
    // PostgreSQL: other instances read and change the same tables.
    bool isShared() const { return m_location.isPostgres(); }
    const DatabaseLocation &location() const { return m_location; }
    // Asks the database whether the connection still works (one round trip).
    bool isReachable();
    // Shared store: every change is announced on this channel (NOTIFY), so that servers can
    // drop what they read before; the connection's driver delivers them to a LISTENer.
    static const QString ChangeChannel;
    QSqlDriver *driver() const { return m_database.driver(); }
    // Whether the last lookup could not read the database (closed, or the connection lost): its
    // empty answer then means "unknown", not "no such user" or "no grant".
    bool lastReadFailed() const { return m_readFailed; }

    // User names: [A-Za-z0-9._@-]{1,64}, as ntfy's.
    static bool isValidUserName(const QString &name);
    // Topic patterns: topic characters and `*`, 1 to 64 of them.
    static bool isValidPattern(const QString &pattern);
    // Whether `topic` matches `pattern` (`*`: any run of characters, also none).
    static bool matches(const QString &pattern, const QString &topic);

    bool addUser(const QString &name, const QString &password, bool isAdmin, QString *errorMessage);
    bool removeUser(const QString &name, QString *errorMessage);
    bool changePassword(const QString &name, const QString &password, QString *errorMessage);
    bool setAdmin(const QString &name, bool isAdmin, QString *errorMessage);
    QList<AuthUser> users() const;
    // The user `name`, and the hash of its password when `passwordHash` is given.
    std::optional<AuthUser> user(const QString &name, QString *passwordHash = nullptr) const;

    // The stored hash of `name`'s password; empty when there is no such user.
    QString passwordHash(const QString &name) const;
    // Checks a password against a hash made by hashPassword(); slow on purpose (yescrypt), safe
    // to call from any thread. An empty or malformed hash never verifies.
    static bool verifyPassword(const QString &password, const QString &hash);
    static QString hashPassword(const QString &password);
    // A hash of a random password, to verify against when a user does not exist, so that such
    // a request takes as long as one for a real user.
    static const QString &decoyHash();
    // The user whose password is `password`, or nullopt. Spends the time of one verification
    // also for an unknown name, so timing does not tell which names exist.
    std::optional<AuthUser> authenticate(const QString &name, const QString &password) const;

    bool grant(const QString &user, const QString &pattern, Permission permission,
               QString *errorMessage);
    // Removes `user`'s grant on `pattern`, or all of its grants when `pattern` is empty.
    bool resetAccess(const QString &user, const QString &pattern, QString *errorMessage);
    // `user`'s grants, or everybody's when `user` is empty; by user, then pattern.
    QList<AccessGrant> grants(const QString &user = {}) const;
    // What `user` (empty: an anonymous client) may do with `topic`, by the rules above.
    Permission permission(const QString &user, const QString &topic,
                          Permission defaultPermission) const;

    // A new token for `user`, shown only now; nullopt + reason when the user does not exist.
    std::optional<QString> addToken(const QString &user, const QString &label, qint64 expiresMs,
                                    QString *errorMessage);
    // Removes the token given in full or by its hint.
    bool removeToken(const QString &user, const QString &tokenOrHint, QString *errorMessage);
    QList<TokenInfo> tokens(const QString &user) const;
    // The user a valid, unexpired token belongs to.
    std::optional<AuthUser> userForToken(const QString &token, qint64 nowMs) const;

    static bool isTokenShaped(const QString &text);
    // Equal-length byte strings (digests) compared without an early exit, so the time taken
    // tells nothing about how much of a guess matched.
    static bool equalInFixedTime(const QByteArray &a, const QByteArray &b);

private:
    bool openSqlite(QString *errorMessage);
    bool createPostgresTables(QString *errorMessage);
    bool execute(const QString &statement, const QVariantList &values, QString *errorMessage,
                 int *rowsAffected = nullptr);
    // A lookup: the query, positioned before its first row; sets lastReadFailed().
    QSqlQuery read(const QString &statement, const QVariantList &values = {}) const;
    bool requireUser(const QString &name, QString *errorMessage) const;

    QString m_connectionName;
    DatabaseLocation m_location;
    QSqlDatabase m_database;
    mutable bool m_readFailed = false;
};

} // namespace traybeat
