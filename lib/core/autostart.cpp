#include "autostart.h"

#include "appsettings.h"
#include "logging.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QStandardPaths>
#include <algorithm>

namespace traybeat {

namespace {

const QString entryName = QStringLiteral("io.github.traybeat.Traybeat.desktop");

// The Exec key's quoting rules (desktop entry specification, "The Exec key"): an argument with
// a reserved character is double-quoted, and inside quotes ", `, $ and \ are backslash-escaped.
// Then the value itself is a string, in which a backslash is written \\ — and % starts a field
// code, so a literal one is %%.
QString execValue(const QString &executable)
{
    static const QString reserved = QStringLiteral(" \t\n\"'\\><~|&;$*?#()`");
    QString argument = executable;
    const bool quote = std::any_of(argument.cbegin(), argument.cend(),
                                   [](QChar c) { return reserved.contains(c); });
    if (quote) {
        QString escaped;
        for (const QChar c : argument) {
            if (c == QLatin1Char('"') || c == QLatin1Char('`') || c == QLatin1Char('$') ||
                c == QLatin1Char('\\'))
                escaped += QLatin1Char('\\');
            escaped += c;
        }
        argument = QLatin1Char('"') + escaped + QLatin1Char('"');
    }
    argument.replace(QLatin1Char('\\'), QStringLiteral("\\\\"));
    argument.replace(QLatin1Char('%'), QStringLiteral("%%"));
    return argument;
}

} // namespace

QString Autostart::entryPath()
{
    // GenericConfigLocation is $XDG_CONFIG_HOME, or ~/.config.
    return QDir(QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation))
        .filePath(QStringLiteral("autostart/") + entryName);
}

QString Autostart::defaultExecutable()
{
    const QString own = QCoreApplication::applicationFilePath();
    const QDir folder = QFileInfo(own).absoluteDir();
    for (const QString &candidate :
         {folder.filePath(QStringLiteral("traybeat")),
          folder.filePath(QStringLiteral(TRAYBEAT_BIN_FROM_TRAY "/traybeat"))}) {
        const QFileInfo front(candidate);
        if (front.isFile() && front.isExecutable())
            return front.canonicalFilePath();
    }
    return own;
}

bool Autostart::isEnabled()
{
    return QFileInfo::exists(entryPath());
}

QString Autostart::entryText(const QString &executable)
{
    return QStringLiteral("[Desktop Entry]\n"
                          "Type=Application\n"
                          "Name=traybeat\n"
                          "Comment=Show push notifications in the system tray\n"
                          "Exec=%1\n"
                          "Icon=traybeat\n"
                          "Terminal=false\n"
                          "Categories=Network;\n"
                          "X-GNOME-Autostart-enabled=true\n")
        .arg(execValue(executable));
}

bool Autostart::setEnabled(bool enabled, const QString &executable, QString *errorMessage)
{
    const QString path = entryPath();
    if (!enabled) {
        if (!QFileInfo::exists(path) || QFile::remove(path))
            return true;
        if (errorMessage)
            *errorMessage = tr("cannot remove %1").arg(path);
        return false;
    }
    QSaveFile file(path);
    if (!QDir().mkpath(QFileInfo(path).absolutePath()) || !file.open(QIODevice::WriteOnly) ||
        file.write(entryText(executable).toUtf8()) < 0 || !file.commit()) {
        if (errorMessage)
            *errorMessage = tr("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

void Autostart::applyDefault(AppSettings *settings, const QString &executable)
{
    if (settings->isStartAtLoginDecided() || settings->subscriptions().isEmpty())
        return;
    settings->setStartAtLoginDecided();
    QString error;
    if (setEnabled(true, executable, &error))
        qCInfo(lcUi).noquote() << "autostart: traybeat now starts at login (" + entryPath() +
                                      "); switch it off in the settings";
    else
        qCWarning(lcUi).noquote() << "autostart:" << error;
}

} // namespace traybeat
