#include "publishrequest.h"

#include "httprequest.h"
#include "ntfyactions.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringDecoder>
#include <QUrl>
#include <algorithm>

namespace traybeat {

namespace {

const QString topicRule = QStringLiteral("use 1-64 characters of A-Z, a-z, 0-9, _ and -");

bool isHttpUrl(const QString &text)
{
    return text.startsWith(QLatin1String("http://")) || text.startsWith(QLatin1String("https://"));
}

std::optional<QString> decodeUtf8(const QByteArray &bytes)
{
    QStringDecoder decoder(QStringDecoder::Utf8);
    QString text = decoder(bytes);
    if (decoder.hasError())
        return std::nullopt;
    return text;
}

bool isStringList(const QJsonValue &value)
{
    const QJsonArray array = value.toArray();
    return value.isArray() && std::all_of(array.begin(), array.end(),
                                          [](const QJsonValue &item) { return item.isString(); });
}

// The types ntfy's decoder insists on (a wrong one is a 400 there too).
bool isWellTyped(const QJsonObject &object)
{
    const auto is = [&object](const char *key, auto check) {
        const QJsonValue value = object.value(QLatin1String(key));
        return value.isUndefined() || check(value);
    };
    return object.value(QLatin1String("topic")).isString() &&
           is("message", [](const QJsonValue &v) { return v.isString(); }) &&
           is("priority",
              [](const QJsonValue &v) { return v.isDouble() && v.toDouble() == v.toInt(); }) &&
           is("tags", isStringList) &&
           is("actions", [](const QJsonValue &v) { return v.isArray(); }) &&
           is("markdown", [](const QJsonValue &v) { return v.isBool(); });
}

// The string fields of a JSON publish, as the X- headers ntfy turns them into.
bool applyStringFields(const QJsonObject &object, RequestParams *params, QString *badField)
{
    static const char *const fields[][2] = {{"title", "x-title"},       {"click", "x-click"},
                                            {"icon", "x-icon"},         {"attach", "x-attach"},
                                            {"filename", "x-filename"}, {"email", "x-email"},
                                            {"delay", "x-delay"},       {"call", "x-call"},
                                            {"cache", "x-cache"},       {"firebase", "x-firebase"}};
    for (const auto &[field, header] : fields) {
        const QJsonValue value = object.value(QLatin1String(field));
        if (!value.isUndefined() && !value.isString() && !value.isNull()) {
            *badField = QLatin1String(field);
            return false;
        }
        if (!value.toString().isEmpty())
            params->override(header, value.toString());
    }
    return true;
}

// ntfy's JSON publish: its fields become the X- headers of a publish to its topic.
bool applyJsonBody(const QByteArray &body, RequestParams *params, QString *topic, QString *message,
                   ntfy::Error *error)
{
    *error = {400, 40017, QStringLiteral("invalid request: request body must be message JSON")};
    QJsonParseError parseError{};
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    if (!document.isObject()) {
        error->text += QStringLiteral(" (%1)").arg(parseError.errorString());
        return false;
    }
    const QJsonObject object = document.object();
    QString badField;
    if (!applyStringFields(object, params, &badField)) {
        error->text += QStringLiteral(" (\"%1\" must be a string)").arg(badField);
        return false;
    }
    if (!isWellTyped(object)) {
        error->text += QStringLiteral(" (topic must be a string, priority a number, tags a list "
                                      "of strings, actions a list, markdown true or false)");
        return false;
    }
    if (const int priority = object.value(QLatin1String("priority")).toInt(); priority != 0)
        params->override("x-priority", QString::number(priority));
    QStringList tags;
    for (const QJsonValue &tag : object.value(QLatin1String("tags")).toArray())
        tags.append(tag.toString());
    if (!tags.isEmpty())
        params->override("x-tags", tags.join(QLatin1Char(',')));
    if (const QJsonArray actions = object.value(QLatin1String("actions")).toArray();
        !actions.isEmpty())
        params->override("x-actions",
                         QString::fromUtf8(QJsonDocument(actions).toJson(QJsonDocument::Compact)));
    if (object.value(QLatin1String("markdown")).toBool())
        params->override("x-markdown", QStringLiteral("yes"));
    *topic = object.value(QLatin1String("topic")).toString();
    *message = object.value(QLatin1String("message")).toString();
    return true;
}

// The URL path's last segment, decoded, as Go's path.Base names it for ntfy: a trailing slash
// is ignored ("/files/" -> "files"); empty for "/" or no path.
QString lastPathSegment(const QUrl &url)
{
    QString path = url.path(QUrl::FullyDecoded);
    while (path.endsWith(QLatin1Char('/')))
        path.chop(1);
    return path.mid(path.lastIndexOf(QLatin1Char('/')) + 1);
}

// Attach (a URL) and Filename: ntfy's attachment by URL, named after the URL's file when no
// name is given. Like ntfy, the server never fetches the URL, so it knows neither the type nor
// the size: the attachment is {name, url} (only an uploaded file would have them).
bool readAttachment(const RequestParams &params, PushMessage *message, ntfy::Error *error)
{
    const QString url = params.value({"x-attach", "attach", "a"});
    QString name = params.value({"x-filename", "filename", "file", "f"});
    if (url.isEmpty()) {
        if (!name.isEmpty()) {
            *error = {400, 40014,
                      QStringLiteral("invalid request: file attachments (uploads) are not "
                                     "supported by this server; attach a file by URL with Attach")};
            return false;
        }
        return true;
    }
    if (!isHttpUrl(url) || !QUrl(url, QUrl::StrictMode).isValid()) {
        *error = {400, 40013, QStringLiteral("invalid request: attachment URL is invalid")};
        return false;
    }
    if (name.isEmpty())
        name = lastPathSegment(QUrl(url));
    message->attachment =
        QJsonObject{{QStringLiteral("name"), name.isEmpty() ? QStringLiteral("attachment") : name},
                    {QStringLiteral("url"), url}};
    return true;
}

bool readDelivery(const RequestParams &params, const PublishRules &rules, bool cache, qint64 nowMs,
                  PushMessage *message, ntfy::Error *error)
{
    const QString delay = params.value({"x-delay", "delay", "x-at", "at", "x-in", "in"});
    if (delay.isEmpty())
        return true;
    const auto dueMs = ntfy::parseFutureTime(delay, nowMs);
    if (!cache)
        *error = {400, 40002, QStringLiteral("cannot disable cache for delayed message")};
    else if (!dueMs)
        *error = {400, 40004,
                  QStringLiteral("invalid delay parameter: unable to parse delay \"%1\"; use a "
                                 "unix time, a duration like 30m or \"2 days\", or a time like "
                                 "10am, 17:30, \"tomorrow, 3pm\" or \"tuesday 9am\"")
                      .arg(delay.left(40))};
    else if (*dueMs / 1000 < (nowMs + rules.minDelay.count()) / 1000)
        *error = {400, 40005,
                  QStringLiteral("invalid delay parameter: too small, the minimum is %1 s")
                      .arg(rules.minDelay.count() / 1000.0)};
    else if (*dueMs / 1000 > (nowMs + rules.maxDelay.count()) / 1000)
        *error = {400, 40006,
                  QStringLiteral("invalid delay parameter: too large, the maximum is %1 h")
                      .arg(rules.maxDelay.count() / 3600000.0)};
    else {
        message->timeMs = *dueMs;
        message->delivered = false;
        return true;
    }
    return false;
}

// Click, Icon, Attach/Filename: URLs, checked as ntfy checks them.
bool readLinks(const RequestParams &params, PushMessage *message, ntfy::Error *error)
{
    message->click = params.value({"x-click", "click"});
    if (!message->click.isEmpty() && !QUrl(message->click, QUrl::StrictMode).isValid()) {
        *error = {400, 40000, QStringLiteral("invalid request: click URL is invalid")};
        return false;
    }
    message->icon = params.value({"x-icon", "icon"});
    if (!message->icon.isEmpty() && !isHttpUrl(message->icon)) {
        *error = {400, 40021, QStringLiteral("invalid request: icon URL is invalid")};
        return false;
    }
    return readAttachment(params, message, error);
}

// What ntfy can do and this server cannot is refused, never silently dropped.
bool refuseUnsupported(const RequestParams &params, ntfy::Error *error)
{
    if (!params.value({"x-email", "x-e-mail", "email", "e-mail", "mail", "e"}).isEmpty()) {
        *error = {400, 40001,
                  QStringLiteral("e-mail notifications are not supported by this server")};
        return false;
    }
    if (!params.value({"x-call", "call"}).isEmpty()) {
        *error = {400, 40032,
                  QStringLiteral("invalid request: phone calls are not supported by this server")};
        return false;
    }
    return true;
}

bool readActions(const RequestParams &params, PushMessage *message, ntfy::Error *error)
{
    const QString actions = params.value({"x-actions", "actions", "action"});
    if (actions.isEmpty())
        return true;
    QString reason;
    const auto parsed = ntfy::parseActions(actions, &reason);
    if (!parsed) {
        *error = {400, 40018, QStringLiteral("invalid request: actions invalid: %1").arg(reason)};
        return false;
    }
    message->actions = *parsed;
    return true;
}

// Everything but the text: ntfy's parsePublishParams, field by field.
bool readFields(const RequestParams &params, const PublishRules &rules, qint64 nowMs,
                Publication *publication, ntfy::Error *error)
{
    PushMessage &message = publication->message;
    publication->cache = params.flag({"x-cache", "cache"}, true);
    message.title = params.value({"x-title", "title", "t"});
    if (!readLinks(params, &message, error) || !refuseUnsupported(params, error))
        return false;
    const QString priority = params.value({"x-priority", "priority", "prio", "p"});
    const auto parsedPriority = ntfy::parsePriority(priority);
    if (!parsedPriority) {
        *error = ntfy::invalidPriority(priority);
        return false;
    }
    message.priority = *parsedPriority;
    message.tags = ntfy::splitList(params.value({"x-tags", "tags", "tag", "ta"}));
    if (!readDelivery(params, rules, publication->cache, nowMs, &message, error) ||
        !readActions(params, &message, error))
        return false;
    if (params.flag({"x-markdown", "markdown", "md"}, false) ||
        params.value({"content-type", "content_type"})
            .startsWith(QLatin1String("text/markdown"), Qt::CaseInsensitive))
        message.contentType = QStringLiteral("text/markdown");
    return true;
}

bool readText(const QByteArray &body, const RequestParams &params, const PublishRules &rules,
              PushMessage *message, ntfy::Error *error)
{
    const ntfy::Error tooLarge{
        413, 41301,
        QStringLiteral("message too large: the limit is %1 bytes").arg(rules.messageSizeLimit)};
    const auto text = decodeUtf8(body);
    if (!text) {
        *error = {400, 40014,
                  QStringLiteral("invalid request: the body is not UTF-8 text; file attachments "
                                 "(uploads) are not supported by this server")};
        return false;
    }
    message->message = params.value({"x-message", "message", "m"})
                           .replace(QLatin1String("\\n"), QLatin1String("\n"));
    if (!text->trimmed().isEmpty())
        message->message = text->trimmed();
    if (message->message.isEmpty() && !message->attachment.isEmpty())
        message->message = QStringLiteral("You received a file: %1")
                               .arg(message->attachment.value(QLatin1String("name")).toString());
    // An empty message is ntfy's "triggered", so that `curl -X POST /topic` still notifies.
    if (message->message.isEmpty())
        message->message = QStringLiteral("triggered");
    if (message->message.toUtf8().size() > rules.messageSizeLimit) {
        *error = tooLarge;
        return false;
    }
    return true;
}

bool holdsNul(const QString &text)
{
    return text.contains(QChar(0));
}

bool holdsNul(const QJsonValue &value)
{
    if (value.isString())
        return holdsNul(value.toString());
    if (value.isArray()) {
        const QJsonArray array = value.toArray();
        return std::any_of(array.begin(), array.end(),
                           [](const QJsonValue &item) { return holdsNul(item); });
    }
    const QJsonObject object = value.toObject();
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (holdsNul(it.key()) || holdsNul(it.value()))
            return true;
    }
    return false;
}

// The field of `message` that holds U+0000, or empty. PostgreSQL's text cannot store it and no
// notification needs it (it is binary data sent as text): refused alike on both backends.
QString fieldWithNul(const PushMessage &message)
{
    const std::pair<const char *, bool> fields[] = {
        {"message", holdsNul(message.message)},
        {"title", holdsNul(message.title)},
        {"tags", holdsNul(QJsonValue(QJsonArray::fromStringList(message.tags)))},
        {"click", holdsNul(message.click)},
        {"icon", holdsNul(message.icon)},
        {"actions", holdsNul(QJsonValue(message.actions))},
        {"attachment", holdsNul(QJsonValue(message.attachment))},
    };
    for (const auto &[name, found] : fields) {
        if (found)
            return QLatin1String(name);
    }
    return {};
}

} // namespace

RequestParams::RequestParams(const HttpRequest &request)
    : m_request(request),
      // Form encoding: '+' is a space (a literal plus arrives as %2B).
      m_query(QString::fromUtf8(request.query).replace(QLatin1Char('+'), QLatin1String("%20")))
{
}

QString RequestParams::value(std::initializer_list<const char *> names) const
{
    // Every publish asks for a dozen parameters: the empty places are not searched.
    if (!m_overrides.isEmpty()) {
        for (const char *name : names) {
            const QString value = m_overrides.value(QByteArray(name)).trimmed();
            if (!value.isEmpty())
                return value;
        }
    }
    for (const char *name : names) {
        const QString value = QString::fromUtf8(m_request.header(name)).trimmed();
        if (!value.isEmpty())
            return value;
    }
    if (!m_query.isEmpty()) {
        for (const char *name : names) {
            const QString value =
                m_query.queryItemValue(QLatin1String(name), QUrl::FullyDecoded).trimmed();
            if (!value.isEmpty())
                return value;
        }
    }
    return {};
}

bool RequestParams::flag(std::initializer_list<const char *> names, bool fallback) const
{
    const QString text = value(names);
    return text.isEmpty() ? fallback : ntfy::parseBool(text).value_or(false);
}

std::optional<Publication> readPublish(const HttpRequest &request, const QString &topic,
                                       const PublishRules &rules, qint64 nowMs, ntfy::Error *error)
{
    RequestParams params(request);
    Publication publication;
    PushMessage &message = publication.message;
    message.topic = topic;
    QByteArray body = request.body;
    if (topic.isEmpty()) {
        QString text;
        if (!applyJsonBody(request.body, &params, &message.topic, &text, error))
            return std::nullopt;
        body = text.toUtf8();
    }
    if (!ntfy::isValidTopic(message.topic)) {
        *error = {400, 40009,
                  QStringLiteral("invalid request: topic invalid: \"%1\": %2")
                      .arg(message.topic.left(80), topicRule)};
        return std::nullopt;
    }
    message.id = ntfy::newMessageId();
    message.timeMs = nowMs;
    if (!readFields(params, rules, nowMs, &publication, error) ||
        !readText(body, params, rules, &message, error))
        return std::nullopt;
    if (const QString field = fieldWithNul(message); !field.isEmpty()) {
        *error = {400, 40000,
                  QStringLiteral("invalid request: the %1 holds a NUL character (U+0000), which "
                                 "this server does not store; send text, or binary data as "
                                 "base64")
                      .arg(field)};
        return std::nullopt;
    }
    if (publication.cache)
        message.expiresMs = message.timeMs + rules.cache.count();
    return publication;
}

} // namespace traybeat
