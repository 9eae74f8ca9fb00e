#include "modes.h"

#include <cstdio>

namespace traybeat::modes {

int runServe(int, char **)
{
    std::fputs("traybeat serve: not available yet\n", stderr);
    return 2;
}

} // namespace traybeat::modes
