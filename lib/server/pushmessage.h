#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace traybeat {

// One published message as the push server stores and sends it: ntfy's "message" event.
struct PushMessage
{
    QString id;           // 12 characters [A-Za-z0-9], never read as a number or a duration
    qint64 timeMs = 0;    // publish time, or the delivery time of a scheduled message (whole
                          // seconds on the wire)
    qint64 expiresMs = 0; // when the cache forgets it; 0: not cached (Cache: no)
    QString topic;
    QString title;
    QString message;
    int priority = 3; // 1 (min) … 5 (urgent)
    QStringList tags;
    QString click;
    QString icon;
    QJsonArray actions;     // ntfy's action objects, already validated
    QJsonObject attachment; // {name, url, type?, size?}; empty: none
    QString contentType;    // empty (plain text) or "text/markdown"
    bool delivered = true;  // false while a scheduled message waits for its time

    // ntfy's shape; empty fields are left out, as ntfy does (`omitempty`).
    QJsonObject toJson() const;
    // The same as compact JSON text (what subscribers and publishers get); written directly,
    // without a QJsonObject, when the message has no extras (most do not).
    QByteArray toJsonBytes() const;

    // The optional fields (icon, actions, attachment, content type) as one JSON text for the
    // store, and back. Unknown or malformed text gives no fields.
    QByteArray extrasJson() const;
    void setExtrasJson(const QByteArray &json);
};

} // namespace traybeat
