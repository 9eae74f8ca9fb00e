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
// A time of day: "10am", "3:30pm", "17:00", "noon", "midnight"; invalid for anything else.
QTime parseTimeOfDay(const QString &text)
{
    if (text == u"noon")
        return QTime(12, 0);
    if (text == u"midnight")
        return QTime(0, 0);
    static const QRegularExpression pattern(
        QStringLiteral("^(\\d{1,2})(?::(\\d{2}))?\\s*(am|pm|a\\.m\\.|p\\.m\\.)?$"));
    const auto match = pattern.match(text);
    if (!match.hasMatch())
        return {};
    int hour = match.captured(1).toInt();
    const int minute = match.captured(2).toInt();
    const QString half = match.captured(3).left(1);
    if (half.isEmpty() && match.captured(2).isEmpty())
        return {}; // a bare number is a unix time, never an hour
    if (!half.isEmpty()) {
        if (hour < 1 || hour > 12)
            return {}; // "13pm", "0am"
        hour = hour % 12 + (half == u"p" ? 12 : 0);
    }
    return QTime(hour, minute); // invalid for 24:00, 10:75
}

// 0 today, 1 tomorrow, 1..7 the next such weekday (a week ahead for today's, as ntfy's `when`
// library has it); nullopt for anything else.
std::optional<int> parseDayOffset(const QString &text, const QDate &today)
{
    if (text == u"today")
        return 0;
    if (text == u"tomorrow")
        return 1;
    static const char *const weekdays[] = {"monday", "tuesday",  "wednesday", "thursday",
                                           "friday", "saturday", "sunday"};
    for (int day = 1; day <= 7; ++day) {
        const QLatin1String name(weekdays[day - 1]);
        if (text == name || (text.size() == 3 && name.startsWith(text))) {
            const int ahead = (day - today.dayOfWeek() + 7) % 7;
            return ahead == 0 ? 7 : ahead;
        }
    }
    return std::nullopt;
}

// ntfy's natural times, the subset documented in ntfy.h: "[day][,] [at] [time of day]". A time
// without a day that has passed today means tomorrow, as ntfy does.
std::optional<qint64> parseNaturalTime(const QString &text, qint64 nowMs)
{
    static const QRegularExpression pattern(QStringLiteral(
        "^(?:([a-z]+)\\s*,?\\s*){0,1}?(?:(?:at\\s+)?([0-9:]+\\s*(?:am|pm|a\\.m\\.|p\\.m\\.)?"
        "|noon|midnight))?$"));
    const auto match = pattern.match(text.trimmed().toLower());
    if (!match.hasMatch() || (match.captured(1).isEmpty() && match.captured(2).isEmpty()))
        return std::nullopt;
    const QDateTime now = QDateTime::fromMSecsSinceEpoch(nowMs);
    QTime time = now.time();
    if (!match.captured(2).isEmpty()) {
        time = parseTimeOfDay(match.captured(2));
        if (!time.isValid())
            return std::nullopt;
    }
    if (match.captured(1).isEmpty()) {
        const QDateTime today(now.date(), time);
        return (today > now ? today : QDateTime(now.date().addDays(1), time)).toMSecsSinceEpoch();
    }
    const auto offset = parseDayOffset(match.captured(1), now.date());
    if (!offset)
        return std::nullopt;
    return QDateTime(now.date().addDays(*offset), time).toMSecsSinceEpoch();
}

// ntfy's spelled-out durations: "2 days", "30 mins", "1 hour", "10 seconds", "5m".
std::optional<qint64> parseWordDurationMs(const QString &text)
{
    static const QRegularExpression pattern(
        QStringLiteral("^(\\d{1,6})\\s*(d|days?|h|hours?|m|mins?|minutes?|s|secs?|seconds?)$"),
        QRegularExpression::CaseInsensitiveOption);
    const auto match = pattern.match(text);
    if (!match.hasMatch())
        return std::nullopt;
    const qint64 count = match.captured(1).toLongLong();
    switch (match.captured(2).at(0).toLower().unicode()) {
    case u'd':
        return count * 86400000;
    case u'h':
        return count * 3600000;
    case u'm':
        return count * 60000;
    default:
        return count * 1000;
    }
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
    if (trimmed.size() > 64)
        return std::nullopt;
    if (const auto duration = parseDurationMs(trimmed))
        return nowMs + *duration;
    if (const auto duration = parseWordDurationMs(trimmed))
        return nowMs + *duration;
    return parseNaturalTime(trimmed, nowMs);
}

namespace {

// In ASCII order, so that ids compare (as bytes, in SQLite's and PostgreSQL's indexes) in the
// order of the numbers they encode.
constexpr char idAlphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
constexpr int idSymbols = 62;
constexpr int idDigits = 10;

// Writes `value` as `count` base-62 characters at `position`, most significant first.
void writeBase62(QString *id, qsizetype position, qsizetype count, quint64 value)
{
    for (qsizetype i = position + count - 1; i >= position; --i) {
        (*id)[i] = QLatin1Char(idAlphabet[value % idSymbols]);
        value /= idSymbols;
    }
}

// Seeded once per thread from the system source; ids need to be unpredictable enough not to
// collide, not to be secret.
QRandomGenerator &idRandom()
{
    thread_local QRandomGenerator generator = QRandomGenerator::securelySeeded();
    return generator;
}

} // namespace

QString newMessageId()
{
    // The tail: a letter (so the id never reads as a unix time or a duration in `since=`)
    // and five characters, 52 * 62^5 values.
    constexpr quint64 tailValues = quint64(idSymbols - idDigits) * 916132832ULL; // 62^5
    constexpr quint64 maximumStep = 1 << 20;
    thread_local qint64 lastMs = 0;
    thread_local quint64 lastTail = 0;
    QRandomGenerator &random = idRandom();
    qint64 ms = QDateTime::currentMSecsSinceEpoch();
    quint64 tail = 0;
    if (ms <= lastMs) {
        // The same millisecond (or a clock set back): a random step up keeps this thread's ids
        // unique and rising.
        ms = lastMs;
        tail = lastTail + 1 + random.bounded(maximumStep);
        if (tail >= tailValues) {
            ++ms;
            tail = random.bounded(tailValues / 2);
        }
    } else {
        tail = random.bounded(tailValues / 2); // room above for the steps of a busy millisecond
    }
    lastMs = ms;
    lastTail = tail;

    QString id(12, Qt::Uninitialized);
    writeBase62(&id, 0, 6, quint64(ms)); // the time modulo 62^6 ms (~1.8 years)
    id[6] = QLatin1Char(idAlphabet[idDigits + tail / 916132832ULL]);
    writeBase62(&id, 7, 5, tail % 916132832ULL);
    return id;
}

QString newRandomId(int length)
{
    QString id(length, Qt::Uninitialized);
    for (qsizetype i = 0; i < id.size(); ++i)
        id[i] = QLatin1Char(idAlphabet[idRandom().bounded(idSymbols)]);
    if (length > 0)
        id[0] = QLatin1Char(idAlphabet[idDigits + idRandom().bounded(idSymbols - idDigits)]);
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
