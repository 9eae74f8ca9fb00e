#include "trayapp.h"

#include "autostart.h"
#include "demo.h"
#include "historywindow.h"
#include "linkopener.h"
#include "logging.h"
#include "privatepath.h"
#include "proxypolicy.h"
#include "settingsdialog.h"
#include "subscription.h"

#include <QApplication>
#include <QCloseEvent>
#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDir>
#include <QMessageBox>
#include <QTime>
#include <algorithm>
#include <cstdio>

namespace traybeat {

using namespace std::chrono_literals;

namespace {

// The cards beside a burst's summary change at most this often: often enough to look live, and
// a burst's slices (one per event-loop turn) no longer each lay out the cards again.
constexpr auto cardUpdateInterval = 100ms;

// Field by field: a subscription whose settings did not change keeps its link up when another
// one is edited. (A field added to the configs must be added here too.)
bool sameConnection(const ConnectionConfig &a, const ConnectionConfig &b)
{
    return a.heartbeat == b.heartbeat && a.heartbeatInterval == b.heartbeatInterval &&
           a.heartbeatTimeout == b.heartbeatTimeout && a.connectTimeout == b.connectTimeout &&
           a.backoff.floor == b.backoff.floor && a.backoff.cap == b.backoff.cap &&
           a.backoff.stabilityWindow == b.backoff.stabilityWindow &&
           a.permanentFailureRetry == b.permanentFailureRetry &&
           a.immediateReconnectSpacing == b.immediateReconnectSpacing && a.caFile == b.caFile &&
           a.insecure == b.insecure;
}

bool sameSubscription(const SubscriptionConfig &a, const SubscriptionConfig &b)
{
    return a.name == b.name && a.server == b.server && a.protocol == b.protocol &&
           a.topics == b.topics && a.token == b.token && a.user == b.user &&
           a.password == b.password && sameConnection(a.connection, b.connection);
}

// A reason may quote a server's words; make sure it never carries the secrets we sent.
QString withoutSecrets(QString text, const SubscriptionConfig &config)
{
    if (!config.token.isEmpty())
        text.replace(config.token, QStringLiteral("[token]"));
    if (!config.password.isEmpty())
        text.replace(config.password, QStringLiteral("[password]"));
    return text;
}

// Qt talks Wayland: the compositor places every window, so a pop-up cannot be put in a corner
// (an X11 client under XWayland, QT_QPA_PLATFORM=xcb, still can). See docs/design.md.
bool isWaylandPlatform()
{
    return QGuiApplication::platformName().startsWith(QLatin1String("wayland"));
}

// The desktop offers StatusNotifierItem: Qt's tray icon is then a D-Bus item, not an XEmbed window.
bool hasStatusNotifierWatcher()
{
    const QDBusConnection bus = QDBusConnection::sessionBus();
    return bus.isConnected() &&
           bus.interface()->isServiceRegistered(QStringLiteral("org.kde.StatusNotifierWatcher"));
}

// A link that is going away must not report into a list that no longer holds it.
void stopReports(Subscription *subscription, OutageMonitor *outage, QObject *receiver)
{
    subscription->disconnect(receiver);
    subscription->connection()->disconnect(receiver);
    if (outage)
        outage->disconnect(receiver);
}

// "14:02", or with the date when it was not today.
QString shortClockText(const QDateTime &when)
{
    const QDateTime local = when.toLocalTime();
    return local.toString(local.date() == QDate::currentDate()
                              ? QStringLiteral("HH:mm")
                              : QStringLiteral("yyyy-MM-dd HH:mm"));
}

} // namespace

TrayApp::TrayApp(const TrayOptions &options, QObject *parent)
    : QObject(parent), m_options(options), m_native(m_tray.trayIcon())
{
    m_settings.setNativePopupsByDefault(isWaylandPlatform());
    connect(&m_settings, &AppSettings::subscriptionsChanged, this, &TrayApp::syncSubscriptions);
    connect(&m_settings, &AppSettings::subscriptionsChanged, this, &TrayApp::applyAutostartDefault);
    connect(&m_settings, &AppSettings::changed, this, &TrayApp::applySettings);
    connect(&m_store, &NotificationStore::changed, this, [this] {
        if (!m_unreadTimer.isActive())
            m_unreadTimer.start();
        if (m_media.cache().isEnabled() && !m_mediaSweepTimer.isActive())
            m_mediaSweepTimer.start();
    });

    connect(&m_tray, &TrayController::historyRequested, this, &TrayApp::activate);
    connect(&m_tray, &TrayController::settingsRequested, this, &TrayApp::showSettings);
    connect(&m_tray, &TrayController::reconnectRequested, this, &TrayApp::reconnectAll);
    connect(&m_tray, &TrayController::reconnectOneRequested, this, &TrayApp::reconnectOne);
    connect(&m_tray, &TrayController::markAllReadRequested, this,
            [this] { m_store.markAllRead(); });
    connect(&m_tray, &TrayController::doNotDisturbToggled, this, &TrayApp::setDoNotDisturb);
    connect(&m_tray, &TrayController::quitRequested, qApp, &QCoreApplication::quit,
            Qt::QueuedConnection);
    connect(&m_tray, &TrayController::statusesWanted, this, &TrayApp::refreshStatuses);

    connect(&m_popups, &PopupStack::historyRequested, this, &TrayApp::showHistory);
    connect(&m_popups, &PopupStack::readRequested, this, &TrayApp::markRead);
    m_popups.setActionRunner(&m_actionRunner);
    m_popups.setMediaFetcher(&m_media);
    m_popups.setCardUpdateInterval(cardUpdateInterval);
    connect(&m_native, &NativeNotifier::historyRequested, this, &TrayApp::showHistory);
    connect(&m_native, &NativeNotifier::urlRequested, this, &TrayApp::openUrl);
    connect(&m_native, &NativeNotifier::readRequested, this, &TrayApp::markRead);
    m_native.setActionRunner(&m_actionRunner);

    // Quiet hours begin and end at clock times: one wake-up at the next of the two, no polling.
    m_quietHoursTimer.setSingleShot(true);
    connect(&m_quietHoursTimer, &QTimer::timeout, this, &TrayApp::applyQuietHours);

    m_unreadTimer.setSingleShot(true);
    m_unreadTimer.setInterval(250ms);
    connect(&m_unreadTimer, &QTimer::timeout, this, &TrayApp::refreshUnread);
    // Deletions are rare and a burst changes the store many times a second: once in a while
    // is enough (a file left behind a moment longer costs nothing).
    m_mediaSweepTimer.setSingleShot(true);
    m_mediaSweepTimer.setInterval(2s);
    connect(&m_mediaSweepTimer, &QTimer::timeout, this, &TrayApp::removeOrphanedMedia);
}

TrayApp::~TrayApp()
{
    delete m_settingsDialog; // a top-level window without parent: nobody else deletes it
    // Stop the links before the store goes. A stopping link reports its state, and the report
    // reads m_entries: so take the list out first and stop listening, as syncSubscriptions does.
    std::vector<Entry> closing;
    std::swap(closing, m_entries);
    for (const Entry &entry : closing) {
        if (entry.subscription)
            stopReports(entry.subscription.get(), entry.outage.get(), this);
    }
    closing.clear();
}

bool TrayApp::start(QString *errorMessage)
{
    QString error;
    if (!PrivatePath::ensureDirectory(m_options.stateDirectory, PrivatePath::Existing::Narrow,
                                      &error)) {
        if (errorMessage)
            *errorMessage = tr("state folder: %1").arg(error);
        return false;
    }
    const QString databasePath =
        QDir(m_options.stateDirectory).filePath(QStringLiteral("notifications.db"));
    if (!m_store.open(databasePath, &error)) {
        if (errorMessage)
            *errorMessage = tr("cannot open %1: %2").arg(databasePath, error);
        return false;
    }
    openMediaCache();
    if (m_options.demo) {
        m_demo = std::make_unique<Demo>();
        if (!m_demo->start(errorMessage))
            return false;
        connect(m_demo.get(), &Demo::actionSample, this, &TrayApp::addLocalSample);
        // Each demo server is new, with its own message ids: a cursor or history from an
        // earlier demo would mean nothing to it. A configured subscription that happens to be
        // called "Demo" wins over the demo (see wantedSubscriptions) and keeps its history.
        const QList<SubscriptionConfig> configured = m_settings.subscriptions();
        const bool nameTaken =
            std::any_of(configured.cbegin(), configured.cend(),
                        [](const auto &config) { return config.name == Demo::subscriptionName(); });
        if (!nameTaken)
            m_store.removeSubscription(Demo::subscriptionName());
    }

    // Not before: a start that fails says why first, not what it found on the system bus.
    m_logind = std::make_unique<LogindWatcher>();
    connect(m_logind.get(), &LogindWatcher::resumed, &m_systemWatcher,
            &SystemWatcher::notifyResumed);

    m_history = std::make_unique<HistoryWindow>(&m_store);
    m_history->setActionRunner(&m_actionRunner);
    m_history->setMediaFetcher(&m_media);
    m_started = true;
    // Tokens kept in the keyring arrive later; the subscriptions that wait for them start then.
    m_settings.useSecretStore(&m_secretStore);
    applySettings();
    applyAutostartDefault();
    syncSubscriptions();
    refreshUnread();

    if (!m_tray.show())
        enterWindowMode();
    else if (hasStatusNotifierWatcher())
        qCInfo(lcUi) << "tray icon: a StatusNotifierItem (the desktop's watcher is on the bus)";
    // First run: a grey icon alone would leave the person wondering what to do next.
    if (wantedSubscriptions().isEmpty())
        showSettings();
    return true;
}

void TrayApp::openMediaCache()
{
    const MediaCache cache(QDir(m_options.stateDirectory).filePath(QStringLiteral("media")));
    QString error;
    if (!cache.prepare(&error)) {
        // Pictures are still shown; they are fetched again each time.
        qCWarning(lcUi).noquote() << "media cache: not used:" << error;
        return;
    }
    m_media.setCache(cache);
    removeOrphanedMedia(); // messages deleted while the app was not running
}

void TrayApp::removeOrphanedMedia()
{
    const int removed = m_media.cache().removeOrphans(
        [this](const QString &subscription, const QString &id) {
            return m_store.notification(subscription, id).has_value();
        });
    if (removed > 0)
        qCInfo(lcUi) << "media cache: removed" << removed << "file(s) of deleted messages";
}

void TrayApp::applyAutostartDefault()
{
    Autostart::applyDefault(&m_settings, Autostart::defaultExecutable());
}

void TrayApp::enterWindowMode()
{
    m_windowMode = true;
    const QString message =
        tr("No system tray was found, so traybeat runs in this window. It keeps receiving and "
           "showing notifications while the window is open; closing it quits traybeat.");
    std::fprintf(stderr, "traybeat: %s\n",
                 qPrintable(tr("no system tray available; the history window is the main "
                               "window (closing it quits)")));
    m_history->installEventFilter(this);
    activate();
    auto *box = new QMessageBox(QMessageBox::Information, tr("traybeat"), message, QMessageBox::Ok,
                                m_history.get());
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setModal(false); // a note, not a question: the window stays usable
    box->show();
}

bool TrayApp::eventFilter(QObject *watched, QEvent *event)
{
    // Without a tray, the history window is the only way back in: closing it ends the app.
    if (m_windowMode && watched == m_history.get() && event->type() == QEvent::Close)
        QMetaObject::invokeMethod(qApp, &QCoreApplication::quit, Qt::QueuedConnection);
    return QObject::eventFilter(watched, event);
}

QList<SubscriptionConfig> TrayApp::wantedSubscriptions() const
{
    QList<SubscriptionConfig> configs = m_settings.subscriptions();
    if (m_demo) {
        // Not saved in the settings; a configured subscription of the same name wins.
        const bool taken = std::any_of(configs.cbegin(), configs.cend(), [](const auto &config) {
            return config.name == Demo::subscriptionName();
        });
        if (!taken)
            configs.prepend(m_demo->subscription());
    }
    return configs;
}

void TrayApp::syncSubscriptions()
{
    // start() creates them from the settings as they are then; tokens still being read from
    // the keyring would connect without them (subscriptionsChanged follows when they are read).
    if (!m_started || m_settings.isLoadingSecrets())
        return;
    const QList<SubscriptionConfig> wanted = wantedSubscriptions();
    std::vector<Entry> next;
    std::vector<Subscription *> created;
    for (const SubscriptionConfig &config : wanted) {
        auto existing = std::find_if(m_entries.begin(), m_entries.end(), [&](const Entry &entry) {
            return entry.subscription && sameSubscription(entry.config, config);
        });
        if (existing != m_entries.end()) {
            next.push_back(std::move(*existing));
            continue;
        }
        Entry entry{config, std::make_unique<Subscription>(config, &m_store), nullptr};
        Subscription *subscription = entry.subscription.get();
        subscription->watch(&m_systemWatcher);
        watchOutages(&entry);
        connect(subscription, &Subscription::notificationsArrived, this,
                &TrayApp::onNotificationsArrived);
        connect(subscription, &Subscription::stateChanged, this,
                &TrayApp::onSubscriptionStateChanged);
        // No timer polls the links (an idle app stays asleep): a heartbeat's answer is the
        // moment the tooltip's "last sign of life" and round trip change.
        connect(subscription->connection(), &ConnectionManager::heartbeatAnswered, this,
                &TrayApp::refreshStatuses);
        created.push_back(subscription);
        next.push_back(std::move(entry));
    }
    // The list is complete before anything starts or stops: a start or a stop reports its
    // state at once, and the report reads the list.
    std::swap(m_entries, next);
    for (const Entry &gone : next) {
        if (gone.subscription)
            stopReports(gone.subscription.get(), gone.outage.get(), this);
    }
    next.clear(); // removed or changed: their links close here

    for (Subscription *subscription : created) {
        if (subscription->isValid())
            subscription->start();
        else
            qCWarning(lcUi).noquote() << "subscription" << subscription->name()
                                      << "cannot start:" << subscription->errorString();
    }

    QStringList names;
    for (const Entry &entry : m_entries)
        names << entry.subscription->name();
    m_history->setSubscriptionNames(names);
    refreshUnread();
}

void TrayApp::onSubscriptionStateChanged()
{
    refreshStatuses();
    if (!m_demo || m_demo->isPublishing())
        return;
    // The demo's samples start once its link is up, so the first one is not missed.
    for (const Entry &entry : m_entries) {
        if (entry.subscription->name() == Demo::subscriptionName() &&
            entry.subscription->connection()->isConnected())
            m_demo->startPublishing();
    }
}

void TrayApp::watchOutages(Entry *entry)
{
    entry->outage = std::make_unique<OutageMonitor>(entry->subscription.get(), outageConfig());
    const SubscriptionConfig config = entry->config;
    connect(entry->outage.get(), &OutageMonitor::longOutage, this,
            [this](const QString &name, const QDateTime &since) {
                tell(name,
                     tr("Not connected to %1 since %2 — notifications may be delayed")
                         .arg(name, shortClockText(since)),
                     tr("traybeat keeps trying and fetches what was sent meanwhile once the "
                        "connection is back."),
                     3);
            });
    connect(entry->outage.get(), &OutageMonitor::permanentFailure, this,
            [this, config](const QString &name, const QString &reason) {
                tell(
                    name, tr("Cannot connect to %1: %2").arg(name, withoutSecrets(reason, config)),
                    tr("traybeat tries again every 10 minutes. Check the subscription's "
                       "settings (token, certificate) or choose “Reconnect now” in the tray menu."),
                    4);
            });
    connect(entry->outage.get(), &OutageMonitor::recovered, this,
            [this](const QString &name, const QDateTime &since, int missed) {
                tell(name, recoveryText(name, missed),
                     tr("Not connected from %1 until now.").arg(shortClockText(since)), 3);
            });
}

// English has no catalogue of its own for plurals: the one and the many are separate texts.
QString TrayApp::recoveryText(const QString &name, int missed)
{
    if (missed == 0)
        return tr("Reconnected to %1; nothing was sent while offline").arg(name);
    if (missed == 1)
        return tr("Reconnected to %1; 1 notification arrived that was sent while offline")
            .arg(name);
    return tr("Reconnected to %1; %n notifications arrived that were sent while offline", nullptr,
              missed)
        .arg(name);
}

OutageMonitor::Config TrayApp::outageConfig() const
{
    OutageMonitor::Config config;
    config.longOutage = m_settings.outageNoticeDelay();
    return config;
}

// The app's own news about a link: shown like a message of that subscription (a click opens
// its history), under the same do-not-disturb and quiet hours, but not stored.
void TrayApp::tell(const QString &subscription, const QString &title, const QString &body,
                   int priority)
{
    qCInfo(lcUi).noquote() << title;
    Notification notice;
    notice.subscription = subscription;
    notice.title = title;
    notice.body = body;
    notice.priority = priority;
    notice.time = QDateTime::currentDateTimeUtc();
    onNotificationsArrived({notice});
}

void TrayApp::onNotificationsArrived(const NotificationList &fresh)
{
    // Everything is stored already; this only decides what interrupts the person.
    const QTime now = QTime::currentTime();
    NotificationList shown;
    for (const Notification &notification : fresh) {
        if (m_policy.shouldPopUp(notification.priority, now))
            shown.append(notification);
    }
    if (shown.isEmpty())
        return;
    if (!m_windowMode)
        m_popups.setReservedArea(m_tray.trayIcon()->geometry());
    if (m_popupSettings.useNativePopups)
        m_native.present(shown);
    else
        m_popups.present(shown);
}

void TrayApp::applySettings()
{
    const bool direct = m_settings.connectsDirectly();
    ProxyPolicy::apply(direct);
    if (std::exchange(m_connectsDirectly, direct) != direct)
        reconnectAll(); // the links open again, on the new path
    for (const Entry &entry : m_entries)
        entry.outage->setConfig(outageConfig());
    const bool doNotDisturb = m_settings.doNotDisturb();
    const PopupSettings previous = m_popupSettings;
    m_popupSettings = m_settings.popups();
    if (!m_deliveryLogged || previous.useNativePopups != m_popupSettings.useNativePopups)
        logPopupDelivery();
    m_policy = DeliveryPolicy(doNotDisturb, m_settings.quietHours(), m_popupSettings,
                              m_settings.urgentBreaksDoNotDisturb());
    m_popups.setPolicy(m_policy);
    m_popups.setCorner(m_popupSettings.corner);
    m_native.setPolicy(m_policy);
    if (doNotDisturb && !m_tray.doNotDisturb())
        m_popups.closeAll(); // "not now" includes what is already on screen
    m_tray.setDoNotDisturb(doNotDisturb);
    applyQuietHours();
}

// Shows whether quiet hours hold pop-ups back now, and wakes up once when that changes.
void TrayApp::applyQuietHours()
{
    const QuietHours quietHours = m_settings.quietHours();
    const QTime now = QTime::currentTime();
    const bool active = quietHours.enabled && DeliveryPolicy::isQuietTime(quietHours, now);
    m_tray.setQuietHours(active, quietHours.to);
    m_quietHoursTimer.stop();
    if (!quietHours.enabled || quietHours.from == quietHours.to)
        return;
    const QTime next = active ? quietHours.to : quietHours.from;
    constexpr int day = 24 * 60 * 60 * 1000;
    const int untilNext = (now.msecsTo(next) + day) % day;
    m_quietHoursTimer.start(std::chrono::milliseconds(untilNext + 500)); // past the boundary
}

// Said once, and again when it changes: which way notifications pop up, and why (the tests of
// the Wayland session read it).
void TrayApp::logPopupDelivery()
{
    m_deliveryLogged = true;
    const char *why = m_settings.nativePopupsByDefault() ? " (Wayland session)" : "";
    if (m_popupSettings.useNativePopups)
        qCInfo(lcUi).nospace() << "pop-ups: the desktop's notification daemon" << why;
    else
        qCInfo(lcUi).nospace() << "pop-ups: traybeat's own windows" << why;
}

void TrayApp::refreshUnread()
{
    // Read elsewhere (the history, "Mark All Read"): its pop-up has nothing more to say.
    m_popups.closeRead(m_store);
    m_native.closeRead(m_store);
    m_unread.clear();
    for (const Entry &entry : m_entries)
        m_unread.insert(entry.subscription->name(),
                        m_store.unreadCount(entry.subscription->name()));
    refreshStatuses();
}

void TrayApp::refreshStatuses()
{
    LinkStatusList statuses;
    for (const Entry &entry : m_entries) {
        const Subscription *subscription = entry.subscription.get();
        const ConnectionManager *connection = subscription->connection();
        LinkStatus status;
        status.name = subscription->name();
        status.server = entry.config.server;
        if (subscription->isValid()) {
            status.state = connection->state();
            status.reason = withoutSecrets(connection->stateReason(), entry.config);
        } else {
            status.state = ConnectionState::Failed;
            status.reason = withoutSecrets(subscription->errorString(), entry.config);
        }
        status.lastProofOfLife = connection->lastProofOfLife();
        status.roundTrip = connection->lastRoundTrip();
        status.nextAttemptAt = connection->nextAttemptAt();
        status.unread = m_unread.value(status.name);
        statuses.append(status);
    }
    m_tray.setStatuses(statuses);
    if (m_settingsDialog)
        m_settingsDialog->setStatuses(statuses);
}

void TrayApp::addLocalSample(const Notification &notification)
{
    // Stored like any message, but its id is not the server's: the resume cursor stays put.
    const QString cursor = m_store.cursor(notification.subscription);
    const NotificationList fresh = m_store.add({notification});
    m_store.setCursor(notification.subscription, cursor);
    onNotificationsArrived(fresh);
}

void TrayApp::markRead(const QString &subscription, const QString &id)
{
    m_store.markRead(subscription, id);
}

void TrayApp::activate()
{
    showHistory({}, {});
}

void TrayApp::showHistory(const QString &subscription, const QString &id)
{
    if (!id.isEmpty()) {
        m_history->showNotification(subscription, id);
        return;
    }
    if (!subscription.isEmpty())
        m_history->setSubscriptionFilter(subscription); // a summary pop-up names its subscription
    if (m_history->isMinimized())
        m_history->showNormal();
    else
        m_history->show();
    m_history->raise();
    m_history->activateWindow();
}

void TrayApp::showSettings()
{
    if (!m_settingsDialog) {
        m_settingsDialog = new SettingsDialog(&m_settings);
        m_settingsDialog->setAttribute(Qt::WA_DeleteOnClose);
        if (m_demo)
            m_settingsDialog->setSubscriptionsNote(
                tr("The Demo subscription of --demo is not listed: it is not saved and ends "
                   "when traybeat quits."));
        refreshStatuses(); // the list's status column
    }
    m_settingsDialog->show();
    m_settingsDialog->raise();
    m_settingsDialog->activateWindow();
}

void TrayApp::setDoNotDisturb(bool enabled)
{
    m_settings.setDoNotDisturb(enabled); // emits changed(), which applies it
}

void TrayApp::reconnectAll()
{
    for (const Entry &entry : m_entries)
        entry.subscription->reconnectNow();
}

void TrayApp::reconnectOne(const QString &name)
{
    for (const Entry &entry : m_entries) {
        if (entry.subscription->name() == name)
            entry.subscription->reconnectNow();
    }
}

void TrayApp::openUrl(const QUrl &url)
{
    openLink(url); // the desktop's own notification is gone by now: the log says why not
}

} // namespace traybeat
