#include "pushmessage.h"

#include "jsontext.h"

#include <QJsonDocument>

namespace traybeat {

namespace {
const QString iconKey = QStringLiteral("icon");
const QString actionsKey = QStringLiteral("actions");
const QString attachmentKey = QStringLiteral("attachment");
const QString contentTypeKey = QStringLiteral("content_type");

void insertExtras(const PushMessage &message, QJsonObject *object)
{
    if (!message.icon.isEmpty())
        object->insert(iconKey, message.icon);
    if (!message.actions.isEmpty())
        object->insert(actionsKey, message.actions);
    if (!message.attachment.isEmpty())
        object->insert(attachmentKey, message.attachment);
    if (!message.contentType.isEmpty())
        object->insert(contentTypeKey, message.contentType);
}
} // namespace

QJsonObject PushMessage::toJson() const
{
    QJsonObject object{
        {QStringLiteral("id"), id},
        {QStringLiteral("time"), timeMs / 1000},
        {QStringLiteral("event"), QStringLiteral("message")},
        {QStringLiteral("topic"), topic},
        {QStringLiteral("message"), message},
        {QStringLiteral("priority"), priority},
    };
    if (expiresMs > 0)
        object.insert(QStringLiteral("expires"), expiresMs / 1000);
    if (!title.isEmpty())
        object.insert(QStringLiteral("title"), title);
    if (!tags.isEmpty())
        object.insert(QStringLiteral("tags"), QJsonArray::fromStringList(tags));
    if (!click.isEmpty())
        object.insert(QStringLiteral("click"), click);
    insertExtras(*this, &object);
    return object;
}

QByteArray PushMessage::toJsonBytes() const
{
    if (!icon.isEmpty() || !actions.isEmpty() || !attachment.isEmpty() || !contentType.isEmpty())
        return QJsonDocument(toJson()).toJson(QJsonDocument::Compact);
    // Keys in QJsonObject's (sorted) order, so the bytes are the same either way.
    QByteArray json;
    json.reserve(128 + message.size() + title.size() + click.size());
    json += '{';
    if (!click.isEmpty()) {
        json += "\"click\":";
        jsontext::appendString(json, click);
        json += ',';
    }
    json += "\"event\":\"message\",";
    if (expiresMs > 0)
        json += "\"expires\":" + QByteArray::number(expiresMs / 1000) + ',';
    json += "\"id\":";
    jsontext::appendString(json, id);
    json += ",\"message\":";
    jsontext::appendString(json, message);
    json += ",\"priority\":" + QByteArray::number(priority);
    if (!tags.isEmpty()) {
        json += ",\"tags\":[";
        for (qsizetype i = 0; i < tags.size(); ++i) {
            if (i > 0)
                json += ',';
            jsontext::appendString(json, tags.at(i));
        }
        json += ']';
    }
    json += ",\"time\":" + QByteArray::number(timeMs / 1000);
    if (!title.isEmpty()) {
        json += ",\"title\":";
        jsontext::appendString(json, title);
    }
    json += ",\"topic\":";
    jsontext::appendString(json, topic);
    json += '}';
    return json;
}

QByteArray PushMessage::extrasJson() const
{
    QJsonObject object;
    insertExtras(*this, &object);
    return object.isEmpty() ? QByteArray() : QJsonDocument(object).toJson(QJsonDocument::Compact);
}

void PushMessage::setExtrasJson(const QByteArray &json)
{
    const QJsonObject object = QJsonDocument::fromJson(json).object();
    icon = object.value(iconKey).toString();
    actions = object.value(actionsKey).toArray();
    attachment = object.value(attachmentKey).toObject();
    contentType = object.value(contentTypeKey).toString();
}

} // namespace traybeat
