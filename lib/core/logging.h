#pragma once

#include <QLoggingCategory>
#include <QUrl>

// One logging category per area (STYLE.md rule 7). Enable with
// QT_LOGGING_RULES="traybeat.*.debug=true".
Q_DECLARE_LOGGING_CATEGORY(lcConnection)
Q_DECLARE_LOGGING_CATEGORY(lcProtocol)
Q_DECLARE_LOGGING_CATEGORY(lcStore)
Q_DECLARE_LOGGING_CATEGORY(lcServer)
Q_DECLARE_LOGGING_CATEGORY(lcUi)

namespace traybeat {
// A URL fit for a log line: the query (where tokens like ?auth= travel) and any user info are
// replaced, so a secret never reaches a log.
QString redactedUrl(const QUrl &url);
} // namespace traybeat
