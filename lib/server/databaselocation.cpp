#include "databaselocation.h"

#include <QCoreApplication>
#include <QDir>
#include <QSqlError>
#include <QUrl>
#include <QUrlQuery>

namespace traybeat {

namespace {
bool fail(QString *errorMessage, const QString &reason)
{
    if (errorMessage)
        *errorMessage = reason;
    return false;
}

// libpq's sslmode values; anything else would be refused by libpq only at connect time.
bool isSslMode(const QString &mode)
{
    static const QStringList modes{QStringLiteral("disable"),   QStringLiteral("allow"),
                                   QStringLiteral("prefer"),    QStringLiteral("require"),
                                   QStringLiteral("verify-ca"), QStringLiteral("verify-full")};
    return modes.contains(mode);
}

// Characters libpq's conninfo and Qt's connect options cannot carry unquoted; refused rather
// than escaped, as no real host, user or database name needs them.
bool isPlain(const QString &text)
{
    for (const QChar c : text) {
        if (c.isSpace() || c == QLatin1Char(';') || c == QLatin1Char('\'') ||
            c == QLatin1Char('\\') || c == QLatin1Char('=') || c.unicode() < 0x20)
            return false;
    }
    return true;
}

bool readQuery(const QUrl &url, DatabaseLocation *location, QString *errorMessage)
{
    const QUrlQuery query(url);
    for (const auto &[key, value] : query.queryItems(QUrl::FullyDecoded)) {
        if (key == QLatin1String("sslmode")) {
            if (!isSslMode(value))
                return fail(errorMessage,
                            QCoreApplication::translate(
                                "traybeat::DatabaseLocation",
                                "sslmode \"%1\" is none of disable, allow, prefer, require, "
                                "verify-ca, verify-full")
                                .arg(value));
            location->sslMode = value;
        } else if (key == QLatin1String("host")) {
            if (!QDir::isAbsolutePath(value) || !isPlain(value))
                return fail(errorMessage,
                            QCoreApplication::translate(
                                "traybeat::DatabaseLocation",
                                "host= must be the absolute path of a socket folder"));
            location->host = value;
        } else {
            return fail(errorMessage,
                        QCoreApplication::translate(
                            "traybeat::DatabaseLocation",
                            "unknown parameter \"%1\" (only sslmode and host are read)")
                            .arg(key));
        }
    }
    return true;
}

bool readAuthority(const QUrl &url, DatabaseLocation *location, QString *errorMessage)
{
    location->user = url.userName(QUrl::FullyDecoded);
    location->password = url.password(QUrl::FullyDecoded);
    if (location->user.isEmpty())
        return fail(errorMessage, QCoreApplication::translate(
                                      "traybeat::DatabaseLocation",
                                      "the URL names no user (postgresql://USER@HOST/DBNAME)"));
    if (!isPlain(location->user))
        return fail(errorMessage,
                    QCoreApplication::translate("traybeat::DatabaseLocation",
                                                "the user name holds a space, quote or semicolon"));
    if (location->host.isEmpty())
        location->host = url.host(QUrl::FullyDecoded);
    if (location->host.isEmpty())
        return fail(errorMessage, QCoreApplication::translate(
                                      "traybeat::DatabaseLocation",
                                      "the URL names no host (postgresql://USER@HOST/DBNAME, or "
                                      "?host=/socket/folder)"));
    location->port = url.port(-1);
    if (url.port(-1) == 0)
        return fail(errorMessage, QCoreApplication::translate("traybeat::DatabaseLocation",
                                                              "port 0 is not a PostgreSQL port"));
    return true;
}
} // namespace

DatabaseLocation DatabaseLocation::sqlite(const QString &filePath)
{
    DatabaseLocation location;
    location.filePath = filePath;
    return location;
}

bool DatabaseLocation::looksLikeUrl(const QString &text)
{
    return text.startsWith(QLatin1String("postgresql://"), Qt::CaseInsensitive) ||
           text.startsWith(QLatin1String("postgres://"), Qt::CaseInsensitive);
}

std::optional<DatabaseLocation> DatabaseLocation::parse(const QString &text, QString *errorMessage)
{
    if (!looksLikeUrl(text)) {
        if (text.contains(QLatin1String("://")))
            fail(errorMessage, QCoreApplication::translate(
                                   "traybeat::DatabaseLocation",
                                   "only postgresql:// URLs are databases; a file path has no "
                                   "scheme"));
        else if (!text.isEmpty())
            return sqlite(text);
        else
            fail(errorMessage, QCoreApplication::translate("traybeat::DatabaseLocation",
                                                           "the database must not be empty"));
        return std::nullopt;
    }
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid()) {
        // The reason names the offending part; it may quote the password, so it is not shown.
        fail(errorMessage,
             QCoreApplication::translate("traybeat::DatabaseLocation",
                                         "not a valid postgresql://USER@HOST/DBNAME URL"));
        return std::nullopt;
    }
    DatabaseLocation location;
    location.kind = Kind::Postgres;
    location.databaseName = url.path(QUrl::FullyDecoded).mid(1);
    if (!readQuery(url, &location, errorMessage) || !readAuthority(url, &location, errorMessage))
        return std::nullopt;
    if (location.databaseName.isEmpty() || location.databaseName.contains(QLatin1Char('/')) ||
        !isPlain(location.databaseName)) {
        fail(errorMessage, QCoreApplication::translate(
                               "traybeat::DatabaseLocation",
                               "the URL must name one database after the host (/DBNAME)"));
        return std::nullopt;
    }
    if (url.hasFragment()) {
        fail(errorMessage, QCoreApplication::translate("traybeat::DatabaseLocation",
                                                       "the URL must not have a fragment (#)"));
        return std::nullopt;
    }
    return location;
}

QString DatabaseLocation::displayName() const
{
    if (!isPostgres())
        return filePath.isEmpty() ? QStringLiteral(":memory:") : filePath;
    const bool socketFolder = host.startsWith(QLatin1Char('/'));
    QString text = QStringLiteral("postgresql://%1@%2").arg(user, socketFolder ? QString() : host);
    if (port > 0)
        text += QStringLiteral(":%1").arg(port);
    text += QLatin1Char('/') + databaseName;
    QStringList query;
    if (socketFolder)
        query.append(QStringLiteral("host=") + host);
    if (!sslMode.isEmpty())
        query.append(QStringLiteral("sslmode=") + sslMode);
    if (!query.isEmpty())
        text += QLatin1Char('?') + query.join(QLatin1Char('&'));
    return text;
}

QString DatabaseLocation::connectOptions() const
{
    // A database that does not answer is noticed within seconds, not at the TCP timeout.
    QStringList options{QStringLiteral("connect_timeout=5")};
    if (!sslMode.isEmpty())
        options.append(QStringLiteral("sslmode=") + sslMode);
    return options.join(QLatin1Char(';'));
}

bool DatabaseLocation::openPostgres(QSqlDatabase *database, const QString &connectionName,
                                    QString *errorMessage) const
{
    *database = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), connectionName);
    if (!database->isValid())
        return fail(errorMessage, QCoreApplication::translate(
                                      "traybeat::DatabaseLocation",
                                      "cannot open database %1: Qt's PostgreSQL driver (QPSQL) is "
                                      "not installed (Debian: libqt6sql6-psql)")
                                      .arg(displayName()));
    database->setHostName(host);
    if (port > 0)
        database->setPort(port);
    database->setUserName(user);
    // Without one libpq reads PGPASSWORD or ~/.pgpass.
    if (!password.isEmpty())
        database->setPassword(password);
    database->setDatabaseName(databaseName);
    database->setConnectOptions(connectOptions());
    if (!database->open())
        return fail(errorMessage, QCoreApplication::translate("traybeat::DatabaseLocation",
                                                              "cannot open database %1: %2")
                                      .arg(displayName(), database->lastError().text().trimmed()));
    return true;
}

} // namespace traybeat
