#pragma once

#include <QUrl>

namespace traybeat {

// Server text is untrusted: a notification's click URL is opened only when it is an absolute
// http or https URL with a host. Everything else (file:, javascript:, data:, custom schemes,
// relative paths) is refused.
bool isSafeToOpen(const QUrl &url);

} // namespace traybeat
