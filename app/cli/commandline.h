#pragma once

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QString>
#include <chrono>
#include <optional>

// Shared by the command-line modes: the contract says bad arguments get a one-line reason on
// stderr and exit status 2.
namespace traybeat::commandline {

inline constexpr int BadUsage = 2;

// The translation context of the modes' help and error texts: `Text::tr("...")`. What a script
// reads (listen's JSON, serve's "listening on" line) is not translated.
class Text final
{
    Q_DECLARE_TR_FUNCTIONS(traybeat::CommandLine)
};

// Installs the translations (Translations::install) for `--lang CODE` in `app`'s arguments, or
// for the system locale. Call before any text is built. A language without a translation gets
// one warning line on stderr, and the texts stay English.
void chooseLanguage(QCoreApplication &app);

// Prints "traybeat <mode>: <reason>" (one line) to stderr and returns BadUsage, so a mode can
// write `return commandline::fail(u"listen"_s, reason);`.
int fail(const QString &mode, const QString &reason);

// Runs `parser.process`-like parsing without exiting on errors: --help prints help and yields 0,
// an unknown option yields a one-line failure. std::nullopt means "go on". Adds --help and
// --lang (read earlier by chooseLanguage) to the options.
std::optional<int> parse(QCommandLineParser &parser, const QStringList &arguments,
                         const QString &mode);

// Reads option `name` as a duration ("250ms", "5s", "2m"); `*ok` false + one-line reason in
// `*error` when it does not parse. Returns `fallback` when the option is absent.
std::chrono::milliseconds durationOption(const QCommandLineParser &parser, const QString &name,
                                         std::chrono::milliseconds fallback, QString *error);

// The options every mode that talks to a server with a secret offers: --token-file FILE and
// --token TOKEN (the latter with a warning, since any local user can read a command line).
// `purpose` says what the token is for, e.g. "Bearer token the server requires".
QList<QCommandLineOption> tokenOptions(const QString &purpose);

// The token from, in this order: --token-file (its first line, surrounding whitespace
// dropped), --token, the environment variable TRAYBEAT_TOKEN. Empty when none is given;
// nullopt + a one-line reason when the file cannot be read, is empty, or both options are set.
std::optional<QString> readToken(const QCommandLineParser &parser, QString *error);

// A password: from a prompt on the terminal with echo off when standard input is one (asked
// twice when `confirm`, the two must match), else the first line of standard input. nullopt +
// a one-line reason when it is empty or the two differ.
std::optional<QString> readPassword(const QString &prompt, bool confirm, QString *error);

// A password in a --db URL is overwritten in our own argv, so that `ps` and /proc/PID/cmdline
// show it only for the moment before this runs (as psql and mysql do); ~/.pgpass, PGPASSWORD
// or --db-url-file never show it at all.
void hidePasswordFromProcessList(int argc, char **argv);

// --db (described by `description`) and --db-url-file FILE: the database URL read from a file,
// so that a password in it never appears on a command line.
QList<QCommandLineOption> databaseOptions(const QString &description);

// The --db value from --db-url-file (its first line, surrounding whitespace dropped; the file
// must be private to its owner, as libpq insists for ~/.pgpass) or --db; empty when neither is
// given. nullopt + a one-line reason (never quoting the file's content) when the file cannot
// be read, is empty or readable by others, or both options are set.
std::optional<QString> readDatabase(const QCommandLineParser &parser, QString *error);

// The auth file (users, grants, tokens) when --auth-file is not given: auth.db beside the
// server's default message database.
QString defaultAuthFilePath();

// The --auth-file option, with the default named.
QCommandLineOption authFileOption();

// SIGINT/SIGTERM make the running QCoreApplication quit through its event loop, so stores are
// flushed and sockets closed as on a normal exit. Call after the application object exists.
void quitOnTerminationSignals();

} // namespace traybeat::commandline
