#include "modes.h"

// `traybeat-tray`, the tray app. Started by `traybeat` without a mode word (see
// app/trayhandover.h), with the arguments it was given.
int main(int argc, char **argv)
{
    return traybeat::modes::runTray(argc, argv);
}
