#pragma once

#include <QCommandLineParser>
#include <QString>
#include <chrono>
#include <optional>

// Shared by the command-line modes: the contract says bad arguments get a one-line reason on
// stderr and exit status 2.
namespace traybeat::commandline {

inline constexpr int BadUsage = 2;

// Prints "traybeat <mode>: <reason>" (one line) to stderr and returns BadUsage, so a mode can
// write `return commandline::fail(u"listen"_s, reason);`.
int fail(const QString &mode, const QString &reason);

// Runs `parser.process`-like parsing without exiting on errors: --help prints help and yields 0,
// an unknown option yields a one-line failure. std::nullopt means "go on".
std::optional<int> parse(QCommandLineParser &parser, const QStringList &arguments,
                         const QString &mode);

// Reads option `name` as a duration ("250ms", "5s", "2m"); `*ok` false + one-line reason in
// `*error` when it does not parse. Returns `fallback` when the option is absent.
std::chrono::milliseconds durationOption(const QCommandLineParser &parser, const QString &name,
                                         std::chrono::milliseconds fallback, QString *error);

// SIGINT/SIGTERM make the running QCoreApplication quit through its event loop, so stores are
// flushed and sockets closed as on a normal exit. Call after the application object exists.
void quitOnTerminationSignals();

} // namespace traybeat::commandline
