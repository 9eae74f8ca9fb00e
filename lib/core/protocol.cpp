#include "protocol.h"

#include "gotifyprotocol.h"
#include "ntfyprotocol.h"
#include "textprotocol.h"

#include <QJsonDocument>

namespace traybeat {

Protocol::Protocol(const SubscriptionConfig &config, QObject *parent)
    : QObject(parent), m_config(config)
{
}

Protocol::~Protocol() = default;

std::unique_ptr<Protocol> Protocol::create(const SubscriptionConfig &config, QString *errorMessage)
{
    if (const QString problem = config.validationError(); !problem.isEmpty()) {
        if (errorMessage)
            *errorMessage = problem;
        return nullptr;
    }
    if (config.protocol == QLatin1String("ntfy"))
        return std::make_unique<NtfyProtocol>(config);
    if (config.protocol == QLatin1String("text"))
        return std::make_unique<TextProtocol>(config);
    if (config.protocol == QLatin1String("gotify"))
        return std::make_unique<GotifyProtocol>(config);
    if (errorMessage)
        *errorMessage = tr("the %1 protocol is not available in this build").arg(config.protocol);
    return nullptr;
}

QUrl Protocol::webSocketUrl(const QString &path) const
{
    QUrl url = m_config.server;
    const QString scheme = url.scheme().toLower();
    if (scheme == QLatin1String("http"))
        url.setScheme(QStringLiteral("ws"));
    else if (scheme == QLatin1String("https"))
        url.setScheme(QStringLiteral("wss"));
    QString base = url.path();
    if (base.endsWith(QLatin1Char('/')))
        base.chop(1);
    url.setPath(base + path);
    return url;
}

std::optional<QJsonObject> Protocol::jsonObjectFrame(const QString &frame, qsizetype maximumSize,
                                                     const QString &what)
{
    if (frame.size() > maximumSize) {
        emit frameRejected(tr("%1 of %2 bytes is over the %3 byte limit; skipped")
                               .arg(what)
                               .arg(frame.size())
                               .arg(maximumSize));
        return std::nullopt;
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(frame.toUtf8(), &parseError);
    if (!document.isObject()) {
        emit frameRejected(tr("%1 is not a JSON object (%2); skipped")
                               .arg(what, parseError.error == QJsonParseError::NoError
                                              ? tr("wrong type")
                                              : parseError.errorString()));
        return std::nullopt;
    }
    return document.object();
}

QNetworkRequest Protocol::authorizedRequest(const QUrl &url) const
{
    QNetworkRequest request(url);
    if (!m_config.user.isEmpty()) {
        const QByteArray credentials =
            (m_config.user + QLatin1Char(':') + m_config.password).toUtf8();
        request.setRawHeader("Authorization", "Basic " + credentials.toBase64());
    } else if (!m_config.token.isEmpty()) {
        request.setRawHeader("Authorization", "Bearer " + m_config.token.toUtf8());
    }
    return request;
}

} // namespace traybeat
