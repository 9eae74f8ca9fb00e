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
    write({{QStringLiteral("event"), QStringLiteral("state")},
           {QStringLiteral("state"), connectionStateName(state)},
           {QStringLiteral("reason"), reason},
           {QStringLiteral("time"), now()}});
}

void JsonLineWriter::message(const Notification &notification)
{
    QJsonObject line{{QStringLiteral("event"), QStringLiteral("message")},
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
        line.insert(QStringLiteral("tags"), QJsonArray::fromStringList(notification.tags));
    if (!notification.actions.isEmpty())
        line.insert(QStringLiteral("actions"),
                    NotificationAction::listToJson(notification.actions));
    if (!notification.attachment.isEmpty())
        line.insert(QStringLiteral("attachment"), notification.attachment.toJson());
    if (!notification.icon.isEmpty())
        line.insert(QStringLiteral("icon"), notification.icon.toString());
    if (!notification.contentType.isEmpty())
        line.insert(QStringLiteral("content_type"), notification.contentType);
    write(line);
}

void JsonLineWriter::error(const QString &message)
{
    write({{QStringLiteral("event"), QStringLiteral("error")},
           {QStringLiteral("error"), message},
           {QStringLiteral("time"), now()}});
}

void JsonLineWriter::write(const QJsonObject &object)
{
    const QByteArray line = QJsonDocument(object).toJson(QJsonDocument::Compact) + '\n';
    std::fwrite(line.constData(), 1, size_t(line.size()), m_out);
    std::fflush(m_out);
}

} // namespace traybeat
