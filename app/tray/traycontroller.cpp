#include "traycontroller.h"

#include "trayicons.h"

#include <QAction>
#include <QCoreApplication>
#include <QCursor>
#include <QEvent>
#include <QLocale>
#include <QToolTip>
#include <algorithm>

namespace traybeat {

namespace {

// Worse states rank higher.
int severity(ConnectionState state)
{
    switch (state) {
    case ConnectionState::Connected:
        return 0;
    case ConnectionState::Connecting:
        return 1;
    case ConnectionState::Reconnecting:
        return 2;
    case ConnectionState::Disconnected:
        return 3;
    case ConnectionState::Failed:
        return 4;
    }
    return 4;
}

// Shown to the person: no user info (a password may sit there), no query (a token may).
QString serverText(const QUrl &server)
{
    return server.adjusted(QUrl::RemoveUserInfo | QUrl::RemoveQuery | QUrl::RemoveFragment)
        .toDisplayString();
}

// A name typed by the person may hold '&', which a menu would read as a shortcut marker.
QString menuText(const QString &text)
{
    QString escaped = text;
    return escaped.replace(QLatin1Char('&'), QLatin1String("&&"));
}

} // namespace

TrayController::TrayController(QObject *parent) : QObject(parent)
{
    m_statusSeparator = m_menu.addSeparator();
    m_reconnectAction =
        m_menu.addAction(tr("&Reconnect now"), this, &TrayController::reconnectRequested);
    m_markAllReadAction =
        m_menu.addAction(tr("&Mark all read"), this, &TrayController::markAllReadRequested);
    m_doNotDisturbAction = m_menu.addAction(tr("&Do not disturb"));
    m_doNotDisturbAction->setCheckable(true);
    // Says that quiet hours hold pop-ups back now; a click leads to where they are set.
    m_quietHoursAction = m_menu.addAction(QString(), this, &TrayController::settingsRequested);
    m_menu.addSeparator();
    m_menu.addAction(tr("&History…"), this, &TrayController::historyRequested);
    m_menu.addAction(tr("&Settings…"), this, &TrayController::settingsRequested);
    m_menu.addSeparator();
    m_menu.addAction(tr("&Quit"), this, &TrayController::quitRequested);
    connect(m_doNotDisturbAction, &QAction::toggled, this, &TrayController::doNotDisturbToggled);

    m_trayIcon.setContextMenu(&m_menu);
    connect(&m_trayIcon, &QSystemTrayIcon::activated, this, &TrayController::onActivated);

    connect(&m_menu, &QMenu::aboutToShow, this, &TrayController::startRefreshing);
    // Under an XEmbed tray host Qt hands the icon's tooltip event to the QSystemTrayIcon.
    m_trayIcon.installEventFilter(this);
    m_refreshTimer.setInterval(std::chrono::seconds(1));
    connect(&m_refreshTimer, &QTimer::timeout, this, &TrayController::onRefreshTick);
    refresh();
    refreshMenu();
    refreshQuietHoursLine();
}

TrayController::~TrayController()
{
    m_trayIcon.setContextMenu(nullptr);
}

bool TrayController::show()
{
    if (!QSystemTrayIcon::isSystemTrayAvailable())
        return false;
    m_trayIcon.show();
    return true;
}

void TrayController::setStatuses(const LinkStatusList &statuses)
{
    m_statuses = statuses;
    refresh();
    refreshMenu();
}

void TrayController::setDoNotDisturb(bool enabled)
{
    m_doNotDisturb = enabled;
    {
        const QSignalBlocker blocker(m_doNotDisturbAction); // not the person's toggle
        m_doNotDisturbAction->setChecked(enabled);
    }
    refresh();
}

void TrayController::setQuietHours(bool active, QTime until)
{
    if (active == m_quietHours && until == m_quietUntil)
        return;
    m_quietHours = active;
    m_quietUntil = active ? until : QTime();
    refresh();
    refreshQuietHoursLine();
}

void TrayController::setRefreshTimings(std::chrono::milliseconds interval,
                                       std::chrono::milliseconds toolTipWindow)
{
    m_refreshTimer.setInterval(interval);
    m_toolTipWindow = toolTipWindow;
}

void TrayController::refreshQuietHoursLine()
{
    m_quietHoursAction->setVisible(m_quietHours);
    m_quietHoursAction->setText(
        tr("Quiet hours until %1…").arg(QLocale().toString(m_quietUntil, QLocale::ShortFormat)));
    m_quietHoursAction->setIcon(m_quietHours ? icon(ConnectionState::Connected, true, false)
                                             : QIcon());
}

// Asked for now, and again every interval while the menu or the tooltip is open.
void TrayController::startRefreshing()
{
    emit statusesWanted();
    m_refreshTimer.start();
}

void TrayController::onRefreshTick()
{
    const bool toolTipOpen = QToolTip::isVisible() || !m_toolTipAskedUntil.hasExpired();
    if (!m_menu.isVisible() && !toolTipOpen) {
        m_refreshTimer.stop();
        return;
    }
    const QString shown = m_trayIcon.toolTip();
    emit statusesWanted();
    // Qt's own tooltip (XEmbed hosts) keeps the text it was shown with: show ours again.
    if (QToolTip::isVisible() && QToolTip::text() == shown && m_trayIcon.toolTip() != shown)
        QToolTip::showText(QCursor::pos(), m_trayIcon.toolTip());
}

int TrayController::unreadCount() const
{
    int total = 0;
    for (const LinkStatus &status : m_statuses)
        total += status.unread;
    return total;
}

bool TrayController::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == &m_trayIcon && event->type() == QEvent::ToolTip) {
        m_toolTipAskedUntil.setRemainingTime(m_toolTipWindow);
        startRefreshing(); // the tooltip itself is shown after this returns
    }
    return QObject::eventFilter(watched, event);
}

void TrayController::onActivated(QSystemTrayIcon::ActivationReason reason)
{
    if (reason == QSystemTrayIcon::Trigger)
        emit historyRequested();
}

void TrayController::refresh()
{
    refreshIcon();
    m_trayIcon.setToolTip(
        toolTipText(m_statuses, m_doNotDisturb, QDateTime::currentDateTimeUtc(), m_quietUntil));
}

void TrayController::refreshIcon()
{
    const ConnectionState state = aggregateState();
    const bool unread = unreadCount() > 0;
    // Quiet hours show the do-not-disturb moon too: either way pop-ups are held back now.
    const bool quiet = m_doNotDisturb || m_quietHours;
    QString key = TrayIcons::key(state, m_doNotDisturb, unread);
    if (m_quietHours && !m_doNotDisturb)
        key = TrayIcons::key(state, false, false) + QStringLiteral("+quiet") +
              (unread ? QStringLiteral("+unread") : QString());
    if (key == m_iconKey)
        return; // re-setting the same icon makes the tray host repaint for nothing
    m_iconKey = key;
    m_trayIcon.setIcon(icon(state, quiet, unread));
}

QIcon TrayController::icon(ConnectionState state, bool doNotDisturb, bool unread)
{
    const QString key = TrayIcons::key(state, doNotDisturb, unread);
    auto it = m_icons.find(key);
    if (it == m_icons.end())
        it = m_icons.insert(key, TrayIcons::icon(state, doNotDisturb, unread));
    return *it;
}

void TrayController::refreshMenu()
{
    QStringList texts;
    QList<ConnectionState> states;
    for (const LinkStatus &status : std::as_const(m_statuses)) {
        QString text = tr("%1: %2").arg(menuText(status.name), stateText(status.state));
        if (status.unread > 0)
            text += tr(" (%1 unread)").arg(status.unread);
        texts << text;
        states << status.state;
    }
    if (m_statuses.isEmpty()) {
        texts << tr("No subscriptions yet: add one in Settings…");
        states << ConnectionState::Disconnected;
    }
    // Statuses arrive on every change and heartbeat; rebuilding the lines of an open menu for
    // nothing would make it flicker.
    if (texts != m_statusTexts || states != m_statusStates)
        rebuildStatusLines(texts, states);
    m_reconnectAction->setEnabled(!m_statuses.isEmpty());
    m_markAllReadAction->setEnabled(unreadCount() > 0);
}

// One line per subscription, with its state's icon in colour: a submenu (enabled, so neither
// the text nor the icon is greyed out) that holds what can be done to that link.
void TrayController::rebuildStatusLines(const QStringList &texts,
                                        const QList<ConnectionState> &states)
{
    m_statusTexts = texts;
    m_statusStates = states;
    qDeleteAll(m_statusLines); // a submenu takes its line (its menuAction) out with it
    m_statusLines.clear();
    QList<QAction *> lines;
    if (m_statuses.isEmpty()) {
        auto *action = new QAction(texts.first(), &m_menu);
        connect(action, &QAction::triggered, this, &TrayController::settingsRequested);
        m_statusLines.append(action);
        lines.append(action);
    }
    for (int i = 0; i < m_statuses.size(); ++i) {
        auto *lineMenu = new QMenu(texts[i], &m_menu);
        lineMenu->setIcon(icon(states[i], false, false));
        const QString name = m_statuses[i].name;
        lineMenu->addAction(tr("&Reconnect"), this,
                            [this, name] { emit reconnectOneRequested(name); });
        m_statusLines.append(lineMenu);
        lines.append(lineMenu->menuAction());
    }
    m_menu.insertActions(m_statusSeparator, lines);
}

ConnectionState TrayController::worstState(const LinkStatusList &statuses)
{
    if (statuses.isEmpty())
        return ConnectionState::Disconnected;
    const auto worst = std::max_element(statuses.cbegin(), statuses.cend(),
                                        [](const LinkStatus &a, const LinkStatus &b) {
                                            return severity(a.state) < severity(b.state);
                                        });
    return worst->state;
}

QString TrayController::stateText(ConnectionState state)
{
    switch (state) {
    case ConnectionState::Connected:
        return tr("connected");
    case ConnectionState::Connecting:
        return tr("connecting");
    case ConnectionState::Reconnecting:
        return tr("reconnecting");
    case ConnectionState::Failed:
        return tr("failed");
    case ConnectionState::Disconnected:
        break;
    }
    return tr("offline");
}

QString TrayController::clockText(const QDateTime &when, const QDateTime &now)
{
    const QDateTime local = when.toLocalTime();
    if (local.date() == now.toLocalTime().date())
        return local.time().toString(QStringLiteral("HH:mm:ss"));
    return QLocale().toString(local, QLocale::ShortFormat);
}

// A reason may come from the server (a close reason, an HTTP reason phrase). Some tray hosts
// (StatusNotifierItem ones) render tooltips as markup whatever Qt guesses, so the characters
// markup is made of are swapped for look-alikes: shown the same everywhere, interpreted nowhere.
static QString withoutMarkup(QString text)
{
    text.replace(QLatin1Char('<'), QChar(0x2039)).replace(QLatin1Char('>'), QChar(0x203A));
    return text.replace(QLatin1Char('&'), QChar(0xFF06));
}

// Plain text. The first line is always ours, so the tooltip is never mistaken for rich text
// (Qt guesses from the first line) even though a reason may come from a server.
QString TrayController::toolTipText(const LinkStatusList &statuses, bool doNotDisturb,
                                    const QDateTime &now, QTime quietUntil)
{
    QStringList lines;
    QString headline = tr("traybeat: %1").arg(stateText(worstState(statuses)));
    if (doNotDisturb)
        headline += tr(" · do not disturb");
    else if (quietUntil.isValid())
        headline +=
            tr(" · quiet hours until %1").arg(QLocale().toString(quietUntil, QLocale::ShortFormat));
    lines << headline;
    if (statuses.isEmpty())
        lines << tr("No subscriptions yet");
    for (const LinkStatus &status : statuses) {
        QString line = tr("%1: %2").arg(status.name, stateText(status.state));
        if (status.state != ConnectionState::Connected && !status.reason.isEmpty())
            line += tr(" (%1)").arg(withoutMarkup(status.reason.left(120).simplified()));
        lines << line;
        QStringList details{serverText(status.server)};
        details << (status.lastProofOfLife.isValid()
                        ? tr("last sign of life at %1").arg(clockText(status.lastProofOfLife, now))
                        : tr("no sign of life yet"));
        if (status.roundTrip)
            details << tr("round trip %1 ms").arg(status.roundTrip->count());
        if (status.state != ConnectionState::Connected && status.nextAttemptAt.isValid())
            details << tr("next attempt at %1").arg(clockText(status.nextAttemptAt, now));
        details << tr("%1 unread").arg(status.unread);
        lines << QStringLiteral("    ") + details.join(QStringLiteral(" · "));
    }
    return lines.join(QLatin1Char('\n'));
}

} // namespace traybeat
