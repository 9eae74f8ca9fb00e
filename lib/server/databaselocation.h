#pragma once

#include <QSqlDatabase>
#include <QString>
#include <optional>

namespace traybeat {

// Where the server keeps its messages: an SQLite file (one instance), or a PostgreSQL database
// named by a URL (several instances may share it, see docs/design.md "Several instances"):
//     postgresql://USER[:PASSWORD]@HOST[:PORT]/DBNAME[?sslmode=MODE][&host=/SOCKET/DIR]
// `postgres://` is read the same. Without a password in the URL, libpq reads PGPASSWORD or
// ~/.pgpass itself. The password is never part of displayName().
struct DatabaseLocation
{
    enum class Kind { Sqlite, Postgres };
    Kind kind = Kind::Sqlite;
    QString filePath; // Sqlite; empty: a private in-memory database
    // Postgres
    QString host;  // a name, an address, or an absolute folder holding the Unix socket
    int port = -1; // -1: libpq's default (5432)
    QString user;
    QString password; // empty: libpq's own sources (PGPASSWORD, ~/.pgpass)
    QString databaseName;
    QString sslMode; // empty: libpq's default (prefer)

    static DatabaseLocation sqlite(const QString &filePath);
    // `text` as given to --db: a postgresql:// URL, or else a file path. nullopt + a specific
    // reason for a URL that cannot be used as written.
    static std::optional<DatabaseLocation> parse(const QString &text, QString *errorMessage);
    static bool looksLikeUrl(const QString &text);

    bool isPostgres() const { return kind == Kind::Postgres; }
    // For messages and logs: the file, or the URL without its password.
    QString displayName() const;
    // QSqlDatabase::setConnectOptions for QPSQL (sslmode; a connect timeout).
    QString connectOptions() const;
    // PostgreSQL: adds a QPSQL connection named `connectionName` to this database into
    // `*database` and opens it. False + a reason that names displayName(), never the password;
    // the connection stays added either way (the caller removes it when closing).
    bool openPostgres(QSqlDatabase *database, const QString &connectionName,
                      QString *errorMessage) const;
};

} // namespace traybeat
