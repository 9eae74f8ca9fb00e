#pragma once

#include "linkstatus.h"

#include <QHash>
#include <QIcon>
#include <QMenu>
#include <QObject>
#include <QSystemTrayIcon>

class QAction;

namespace traybeat {

// The tray icon and its menu: the link state at a glance (worst subscription wins), a tooltip
// with each subscription's server, state, last sign of life, round trip and unread count, and
// the commands (reconnect, do not disturb, history, settings, quit). It only shows state and
// reports what the person chose; the tray app acts on it.
//
// It runs no timer of its own: an idle tray app must not wake the machine every second. Times
// in the tooltip are clock times (true whenever they are read), and just before the menu or the
// tooltip is shown it asks for fresh statuses (statusesWanted).
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
                               const QDateTime &now);
    // A clock time ("14:05:09"), with the date when it is not today.
    static QString clockText(const QDateTime &when, const QDateTime &now);

signals:
    void historyRequested();
    void settingsRequested();
    void reconnectRequested();
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
    QIcon icon(ConnectionState state, bool doNotDisturb, bool unread);

    QSystemTrayIcon m_trayIcon;
    QMenu m_menu;
    QAction *m_statusSeparator;
    QAction *m_reconnectAction;
    QAction *m_doNotDisturbAction;
    QList<QAction *> m_statusActions;
    QStringList m_statusTexts;             // what the status lines show now
    QList<ConnectionState> m_statusStates; // and with which icons
    LinkStatusList m_statuses;
    bool m_doNotDisturb = false;
    QString m_iconKey;
    QHash<QString, QIcon> m_icons; // rendered once per state/badge combination
};

} // namespace traybeat
