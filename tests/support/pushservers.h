#pragma once

// A real PushServer for the client suites (link traybeat_server): on 127.0.0.1, on a free port
// or a given one (a server that comes back where it was), on an SQLite file that outlives it.

#include "pushserver.h"

#include <QDebug>
#include <memory>

namespace traybeat::test {

inline std::unique_ptr<PushServer> startPushServer(const QString &databasePath, quint16 port = 0,
                                                   const QString &token = {})
{
    PushServerOptions options;
    options.port = port;
    options.token = token;
    options.databasePath = databasePath;
    auto server = std::make_unique<PushServer>(options);
    QString error;
    if (!server->listen(&error))
        qWarning() << "server did not start:" << error;
    return server;
}

} // namespace traybeat::test
