#include "commandline.h"
#include "connectionoptions.h"
#include "jsonlinewriter.h"
#include "modes.h"
#include "notificationstore.h"
#include "privatepath.h"
#include "proxypolicy.h"
#include "storethread.h"
#include "subscription.h"
#include "systemwatcher.h"

#include <QCoreApplication>
#include <QDir>
#include <QStandardPaths>
#include <malloc.h>

namespace traybeat::modes {

namespace {

// glibc hands freed memory back to the kernel as soon as 128 KiB are free at the top of the
// heap, and serves blocks of 128 KiB and more (a burst's lists) with mmap, so every burst
// faulted its pages in again: ~10 % of a 10,000-message burst (docs/design.md, "`listen`
// in a burst"). Up to 32 MiB stay with the process between bursts instead.
void keepMemoryBetweenBursts()
{
    constexpr int kept = 32 * 1024 * 1024;
    mallopt(M_TRIM_THRESHOLD, kept);
    mallopt(M_MMAP_THRESHOLD, kept);
    mallopt(M_TOP_PAD, 16 * 1024 * 1024);
}

} // namespace

// `traybeat listen`: one subscription, headless; every event is a JSON line on stdout.
int runListen(int argc, char **argv)
{
    keepMemoryBetweenBursts();
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("traybeat"));
    commandline::chooseLanguage(app);
    const QString mode = QStringLiteral("listen");
    using commandline::Text;

    QCommandLineParser parser;
    parser.setApplicationDescription(
        Text::tr("Subscribe and print each event as one JSON line on stdout."));
    connectionoptions::addTo(parser);
    parser.addOption({QStringLiteral("state-dir"),
                      Text::tr("Folder for the notification store (default: app data)."),
                      QStringLiteral("DIR")});
    parser.addOption({QStringLiteral("no-proxy"),
                      Text::tr("Connect directly, ignoring the system proxy settings "
                               "(http_proxy, https_proxy).")});
    if (const auto exitCode = commandline::parse(parser, app.arguments(), mode))
        return *exitCode;
    if (!parser.positionalArguments().isEmpty())
        return commandline::fail(
            mode,
            Text::tr("unexpected argument \"%1\"").arg(parser.positionalArguments().constFirst()));
    QString error;
    const auto config = connectionoptions::read(parser, &error);
    if (!config)
        return commandline::fail(mode, error);

    ProxyPolicy::apply(parser.isSet(QStringLiteral("no-proxy")));

    const QString stateDir =
        parser.isSet(QStringLiteral("state-dir"))
            ? parser.value(QStringLiteral("state-dir"))
            : QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    if (!PrivatePath::ensureDirectory(stateDir, PrivatePath::Existing::Narrow, &error))
        return commandline::fail(mode, (parser.isSet(QStringLiteral("state-dir"))
                                            ? Text::tr("--state-dir: %1")
                                            : Text::tr("state folder: %1"))
                                           .arg(error));
    // Two connections to one file: this thread's reads the cursors, the store thread's stores
    // each slice while this thread parses and prints the next (docs/design.md, "`listen` in a
    // burst").
    const QString storeFile = QDir(stateDir).filePath(QStringLiteral("notifications.db"));
    NotificationStore store;
    StoreThread storeThread;
    if (!store.open(storeFile, &error) || !storeThread.open(storeFile, &error))
        return commandline::fail(mode, error);

    Subscription subscription(*config, &store);
    if (!subscription.isValid())
        return commandline::fail(mode, subscription.errorString());
    // No GUI thread to keep responsive: a burst goes into the store in larger transactions.
    subscription.setSliceSize(2000);
    subscription.storeOn(&storeThread);

    JsonLineWriter out;
    QObject::connect(
        &subscription, &Subscription::stateChanged, &app,
        [&out](ConnectionState state, const QString &reason) { out.state(state, reason); });
    QObject::connect(&subscription, &Subscription::errorOccurred, &app,
                     [&out](const QString &message) { out.error(message); });
    QObject::connect(&subscription, &Subscription::notificationsArrived, &app,
                     [&out](const NotificationList &fresh) { out.messages(fresh); });
    SystemWatcher systemWatcher;
    subscription.watch(&systemWatcher);
    commandline::quitOnTerminationSignals();
    subscription.start();
    const int status = app.exec();
    subscription.stop();
    return status;
}

} // namespace traybeat::modes
