#include "textprotocol.h"

#include "logging.h"

#include <QCryptographicHash>
#include <QJsonDocument>
#include <QJsonObject>

namespace traybeat {

TextProtocol::TextProtocol(const SubscriptionConfig &config, QObject *parent)
    : Protocol(config, parent)
{
}

QNetworkRequest TextProtocol::request(const QString &) const
{
    return authorizedRequest(webSocketUrl({}));
}

void TextProtocol::handleTextFrame(const QString &frame)
{
    if (frame.size() > maximumFrameSize) {
        emit frameRejected(tr("a frame of %1 bytes is over the %2 byte limit; skipped")
                               .arg(frame.size())
                               .arg(maximumFrameSize));
        return;
    }
    if (frame.trimmed().isEmpty())
        return;
    emit received({parse(frame)});
}

Notification TextProtocol::parse(const QString &frame) const
{
    Notification notification;
    notification.subscription = config().name;
    notification.time = QDateTime::currentDateTimeUtc();
    const QJsonDocument document = QJsonDocument::fromJson(frame.toUtf8());
    if (document.isObject()) {
        const QJsonObject object = document.object();
        notification.id = object.value(QLatin1String("id")).toVariant().toString();
        notification.title = object.value(QLatin1String("title")).toString();
        notification.body = object.value(QLatin1String("message"))
                                .toString(object.value(QLatin1String("body")).toString());
        const int priority = object.value(QLatin1String("priority")).toInt(3);
        notification.priority = std::clamp(priority, 1, 5);
        const QString url = object.value(QLatin1String("url"))
                                .toString(object.value(QLatin1String("click")).toString());
        notification.url = QUrl(url, QUrl::StrictMode);
        if (notification.title.isEmpty() && notification.body.isEmpty())
            notification.body = frame; // a JSON object of some other shape: show it as is
    } else {
        notification.body = frame;
    }
    if (notification.id.isEmpty()) {
        // No id from the server: the arrival time and content make one, so the same frame
        // delivered twice in one millisecond is one notification, and two equal messages
        // sent a second apart are two.
        const QByteArray key =
            QByteArray::number(notification.time.toMSecsSinceEpoch()) + '\n' + frame.toUtf8();
        notification.id = QString::fromLatin1(
            QCryptographicHash::hash(key, QCryptographicHash::Sha1).toHex().left(16));
    }
    return notification;
}

} // namespace traybeat
