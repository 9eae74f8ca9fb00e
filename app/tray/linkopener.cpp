#include "linkopener.h"

#include "logging.h"
#include "urlpolicy.h"

#include <QDesktopServices>

namespace traybeat {

bool openLink(const QUrl &url)
{
    // Checked here whatever asked: a caller's own check may have been of another URL.
    if (!isSafeToOpen(url)) {
        qCWarning(lcUi).noquote() << "refusing to open" << redactedUrl(url);
        return false;
    }
    if (QDesktopServices::openUrl(url))
        return true;
    qCWarning(lcUi).noquote() << "no program to open" << redactedUrl(url);
    return false;
}

} // namespace traybeat
