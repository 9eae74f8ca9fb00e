#include "subscriberequest.h"

#include "httprequest.h"
#include "publishrequest.h"

namespace traybeat {

namespace {
bool readFilter(const RequestParams &params, MessageFilter *filter, ntfy::Error *error)
{
    filter->id = params.value({"x-id", "id"});
    filter->message = params.value({"x-message", "message", "m"});
    filter->title = params.value({"x-title", "title", "t"});
    filter->tags = ntfy::splitList(params.value({"x-tags", "tags", "tag", "ta"}));
    for (const QString &text :
         ntfy::splitList(params.value({"x-priority", "priority", "prio", "p"}))) {
        const auto priority = ntfy::parsePriority(text);
        if (!priority) {
            *error = ntfy::invalidPriority(text);
            return false;
        }
        filter->priorities.append(*priority);
    }
    return true;
}
} // namespace

bool MessageFilter::passes(const PushMessage &candidate) const
{
    if ((!id.isEmpty() && candidate.id != id) ||
        (!message.isEmpty() && candidate.message != message) ||
        (!title.isEmpty() && candidate.title != title))
        return false;
    if (!priorities.isEmpty() && !priorities.contains(candidate.priority))
        return false;
    return std::all_of(tags.begin(), tags.end(),
                       [&candidate](const QString &tag) { return candidate.tags.contains(tag); });
}

std::optional<SubscribeRequest> readSubscribe(const HttpRequest &request, const QString &topicsText,
                                              qint64 nowMs, ntfy::Error *error)
{
    SubscribeRequest subscribe;
    const auto topics = ntfy::parseTopicList(topicsText);
    if (!topics) {
        *error = {400, 40009,
                  QStringLiteral("invalid request: topic invalid: use 1-64 characters of A-Z, "
                                 "a-z, 0-9, _ and -, topics separated by commas")};
        return std::nullopt;
    }
    subscribe.topics = *topics;
    const RequestParams params(request);
    subscribe.poll = params.flag({"x-poll", "poll", "po"}, false);
    subscribe.scheduled = params.flag({"x-scheduled", "scheduled", "sched"}, false);
    QString since = params.value({"x-since", "since", "si"});
    const QString lastEventId = QString::fromUtf8(request.header("last-event-id")).trimmed();
    if (!lastEventId.isEmpty())
        since = lastEventId;
    // Absent: everything cached on a poll, nothing on a stream (ntfy's defaults).
    if (since.isEmpty())
        since = subscribe.poll ? QStringLiteral("all") : QStringLiteral("none");
    const auto parsedSince = SinceFilter::parse(since, nowMs);
    if (!parsedSince) {
        *error = {400, 40008,
                  QStringLiteral("invalid since parameter: use all, latest, none, a message id, "
                                 "a unix time or a duration like 10m")};
        return std::nullopt;
    }
    subscribe.since = *parsedSince;
    if (!readFilter(params, &subscribe.filter, error))
        return std::nullopt;
    return subscribe;
}

} // namespace traybeat
