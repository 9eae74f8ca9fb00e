#include "notificationaction.h"

#include "urlpolicy.h"

#include <QCoreApplication>

namespace traybeat {

namespace {

// Bounds on what a server can make us keep per action: enough for any real button.
constexpr int maximumLabelLength = 256;
constexpr int maximumHeaders = 32;
constexpr int maximumTextLength = 64 * 1024; // a body, a header value, a copy value

struct TypeName
{
    NotificationAction::Type type;
    QLatin1String name;
};
constexpr TypeName typeNames[] = {
    {NotificationAction::Type::View, QLatin1String("view")},
    {NotificationAction::Type::Http, QLatin1String("http")},
    {NotificationAction::Type::Broadcast, QLatin1String("broadcast")},
    {NotificationAction::Type::Copy, QLatin1String("copy")},
};

// An HTTP token (RFC 9110 §5.6.2), as a method or a header name must be.
bool isToken(const QString &text)
{
    static const QString allowed = QStringLiteral("!#$%&'*+-.^_`|~");
    if (text.isEmpty() || text.size() > 64)
        return false;
    return std::all_of(text.cbegin(), text.cend(), [](QChar c) {
        return (c.unicode() < 128 && c.isLetterOrNumber()) || allowed.contains(c);
    });
}

bool readHeaders(const QJsonObject &json, NotificationAction *action, QString *error)
{
    if (json.size() > maximumHeaders) {
        *error = NotificationAction::tr("more than %1 headers").arg(maximumHeaders);
        return false;
    }
    for (auto it = json.constBegin(); it != json.constEnd(); ++it) {
        const QString value = it.value().toString();
        if (!isToken(it.key()) || value.size() > maximumTextLength ||
            value.contains(QLatin1Char('\r')) || value.contains(QLatin1Char('\n'))) {
            *error = NotificationAction::tr("the header \"%1\" is not a valid HTTP header")
                         .arg(it.key().left(64));
            return false;
        }
        action->headers.append({it.key(), value});
    }
    return true;
}

bool readHttpFields(const QJsonObject &json, NotificationAction *action, QString *error)
{
    if (!isSafeToOpen(action->url)) {
        *error = NotificationAction::tr("an http action needs an http or https URL");
        return false;
    }
    const QString method = json.value(QLatin1String("method")).toString();
    if (!method.isEmpty()) {
        if (!isToken(method) || method.size() > 16) {
            *error = NotificationAction::tr("\"%1\" is not an HTTP method").arg(method.left(32));
            return false;
        }
        action->method = method.toUpper();
    }
    action->body = json.value(QLatin1String("body")).toString();
    if (action->body.size() > maximumTextLength) {
        *error = NotificationAction::tr("the request body is longer than %1 characters")
                     .arg(maximumTextLength);
        return false;
    }
    return readHeaders(json.value(QLatin1String("headers")).toObject(), action, error);
}

} // namespace

QString NotificationAction::typeName(Type type)
{
    for (const TypeName &entry : typeNames) {
        if (entry.type == type)
            return entry.name;
    }
    return {};
}

std::optional<NotificationAction> NotificationAction::fromJson(const QJsonObject &json,
                                                               QString *error)
{
    QString problem;
    NotificationAction action;
    const QString type = json.value(QLatin1String("action")).toString();
    const auto known = std::find_if(std::begin(typeNames), std::end(typeNames),
                                    [&type](const TypeName &entry) { return entry.name == type; });
    action.label = json.value(QLatin1String("label")).toString().simplified();
    action.clear = json.value(QLatin1String("clear")).toBool(false);
    const QString url = json.value(QLatin1String("url")).toString();
    if (!url.isEmpty())
        action.url = QUrl(url, QUrl::StrictMode);

    if (known == std::end(typeNames)) {
        problem = tr("unknown action type \"%1\"").arg(type.left(32));
    } else if (action.label.isEmpty()) {
        problem = tr("an action without a label");
    } else if (action.label.size() > maximumLabelLength) {
        problem = tr("an action label longer than %1 characters").arg(maximumLabelLength);
    } else {
        action.type = known->type;
        switch (action.type) {
        case Type::View:
            if (!action.url.isValid() || action.url.scheme().isEmpty())
                problem = tr("a view action needs a URL");
            break;
        case Type::Http:
            readHttpFields(json, &action, &problem);
            break;
        case Type::Copy:
            action.value = json.value(QLatin1String("value")).toString();
            if (action.value.isEmpty() || action.value.size() > maximumTextLength)
                problem = tr("a copy action needs a value of at most %1 characters")
                              .arg(maximumTextLength);
            break;
        case Type::Broadcast:
            action.intent = json.value(QLatin1String("intent")).toString().left(256);
            break;
        }
    }
    if (!problem.isEmpty()) {
        if (error)
            *error = problem;
        return std::nullopt;
    }
    return action;
}

QJsonObject NotificationAction::toJson() const
{
    QJsonObject json{{QStringLiteral("action"), typeName(type)}, {QStringLiteral("label"), label}};
    if (!url.isEmpty())
        json.insert(QStringLiteral("url"), url.toString(QUrl::FullyEncoded));
    if (clear)
        json.insert(QStringLiteral("clear"), true);
    if (type == Type::Http) {
        json.insert(QStringLiteral("method"), method);
        if (!headers.isEmpty()) {
            QJsonObject headerObject;
            for (const auto &[name, value] : headers)
                headerObject.insert(name, value);
            json.insert(QStringLiteral("headers"), headerObject);
        }
        if (!body.isEmpty())
            json.insert(QStringLiteral("body"), body);
    }
    if (type == Type::Copy)
        json.insert(QStringLiteral("value"), value);
    if (type == Type::Broadcast && !intent.isEmpty())
        json.insert(QStringLiteral("intent"), intent);
    return json;
}

QList<NotificationAction> NotificationAction::listFromJson(const QJsonArray &array,
                                                           QStringList *problems)
{
    QList<NotificationAction> actions;
    for (const QJsonValue &element : array) {
        if (actions.size() == maximumCount) {
            if (problems)
                problems->append(
                    tr("more than %1 actions; the rest are not shown").arg(maximumCount));
            break;
        }
        QString problem;
        if (auto action = fromJson(element.toObject(), &problem))
            actions.append(*action);
        else if (problems)
            problems->append(problem);
    }
    return actions;
}

QJsonArray NotificationAction::listToJson(const QList<NotificationAction> &actions)
{
    QJsonArray array;
    for (const NotificationAction &action : actions)
        array.append(action.toJson());
    return array;
}

bool NotificationAction::operator==(const NotificationAction &other) const
{
    return type == other.type && label == other.label && url == other.url &&
           method == other.method && headers == other.headers && body == other.body &&
           value == other.value && intent == other.intent && clear == other.clear;
}

} // namespace traybeat
