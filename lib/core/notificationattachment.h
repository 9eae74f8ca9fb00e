#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QString>
#include <QUrl>
#include <optional>

namespace traybeat {

// A file that goes with a message (ntfy's "attachment"; gotify's big image): where it is and,
// when the server said so, its name, type, size and expiry. Only the link is kept here; fetching
// it is the UI's business (http/https only, with a size cap).
struct NotificationAttachment
{
    QString name;
    QUrl url;
    QString type;     // MIME type, e.g. "image/png"; empty when unknown
    qint64 size = -1; // bytes; -1 when unknown
    QDateTime expires;

    bool isEmpty() const { return url.isEmpty(); }
    bool isImage() const { return type.startsWith(QLatin1String("image/")); }

    // ntfy's JSON "attachment" object; nullopt with the reason when it has no usable http(s) url.
    static std::optional<NotificationAttachment> fromJson(const QJsonObject &json, QString *error);
    QJsonObject toJson() const;

    bool operator==(const NotificationAttachment &other) const;
};

} // namespace traybeat
