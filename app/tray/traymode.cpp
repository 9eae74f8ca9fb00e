#include "modes.h"

#include <cstdio>

namespace traybeat::modes {

int runTray(int, char **)
{
    std::fputs("traybeat: the tray app is not available yet; try `traybeat listen`\n", stderr);
    return 2;
}

} // namespace traybeat::modes
