#pragma once

#include "connectionmanager.h"

#include <QDateTime>
#include <QList>
#include <QString>
#include <QUrl>
#include <chrono>
#include <optional>

namespace traybeat {

// A snapshot of one subscription's link for the tray (icon, tooltip, menu): what the person
// needs to judge "is it working?". Holds no token; `server` is shown without user info or query.
struct LinkStatus
{
    QString name;
    QUrl server;
    ConnectionState state = ConnectionState::Disconnected;
    QString reason; // why it is not connected, if known
    QDateTime lastProofOfLife;
    std::optional<std::chrono::milliseconds> roundTrip;
    QDateTime nextAttemptAt;
    int unread = 0;
};

using LinkStatusList = QList<LinkStatus>;

} // namespace traybeat
