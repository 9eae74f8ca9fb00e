#include "notification.h"

namespace traybeat {

QString Notification::priorityName(int priority)
{
    switch (priority) {
    case 1:
        return QStringLiteral("min");
    case 2:
        return QStringLiteral("low");
    case 4:
        return QStringLiteral("high");
    case 5:
        return QStringLiteral("urgent");
    default:
        return QStringLiteral("default");
    }
}

} // namespace traybeat
