#include "jsonlinewriter.h"

#include "jsontext.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <charconv>

namespace traybeat {

namespace {
qint64 now()
{
    return QDateTime::currentMSecsSinceEpoch();
}

bool hasExtras(const Notification &notification)
{
    return !notification.tags.isEmpty() || !notification.actions.isEmpty() ||
           !notification.attachment.isEmpty() || !notification.icon.isEmpty() ||
           !notification.contentType.isEmpty();
}

void appendNumber(QByteArray &out, qint64 value)
{
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
    out.append(digits, end - digits);
}

// The line of a message with text only (most of them), appended directly: the same bytes as
// through QJsonObject (keys in its sorted order) at a fraction of the cost in a burst.
void appendPlainMessageLine(QByteArray &out, const Notification &notification)
{
    out += "{\"body\":";
    jsontext::appendString(out, notification.body);
    out += ",\"event\":\"message\",\"id\":";
    jsontext::appendString(out, notification.id);
    out += ",\"priority\":";
    appendNumber(out, notification.priority);
    out += ",\"published\":";
    appendNumber(out, notification.time.toMSecsSinceEpoch());
    out += ",\"time\":";
    appendNumber(out, now());
    out += ",\"title\":";
    jsontext::appendString(out, notification.title);
    out += ",\"topic\":";
    jsontext::appendString(out, notification.topic);
    out += ",\"url\":";
    jsontext::appendString(out, notification.url.toString());
    out += "}\n";
}
} // namespace

void JsonLineWriter::state(ConnectionState state, const QString &reason)
{
    write(line({{QStringLiteral("event"), QStringLiteral("state")},
                {QStringLiteral("state"), connectionStateName(state)},
                {QStringLiteral("reason"), reason},
                {QStringLiteral("time"), now()}}));
}

void JsonLineWriter::messages(const NotificationList &notifications)
{
    QByteArray lines;
    lines.reserve(notifications.size() * 256); // about one line each: grown once, not per line
    for (const Notification &notification : notifications) {
        if (hasExtras(notification))
            lines += messageLineWithExtras(notification);
        else
            appendPlainMessageLine(lines, notification);
    }
    write(lines);
}

QByteArray JsonLineWriter::messageLineWithExtras(const Notification &notification)
{
    QJsonObject object{{QStringLiteral("event"), QStringLiteral("message")},
                       {QStringLiteral("id"), notification.id},
                       {QStringLiteral("topic"), notification.topic},
                       {QStringLiteral("title"), notification.title},
                       {QStringLiteral("body"), notification.body},
                       {QStringLiteral("priority"), notification.priority},
                       {QStringLiteral("url"), notification.url.toString()},
                       {QStringLiteral("published"), notification.time.toMSecsSinceEpoch()},
                       {QStringLiteral("time"), now()}};
    // What a message carries beyond its text, in ntfy's shapes; absent when it has none.
    if (!notification.tags.isEmpty())
        object.insert(QStringLiteral("tags"), QJsonArray::fromStringList(notification.tags));
    if (!notification.actions.isEmpty())
        object.insert(QStringLiteral("actions"),
                      NotificationAction::listToJson(notification.actions));
    if (!notification.attachment.isEmpty())
        object.insert(QStringLiteral("attachment"), notification.attachment.toJson());
    if (!notification.icon.isEmpty())
        object.insert(QStringLiteral("icon"), notification.icon.toString());
    if (!notification.contentType.isEmpty())
        object.insert(QStringLiteral("content_type"), notification.contentType);
    return line(object);
}

void JsonLineWriter::error(const QString &message)
{
    write(line({{QStringLiteral("event"), QStringLiteral("error")},
                {QStringLiteral("error"), message},
                {QStringLiteral("time"), now()}}));
}

QByteArray JsonLineWriter::line(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact) + '\n';
}

void JsonLineWriter::write(const QByteArray &lines)
{
    std::fwrite(lines.constData(), 1, size_t(lines.size()), m_out);
    std::fflush(m_out);
}

} // namespace traybeat
