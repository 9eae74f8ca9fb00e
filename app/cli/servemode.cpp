#include "modes.h"

#include "cli/commandline.h"
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
#include <sys/socket.h>
#include <unistd.h>

namespace traybeat::modes {

namespace {
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
} // namespace

int runServe(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("traybeat"));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Runs the reference push server (a subset of ntfy's API: POST /<topic>, "
                       "GET /<topics>/ws, GET /<topics>/json?poll=1)."));
    parser.addOptions({
        {QStringLiteral("listen"),
         QStringLiteral("Address and port to listen on: ADDR:PORT, :PORT (loopback) or "
                        "0.0.0.0:PORT (all interfaces); port 0 picks a free one. Default "
                        "127.0.0.1:8080."),
         QStringLiteral("ADDR:PORT"), QStringLiteral("127.0.0.1:8080")},
        {QStringLiteral("db"),
         QStringLiteral("SQLite file for the message cache (default %1).")
             .arg(defaultDatabasePath()),
         QStringLiteral("FILE")},
        {QStringLiteral("token"),
         QStringLiteral("Require 'Authorization: Bearer TOKEN' on every request."),
         QStringLiteral("TOKEN")},
        {QStringLiteral("keepalive"),
         QStringLiteral("Interval of keepalive events to subscribers (default 45s)."),
         QStringLiteral("DUR")},
        {QStringLiteral("cache"),
         QStringLiteral("How long messages are kept for catch-up (default 12h)."),
         QStringLiteral("DUR")},
        {QStringLiteral("message-limit"),
         QStringLiteral("Largest message body in bytes (default 4096)."), QStringLiteral("BYTES")},
    });
    if (const auto done = commandline::parse(parser, QCoreApplication::arguments(), mode))
        return *done;
    if (!parser.positionalArguments().isEmpty())
        return commandline::fail(
            mode,
            QStringLiteral("unexpected argument \"%1\"").arg(parser.positionalArguments().first()));

    PushServerOptions options;
    if (!parseListen(parser.value(QStringLiteral("listen")), &options.address, &options.port))
        return commandline::fail(mode, QStringLiteral("--listen: \"%1\" is not ADDR:PORT")
                                           .arg(parser.value(QStringLiteral("listen"))));
    QString error;
    options.keepalive =
        commandline::durationOption(parser, QStringLiteral("keepalive"), options.keepalive, &error);
    options.cache =
        commandline::durationOption(parser, QStringLiteral("cache"), options.cache, &error);
    if (!error.isEmpty())
        return commandline::fail(mode, error);
    if (options.cache.count() <= 0)
        return commandline::fail(mode, QStringLiteral("--cache must be longer than 0"));
    if (parser.isSet(QStringLiteral("message-limit"))) {
        bool isNumber = false;
        options.messageSizeLimit =
            parser.value(QStringLiteral("message-limit")).toLongLong(&isNumber);
        if (!isNumber || options.messageSizeLimit < 1 || options.messageSizeLimit > 1024 * 1024)
            return commandline::fail(mode, QStringLiteral("--message-limit must be a number of "
                                                          "bytes between 1 and 1048576"));
    }
    options.token = parser.value(QStringLiteral("token"));
    if (parser.isSet(QStringLiteral("token")) && options.token.isEmpty())
        return commandline::fail(mode, QStringLiteral("--token must not be empty"));
    options.databasePath = parser.isSet(QStringLiteral("db")) ? parser.value(QStringLiteral("db"))
                                                              : defaultDatabasePath();
    if (options.databasePath.isEmpty())
        return commandline::fail(mode, QStringLiteral("--db must not be empty"));
    // The default folder is traybeat's own and is narrowed; a --db folder may hold other things.
    const QString folder = QFileInfo(options.databasePath).absolutePath();
    const bool isDefault = !parser.isSet(QStringLiteral("db"));
    if (!PrivatePath::ensureDirectory(
            folder, isDefault ? PrivatePath::Existing::Narrow : PrivatePath::Existing::Keep,
            &error))
        return commandline::fail(
            mode, (isDefault ? QStringLiteral("state folder: %1") : QStringLiteral("--db: %1"))
                      .arg(error));

    if (!installSignalHandlers()) {
        std::fprintf(stderr, "traybeat serve: cannot install signal handlers\n");
        return 1;
    }
    QSocketNotifier signalNotifier(signalPipe[1], QSocketNotifier::Read);
    QObject::connect(&signalNotifier, &QSocketNotifier::activated, &app, [&app] {
        char byte = 0;
        [[maybe_unused]] const auto bytes = ::read(signalPipe[1], &byte, 1);
        app.quit();
    });

    PushServer server(options);
    if (!server.listen(&error)) {
        std::fprintf(stderr, "traybeat serve: %s\n", qPrintable(error));
        return 1;
    }
    // The URL printed is one a local client can use; an any-address is named after it.
    const bool anyAddress = options.address == QHostAddress(QHostAddress::AnyIPv4) ||
                            options.address == QHostAddress(QHostAddress::AnyIPv6) ||
                            options.address == QHostAddress(QHostAddress::Any);
    std::printf(
        "traybeat serve: listening on %s%s\n",
        qPrintable(server.url().toString(QUrl::FullyEncoded)),
        anyAddress
            ? qPrintable(QStringLiteral(" (all interfaces: %1)").arg(options.address.toString()))
            : "");
    std::fflush(stdout);
    return app.exec();
}

} // namespace traybeat::modes
