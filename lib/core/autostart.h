#pragma once

#include <QCoreApplication>
#include <QString>

namespace traybeat {

class AppSettings;

// "Start at login": the XDG autostart entry
// $XDG_CONFIG_HOME/autostart/io.github.traybeat.Traybeat.desktop (default ~/.config/autostart),
// which every desktop that follows the XDG autostart specification runs at login. The entry's
// presence is the setting: a desktop's own "startup applications" tool may remove it too.
class Autostart final
{
    Q_DECLARE_TR_FUNCTIONS(traybeat::Autostart)
public:
    static QString entryPath();
    // What the entry runs: `traybeat` (the front binary, beside this process's executable in the
    // build tree, or in the bin folder it was installed with), else this executable itself.
    static QString defaultExecutable();
    static bool isEnabled();
    // Writes the entry (running `executable`) or removes it. False + a one-line reason.
    static bool setEnabled(bool enabled, const QString &executable, QString *errorMessage);
    // The entry's text; `executable` is quoted as the desktop entry specification asks.
    static QString entryText(const QString &executable);
    // On by default once the first subscription is saved — once only: a user who switched it
    // off (AppSettings::isStartAtLoginDecided()) keeps it off. Logs what it did.
    static void applyDefault(AppSettings *settings, const QString &executable);
};

} // namespace traybeat
