#include "connectionoptions.h"

#include "commandline.h"
#include "duration.h"

#include <unistd.h>

namespace traybeat::connectionoptions {

using commandline::durationOption;
using commandline::Text;

void addTo(QCommandLineParser &parser)
{
    parser.addOptions(
        commandline::tokenOptions(Text::tr("Access token, sent as a header (never logged)")));
    parser.addOptions({
        {QStringLiteral("user"),
         Text::tr("Sign in as NAME with a password (Basic auth) instead of a token; the "
                  "password comes from TRAYBEAT_PASSWORD, else a prompt."),
         QStringLiteral("NAME")},
        {QStringLiteral("server"), Text::tr("Push server base URL (http, https, ws or wss)."),
         QStringLiteral("URL")},
        {QStringLiteral("protocol"),
         Text::tr("Dialect: ntfy (default), gotify (needs --token) or text."),
         QStringLiteral("NAME"), QStringLiteral("ntfy")},
        {QStringLiteral("topic"), Text::tr("Topic to subscribe to (repeatable, or a,b)."),
         QStringLiteral("TOPIC")},
        {QStringLiteral("heartbeat"),
         Text::tr("ping (default), passive, or text:PAYLOAD (default for --protocol text)."),
         QStringLiteral("MODE")},
        {QStringLiteral("heartbeat-interval"),
         Text::tr("Idle time before a heartbeat (25s; passive: 55s)."), QStringLiteral("DUR")},
        {QStringLiteral("heartbeat-timeout"), Text::tr("Wait for its answer (10s; passive: 20s)."),
         QStringLiteral("DUR")},
        {QStringLiteral("connect-timeout"), Text::tr("Limit per connection attempt (10s)."),
         QStringLiteral("DUR")},
        {QStringLiteral("reconnect-min"), Text::tr("Shortest reconnect delay (1s)."),
         QStringLiteral("DUR")},
        {QStringLiteral("reconnect-max"), Text::tr("Longest reconnect delay (60s)."),
         QStringLiteral("DUR")},
        {QStringLiteral("ca-file"), Text::tr("Extra trusted CA certificates (PEM)."),
         QStringLiteral("FILE")},
        {QStringLiteral("insecure"), Text::tr("Accept any TLS certificate (unsafe).")},
        {QStringLiteral("name"), Text::tr("Subscription name (default: host/topics)."),
         QStringLiteral("NAME")},
    });
}

namespace {
// --user NAME and its password: TRAYBEAT_PASSWORD, else a prompt when there is a terminal.
bool readUser(const QCommandLineParser &parser, SubscriptionConfig *config, QString *error)
{
    if (!parser.isSet(QStringLiteral("user")))
        return true;
    config->user = parser.value(QStringLiteral("user"));
    if (config->user.isEmpty()) {
        *error = Text::tr("--user must not be empty");
        return false;
    }
    if (qEnvironmentVariableIsSet("TRAYBEAT_PASSWORD")) {
        config->password = qEnvironmentVariable("TRAYBEAT_PASSWORD");
        return true;
    }
    if (::isatty(STDIN_FILENO) != 1) {
        *error = Text::tr("--user: set TRAYBEAT_PASSWORD (no terminal to ask on)");
        return false;
    }
    const auto password =
        commandline::readPassword(Text::tr("Password for %1: ").arg(config->user), false, error);
    if (!password)
        return false;
    config->password = *password;
    return true;
}
} // namespace

std::optional<SubscriptionConfig> read(const QCommandLineParser &parser, QString *error)
{
    if (!parser.isSet(QStringLiteral("server"))) {
        *error = Text::tr("--server is required (e.g. --server http://127.0.0.1:8080)");
        return std::nullopt;
    }
    SubscriptionConfig config;
    const QString serverText = parser.value(QStringLiteral("server"));
    config.server = QUrl(serverText, QUrl::StrictMode);
    if (!config.server.isValid() || config.server.scheme().isEmpty() ||
        config.server.host().isEmpty()) {
        *error =
            Text::tr("--server: \"%1\" is not a URL (e.g. http://127.0.0.1:8080)").arg(serverText);
        return std::nullopt;
    }
    config.protocol = parser.value(QStringLiteral("protocol"));
    for (const QString &value : parser.values(QStringLiteral("topic")))
        config.topics += SubscriptionConfig::parseTopics(value);
    const auto token = commandline::readToken(parser, error);
    if (!token)
        return std::nullopt;
    config.token = *token;
    if (!readUser(parser, &config, error))
        return std::nullopt;

    ConnectionConfig &connection = config.connection;
    if (parser.isSet(QStringLiteral("heartbeat"))) {
        const auto mode = HeartbeatMode::parse(parser.value(QStringLiteral("heartbeat")));
        if (!mode) {
            *error = Text::tr("--heartbeat: \"%1\" is not a heartbeat mode (use ping, "
                              "passive or text:PAYLOAD)")
                         .arg(parser.value(QStringLiteral("heartbeat")));
            return std::nullopt;
        }
        connection.setHeartbeat(*mode);
    } else {
        connection.setHeartbeat(SubscriptionConfig::defaultHeartbeat(config.protocol));
    }
    connection.heartbeatInterval = durationOption(parser, QStringLiteral("heartbeat-interval"),
                                                  connection.heartbeatInterval, error);
    connection.heartbeatTimeout = durationOption(parser, QStringLiteral("heartbeat-timeout"),
                                                 connection.heartbeatTimeout, error);
    connection.connectTimeout =
        durationOption(parser, QStringLiteral("connect-timeout"), connection.connectTimeout, error);
    connection.backoff.floor =
        durationOption(parser, QStringLiteral("reconnect-min"), connection.backoff.floor, error);
    connection.backoff.cap =
        durationOption(parser, QStringLiteral("reconnect-max"), connection.backoff.cap, error);
    connection.caFile = parser.value(QStringLiteral("ca-file"));
    connection.insecure = parser.isSet(QStringLiteral("insecure"));
    if (!error->isEmpty())
        return std::nullopt;
    // A passive link hears only the server's keepalives; a silence limit at or under their
    // period calls every quiet, healthy link dead and reconnects it again and again.
    const auto silenceLimit = connection.heartbeatInterval + connection.heartbeatTimeout;
    if (connection.heartbeat.kind == HeartbeatMode::Kind::Passive &&
        config.protocol == QLatin1String("ntfy") &&
        silenceLimit <= ConnectionConfig::ntfyKeepalive) {
        *error =
            Text::tr("--heartbeat passive: interval + timeout is %1, but ntfy servers "
                     "send a keepalive only every %2, so every quiet link would be "
                     "dropped; make the sum longer (the passive default is %3 + %4)")
                .arg(formatDuration(silenceLimit), formatDuration(ConnectionConfig::ntfyKeepalive),
                     formatDuration(ConnectionConfig::passiveHeartbeatInterval),
                     formatDuration(ConnectionConfig::passiveHeartbeatTimeout));
        return std::nullopt;
    }

    config.name = parser.isSet(QStringLiteral("name")) ? parser.value(QStringLiteral("name"))
                                                       : config.defaultName();
    if (const QString problem = config.validationError(); !problem.isEmpty()) {
        *error = problem;
        return std::nullopt;
    }
    return config;
}

} // namespace traybeat::connectionoptions
