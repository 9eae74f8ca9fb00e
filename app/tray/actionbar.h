#pragma once

#include "actionrunner.h"
#include "notificationaction.h"

#include <QList>
#include <QPointer>
#include <QWidget>

class QLabel;
class QPushButton;

namespace traybeat {

// The buttons of a message's actions (at most three), as the pop-up and the history's detail
// pane show them, and a line saying how the last one went. `view` asks to open its URL (http/https
// only), `copy` puts its value on the clipboard, `http` sends its request through the shared
// ActionRunner, `broadcast` (Android only) is shown disabled. Labels are server text: plain,
// elided to fit, whole in the accessible name.
class ActionBar final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ActionBar)
public:
    explicit ActionBar(QWidget *parent = nullptr);

    // Null: http actions are shown disabled. The runner must outlive the bar or be null.
    void setRunner(ActionRunner *runner);
    // The width the buttons share; labels are elided to fit it.
    void setAvailableWidth(int width);
    void setActions(const QList<NotificationAction> &actions);
    const QList<NotificationAction> &actions() const { return m_actions; }

    // An http action is running; the buttons wait for it.
    bool isBusy() const { return m_pendingId != 0; }
    QString statusText() const;
    QList<QPushButton *> buttons() const { return m_buttons; }

    // A button's text for `label` elided to `width` pixels, with `&` kept literal.
    static QString buttonText(const QString &label, const QFontMetrics &metrics, int width);

signals:
    void urlRequested(const QUrl &url); // a view action; the URL is http/https
    void busyChanged(bool busy);
    void statusChanged(const QString &text); // the height may change with it
    void clearRequested();                   // an action marked `clear` succeeded

private:
    void trigger(int index);
    void onFinished(quint64 id, const QString &text, bool succeeded);
    void setStatus(const QString &text, bool error);
    void relabel();

    QPointer<ActionRunner> m_runner;
    QList<NotificationAction> m_actions;
    QList<QPushButton *> m_buttons;
    QLabel *m_status;
    int m_availableWidth = 320;
    quint64 m_pendingId = 0;
    bool m_pendingClear = false;
};

} // namespace traybeat
