#include "duration.h"

#include <QCoreApplication>
#include <QRegularExpression>
#include <QStringList>
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

QString describeDuration(std::chrono::milliseconds duration)
{
    const auto unitText = [](int unit, qint64 count) {
        const QString number = QString::number(count);
        switch (unit) {
        case 0:
            return QCoreApplication::translate("traybeat::Duration", "%1 h").arg(number);
        case 1:
            return QCoreApplication::translate("traybeat::Duration", "%1 min").arg(number);
        case 2:
            return QCoreApplication::translate("traybeat::Duration", "%1 s").arg(number);
        default:
            return QCoreApplication::translate("traybeat::Duration", "%1 ms").arg(number);
        }
    };
    static constexpr std::array<qint64, 4> unitLengths{60 * 60 * 1000, 60 * 1000, 1000, 1};
    qint64 rest = std::max<qint64>(duration.count(), 0);
    QStringList parts;
    for (int unit = 0; unit < int(unitLengths.size()) && parts.size() < 2; ++unit) {
        const qint64 count = rest / unitLengths[unit];
        rest %= unitLengths[unit];
        if (count > 0)
            parts << unitText(unit, count);
        else if (!parts.isEmpty())
            break; // "1 h 5 s" reads oddly; "1 h" is close enough
    }
    return parts.isEmpty() ? unitText(2, 0) : parts.join(QLatin1Char(' '));
}

} // namespace traybeat
