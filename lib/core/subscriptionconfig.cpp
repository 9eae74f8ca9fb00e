#include "subscriptionconfig.h"

#include "duration.h"

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
    topics.removeDuplicates();
    return topics;
}

namespace {

QString quoted(const QString &text)
{
    return SubscriptionConfig::excerpt(text);
}

bool isSupportedScheme(const QString &scheme)
{
    static const QStringList schemes{QStringLiteral("http"), QStringLiteral("https"),
                                     QStringLiteral("ws"), QStringLiteral("wss")};
    return schemes.contains(scheme.toLower());
}

QString portProblem(const QString &port)
{
    static const QRegularExpression digits(QStringLiteral("^[0-9]+$"));
    if (port.isEmpty())
        return SubscriptionConfig::tr("A port number must follow the “:”, e.g. :8080 (or leave "
                                      "the “:” out).");
    if (!digits.match(port).hasMatch())
        return SubscriptionConfig::tr("The port “%1” is not a number.").arg(quoted(port));
    if (const int number = port.size() > 5 ? 0 : port.toInt(); number < 1 || number > 65535)
        return SubscriptionConfig::tr("The port %1 is out of range: use 1 to 65535.")
            .arg(quoted(port));
    return {};
}

// The authority's "user@host:port", IPv6 hosts in brackets.
QString authorityProblem(const QString &authority)
{
    const QString hostAndPort = authority.mid(authority.lastIndexOf(QLatin1Char('@')) + 1);
    QString host = hostAndPort;
    QString port;
    bool hasPort = false;
    if (hostAndPort.startsWith(QLatin1Char('['))) { // [::1]:8080
        const qsizetype close = hostAndPort.indexOf(QLatin1Char(']'));
        if (close < 0)
            return SubscriptionConfig::tr("The IPv6 address lacks its closing “]”.");
        host = hostAndPort.mid(1, close - 1);
        const QString after = hostAndPort.mid(close + 1);
        hasPort = after.startsWith(QLatin1Char(':'));
        port = after.mid(1);
    } else if (const qsizetype colon = hostAndPort.indexOf(QLatin1Char(':')); colon >= 0) {
        host = hostAndPort.left(colon);
        port = hostAndPort.mid(colon + 1);
        hasPort = true;
    }
    if (host.trimmed().isEmpty())
        return SubscriptionConfig::tr("The address names no host, e.g. https://ntfy.example.com");
    if (host.contains(QRegularExpression(QStringLiteral("\\s"))))
        return SubscriptionConfig::tr("The host “%1” contains a space.").arg(quoted(host));
    return hasPort ? portProblem(port) : QString();
}

} // namespace

QString SubscriptionConfig::excerpt(const QString &text)
{
    constexpr qsizetype longest = 40;
    return text.size() <= longest ? text : text.left(longest - 1) + QChar(0x2026);
}

QString SubscriptionConfig::serverUrlProblem(const QString &text)
{
    const QString url = text.trimmed();
    if (url.isEmpty())
        return tr("Enter the server's address, e.g. https://ntfy.example.com");
    const qsizetype schemeEnd = url.indexOf(QStringLiteral("://"));
    if (schemeEnd < 0) {
        // "javascript:alert(1)" names a scheme; "ntfy.example.com:8080" only forgot one.
        static const QRegularExpression schemeOnly(
            QStringLiteral("^[A-Za-z][A-Za-z0-9+.-]*:(?![0-9])"));
        if (const auto match = schemeOnly.match(url); match.hasMatch())
            return tr("“%1” addresses are not supported: use http://, https://, ws:// or wss://.")
                .arg(quoted(match.captured().chopped(1)));
        return tr("The address needs a scheme: https://%1 (or http://, ws://, wss://).")
            .arg(quoted(url));
    }
    const QString scheme = url.left(schemeEnd);
    if (!isSupportedScheme(scheme))
        return tr("“%1” addresses are not supported: use http://, https://, ws:// or wss://.")
            .arg(quoted(scheme));
    const QString rest = url.mid(schemeEnd + 3);
    static const QRegularExpression authorityEnd(QStringLiteral("[/?#]"));
    const qsizetype end = rest.indexOf(authorityEnd);
    if (const QString problem = authorityProblem(end < 0 ? rest : rest.left(end));
        !problem.isEmpty())
        return problem;
    if (url.contains(QRegularExpression(QStringLiteral("\\s"))))
        return tr("The address contains a space.");
    const QUrl parsed(url, QUrl::StrictMode);
    if (!parsed.isValid() || parsed.host().isEmpty())
        return tr("The address contains characters a URL cannot have.");
    return {};
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

QString SubscriptionConfig::keepaliveProblem() const
{
    const auto window = connection.heartbeatInterval + connection.heartbeatTimeout;
    if (protocol != QLatin1String("ntfy") ||
        connection.heartbeat.kind != HeartbeatMode::Kind::Passive ||
        window > ConnectionConfig::ntfyKeepalive)
        return {};
    return tr("With server keepalives, interval + timeout (%1) must be longer than ntfy's "
              "keepalive period (%2), or every quiet minute looks like a dead link; e.g. 55 s + "
              "20 s.")
        .arg(describeDuration(window), describeDuration(ConnectionConfig::ntfyKeepalive));
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
