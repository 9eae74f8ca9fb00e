#include "notificationattachment.h"

#include "urlpolicy.h"

#include <QCoreApplication>

namespace traybeat {

std::optional<NotificationAttachment> NotificationAttachment::fromJson(const QJsonObject &json,
                                                                       QString *error)
{
    NotificationAttachment attachment;
    attachment.url = QUrl(json.value(QLatin1String("url")).toString(), QUrl::StrictMode);
    if (!isSafeToOpen(attachment.url)) {
        if (error)
            *error = QCoreApplication::translate("traybeat::NotificationAttachment",
                                                 "an attachment without an http or https URL");
        return std::nullopt;
    }
    attachment.name = json.value(QLatin1String("name")).toString().left(256);
    if (attachment.name.isEmpty())
        attachment.name = attachment.url.fileName().left(256);
    attachment.type = json.value(QLatin1String("type")).toString().left(128);
    attachment.size = json.value(QLatin1String("size")).toInteger(-1);
    if (attachment.size < 0)
        attachment.size = -1;
    if (const qint64 expires = json.value(QLatin1String("expires")).toInteger(0); expires > 0)
        attachment.expires = QDateTime::fromSecsSinceEpoch(expires, Qt::UTC);
    return attachment;
}

QJsonObject NotificationAttachment::toJson() const
{
    QJsonObject json{{QStringLiteral("name"), name},
                     {QStringLiteral("url"), url.toString(QUrl::FullyEncoded)}};
    if (!type.isEmpty())
        json.insert(QStringLiteral("type"), type);
    if (size >= 0)
        json.insert(QStringLiteral("size"), size);
    if (expires.isValid())
        json.insert(QStringLiteral("expires"), expires.toSecsSinceEpoch());
    return json;
}

bool NotificationAttachment::operator==(const NotificationAttachment &other) const
{
    return name == other.name && url == other.url && type == other.type && size == other.size &&
           expires == other.expires;
}

} // namespace traybeat
