#include "commandline.h"

#include "duration.h"

#include <cstdio>

namespace traybeat::commandline {

int fail(const QString &mode, const QString &reason)
{
    const QString prefix = mode.isEmpty() ? QStringLiteral("traybeat") : QStringLiteral("traybeat ") + mode;
    std::fprintf(stderr, "%s: %s\n", qPrintable(prefix), qPrintable(reason));
    std::fflush(stderr);
    return BadUsage;
}

std::optional<int> parse(QCommandLineParser &parser, const QStringList &arguments,
                         const QString &mode)
{
    const QCommandLineOption help = parser.addHelpOption();
    if (!parser.parse(arguments))
        return fail(mode, parser.errorText());
    if (parser.isSet(help)) {
        std::fputs(qPrintable(parser.helpText()), stdout);
        return 0;
    }
    return std::nullopt;
}

std::chrono::milliseconds durationOption(const QCommandLineParser &parser, const QString &name,
                                         std::chrono::milliseconds fallback, QString *error)
{
    if (!parser.isSet(name))
        return fallback;
    const QString text = parser.value(name);
    if (const auto duration = parseDuration(text))
        return *duration;
    if (error && error->isEmpty())
        *error = QStringLiteral("--%1: \"%2\" is not a duration (use a number with ms, s, m, h or d, e.g. 250ms, 5s, 2m)")
                     .arg(name, text);
    return fallback;
}

} // namespace traybeat::commandline
