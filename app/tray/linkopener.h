#pragma once

#include <QUrl>

namespace traybeat {

// The one way a link from a message leaves the app (pop-ups, the history, the desktop's own
// notifications): only http/https (isSafeToOpen), through the desktop's browser. False when
// it was refused or nothing could open it (no browser); the caller tells the person.
bool openLink(const QUrl &url);

} // namespace traybeat
