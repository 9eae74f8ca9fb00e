#include "trayhandover.h"

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unistd.h>

namespace traybeat::modes {

namespace {

constexpr const char *trayExecutable = "traybeat-tray";

// The folder of the running binary, symlinks resolved (a /usr/local/bin link to an install
// elsewhere still finds its own libexec folder).
std::string ownFolder()
{
    char path[PATH_MAX];
    if (!::realpath("/proc/self/exe", path))
        return {};
    std::string folder(path);
    return folder.substr(0, folder.rfind('/'));
}

bool isExecutable(const std::string &path)
{
    return ::access(path.c_str(), X_OK) == 0;
}

} // namespace

int handOverToTray(int argc, char **argv)
{
    (void)argc;
    const std::string folder = ownFolder();
    const std::string candidates[] = {
        folder + '/' + trayExecutable,
        folder + '/' + TRAYBEAT_TRAY_FROM_BIN + '/' + trayExecutable,
    };
    for (const std::string &candidate : candidates) {
        if (!isExecutable(candidate))
            continue;
        ::execv(candidate.c_str(), argv);
        std::fprintf(stderr, "traybeat: cannot start the tray app %s: %s\n", candidate.c_str(),
                     std::strerror(errno));
        return EXIT_FAILURE;
    }
    std::fprintf(stderr,
                 "traybeat: the tray app is not installed (no %s beside %s or in %s/%s); the "
                 "modes listen, serve and publish work without it\n",
                 trayExecutable, folder.c_str(), folder.c_str(), TRAYBEAT_TRAY_FROM_BIN);
    return EXIT_FAILURE;
}

} // namespace traybeat::modes
