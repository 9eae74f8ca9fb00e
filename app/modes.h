#pragma once

#include <QStringList>

// The modes (docs/design.md, "Command line"). Each gets the arguments after the mode word
// (argv[0] first), runs its own Q(Core)Application, and returns the exit status. The tray mode
// lives in the `traybeat-tray` executable, the others in `traybeat`.
// Exit status 2 means bad arguments or configuration, with a one-line reason on stderr.
namespace traybeat::modes {
int runTray(int argc, char **argv);    // traybeat [--demo]
int runListen(int argc, char **argv);  // traybeat listen [connection options]
int runServe(int argc, char **argv);   // traybeat serve [--listen ADDR:PORT] [--db FILE] ...
int runPublish(int argc, char **argv); // traybeat publish [options] TOPIC MESSAGE
} // namespace traybeat::modes
