#pragma once

#include "ntfy.h"
#include "pushmessage.h"

#include <QHash>
#include <QUrlQuery>
#include <chrono>
#include <optional>

namespace traybeat {

struct HttpRequest;

// What a publish may be: the server's limits for one message.
struct PublishRules
{
    qsizetype messageSizeLimit = 4096; // bytes of the message text
    std::chrono::milliseconds cache = std::chrono::hours(12);
    // A scheduled message must be due this far ahead at least, and at most (ntfy: 10 s, 3 days).
    std::chrono::milliseconds minDelay = std::chrono::seconds(10);
    std::chrono::milliseconds maxDelay = std::chrono::hours(72);
};

// A publish as read from any of ntfy's forms, ready to store (or, without cache, only to send).
struct Publication
{
    PushMessage message;
    bool cache = true; // false: `Cache: no`, sent to live subscribers only
};

// The value of a publish or subscribe parameter as ntfy reads one: the first of its names
// present as a header (any spelling in the list, e.g. "x-title", "title", "t"), else as a query
// parameter; trimmed. A JSON publish body sets values that win over both.
class RequestParams
{
public:
    explicit RequestParams(const HttpRequest &request);
    QString value(std::initializer_list<const char *> names) const;
    // ntfy's booleans (1/yes/true); `fallback` when absent.
    bool flag(std::initializer_list<const char *> names, bool fallback) const;
    void override(const char *name, const QString &value) { m_overrides.insert(name, value); }

private:
    const HttpRequest &m_request;
    QUrlQuery m_query;
    QHash<QByteArray, QString> m_overrides;
};

// Reads a publish: POST|PUT /<topic> with the message as body, GET|POST|PUT
// /<topic>/publish|send|trigger with query parameters, or POST|PUT / with a JSON body (`topic`
// empty). nullopt + ntfy's error (status, code, a specific reason) when anything is invalid.
std::optional<Publication> readPublish(const HttpRequest &request, const QString &topic,
                                       const PublishRules &rules, qint64 nowMs, ntfy::Error *error);

} // namespace traybeat
