#include "commandline.h"

#include "duration.h"
#include "translations.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QSocketNotifier>
#include <QStandardPaths>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

namespace traybeat::commandline {

using std::chrono::milliseconds;

void chooseLanguage(QCoreApplication &app)
{
    QString warning;
    if (!Translations::install(app, Translations::requestedLanguage(app.arguments()), &warning))
        std::fprintf(stderr, "traybeat: %s\n", qPrintable(warning));
}

namespace {
// Qt names the program by argv[0] (or "<executable_name>" before the application object
// exists) in the first line of the help, its translated "Usage: %1 [options] ..."; the user
// typed `traybeat <mode>`, so say that.
void nameProgramInUsage(QString *help, const QString &mode)
{
    // Qt's own text (a variable, so that lupdate leaves it to Qt's catalog).
    static const char usageTemplate[] = "Usage: %1";
    const QString usage = QCommandLineParser::tr(usageTemplate);
    const QString prefix = usage.left(usage.indexOf(QLatin1String("%1")));
    if (prefix.isEmpty() || !help->startsWith(prefix))
        return;
    const qsizetype lineEnd = help->indexOf(QLatin1Char('\n'));
    const qsizetype optionsStart = help->indexOf(QLatin1String(" ["), prefix.size());
    const qsizetype nameEnd =
        optionsStart > 0 && (lineEnd < 0 || optionsStart < lineEnd) ? optionsStart : lineEnd;
    if (nameEnd > 0)
        help->replace(prefix.size(), nameEnd - prefix.size(),
                      QStringLiteral("traybeat") +
                          (mode.isEmpty() ? QString() : QLatin1Char(' ') + mode));
}
} // namespace

int fail(const QString &mode, const QString &reason)
{
    const QString prefix =
        mode.isEmpty() ? QStringLiteral("traybeat") : QStringLiteral("traybeat ") + mode;
    std::fprintf(stderr, "%s: %s\n", qPrintable(prefix), qPrintable(reason));
    std::fflush(stderr);
    return BadUsage;
}

std::optional<int> parse(QCommandLineParser &parser, const QStringList &arguments,
                         const QString &mode)
{
    const QCommandLineOption help = parser.addHelpOption();
    parser.addOption({QStringLiteral("lang"),
                      Text::tr("Language of the texts, e.g. zh_CN or en (default: the system's)."),
                      QStringLiteral("CODE")});
    if (!parser.parse(arguments))
        return fail(mode, parser.errorText());
    // Qt offers --help-all too (with its own options, which traybeat's modes do not take).
    if (parser.isSet(help) || parser.isSet(QStringLiteral("help-all"))) {
        QString help = parser.helpText();
        nameProgramInUsage(&help, mode);
        std::fputs(qPrintable(help), stdout);
        return 0;
    }
    return std::nullopt;
}

// (`milliseconds`, not `std::chrono::milliseconds`: lupdate loses the class of Text::tr below a
// qualified return type.)
milliseconds durationOption(const QCommandLineParser &parser, const QString &name,
                            milliseconds fallback, QString *error)
{
    if (!parser.isSet(name))
        return fallback;
    const QString text = parser.value(name);
    if (const auto duration = parseDuration(text))
        return *duration;
    if (error && error->isEmpty())
        *error = Text::tr("--%1: \"%2\" is not a duration (use a number with ms, s, m, h or d, "
                          "e.g. 250ms, 5s, 2m)")
                     .arg(name, text);
    return fallback;
}

QList<QCommandLineOption> tokenOptions(const QString &purpose)
{
    return {
        {QStringLiteral("token-file"),
         Text::tr("%1, read from the first line of FILE.").arg(purpose), QStringLiteral("FILE")},
        {QStringLiteral("token"),
         Text::tr("%1. Visible to other users of this machine (ps, /proc): prefer "
                  "--token-file or the environment variable TRAYBEAT_TOKEN.")
             .arg(purpose),
         QStringLiteral("TOKEN")},
    };
}

std::optional<QString> readToken(const QCommandLineParser &parser, QString *error)
{
    const bool fromFile = parser.isSet(QStringLiteral("token-file"));
    if (fromFile && parser.isSet(QStringLiteral("token"))) {
        *error = Text::tr("--token and --token-file: give one of them");
        return std::nullopt;
    }
    if (!fromFile) {
        if (parser.isSet(QStringLiteral("token")))
            return parser.value(QStringLiteral("token"));
        return qEnvironmentVariable("TRAYBEAT_TOKEN");
    }
    const QString path = parser.value(QStringLiteral("token-file"));
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = Text::tr("--token-file: cannot read %1: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    // A secret is short; a huge file is a mistake, not a token.
    const QString token = QString::fromUtf8(file.readLine(4096)).trimmed();
    if (token.isEmpty()) {
        *error = Text::tr("--token-file: %1 holds no token on its first line").arg(path);
        return std::nullopt;
    }
    return token;
}

void hidePasswordFromProcessList(int argc, char **argv)
{
    for (int i = 1; i < argc; ++i) {
        char *url = std::strstr(argv[i], "://");
        if (!url)
            continue;
        char *at = std::strchr(url + 3, '@');
        char *colon = std::strchr(url + 3, ':');
        if (!at || !colon || colon > at)
            continue;
        for (char *c = colon + 1; c < at; ++c)
            *c = 'x';
    }
}

QList<QCommandLineOption> databaseOptions(const QString &description)
{
    return {{QStringLiteral("db"), description, QStringLiteral("FILE|URL")},
            {QStringLiteral("db-url-file"),
             Text::tr("Read the --db value from the first line of FILE (mode 0600), so that a "
                      "password in the URL is never on a command line."),
             QStringLiteral("FILE")}};
}

std::optional<QString> readDatabase(const QCommandLineParser &parser, QString *error)
{
    const bool fromFile = parser.isSet(QStringLiteral("db-url-file"));
    if (fromFile && parser.isSet(QStringLiteral("db"))) {
        *error = Text::tr("--db and --db-url-file: give one of them");
        return std::nullopt;
    }
    if (!fromFile)
        return parser.value(QStringLiteral("db"));
    const QString path = parser.value(QStringLiteral("db-url-file"));
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = Text::tr("--db-url-file: cannot read %1: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    constexpr auto othersMayRead = QFileDevice::ReadGroup | QFileDevice::ReadOther;
    if (file.permissions() & othersMayRead) {
        *error = Text::tr("--db-url-file: %1 may be read by others; make it private "
                          "(chmod 600)")
                     .arg(path);
        return std::nullopt;
    }
    const QString url = QString::fromUtf8(file.readLine(4096)).trimmed();
    if (url.isEmpty()) {
        *error = Text::tr("--db-url-file: %1 holds nothing on its first line").arg(path);
        return std::nullopt;
    }
    return url;
}

namespace {
// One line of standard input without its line end; bounded, a password is short.
QString readLine()
{
    char buffer[1024];
    if (!std::fgets(buffer, sizeof buffer, stdin))
        return {};
    QString line = QString::fromUtf8(buffer);
    while (line.endsWith(QLatin1Char('\n')) || line.endsWith(QLatin1Char('\r')))
        line.chop(1);
    return line;
}

QString promptWithoutEcho(const QString &prompt)
{
    std::fprintf(stderr, "%s", qPrintable(prompt));
    std::fflush(stderr);
    termios saved = {};
    const bool haveTerminal = ::tcgetattr(STDIN_FILENO, &saved) == 0;
    if (haveTerminal) {
        termios silent = saved;
        silent.c_lflag &= ~tcflag_t(ECHO);
        ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent);
    }
    const QString line = readLine();
    if (haveTerminal)
        ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    std::fprintf(stderr, "\n");
    return line;
}
} // namespace

std::optional<QString> readPassword(const QString &prompt, bool confirm, QString *error)
{
    const bool interactive = ::isatty(STDIN_FILENO) == 1;
    const QString password = interactive ? promptWithoutEcho(prompt) : readLine();
    if (password.isEmpty()) {
        *error = Text::tr("the password is empty");
        return std::nullopt;
    }
    if (interactive && confirm &&
        promptWithoutEcho(Text::tr("Repeat the password: ")) != password) {
        *error = Text::tr("the two passwords differ");
        return std::nullopt;
    }
    return password;
}

QString defaultAuthFilePath()
{
    const QString folder = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    return QDir(folder).filePath(QStringLiteral("auth.db"));
}

QCommandLineOption authFileOption()
{
    return {QStringLiteral("auth-file"),
            Text::tr("SQLite file of users, access grants and tokens "
                     "(default %1).")
                .arg(defaultAuthFilePath()),
            QStringLiteral("FILE")};
}

namespace {
int signalPipe[2] = {-1, -1};

void onTerminationSignal(int)
{
    const char byte = 1;
    // Only async-signal-safe work here: one write; the event loop does the rest.
    [[maybe_unused]] const auto written = ::write(signalPipe[0], &byte, 1);
}
} // namespace

void quitOnTerminationSignals()
{
    if (signalPipe[0] != -1 || ::socketpair(AF_UNIX, SOCK_STREAM, 0, signalPipe) != 0)
        return;
    auto *notifier =
        new QSocketNotifier(signalPipe[1], QSocketNotifier::Read, QCoreApplication::instance());
    QObject::connect(notifier, &QSocketNotifier::activated, QCoreApplication::instance(), [] {
        char byte;
        [[maybe_unused]] const auto read = ::read(signalPipe[1], &byte, 1);
        QCoreApplication::quit();
    });
    struct sigaction action = {};
    action.sa_handler = onTerminationSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
}

} // namespace traybeat::commandline
