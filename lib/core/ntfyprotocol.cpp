#include "ntfyprotocol.h"

#include "logging.h"
#include "urlpolicy.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrlQuery>

namespace traybeat {

namespace {

// A QUrl made from "" still allocates its parts; most messages have no click URL and no icon.
QUrl strictUrl(const QString &text)
{
    return text.isEmpty() ? QUrl() : QUrl(text, QUrl::StrictMode);
}

// What ntfy adds to a message beyond its text: buttons, an attachment, an icon, markdown. A part
// that is unusable is left out (and logged); the message itself is always delivered.
void readExtras(const QJsonObject &event, Notification *notification)
{
    QStringList problems;
    notification->actions = NotificationAction::listFromJson(
        event.value(QLatin1String("actions")).toArray(), &problems);
    const QJsonValue attachment = event.value(QLatin1String("attachment"));
    if (attachment.isObject()) {
        QString problem;
        if (auto parsed = NotificationAttachment::fromJson(attachment.toObject(), &problem))
            notification->attachment = *parsed;
        else
            problems << problem;
    }
    const QUrl icon = strictUrl(event.value(QLatin1String("icon")).toString());
    if (isSafeToOpen(icon))
        notification->icon = icon;
    else if (!icon.isEmpty())
        problems << QStringLiteral("an icon that is not an http or https URL");
    if (event.value(QLatin1String("content_type")).toString() == Notification::markdownType())
        notification->contentType = Notification::markdownType();
    for (const QString &problem : std::as_const(problems))
        qCWarning(lcProtocol) << "ntfy message" << notification->id << "-" << problem;
}

} // namespace

NtfyProtocol::NtfyProtocol(const SubscriptionConfig &config, QObject *parent)
    : Protocol(config, parent)
{
}

QString NtfyProtocol::initialCursor() const
{
    return QString::number(QDateTime::currentSecsSinceEpoch());
}

QNetworkRequest NtfyProtocol::request(const QString &cursor) const
{
    QUrl url = webSocketUrl(QLatin1Char('/') + config().topics.join(QLatin1Char(',')) +
                            QStringLiteral("/ws"));
    if (!cursor.isEmpty()) {
        QUrlQuery query;
        query.addQueryItem(QStringLiteral("since"), cursor);
        url.setQuery(query);
    }
    return authorizedRequest(url);
}

void NtfyProtocol::handleTextFrame(const QString &frame)
{
    const auto parsed = jsonObjectFrame(frame, maximumFrameSize, tr("an ntfy event"));
    if (!parsed)
        return;
    const QJsonObject &event = *parsed;
    if (event.value(QLatin1String("event")).toString() != QLatin1String("message"))
        return; // open, keepalive, poll_request: proof of life only, counted by the connection
    const QString id = event.value(QLatin1String("id")).toString();
    if (id.isEmpty()) {
        emit frameRejected(tr("an ntfy message without an id; skipped"));
        return;
    }
    Notification notification;
    notification.id = id;
    notification.subscription = config().name;
    notification.topic = event.value(QLatin1String("topic")).toString();
    notification.title = event.value(QLatin1String("title")).toString();
    notification.body = event.value(QLatin1String("message")).toString();
    notification.priority = std::clamp(event.value(QLatin1String("priority")).toInt(3), 1, 5);
    for (const QJsonValue &tag : event.value(QLatin1String("tags")).toArray())
        notification.tags << tag.toString();
    notification.url = strictUrl(event.value(QLatin1String("click")).toString());
    const qint64 seconds = event.value(QLatin1String("time")).toInteger();
    notification.time = seconds > 0 ? QDateTime::fromSecsSinceEpoch(seconds, Qt::UTC)
                                    : QDateTime::currentDateTimeUtc();
    readExtras(event, &notification);
    NotificationList one; // moved in: a braced list would copy it
    one.append(std::move(notification));
    emit received(one);
}

} // namespace traybeat
