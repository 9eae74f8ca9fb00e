#pragma once

#include "linkstatus.h"

#include <QDeadlineTimer>
#include <QHash>
#include <QIcon>
#include <QMenu>
#include <QObject>
#include <QSystemTrayIcon>
#include <QTime>
#include <QTimer>
#include <chrono>

class QAction;

namespace traybeat {

// The tray icon and its menu: the link state at a glance (worst subscription wins), a tooltip
// with each subscription's server, state, last sign of life, round trip and unread count, and
// the commands (reconnect all or one, mark all read, do not disturb, history, settings, quit).
// It only shows state and reports what the person chose; the tray app acts on it.
//
// An idle tray app must not wake the machine every second: times in the tooltip are clock times
// (true whenever they are read), and just before the menu or the tooltip is shown it asks for
// fresh statuses (statusesWanted). Only while one of them is open does a timer ask again every
// second (refreshInterval), so the figures move while the person looks; it stops by itself once
// the menu closes and the tooltip is gone (or, where the tray host draws the tooltip and Qt cannot
// see it, a short window after it was asked for).
class TrayController final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrayController)
public:
    explicit TrayController(QObject *parent = nullptr);
    ~TrayController() override;

    void setStatuses(const LinkStatusList &statuses);
    const LinkStatusList &statuses() const { return m_statuses; }
    void setDoNotDisturb(bool enabled);
    bool doNotDisturb() const { return m_doNotDisturb; }
    // Quiet hours in force now, until `until` (shown in the icon, the tooltip and the menu).
    void setQuietHours(bool active, QTime until = {});
    bool quietHoursActive() const { return m_quietHours; }

    // Timings of the refresh while the menu or tooltip is open (tests use milliseconds).
    void setRefreshTimings(std::chrono::milliseconds interval,
                           std::chrono::milliseconds toolTipWindow);
    bool isRefreshing() const { return m_refreshTimer.isActive(); }

    // Shows the icon if a system tray is there; false if not.
    bool show();
    QSystemTrayIcon *trayIcon() { return &m_trayIcon; }
    QMenu *menu() { return &m_menu; }

    ConnectionState aggregateState() const { return worstState(m_statuses); }
    int unreadCount() const;
    QString toolTip() const { return m_trayIcon.toolTip(); }
    // Names the icon shown, e.g. "connecting+dnd+unread" (for tests and logs).
    QString iconKey() const { return m_iconKey; }

    // Failed, then offline, then (re)connecting, then connected: the icon must not look fine
    // while any link is broken. No subscriptions at all counts as offline.
    static ConnectionState worstState(const LinkStatusList &statuses);
    static QString stateText(ConnectionState state);
    static QString toolTipText(const LinkStatusList &statuses, bool doNotDisturb,
                               const QDateTime &now, QTime quietUntil = {});
    // A clock time ("14:05:09"), with the date when it is not today.
    static QString clockText(const QDateTime &when, const QDateTime &now);

signals:
    void historyRequested();
    void settingsRequested();
    void reconnectRequested();
    void reconnectOneRequested(const QString &subscription);
    void markAllReadRequested();
    void doNotDisturbToggled(bool enabled);
    void quitRequested();
    // The menu or tooltip is about to be shown: answer with setStatuses() at once.
    void statusesWanted();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void onActivated(QSystemTrayIcon::ActivationReason reason);
    void refresh();
    void refreshIcon();
    void refreshMenu();
    void rebuildStatusLines(const QStringList &texts, const QList<ConnectionState> &states);
    void refreshQuietHoursLine();
    void startRefreshing();
    void onRefreshTick();
    QIcon icon(ConnectionState state, bool doNotDisturb, bool unread);

    QSystemTrayIcon m_trayIcon;
    QMenu m_menu;
    QAction *m_statusSeparator;
    QAction *m_reconnectAction;
    QAction *m_doNotDisturbAction;
    QAction *m_quietHoursAction;
    QAction *m_markAllReadAction;
    QList<QObject *> m_statusLines; // per subscription a submenu (Reconnect); else one action
    QStringList m_statusTexts;      // what the status lines show now
    QList<ConnectionState> m_statusStates; // and with which icons
    LinkStatusList m_statuses;
    bool m_doNotDisturb = false;
    bool m_quietHours = false;
    QTime m_quietUntil;
    QTimer m_refreshTimer;
    std::chrono::milliseconds m_toolTipWindow{10000};
    QDeadlineTimer m_toolTipAskedUntil;
    QString m_iconKey;
    QHash<QString, QIcon> m_icons; // rendered once per state/badge combination
};

} // namespace traybeat
