#include "modes.h"
#include "trayhandover.h"

#include <cstring>

// Dispatches on the first argument: a mode word (listen, serve, publish) or, by default, the
// tray app (another executable, see trayhandover.h). The remaining arguments are passed on with
// the mode word removed, so each mode's QCommandLineParser sees a plain command line.
int main(int argc, char **argv)
{
    using namespace traybeat::modes;
    struct Mode
    {
        const char *word;
        int (*run)(int, char **);
    };
    static const Mode modes[] = {
        {"listen", runListen}, {"serve", runServe}, {"publish", runPublish}};
    if (argc > 1) {
        for (const Mode &mode : modes) {
            if (std::strcmp(argv[1], mode.word) == 0) {
                argv[1] = argv[0];
                return mode.run(argc - 1, argv + 1);
            }
        }
    }
    return handOverToTray(argc, argv);
}
