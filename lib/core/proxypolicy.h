#pragma once

#include <QNetworkProxy>
#include <QUrl>

namespace traybeat {

// Which proxy traybeat's connections go through: the system's, or none. Process-wide, because
// the links, gotify's catch-up requests and the fetches of icons and actions all follow Qt's
// application proxy settings.
//
// The system's settings on Linux: Qt asks libproxy (Debian's Qt is built with it), which reads
// the environment variables `http_proxy`, `https_proxy` and `no_proxy` (and the desktop's proxy
// settings where its plug-in for them is installed). Qt never proxies localhost or 127.0.0.0/8.
class ProxyPolicy final
{
public:
    ProxyPolicy() = delete;

    // `direct` false: the system's proxy settings; true: no proxy at all, whatever they say.
    static void apply(bool direct);
    static bool isDirect() { return s_direct; }

    // The proxy for a WebSocket link to `url`. Asked as for the link's http(s) URL, so that
    // `https_proxy` applies to wss:// and `http_proxy` to ws://, as for every other program (a
    // raw socket's own question would only ever see `http_proxy`). The proxy must tunnel
    // (HTTP CONNECT or SOCKS5); one that cannot is skipped.
    static QNetworkProxy forWebSocket(const QUrl &url);

private:
    static bool s_direct;
};

} // namespace traybeat
