#pragma once

#include "appsettings.h"
#include "linkstatus.h"

#include <QDialog>
#include <QPointer>
#include <QSet>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QStackedWidget;
class QTimeEdit;
class QTreeWidget;
class QTreeWidgetItem;

namespace traybeat {

class ErrorLabel;
class SubscriptionEditor;

// The settings: subscriptions (added, edited, removed through a SubscriptionEditor) and how
// notifications are shown (pop-ups, do not disturb, quiet hours). Nothing is saved before OK;
// then AppSettings is written and its change signals let the app apply everything live.
class SettingsDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SettingsDialog)
public:
    // `settings` must outlive the dialog.
    explicit SettingsDialog(AppSettings *settings, QWidget *parent = nullptr);
    ~SettingsDialog() override;

    // Re-reads AppSettings into the fields, dropping unsaved edits. Done on every show.
    void reload();
    // The subscriptions as edited so far (saved on OK).
    QList<SubscriptionConfig> subscriptions() const { return m_subscriptions; }
    // A line under the subscription list about subscriptions the list does not show (the
    // unsaved one of --demo); empty hides it.
    void setSubscriptionsNote(const QString &note);
    // The editor opened by Add…/Edit…, while it is open (tests fill it in).
    SubscriptionEditor *openEditor() const;
    // The program the "Start at login" entry runs (default: Autostart::defaultExecutable()).
    void setExecutable(const QString &executable) { m_executable = executable; }

public slots:
    // The links' states, for the list's status column (a subscription not yet saved has none).
    void setStatuses(const traybeat::LinkStatusList &statuses);
    void accept() override;
    void addSubscription();
    void editSubscription();
    void removeSubscription();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    QWidget *buildSubscriptionsTab();
    QWidget *buildNotificationsTab();
    QWidget *buildConnectionTab(); // outage notices, the proxy
    // Parts of the notifications tab, children of `tab`.
    QGroupBox *buildPopupsGroup(QWidget *tab); // corner, duration, the desktop's pop-ups
    QGroupBox *buildQuietHoursGroup(QWidget *tab);
    void connectUi();
    void showEditor(int row);
    void fillSubscriptionList(int selectRow);
    void showStatus(QTreeWidgetItem *item, const SubscriptionConfig &config);
    void updatePopupFields();
    void updateButtons();
    void validate();
    PopupSettings popupsFromFields() const;
    QuietHours quietHoursFromFields() const;
    void onSettingsChanged();
    void updateTokenLocation();
    void proposeStartAtLogin();
    void applyStartAtLogin();

    AppSettings *m_settings;
    QList<SubscriptionConfig> m_subscriptions;
    LinkStatusList m_statuses;
    QSet<QString> m_editedNames; // added or edited since reload(): their links are not these
    // Do not disturb can also be toggled from the tray menu while this dialog is open: OK must
    // not undo that unless the user changed it here.
    bool m_loadedDoNotDisturb = false;
    // Cleared by the editor's end, also when the editor, a child, goes with this dialog (a slot
    // on its destroyed() would then run on a dialog already half destroyed).
    QPointer<SubscriptionEditor> m_editor;

    QStackedWidget *m_subscriptionStack = nullptr;
    QLabel *m_subscriptionsNote = nullptr;
    QTreeWidget *m_subscriptionList = nullptr;
    QPushButton *m_add = nullptr;
    QPushButton *m_edit = nullptr;
    QPushButton *m_remove = nullptr;
    QCheckBox *m_startAtLogin = nullptr;
    bool m_startAtLoginTouched = false; // the user clicked it since the last reload()
    QString m_executable;

    QComboBox *m_corner = nullptr;
    QLineEdit *m_popupDuration = nullptr;
    ErrorLabel *m_popupDurationError = nullptr;
    QCheckBox *m_nativePopups = nullptr;
    QCheckBox *m_doNotDisturb = nullptr;
    QCheckBox *m_urgentBreaksDoNotDisturb = nullptr;
    QGroupBox *m_quietHours = nullptr;
    QTimeEdit *m_quietFrom = nullptr;
    QTimeEdit *m_quietTo = nullptr;
    QCheckBox *m_urgentBreaksThrough = nullptr;
    ErrorLabel *m_quietHoursError = nullptr;
    QSpinBox *m_outageMinutes = nullptr;
    QCheckBox *m_connectDirectly = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
};

} // namespace traybeat
