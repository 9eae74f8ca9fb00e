#include "modes.h"

#include "authstore.h"
#include "cli/commandline.h"
#include "databaselocation.h"
#include "duration.h"
#include "privatepath.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QFileInfo>

#include <cstdio>

// traybeat user|access|token: manage the users and access `traybeat serve` reads (docs/design.md,
// "Users and access"): in the auth file, or with --db in the PostgreSQL database that serve
// instances share. Each opens the store, changes or lists one thing, and exits.
namespace traybeat::modes {

namespace {
using commandline::Text;

void print(const QString &line)
{
    std::printf("%s\n", qPrintable(line));
}

// The PostgreSQL database of --db or --db-url-file; nullopt + reason for anything else.
std::optional<DatabaseLocation> readDatabaseOption(const QCommandLineParser &parser, QString *error)
{
    const auto text = commandline::readDatabase(parser, error);
    if (!text)
        return std::nullopt;
    if (!DatabaseLocation::looksLikeUrl(*text)) {
        *error = Text::tr("--db: only a postgresql:// URL holds users; with an SQLite message "
                          "file they are in the auth file (--auth-file)");
        return std::nullopt;
    }
    QString reason;
    auto location = DatabaseLocation::parse(*text, &reason);
    if (!location)
        *error = Text::tr("--db: %1").arg(reason);
    return location;
}

// Opens the database of --db, the auth file named by --auth-file, or the default one (its
// folder is traybeat's own state folder, created 0700).
bool openStore(const QCommandLineParser &parser, AuthStore *store, QString *error)
{
    if (parser.isSet(QStringLiteral("db")) || parser.isSet(QStringLiteral("db-url-file"))) {
        const auto location = readDatabaseOption(parser, error);
        return location && store->open(*location, error);
    }
    const bool isDefault = !parser.isSet(QStringLiteral("auth-file"));
    const QString path =
        isDefault ? commandline::defaultAuthFilePath() : parser.value(QStringLiteral("auth-file"));
    if (path.isEmpty()) {
        *error = Text::tr("--auth-file must not be empty");
        return false;
    }
    if (isDefault && !PrivatePath::ensureDirectory(QFileInfo(path).absolutePath(),
                                                   PrivatePath::Existing::Narrow, error))
        return false;
    return store->open(path, error);
}

// Parses the command line of one auth mode: `usage` is its positional arguments' syntax.
// Returns the exit status when done already (help, bad arguments).
std::optional<int> parseAuthCommandLine(QCommandLineParser &parser, const QStringList &arguments,
                                        const QString &mode, const QString &description,
                                        const QList<QCommandLineOption> &options)
{
    parser.setApplicationDescription(description);
    parser.addOption(commandline::authFileOption());
    parser.addOptions(commandline::databaseOptions(
        Text::tr("The PostgreSQL database of traybeat serve --db "
                 "(postgresql://USER@HOST/DBNAME): users and access live there instead of in "
                 "an auth file.")));
    parser.addOptions(options);
    return commandline::parse(parser, arguments, mode);
}

int runUserCommand(const QCommandLineParser &parser, AuthStore &store, const QString &mode)
{
    const QStringList arguments = parser.positionalArguments();
    const QString command = arguments.value(0);
    const QString name = arguments.value(1);
    const bool wantsName = command != QLatin1String("list");
    if (arguments.size() != (wantsName ? 2 : 1))
        return commandline::fail(mode, Text::tr("usage: traybeat user add|del|change-pass NAME, or "
                                                "traybeat user list"));
    const QString role = parser.value(QStringLiteral("role"));
    if (!role.isEmpty() && role != QLatin1String("admin") && role != QLatin1String("user"))
        return commandline::fail(mode, Text::tr("--role must be admin or user"));
    QString error;
    bool done = false;
    if (command == QLatin1String("list")) {
        for (const AuthUser &user : store.users())
            print(QStringLiteral("%1 (%2)").arg(user.name, user.isAdmin ? QStringLiteral("admin")
                                                                        : QStringLiteral("user")));
        return 0;
    } else if (command == QLatin1String("add")) {
        if (!AuthStore::isValidUserName(name))
            return commandline::fail(mode, Text::tr("\"%1\" is not a valid user name").arg(name));
        const auto password = commandline::readPassword(Text::tr("Password: "), true, &error);
        done = password && store.addUser(name, *password, role == QLatin1String("admin"), &error);
    } else if (command == QLatin1String("del")) {
        done = store.removeUser(name, &error);
    } else if (command == QLatin1String("change-pass")) {
        const auto password = commandline::readPassword(Text::tr("New password: "), true, &error);
        done = password && store.changePassword(name, *password, &error) &&
               (role.isEmpty() || store.setAdmin(name, role == QLatin1String("admin"), &error));
    } else if (command == QLatin1String("change-role")) {
        done = !role.isEmpty() && store.setAdmin(name, role == QLatin1String("admin"), &error);
        if (role.isEmpty())
            error = Text::tr("change-role needs --role admin|user");
    } else {
        return commandline::fail(mode,
                                 Text::tr("unknown command \"%1\" (add, del, list, change-pass, "
                                          "change-role)")
                                     .arg(command));
    }
    if (!done)
        return commandline::fail(mode, error);
    return 0;
}

int runAccessCommand(const QCommandLineParser &parser, AuthStore &store, const QString &mode)
{
    const QStringList arguments = parser.positionalArguments();
    QString error;
    if (parser.isSet(QStringLiteral("reset"))) {
        if (arguments.isEmpty() || arguments.size() > 2)
            return commandline::fail(mode,
                                     Text::tr("usage: traybeat access --reset NAME [PATTERN]"));
        if (!store.resetAccess(arguments[0], arguments.value(1), &error))
            return commandline::fail(mode, error);
        return 0;
    }
    if (arguments.size() <= 1) {
        for (const AccessGrant &grant : store.grants(arguments.value(0)))
            print(QStringLiteral("%1 %2 %3")
                      .arg(grant.user, grant.pattern, permissionName(grant.permission)));
        return 0;
    }
    if (arguments.size() != 3)
        return commandline::fail(mode, Text::tr("usage: traybeat access NAME|* TOPIC-PATTERN "
                                                "read-write|read-only|write-only|deny"));
    const auto permission = parsePermission(arguments[2]);
    if (!permission)
        return commandline::fail(mode,
                                 Text::tr("\"%1\" is none of read-write, read-only, write-only, "
                                          "deny")
                                     .arg(arguments[2]));
    if (!store.grant(arguments[0], arguments[1], *permission, &error))
        return commandline::fail(mode, error);
    return 0;
}

// What `user list` and `token list` print is for scripts too: not translated.
QString formatTime(qint64 ms)
{
    return ms == 0 ? QStringLiteral("never")
                   : QDateTime::fromMSecsSinceEpoch(ms).toString(Qt::ISODate);
}

int runTokenCommand(const QCommandLineParser &parser, AuthStore &store, const QString &mode)
{
    const QStringList arguments = parser.positionalArguments();
    const QString command = arguments.value(0);
    QString error;
    if (command == QLatin1String("add") && arguments.size() == 2) {
        qint64 expiresMs = 0;
        if (parser.isSet(QStringLiteral("expires"))) {
            const auto duration = parseDuration(parser.value(QStringLiteral("expires")));
            if (!duration || duration->count() <= 0)
                return commandline::fail(mode, Text::tr("--expires: \"%1\" is not a duration (e.g. "
                                                        "30d, 12h)")
                                                   .arg(parser.value(QStringLiteral("expires"))));
            expiresMs = QDateTime::currentMSecsSinceEpoch() + duration->count();
        }
        const auto token =
            store.addToken(arguments[1], parser.value(QStringLiteral("label")), expiresMs, &error);
        if (!token)
            return commandline::fail(mode, error);
        print(*token); // the only time it is shown: the store keeps its digest
        return 0;
    }
    if (command == QLatin1String("list") && arguments.size() == 2) {
        for (const TokenInfo &token : store.tokens(arguments[1]))
            print(QStringLiteral("%1… label \"%2\" created %3 expires %4")
                      .arg(token.hint, token.label, formatTime(token.createdMs),
                           formatTime(token.expiresMs)));
        return 0;
    }
    if (command == QLatin1String("remove") && arguments.size() == 3) {
        if (!store.removeToken(arguments[1], arguments[2], &error))
            return commandline::fail(mode, error);
        return 0;
    }
    return commandline::fail(mode, Text::tr("usage: traybeat token add NAME [--label L] [--expires "
                                            "DUR], token list NAME, token remove NAME TOKEN"));
}

using Command = int (*)(const QCommandLineParser &, AuthStore &, const QString &);

// One auth mode: its help text and options are built by functions, after the language is chosen.
struct AuthMode
{
    const char *word;
    QString (*description)();
    QList<QCommandLineOption> (*options)();
    Command command;
};

int runAuthMode(int argc, char **argv, const AuthMode &authMode)
{
    QCoreApplication app(argc, argv);
    // Read before the password in them is overwritten.
    const QStringList arguments = QCoreApplication::arguments();
    commandline::hidePasswordFromProcessList(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("traybeat"));
    commandline::chooseLanguage(app);
    const QString mode = QString::fromLatin1(authMode.word);
    QCommandLineParser parser;
    if (const auto done = parseAuthCommandLine(parser, arguments, mode, authMode.description(),
                                               authMode.options()))
        return *done;
    if (parser.isSet(QStringLiteral("auth-file")) &&
        (parser.isSet(QStringLiteral("db")) || parser.isSet(QStringLiteral("db-url-file"))))
        return commandline::fail(mode, Text::tr("--auth-file and --db: give one of them"));
    AuthStore store;
    QString error;
    if (!openStore(parser, &store, &error)) {
        std::fprintf(stderr, "traybeat %s: %s\n", qPrintable(mode), qPrintable(error));
        return 1;
    }
    return authMode.command(parser, store, mode);
}
} // namespace

int runUser(int argc, char **argv)
{
    return runAuthMode(argc, argv,
                       {"user",
                        [] {
                            return Text::tr(
                                "Manages the users of `traybeat serve`: user add|del|change-pass "
                                "NAME, user list, user change-role NAME --role admin|user. "
                                "Passwords are read from a prompt, or from the first line of "
                                "standard input when it is not a terminal.");
                        },
                        [] {
                            return QList<QCommandLineOption>{
                                {QStringLiteral("role"),
                                 Text::tr("admin (may read and write every topic) or user."),
                                 QStringLiteral("ROLE")}};
                        },
                        runUserCommand});
}

int runAccess(int argc, char **argv)
{
    return runAuthMode(argc, argv,
                       {"access",
                        [] {
                            return Text::tr(
                                "Grants a user (or * for everyone) access to topics: access NAME "
                                "TOPIC-PATTERN read-write|read-only|write-only|deny. access [NAME] "
                                "lists; access --reset NAME [PATTERN] removes grants. * in a "
                                "pattern matches any characters.");
                        },
                        [] {
                            return QList<QCommandLineOption>{
                                {QStringLiteral("reset"),
                                 Text::tr("Remove NAME's grant on PATTERN, or all of them.")}};
                        },
                        runAccessCommand});
}

int runToken(int argc, char **argv)
{
    return runAuthMode(
        argc, argv,
        {"token",
         [] {
             return Text::tr("Manages access tokens: token add NAME (prints the new token "
                             "once), token list NAME, token remove NAME TOKEN.");
         },
         [] {
             return QList<QCommandLineOption>{
                 {QStringLiteral("label"), Text::tr("A note to tell the token apart."),
                  QStringLiteral("LABEL")},
                 {QStringLiteral("expires"),
                  Text::tr("The token stops working after DUR (e.g. 30d)."),
                  QStringLiteral("DUR")}};
         },
         runTokenCommand});
}

} // namespace traybeat::modes
