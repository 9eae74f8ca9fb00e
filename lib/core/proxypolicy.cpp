#include "proxypolicy.h"

#include "logging.h"

#include <QNetworkProxyFactory>

namespace traybeat {

bool ProxyPolicy::s_direct = false;

void ProxyPolicy::apply(bool direct)
{
    s_direct = direct;
    if (direct) {
        QNetworkProxyFactory::setUseSystemConfiguration(false);
        QNetworkProxy::setApplicationProxy(QNetworkProxy::NoProxy);
        return;
    }
    QNetworkProxy::setApplicationProxy(QNetworkProxy::DefaultProxy);
    QNetworkProxyFactory::setUseSystemConfiguration(true);
}

QNetworkProxy ProxyPolicy::forWebSocket(const QUrl &url)
{
    QUrl asked = url;
    if (url.scheme() == QLatin1String("ws"))
        asked.setScheme(QStringLiteral("http"));
    else if (url.scheme() == QLatin1String("wss"))
        asked.setScheme(QStringLiteral("https"));
    asked.setQuery(QString()); // a resume cursor or a token is nobody else's business
    asked.setUserInfo(QString());
    const QList<QNetworkProxy> proxies =
        QNetworkProxyFactory::proxyForQuery(QNetworkProxyQuery(asked));
    for (const QNetworkProxy &proxy : proxies) {
        if (proxy.type() == QNetworkProxy::NoProxy || proxy.type() == QNetworkProxy::DefaultProxy)
            return QNetworkProxy::NoProxy;
        if (proxy.capabilities().testFlag(QNetworkProxy::TunnelingCapability)) {
            qCDebug(lcConnection).noquote()
                << "through the proxy" << proxy.hostName() << proxy.port();
            return proxy;
        }
    }
    return QNetworkProxy::NoProxy;
}

} // namespace traybeat
