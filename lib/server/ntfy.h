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

// [A-Za-z0-9_-]{1,64}
bool isValidTopic(QStringView topic);

// "a,b" -> {"a","b"}; nullopt when the list is empty or any name is invalid (a repeated name
// is kept once).
std::optional<QStringList> parseTopicList(QStringView text);

// 1–5, or ntfy's names min/low/default/high/urgent (and "max" for 5), case-insensitive.
// An empty text is the default priority, 3.
std::optional<int> parsePriority(QStringView text);

// 12 characters [A-Za-z0-9]. A letter is forced into the first ten so that an id can never be
// mistaken for a unix time (all digits) or a duration (digits + unit) in `since=`.
QString newMessageId();

// ntfy's error body: {"code":40001,"http":400,"error":"..."} (compact, newline-terminated).
QByteArray errorBody(int httpStatus, int code, const QString &error);

// {"id","time","event","topic"} for the open and keepalive events; `topics` joined by commas.
QJsonObject event(const QString &name, const QStringList &topics, qint64 timeMs);

} // namespace traybeat::ntfy
