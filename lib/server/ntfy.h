#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <optional>

// The small rules of ntfy's wire format that the push server enforces: topic names, priority
// spellings, message ids and the non-message events. Pure functions, no event loop.
namespace traybeat::ntfy {

inline constexpr int MaxTopicLength = 64;

// An answer refusing a request: HTTP status, ntfy's error code, and the reason.
struct Error
{
    int httpStatus = 400;
    int code = 40000;
    QString text;
};

// [A-Za-z0-9_-]{1,64}
bool isValidTopic(QStringView topic);

// "a,b" -> {"a","b"}; nullopt when the list is empty or any name is invalid (a repeated name
// is kept once).
std::optional<QStringList> parseTopicList(QStringView text);

// 1–5, or ntfy's names min/low/default/high/urgent (and "max" for 5), case-insensitive.
// An empty text is the default priority, 3.
std::optional<int> parsePriority(QStringView text);

// ntfy's 400 for a priority that is none of the above.
Error invalidPriority(const QString &text);

// "a, b,,c" -> {"a", "b", "c"}: ntfy's comma-separated lists (tags, priorities).
QStringList splitList(const QString &text);

// ntfy's booleans: 1/yes/true and 0/no/false, case-insensitive; nullopt for anything else.
std::optional<bool> parseBool(QStringView text);

// Go's durations as ntfy reads them, plus days, in milliseconds: "90s", "1h30m", "2d" (whole
// numbers of ms, s, m, h, d).
std::optional<qint64> parseDurationMs(const QString &text);

// A delivery time as ntfy reads `Delay`/`At`/`In`: a unix time in seconds, a duration from now
// ("30s", "10m", "1h30m", "2d", "2 days", "30 mins", "1 hour"), or a natural time in the server's
// local time — the subset of ntfy's `when` forms people use:
//   [DAY][,] [at] [TIME]  with at least one of the two;
//   DAY   today, tomorrow, a weekday (monday or mon …: the next one, a week ahead for today's);
//   TIME  10am, 3:30pm, 10:30 or 17:00 (24-hour), noon, midnight.
// A TIME alone that has passed today means tomorrow ("8am" at 9am), as in ntfy; a DAY alone
// keeps the current time of day. Case is ignored. Anything else is nullopt ("next friday",
// "in 2 weeks", "10.30"). Returns milliseconds since the epoch.
std::optional<qint64> parseFutureTime(const QString &text, qint64 nowMs);

// 12 characters [A-Za-z0-9], as ntfy's: six for the millisecond it was made (modulo ~1.8 years),
// a letter, five random. Ids made one after another by a thread rise (as bytes), so a store
// indexed by id adds each at the end of its index instead of dirtying a random page per message
// (docs/design.md, "The server": message ids). The letter keeps an id from ever being read as a
// unix time (all digits) or a duration (digits + unit) in `since=`.
QString newMessageId();

// `length` random characters [A-Za-z0-9], the first a letter: ids with nothing to order.
QString newRandomId(int length);

// ntfy's error body: {"code":40001,"http":400,"error":"..."} (compact, newline-terminated).
QByteArray errorBody(int httpStatus, int code, const QString &error);

// {"id","time","event","topic"} for the open and keepalive events; `topics` joined by commas.
QJsonObject event(const QString &name, const QStringList &topics, qint64 timeMs);

} // namespace traybeat::ntfy
