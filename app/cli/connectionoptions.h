#pragma once

#include "subscriptionconfig.h"

#include <QCommandLineParser>
#include <optional>

// The connection options of the command-line contract (docs/design.md, "Command line"), shared
// by every mode that opens a subscription: --server --protocol --topic --token --heartbeat
// --heartbeat-interval --heartbeat-timeout --reconnect-min --reconnect-max --connect-timeout
// --ca-file --insecure --name.
namespace traybeat::connectionoptions {

void addTo(QCommandLineParser &parser);
// The subscription the options describe, or std::nullopt with a one-line reason in `*error`.
std::optional<SubscriptionConfig> read(const QCommandLineParser &parser, QString *error);

} // namespace traybeat::connectionoptions
