#pragma once

#include "connectionmanager.h"

#include <QIcon>
#include <QPixmap>
#include <QString>

namespace traybeat {

// Draws the tray icon for a link state from the SVGs in resources/icons, as rendered at build
// time: the state's bell, with a do-not-disturb badge and an unread dot laid over it when they
// apply. Each size was rendered on its own (not scaled from one bitmap), so it stays crisp from
// 16 to 64 px; the app itself loads no SVG renderer.
class TrayIcons
{
public:
    // "connected", "connecting" (reconnecting too), "offline" or "failed": the icon's name.
    static QString stateName(ConnectionState state);
    // stateName plus "+dnd" and "+unread" when they apply.
    static QString key(ConnectionState state, bool doNotDisturb, bool unread);
    static QPixmap pixmap(ConnectionState state, bool doNotDisturb, bool unread, int size,
                          qreal devicePixelRatio = 1.0);
    static QIcon icon(ConnectionState state, bool doNotDisturb, bool unread);
    static QIcon applicationIcon();
};

} // namespace traybeat
