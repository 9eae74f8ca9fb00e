#include "ntfy.h"

#include "duration.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QRegularExpression>

namespace traybeat::ntfy {

namespace {
bool isTopicCharacter(QChar c)
{
    const char16_t u = c.unicode();
    return (u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z') || (u >= u'0' && u <= u'9') ||
           u == u'_' || u == u'-';
}
} // namespace

bool isValidTopic(QStringView topic)
{
    if (topic.isEmpty() || topic.size() > MaxTopicLength)
        return false;
    for (const QChar c : topic) {
        if (!isTopicCharacter(c))
            return false;
    }
    return true;
}

std::optional<QStringList> parseTopicList(QStringView text)
{
    QStringList topics;
    for (const QStringView part : text.split(u',')) {
        if (!isValidTopic(part))
            return std::nullopt;
        const QString topic = part.toString();
        if (!topics.contains(topic))
            topics.append(topic);
    }
    return topics;
}

std::optional<int> parsePriority(QStringView text)
{
    const QStringView trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return 3;
    bool isNumber = false;
    const int number = trimmed.toInt(&isNumber);
    if (isNumber)
        return number >= 1 && number <= 5 ? std::optional<int>(number) : std::nullopt;
    struct Name
    {
        const char *name;
        int priority;
    };
    static constexpr Name names[] = {{"min", 1},  {"low", 2},    {"default", 3},
                                     {"high", 4}, {"urgent", 5}, {"max", 5}};
    for (const Name &name : names) {
        if (trimmed.compare(QLatin1String(name.name), Qt::CaseInsensitive) == 0)
            return name.priority;
    }
    return std::nullopt;
}

Error invalidPriority(const QString &text)
{
    return {400, 40007,
            QStringLiteral("invalid priority parameter \"%1\": use 1-5 or min, low, default, "
                           "high, max/urgent")
                .arg(text.left(40))};
}

QStringList splitList(const QString &text)
{
    QStringList items;
    for (const QString &item : text.split(u',', Qt::SkipEmptyParts)) {
        if (!item.trimmed().isEmpty())
            items.append(item.trimmed());
    }
    return items;
}

std::optional<bool> parseBool(QStringView text)
{
    const QString lower = text.trimmed().toString().toLower();
    if (lower == u"1" || lower == u"yes" || lower == u"true")
        return true;
    if (lower == u"0" || lower == u"no" || lower == u"false")
        return false;
    return std::nullopt;
}

namespace {
// "tomorrow", "10am", "tomorrow, 3:30pm", "17:00": a day word and/or a time of day.
std::optional<qint64> parseNaturalTime(const QString &text, qint64 nowMs)
{
    static const QRegularExpression pattern(
        QStringLiteral("^(?:(today|tomorrow)\\s*,?\\s*)?(?:(?:at\\s+)?(\\d{1,2})(?::(\\d{2}))?"
                       "\\s*(am|pm)?)?$"),
        QRegularExpression::CaseInsensitiveOption);
    const auto match = pattern.match(text.trimmed());
    const QString day = match.captured(1).toLower();
    if (!match.hasMatch() || (day.isEmpty() && match.captured(2).isEmpty()))
        return std::nullopt;
    const QDateTime now = QDateTime::fromMSecsSinceEpoch(nowMs);
    QTime time = now.time();
    if (!match.captured(2).isEmpty()) {
        int hour = match.captured(2).toInt();
        const int minute = match.captured(3).toInt();
        const QString half = match.captured(4).toLower();
        if ((!half.isEmpty() && (hour < 1 || hour > 12)) ||
            (match.captured(3).isEmpty() && half.isEmpty()))
            return std::nullopt; // "13pm", or a bare number (that is a unix time)
        if (!half.isEmpty())
            hour = hour % 12 + (half == u"pm" ? 12 : 0);
        time = QTime(hour, minute);
        if (!time.isValid())
            return std::nullopt;
    }
    const QDate date = now.date().addDays(day == u"tomorrow" ? 1 : 0);
    return QDateTime(date, time).toMSecsSinceEpoch();
}
} // namespace

std::optional<qint64> parseDurationMs(const QString &text)
{
    static const QRegularExpression whole(QStringLiteral("^(?:\\d{1,6}(?:ms|s|m|h|d))+$"));
    static const QRegularExpression part(QStringLiteral("(\\d{1,6})(ms|s|m|h|d)"));
    if (text.size() > 64 || !whole.match(text).hasMatch())
        return std::nullopt;
    qint64 totalMs = 0;
    for (auto it = part.globalMatch(text); it.hasNext();) {
        const auto match = it.next();
        if (const auto duration = parseDuration(match.captured(0)))
            totalMs += duration->count();
    }
    return totalMs;
}

std::optional<qint64> parseFutureTime(const QString &text, qint64 nowMs)
{
    const QString trimmed = text.trimmed();
    bool isNumber = false;
    const qint64 seconds = trimmed.toLongLong(&isNumber);
    if (isNumber)
        return seconds >= 0 && seconds < (qint64(1) << 40) ? std::optional(seconds * 1000)
                                                           : std::nullopt;
    if (const auto duration = parseDurationMs(trimmed))
        return nowMs + *duration;
    return parseNaturalTime(trimmed, nowMs);
}

QString newMessageId()
{
    static constexpr char alphabet[] =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    static constexpr int letters = 52;
    static constexpr int symbols = 62;
    // Seeded once per thread from the system source; ids need to be unpredictable enough not to
    // collide, not to be secret.
    thread_local QRandomGenerator generator = QRandomGenerator::securelySeeded();
    QString id(12, Qt::Uninitialized);
    bool hasLetter = false;
    for (qsizetype i = 0; i < id.size(); ++i) {
        const int index = int(generator.bounded(symbols));
        hasLetter = hasLetter || (i < 10 && index < letters);
        id[i] = QLatin1Char(alphabet[index]);
    }
    if (!hasLetter)
        id[0] = QLatin1Char(alphabet[generator.bounded(letters)]);
    return id;
}

QByteArray errorBody(int httpStatus, int code, const QString &error)
{
    const QJsonObject object{{QStringLiteral("code"), code},
                             {QStringLiteral("http"), httpStatus},
                             {QStringLiteral("error"), error}};
    return QJsonDocument(object).toJson(QJsonDocument::Compact) + '\n';
}

QJsonObject event(const QString &name, const QStringList &topics, qint64 timeMs)
{
    return QJsonObject{
        {QStringLiteral("id"), newMessageId()},
        {QStringLiteral("time"), timeMs / 1000},
        {QStringLiteral("event"), name},
        {QStringLiteral("topic"), topics.join(QLatin1Char(','))},
    };
}

} // namespace traybeat::ntfy
