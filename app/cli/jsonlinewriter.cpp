#include "jsonlinewriter.h"

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
    for (const Notification &notification : notifications)
        lines += messageLine(notification);
    write(lines);
}

QByteArray JsonLineWriter::messageLine(const Notification &notification)
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
