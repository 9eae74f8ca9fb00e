#include "subscriptionconfig.h"

#include <QFileInfo>
#include <QRegularExpression>

namespace traybeat {

QStringList SubscriptionConfig::protocolNames()
{
    return {QStringLiteral("ntfy"), QStringLiteral("gotify"), QStringLiteral("text")};
}

HeartbeatMode SubscriptionConfig::defaultHeartbeat(const QString &protocol)
{
    if (protocol == QLatin1String("text"))
        return {HeartbeatMode::Kind::Text, QStringLiteral("HeartBeat")};
    return {};
}

bool SubscriptionConfig::isValidTopic(const QString &topic)
{
    static const QRegularExpression pattern(QStringLiteral("^[A-Za-z0-9_-]{1,64}$"));
    return pattern.match(topic).hasMatch();
}

QStringList SubscriptionConfig::parseTopics(const QString &text)
{
    QStringList topics;
    for (const QString &part : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        if (const QString topic = part.trimmed(); !topic.isEmpty())
            topics.append(topic);
    }
    return topics;
}

QString SubscriptionConfig::validationError() const
{
    if (server.isEmpty())
        return tr("No server URL is given.");
    const QString scheme = server.scheme().toLower();
    const QStringList schemes{QStringLiteral("http"), QStringLiteral("https"), QStringLiteral("ws"),
                              QStringLiteral("wss")};
    if (!server.isValid() || !schemes.contains(scheme) || server.host().isEmpty())
        return tr("The server URL \"%1\" is not usable: it must start with http://, https://, "
                  "ws:// or wss:// and name a host.")
            .arg(server.toDisplayString(QUrl::RemoveUserInfo));
    if (!protocolNames().contains(protocol))
        return tr("Unknown protocol \"%1\" (use ntfy, gotify or text).").arg(protocol);
    if (protocol == QLatin1String("ntfy") && topics.isEmpty())
        return tr("The ntfy protocol needs at least one topic.");
    if (protocol == QLatin1String("gotify") && token.isEmpty())
        return tr("The gotify protocol needs a client token (gotify's Clients page makes one).");
    if (!user.isEmpty() && !token.isEmpty())
        return tr("Give a user name and password or a token, not both.");
    if (!user.isEmpty() && protocol == QLatin1String("gotify"))
        return tr("The gotify protocol signs in with a client token, not a user name.");
    if (user.contains(QLatin1Char(':')))
        return tr("A user name must not contain \":\".");
    for (const QString &topic : topics) {
        if (!isValidTopic(topic))
            return tr("The topic \"%1\" is not valid: use letters, digits, - and _ (1 to 64 "
                      "characters).")
                .arg(topic);
    }
    if (connection.heartbeatInterval.count() <= 0 || connection.heartbeatTimeout.count() <= 0)
        return tr("The heartbeat interval and timeout must be longer than zero.");
    if (connection.connectTimeout.count() <= 0)
        return tr("The connect timeout must be longer than zero.");
    if (connection.backoff.floor.count() <= 0)
        return tr("The shortest reconnect delay must be longer than zero.");
    if (connection.backoff.cap < connection.backoff.floor)
        return tr("The longest reconnect delay must not be shorter than the shortest.");
    if (!connection.caFile.isEmpty() && !QFileInfo::exists(connection.caFile))
        return tr("The CA file \"%1\" does not exist.").arg(connection.caFile);
    return {};
}

QString SubscriptionConfig::defaultName() const
{
    QString name = server.host();
    if (server.port() != -1)
        name += QLatin1Char(':') + QString::number(server.port());
    if (!topics.isEmpty())
        name += QLatin1Char('/') + topics.join(QLatin1Char(','));
    return name;
}

} // namespace traybeat
