#include "modes.h"

#include <cstdio>

namespace traybeat::modes {

int runListen(int, char **)
{
    std::fputs("traybeat listen: not available yet\n", stderr);
    return 2;
}

} // namespace traybeat::modes
