#pragma once

// Without a mode word, `traybeat` becomes the tray app: it replaces itself (exec, same process
// id) with `traybeat-tray`, found beside its own binary (the build tree) or in the libexec
// folder it was installed with. The command-line modes thus load no GUI library
// (docs/design.md, "Two executables"). Returns only when that fails: the exit status, after a
// one-line reason on stderr.
namespace traybeat::modes {
int handOverToTray(int argc, char **argv);
} // namespace traybeat::modes
