#pragma once

#include "connectionconfig.h"

#include <QCoreApplication>
#include <QStringList>
#include <QUrl>
#include <optional>

namespace traybeat {

// What a user sets up for one subscription: where, which dialect, which topics, which token,
// and the link's timings. The command line (`listen`) and the settings dialog both produce one.
struct SubscriptionConfig
{
    Q_DECLARE_TR_FUNCTIONS(traybeat::SubscriptionConfig)

public:
    QString name;                              // unique per user; keys the store (history, cursor)
    QUrl server;                               // http(s):// or ws(s):// base URL
    QString protocol = QStringLiteral("ntfy"); // ntfy | gotify | text
    QStringList topics;                        // ntfy: at least one; others ignore it
    QString token;                             // sent as a header, never in the URL, never logged
    // ntfy's Basic auth, instead of a token: a user of the server's auth file. Like the token,
    // sent as a header only and never logged.
    QString user;
    QString password;
    ConnectionConfig connection;

    static QStringList protocolNames();
    // The heartbeat a dialect's servers expect when the user chose none: ping frames, except
    // for the origin's `text` servers, which echo `HeartBeat`.
    static HeartbeatMode defaultHeartbeat(const QString &protocol);
    static bool isValidTopic(const QString &topic);
    // "a, b,,c" → {a, b, c}: how people type a topic list in a field or an option.
    static QStringList parseTopics(const QString &text);
    // Empty when usable, else one sentence saying what is wrong (shown to the user as is).
    QString validationError() const;
    // A stable default name: "<host>/<topics>" or "<host>".
    QString defaultName() const;
};

} // namespace traybeat
