#include "duration.h"

#include <QRegularExpression>
#include <array>
#include <limits>

namespace traybeat {

namespace {
struct Unit
{
    const char *suffix;
    qint64 milliseconds;
};
// Longest suffix first so that "ms" is not read as "m".
constexpr std::array<Unit, 5> units{{
    {"ms", 1},
    {"s", 1000},
    {"m", 60 * 1000},
    {"h", 60 * 60 * 1000},
    {"d", 24 * 60 * 60 * 1000},
}};
} // namespace

std::optional<std::chrono::milliseconds> parseDuration(const QString &text)
{
    static const QRegularExpression pattern(QStringLiteral("^([0-9]{1,12})(ms|s|m|h|d)$"));
    const auto match = pattern.match(text.trimmed());
    if (!match.hasMatch())
        return std::nullopt;
    const qint64 count = match.captured(1).toLongLong();
    const QString suffix = match.captured(2);
    for (const Unit &unit : units) {
        if (suffix != QLatin1String(unit.suffix))
            continue;
        if (count > std::numeric_limits<qint64>::max() / unit.milliseconds)
            return std::nullopt;
        return std::chrono::milliseconds(count * unit.milliseconds);
    }
    return std::nullopt;
}

QString formatDuration(std::chrono::milliseconds duration)
{
    const qint64 ms = duration.count();
    for (auto it = units.rbegin(); it != units.rend(); ++it) {
        if (ms != 0 && ms % it->milliseconds == 0)
            return QString::number(ms / it->milliseconds) + QLatin1String(it->suffix);
    }
    return QString::number(ms) + QLatin1String("ms");
}

} // namespace traybeat
