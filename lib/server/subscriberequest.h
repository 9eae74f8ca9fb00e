#pragma once

#include "ntfy.h"
#include "pushmessage.h"
#include "sincefilter.h"

#include <QList>
#include <QStringList>
#include <optional>

namespace traybeat {

struct HttpRequest;

// ntfy's subscribe filters: a message passes when it matches every filter given — its id, its
// exact message or title, one of the priorities, all of the tags.
struct MessageFilter
{
    QString id;
    QString message;
    QString title;
    QList<int> priorities;
    QStringList tags;

    bool passes(const PushMessage &message) const;
};

// A subscribe request on any endpoint (/json, /sse, /raw, /ws), as ntfy reads its parameters
// (headers or query, e.g. `since`/`si`/`X-Since`, `poll`/`po`, `scheduled`/`sched`).
struct SubscribeRequest
{
    QStringList topics;
    bool poll = false;      // answer what is cached and end
    bool scheduled = false; // include messages whose delivery time has not come yet
    SinceFilter since;
    MessageFilter filter;
};

// `topicsText` is the path's comma-separated topic list. A Last-Event-ID header (an
// EventSource reconnecting) stands for since=<that id>. nullopt + ntfy's error when invalid.
std::optional<SubscribeRequest> readSubscribe(const HttpRequest &request, const QString &topicsText,
                                              qint64 nowMs, ntfy::Error *error);

} // namespace traybeat
