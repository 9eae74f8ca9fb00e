#include "modes.h"

#include "cli/commandline.h"
#include "databaselocation.h"
#include "logging.h"
#include "privatepath.h"
#include "pushserver.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QSocketNotifier>
#include <QStandardPaths>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <sys/socket.h>
#include <unistd.h>

namespace traybeat::modes {

namespace {
using commandline::Text;
const QString mode = QStringLiteral("serve");

// SIGTERM/SIGINT arrive on a socket pair (the classic self-pipe): a signal handler may only
// write(2); the event loop reads the other end and quits, so the server's destructor runs and
// the database is closed properly.
int signalPipe[2] = {-1, -1};

void forwardSignal(int)
{
    const char byte = 1;
    [[maybe_unused]] const auto written = ::write(signalPipe[0], &byte, 1);
}

bool installSignalHandlers()
{
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, signalPipe) != 0)
        return false;
    struct sigaction action = {};
    action.sa_handler = forwardSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    return ::sigaction(SIGTERM, &action, nullptr) == 0 &&
           ::sigaction(SIGINT, &action, nullptr) == 0;
}

// "ADDR:PORT", ":PORT" (loopback), "[v6]:PORT", "localhost:PORT". Port 0 picks a free one.
bool parseListen(const QString &text, QHostAddress *address, quint16 *port)
{
    const qsizetype colon = text.lastIndexOf(QLatin1Char(':'));
    if (colon < 0)
        return false;
    QString host = text.left(colon);
    bool isNumber = false;
    const uint number = text.mid(colon + 1).toUInt(&isNumber);
    if (!isNumber || number > 65535)
        return false;
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    if (host.isEmpty() || host == QLatin1String("localhost"))
        *address = QHostAddress(QHostAddress::LocalHost);
    else if (!address->setAddress(host))
        return false;
    *port = quint16(number);
    return true;
}

QString defaultDatabasePath()
{
    const QString folder = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    return QDir(folder).filePath(QStringLiteral("server.db"));
}

void addOptions(QCommandLineParser &parser)
{
    parser.setApplicationDescription(
        Text::tr("Runs the reference push server: ntfy's publish and subscribe API (POST /<topic>, "
                 "JSON publishing, /<topics>/ws|json|sse|raw, scheduled delivery; see the "
                 "README)."));
    parser.addOptions({
        {QStringLiteral("listen"),
         Text::tr("Address and port to listen on: ADDR:PORT, :PORT (loopback) or "
                  "0.0.0.0:PORT (all interfaces); port 0 picks a free one. Default "
                  "127.0.0.1:8080."),
         QStringLiteral("ADDR:PORT"), QStringLiteral("127.0.0.1:8080")},
    });
    parser.addOptions(commandline::databaseOptions(
        Text::tr("SQLite file for the message cache (default %1), or a PostgreSQL database "
                 "that several instances may share, holding messages, users and access: "
                 "postgresql://USER[:PASSWORD]@HOST[:PORT]/DBNAME[?sslmode=MODE] (or "
                 "?host=/socket/folder). Keep the password off the command line: in "
                 "~/.pgpass or PGPASSWORD (read by libpq), or with the URL in --db-url-file.")
            .arg(defaultDatabasePath())));
    parser.addOptions(commandline::tokenOptions(
        Text::tr("Require 'Authorization: Bearer TOKEN' on every request")));
    parser.addOption(commandline::authFileOption());
    parser.addOptions({
        {QStringLiteral("default-access"),
         Text::tr("What a client may do where no grant says otherwise: read-write, "
                  "read-only, write-only or deny-all (default read-write; deny-all with "
                  "--token and no auth file, as before users existed)."),
         QStringLiteral("ACCESS")},
        {QStringLiteral("keepalive"),
         Text::tr("Interval of keepalive events to subscribers (default 45s)."),
         QStringLiteral("DUR")},
        {QStringLiteral("cache"),
         Text::tr("How long messages are kept for catch-up (default 12h)."), QStringLiteral("DUR")},
        {QStringLiteral("message-limit"), Text::tr("Largest message body in bytes (default 4096)."),
         QStringLiteral("BYTES")},
        {QStringLiteral("read-timeout"),
         Text::tr("A request head must arrive within DUR of its first byte, a body may "
                  "pause at most DUR, a client must take our answers within DUR "
                  "(default 10s)."),
         QStringLiteral("DUR")},
        {QStringLiteral("idle-timeout"),
         Text::tr("An idle keep-alive connection is closed after DUR (default 60s)."),
         QStringLiteral("DUR")},
        {QStringLiteral("max-connections"),
         Text::tr("Open connections at most (default: the descriptor limit less 32 for "
                  "the database); more are refused at once."),
         QStringLiteral("N")},
        {QStringLiteral("max-connections-per-address"),
         Text::tr("Open connections from one client address at most (default 100)."),
         QStringLiteral("N")},
    });
}

// A positive integer option no larger than `maximum`; `fallback` when absent.
std::optional<int> countOption(const QCommandLineParser &parser, const QString &name, int fallback,
                               int maximum, QString *error)
{
    if (!parser.isSet(name))
        return fallback;
    bool isNumber = false;
    const int value = parser.value(name).toInt(&isNumber);
    if (isNumber && value >= 1 && value <= maximum)
        return value;
    *error = Text::tr("--%1 must be a number between 1 and %2").arg(name).arg(maximum);
    return std::nullopt;
}

bool readTimings(const QCommandLineParser &parser, PushServerOptions *options, QString *error)
{
    using commandline::durationOption;
    options->keepalive =
        durationOption(parser, QStringLiteral("keepalive"), options->keepalive, error);
    options->cache = durationOption(parser, QStringLiteral("cache"), options->cache, error);
    options->readTimeout =
        durationOption(parser, QStringLiteral("read-timeout"), options->readTimeout, error);
    options->idleTimeout =
        durationOption(parser, QStringLiteral("idle-timeout"), options->idleTimeout, error);
    if (!error->isEmpty())
        return false;
    if (options->cache.count() <= 0)
        *error = Text::tr("--cache must be longer than 0");
    else if (options->readTimeout.count() <= 0 || options->idleTimeout.count() <= 0)
        *error = Text::tr("--read-timeout and --idle-timeout must be longer than 0");
    return error->isEmpty();
}

bool readLimits(const QCommandLineParser &parser, PushServerOptions *options, QString *error)
{
    const auto messageLimit = countOption(parser, QStringLiteral("message-limit"),
                                          int(options->messageSizeLimit), 1024 * 1024, error);
    const auto total = countOption(parser, QStringLiteral("max-connections"),
                                   options->maxConnections, 1000000, error);
    const auto perAddress = countOption(parser, QStringLiteral("max-connections-per-address"),
                                        options->maxConnectionsPerAddress, 1000000, error);
    if (!messageLimit || !total || !perAddress)
        return false;
    options->messageSizeLimit = *messageLimit;
    options->maxConnections = *total;
    options->maxConnectionsPerAddress = *perAddress;
    return true;
}

bool readStorage(const QCommandLineParser &parser, PushServerOptions *options, QString *error)
{
    const auto database = commandline::readDatabase(parser, error);
    if (!database)
        return false;
    const bool isDefault =
        !parser.isSet(QStringLiteral("db")) && !parser.isSet(QStringLiteral("db-url-file"));
    options->databasePath = isDefault ? defaultDatabasePath() : *database;
    if (options->databasePath.isEmpty()) {
        *error = Text::tr("--db must not be empty");
        return false;
    }
    if (options->databasePath.contains(QLatin1String("://"))) {
        QString reason;
        options->database = DatabaseLocation::parse(options->databasePath, &reason);
        options->databasePath.clear();
        if (!options->database)
            *error = Text::tr("--db: %1").arg(reason);
        return options->database.has_value();
    }
    // The default folder is traybeat's own and is narrowed; a --db folder may hold other things.
    const QString folder = QFileInfo(options->databasePath).absolutePath();
    QString reason;
    if (!PrivatePath::ensureDirectory(
            folder, isDefault ? PrivatePath::Existing::Narrow : PrivatePath::Existing::Keep,
            &reason)) {
        *error = (isDefault ? Text::tr("state folder: %1") : Text::tr("--db: %1")).arg(reason);
        return false;
    }
    return true;
}

// With a PostgreSQL database, users and access live in it, for every instance alike: an auth
// file, given or the default one, is refused rather than silently ignored (its grants would
// not apply, and the default access might open what it closed).
bool refuseAuthFileBesideDatabase(const QCommandLineParser &parser, const QString &path,
                                  QString *error)
{
    if (parser.isSet(QStringLiteral("auth-file")))
        *error = Text::tr("--auth-file cannot be used with a PostgreSQL --db: users and access "
                          "live in that database (manage them with traybeat user|access|token "
                          "--db URL)");
    else if (QFileInfo::exists(path))
        *error = Text::tr("with a PostgreSQL --db users and access live in that database, but "
                          "the auth file %1 exists: add its users there (traybeat user add NAME "
                          "--db URL, …), then move the file away")
                     .arg(path);
    return error->isEmpty();
}

// --auth-file, or the default auth file when it exists (made by `traybeat user add`), and
// --default-access.
bool readAccess(const QCommandLineParser &parser, PushServerOptions *options, QString *error)
{
    const QString path = parser.isSet(QStringLiteral("auth-file"))
                             ? parser.value(QStringLiteral("auth-file"))
                             : commandline::defaultAuthFilePath();
    if (parser.isSet(QStringLiteral("auth-file")) && path.isEmpty()) {
        *error = Text::tr("--auth-file must not be empty");
        return false;
    }
    if (options->database && !refuseAuthFileBesideDatabase(parser, path, error))
        return false;
    if (!options->database &&
        (parser.isSet(QStringLiteral("auth-file")) || QFileInfo::exists(path)))
        options->access.authFile = path;
    if (!parser.isSet(QStringLiteral("default-access")))
        return true;
    const QString text = parser.value(QStringLiteral("default-access"));
    const auto permission =
        text == QLatin1String("deny-all") ? std::optional(Permission::Deny) : parsePermission(text);
    if (!permission) {
        *error = Text::tr("--default-access: \"%1\" is none of read-write, read-only, "
                          "write-only, deny-all")
                     .arg(text);
        return false;
    }
    options->access.defaultPermission = permission;
    return true;
}

std::optional<PushServerOptions> readOptions(const QCommandLineParser &parser, QString *error)
{
    PushServerOptions options;
    if (!parser.positionalArguments().isEmpty()) {
        *error = Text::tr("unexpected argument \"%1\"").arg(parser.positionalArguments().first());
        return std::nullopt;
    }
    if (!parseListen(parser.value(QStringLiteral("listen")), &options.address, &options.port)) {
        *error = Text::tr("--listen: \"%1\" is not ADDR:PORT")
                     .arg(parser.value(QStringLiteral("listen")));
        return std::nullopt;
    }
    if (!readTimings(parser, &options, error) || !readLimits(parser, &options, error))
        return std::nullopt;
    const auto token = commandline::readToken(parser, error);
    if (!token)
        return std::nullopt;
    if (parser.isSet(QStringLiteral("token")) && token->isEmpty()) {
        *error = Text::tr("--token must not be empty");
        return std::nullopt;
    }
    options.token = *token;
    if (!readStorage(parser, &options, error) || !readAccess(parser, &options, error))
        return std::nullopt;
    return options;
}

// Listens and serves until SIGTERM/SIGINT; the exit status of `traybeat serve`.
int serve(QCoreApplication &app, const PushServerOptions &options)
{
    if (!installSignalHandlers()) {
        std::fprintf(stderr, "traybeat serve: %s\n",
                     qPrintable(Text::tr("cannot install signal handlers")));
        return 1;
    }
    QSocketNotifier signalNotifier(signalPipe[1], QSocketNotifier::Read);
    QObject::connect(&signalNotifier, &QSocketNotifier::activated, &app, [&app] {
        char byte = 0;
        [[maybe_unused]] const auto bytes = ::read(signalPipe[1], &byte, 1);
        app.quit();
    });

    PushServer server(options);
    QString error;
    if (!server.listen(&error)) {
        std::fprintf(stderr, "traybeat serve: %s\n", qPrintable(error));
        return 1;
    }
    // The URL printed is one a local client can use; an any-address is named after it. Scripts
    // read this line for the port: it is not translated.
    const bool anyAddress = options.address == QHostAddress(QHostAddress::AnyIPv4) ||
                            options.address == QHostAddress(QHostAddress::AnyIPv6) ||
                            options.address == QHostAddress(QHostAddress::Any);
    std::printf(
        "traybeat serve: listening on %s%s\n",
        qPrintable(server.url().toString(QUrl::FullyEncoded)),
        anyAddress
            ? qPrintable(QStringLiteral(" (all interfaces: %1)").arg(options.address.toString()))
            : "");
    if (options.database)
        std::printf("traybeat serve: messages, users and access in %s\n",
                    qPrintable(options.database->displayName()));
    if (!options.access.authFile.isEmpty())
        std::printf("traybeat serve: users and access from %s\n",
                    qPrintable(options.access.authFile));
    std::fflush(stdout);
    return app.exec();
}
} // namespace

int runServe(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("traybeat"));
    commandline::chooseLanguage(app);

    QCommandLineParser parser;
    addOptions(parser);
    const QStringList arguments = QCoreApplication::arguments();
    commandline::hidePasswordFromProcessList(argc, argv);
    if (const auto done = commandline::parse(parser, arguments, mode))
        return *done;
    QString error;
    const auto options = readOptions(parser, &error);
    if (!options)
        return commandline::fail(mode, error);
    return serve(app, *options);
}

} // namespace traybeat::modes
