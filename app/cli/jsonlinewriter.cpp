#include "jsonlinewriter.h"

#include "jsontext.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

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

// The line of a message with text only (most of them), written directly: the same bytes as
// through QJsonObject (keys in its sorted order) at a fraction of the cost in a burst.
QByteArray plainMessageLine(const Notification &notification)
{
    QByteArray line;
    line.reserve(160 + notification.body.size() + notification.title.size());
    line += "{\"body\":";
    jsontext::appendString(line, notification.body);
    line += ",\"event\":\"message\",\"id\":";
    jsontext::appendString(line, notification.id);
    line += ",\"priority\":" + QByteArray::number(notification.priority);
    line += ",\"published\":" + QByteArray::number(notification.time.toMSecsSinceEpoch());
    line += ",\"time\":" + QByteArray::number(now());
    line += ",\"title\":";
    jsontext::appendString(line, notification.title);
    line += ",\"topic\":";
    jsontext::appendString(line, notification.topic);
    line += ",\"url\":";
    jsontext::appendString(line, notification.url.toString());
    line += "}\n";
    return line;
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
    for (const Notification &notification : notifications)
        lines += messageLine(notification);
    write(lines);
}

QByteArray JsonLineWriter::messageLine(const Notification &notification)
{
    if (!hasExtras(notification))
        return plainMessageLine(notification);
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
