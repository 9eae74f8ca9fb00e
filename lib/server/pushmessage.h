#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace traybeat {

// One published message as the push server stores and sends it: ntfy's "message" event.
struct PushMessage
{
    QString id;        // 12 characters [A-Za-z0-9], never read as a number or a duration
    qint64 timeMs = 0; // publish time; ntfy's JSON carries it in whole seconds
    QString topic;
    QString title;
    QString message;
    int priority = 3; // 1 (min) … 5 (urgent)
    QStringList tags;
    QString click;

    // ntfy's shape; empty title/tags/click are left out, as ntfy does (`omitempty`).
    QJsonObject toJson() const;
};

} // namespace traybeat
