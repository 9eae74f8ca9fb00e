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
    // "a, b,,c, a" → {a, b, c}: how people type a topic list in a field or an option; blanks
    // and repeats dropped, the first occurrence's order kept.
    static QStringList parseTopics(const QString &text);
    // What is wrong with a server URL as typed, in a sentence naming the actual reason (a
    // missing or unsupported scheme, no host, a space in the host, a port out of range);
    // empty when usable. QUrl alone cannot say: it parses "host:99999" as merely invalid.
    static QString serverUrlProblem(const QString &text);
    // Empty when usable, else one sentence saying what is wrong (shown to the user as is).
    QString validationError() const;
    // What the user typed, cut short to be quoted in a reason, so that the reason can wrap.
    static QString excerpt(const QString &text);
    // A passive heartbeat on ntfy whose interval + timeout does not outlast the server's
    // keepalive would call a healthy, quiet link dead again and again; empty when fine.
    QString keepaliveProblem() const;
    // A stable default name: "<host>/<topics>" or "<host>".
    QString defaultName() const;
};

} // namespace traybeat
