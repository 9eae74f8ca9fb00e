#include "modes.h"

#include <cstdio>

namespace traybeat::modes {

int runPublish(int, char **)
{
    std::fputs("traybeat publish: not available yet\n", stderr);
    return 2;
}

} // namespace traybeat::modes
