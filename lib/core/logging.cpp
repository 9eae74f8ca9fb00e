#include "logging.h"

Q_LOGGING_CATEGORY(lcConnection, "traybeat.connection", QtInfoMsg)
Q_LOGGING_CATEGORY(lcProtocol, "traybeat.protocol", QtInfoMsg)
Q_LOGGING_CATEGORY(lcStore, "traybeat.store", QtInfoMsg)
Q_LOGGING_CATEGORY(lcServer, "traybeat.server", QtInfoMsg)
Q_LOGGING_CATEGORY(lcUi, "traybeat.ui", QtInfoMsg)

namespace traybeat {

QString redactedUrl(const QUrl &url)
{
    QUrl copy = url;
    if (!copy.userInfo().isEmpty())
        copy.setUserInfo(QStringLiteral("redacted"));
    if (copy.hasQuery())
        copy.setQuery(QStringLiteral("redacted"));
    return copy.toDisplayString();
}

} // namespace traybeat
