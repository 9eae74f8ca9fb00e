#include "modes.h"

#include "commandline.h"
#include "singleinstance.h"
#include "translations.h"
#include "trayapp.h"
#include "trayicons.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QStandardPaths>
#include <cstdio>
#include <optional>

namespace traybeat::modes {

namespace {

using namespace std::chrono_literals;
using commandline::Text;

constexpr auto activationTimeout = 5s;

// The arguments are read before QApplication exists, so that a bad one gets its one-line reason
// and exit status 2 even where no display can be opened: under a QCoreApplication of its own,
// which carries the translations of the help and error texts meanwhile. (Qt's own -platform
// style options are therefore not accepted here; QT_QPA_PLATFORM and friends work.) Returns the
// exit status when the mode ends here (--help, a bad argument); an empty `stateDirectory` means
// the default.
std::optional<int> parseArguments(int argc, char **argv, TrayOptions *options)
{
    QCoreApplication parsingApp(argc, argv);
    commandline::chooseLanguage(parsingApp);
    const QStringList arguments = parsingApp.arguments();
    QCommandLineParser parser;
    parser.setApplicationDescription(Text::tr("traybeat: push notifications in the system tray."));
    const QCommandLineOption demoOption(
        QStringLiteral("demo"),
        Text::tr("Also run an embedded server that publishes sample notifications."));
    const QCommandLineOption stateDirOption(
        QStringLiteral("state-dir"),
        Text::tr("Keep the notification store in DIR (default: the app data folder)."),
        QStringLiteral("DIR"));
    parser.addOption(demoOption);
    parser.addOption(stateDirOption);
    if (const auto status = commandline::parse(parser, arguments, QString()))
        return status;
    if (!parser.positionalArguments().isEmpty()) {
        return commandline::fail(QString(), Text::tr("unexpected argument \"%1\" (modes: "
                                                     "listen, serve, publish; see --help)")
                                                .arg(parser.positionalArguments().first()));
    }
    if (parser.isSet(stateDirOption) && parser.value(stateDirOption).isEmpty())
        return commandline::fail(QString(), Text::tr("--state-dir: the folder is empty"));
    options->demo = parser.isSet(demoOption);
    options->stateDirectory = parser.value(stateDirOption);
    return std::nullopt;
}

void setUpApplication()
{
    QApplication::setOrganizationName(QStringLiteral("traybeat"));
    QApplication::setApplicationName(QStringLiteral("traybeat"));
    QApplication::setApplicationDisplayName(QStringLiteral("traybeat"));
    QGuiApplication::setDesktopFileName(QStringLiteral("io.github.traybeat.Traybeat"));
    QApplication::setWindowIcon(TrayIcons::applicationIcon());
    // Windows come and go (history, settings, pop-ups); the tray icon keeps the app alive.
    QApplication::setQuitOnLastWindowClosed(false);
}

} // namespace

int runTray(int argc, char **argv)
{
    TrayOptions options;
    if (const auto status = parseArguments(argc, argv, &options))
        return *status;

    QApplication app(argc, argv);
    // Again for this application object; a warning was printed while parsing.
    QString ignoredWarning;
    Translations::install(app, Translations::requestedLanguage(app.arguments()), &ignoredWarning);
    setUpApplication();
    if (options.stateDirectory.isEmpty())
        options.stateDirectory = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);

    SingleInstance instance(SingleInstance::defaultKey(options.stateDirectory));
    if (instance.claim() == SingleInstance::Role::Secondary) {
        if (instance.activatePrimary(activationTimeout)) {
            // Otherwise a launch from a terminal seems to do nothing at all.
            std::printf("traybeat: %s\n",
                        qPrintable(Text::tr("already running; brought its window forward")));
            return 0;
        }
        std::fprintf(stderr, "traybeat: %s\n",
                     qPrintable(Text::tr("another traybeat is running but did not answer")));
        return 1;
    }

    // A desktop logout or `kill` ends the app like Quit does: links closed, store flushed. Set
    // before the app starts, so a signal during a slow start-up is handled too (by exec()).
    commandline::quitOnTerminationSignals();
    TrayApp tray(options);
    QString error;
    if (!tray.start(&error))
        return commandline::fail(QString(), error);
    QObject::connect(&instance, &SingleInstance::activationRequested, &tray, &TrayApp::activate);
    return app.exec();
}

} // namespace traybeat::modes
