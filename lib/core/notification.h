#pragma once

#include "notificationaction.h"
#include "notificationattachment.h"

#include <QDateTime>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QUrl>

namespace traybeat {

// One message as the client keeps it, whatever dialect it came in. All text fields hold
// untrusted server text: show them as plain text only.
struct Notification
{
    QString id;           // the server's message id; with `subscription`, the dedup key
    QString subscription; // name of the subscription it arrived on
    QString topic;
    QString title;
    QString body;
    int priority = 3; // 1 (min) … 5 (urgent), ntfy's scale; dialects map onto it
    QStringList tags;
    QUrl url;       // the click target; only http/https are ever opened
    QDateTime time; // when the server says it was published (UTC)
    bool read = false;
    QList<NotificationAction> actions; // buttons, at most NotificationAction::maximumCount
    NotificationAttachment attachment; // empty when none
    QUrl icon;                         // http/https only; empty when none
    QString contentType;               // "text/markdown", or empty for plain text

    bool isMarkdown() const { return contentType == markdownType(); }
    static QString markdownType() { return QStringLiteral("text/markdown"); }

    // Priority names as ntfy spells them, for display and parsing: min, low, default, high, urgent.
    static QString priorityName(int priority);
};

} // namespace traybeat

// Every member is relocatable (Qt's implicitly shared types and plain values), so a list of them
// grows by realloc instead of moving each element: a burst appends thousands.
Q_DECLARE_TYPEINFO(traybeat::Notification, Q_RELOCATABLE_TYPE);

namespace traybeat {

using NotificationList = QList<Notification>;

} // namespace traybeat

Q_DECLARE_METATYPE(traybeat::Notification)
