#include "pushmessage.h"

#include <QJsonArray>

namespace traybeat {

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
    if (!title.isEmpty())
        object.insert(QStringLiteral("title"), title);
    if (!tags.isEmpty())
        object.insert(QStringLiteral("tags"), QJsonArray::fromStringList(tags));
    if (!click.isEmpty())
        object.insert(QStringLiteral("click"), click);
    return object;
}

} // namespace traybeat
