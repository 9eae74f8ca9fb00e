#include "settingsdialog.h"

#include "autostart.h"
#include "duration.h"
#include "errorlabel.h"
#include "logging.h"
#include "subscriptioneditor.h"
#include "traycontroller.h"
#include "trayicons.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QShortcut>
#include <QShowEvent>
#include <QSpinBox>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTimeEdit>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace traybeat {

namespace {

using namespace std::chrono_literals;

enum SubscriptionColumn { NameColumn, StatusColumn, ServerColumn, ProtocolColumn, TopicsColumn };

constexpr auto shortestPopup = 1s;
constexpr auto longestPopup = 1h;

} // namespace

SettingsDialog::SettingsDialog(AppSettings *settings, QWidget *parent)
    : QDialog(parent), m_settings(settings), m_executable(Autostart::defaultExecutable())
{
    setWindowTitle(tr("traybeat Settings"));
    auto *tabs = new QTabWidget(this);
    tabs->addTab(buildSubscriptionsTab(), tr("&Subscriptions"));
    tabs->addTab(buildNotificationsTab(), tr("&Notifications"));
    tabs->addTab(buildConnectionTab(), tr("&Connection"));
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(tabs, 1);
    layout->addWidget(m_buttons);
    connectUi();
    reload();
    m_settings->findSecretLocation(); // the editor says where a token goes
    resize(680, 460);
}

SettingsDialog::~SettingsDialog() = default;

QWidget *SettingsDialog::buildSubscriptionsTab()
{
    auto *tab = new QWidget(this);

    m_subscriptionList = new QTreeWidget(tab);
    m_subscriptionList->setObjectName(QStringLiteral("subscriptionList"));
    m_subscriptionList->setAccessibleName(tr("Subscriptions"));
    m_subscriptionList->setAccessibleDescription(tr("Enter edits the selected subscription, "
                                                    "Delete removes it."));
    m_subscriptionList->setRootIsDecorated(false);
    m_subscriptionList->setUniformRowHeights(true);
    m_subscriptionList->setAllColumnsShowFocus(true);
    m_subscriptionList->setHeaderLabels(
        {tr("Name"), tr("Status"), tr("Server"), tr("Protocol"), tr("Topics")});
    // The server gets the room; no horizontal scroll bar for a handful of rows.
    m_subscriptionList->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    QHeaderView *header = m_subscriptionList->header();
    header->setStretchLastSection(false);
    header->setSectionResizeMode(NameColumn, QHeaderView::Interactive);
    header->setSectionResizeMode(StatusColumn, QHeaderView::ResizeToContents);
    header->setSectionResizeMode(ServerColumn, QHeaderView::Stretch);
    header->setSectionResizeMode(ProtocolColumn, QHeaderView::ResizeToContents);
    header->setSectionResizeMode(TopicsColumn, QHeaderView::Interactive);
    m_subscriptionList->setColumnWidth(NameColumn, 140);
    m_subscriptionList->setColumnWidth(TopicsColumn, 140);

    auto *empty = hintLabel(tr("No subscriptions yet.\nAdd one to receive notifications from a "
                               "server."),
                            tab);
    empty->setObjectName(QStringLiteral("noSubscriptionsLabel"));
    empty->setAlignment(Qt::AlignCenter);
    empty->setFrameShape(QFrame::StyledPanel);
    m_subscriptionStack = new QStackedWidget(tab);
    m_subscriptionStack->addWidget(m_subscriptionList);
    m_subscriptionStack->addWidget(empty);

    m_add = new QPushButton(tr("&Add…"), tab);
    m_add->setObjectName(QStringLiteral("addSubscriptionButton"));
    m_edit = new QPushButton(tr("&Edit…"), tab);
    m_edit->setObjectName(QStringLiteral("editSubscriptionButton"));
    m_remove = new QPushButton(tr("&Remove"), tab);
    m_remove->setObjectName(QStringLiteral("removeSubscriptionButton"));
    auto *buttons = new QVBoxLayout;
    buttons->addWidget(m_add);
    buttons->addWidget(m_edit);
    buttons->addWidget(m_remove);
    buttons->addStretch(1);

    auto *row = new QHBoxLayout;
    row->addWidget(m_subscriptionStack, 1);
    row->addLayout(buttons);
    m_subscriptionsNote = hintLabel(QString(), tab);
    m_subscriptionsNote->setObjectName(QStringLiteral("subscriptionsNoteLabel"));
    m_subscriptionsNote->hide();
    m_startAtLogin = new QCheckBox(tr("S&tart traybeat when I log in"), tab);
    m_startAtLogin->setObjectName(QStringLiteral("startAtLoginCheck"));

    auto *layout = new QVBoxLayout(tab);
    layout->addLayout(row, 1);
    layout->addWidget(m_subscriptionsNote);
    layout->addWidget(hintLabel(tr("Each subscription keeps its own connection and history. "
                                   "Changes take effect when you press OK."),
                                tab));
    layout->addSpacing(6);
    layout->addWidget(m_startAtLogin);
    return tab;
}

void SettingsDialog::setSubscriptionsNote(const QString &note)
{
    m_subscriptionsNote->setText(note);
    m_subscriptionsNote->setVisible(!note.isEmpty());
}

QWidget *SettingsDialog::buildNotificationsTab()
{
    auto *tab = new QWidget(this);
    QGroupBox *popups = buildPopupsGroup(tab);
    m_doNotDisturb = new QCheckBox(tr("&Do not disturb"), tab);
    m_doNotDisturb->setObjectName(QStringLiteral("doNotDisturbCheck"));
    m_quietHours = buildQuietHoursGroup(tab);

    auto *layout = new QVBoxLayout(tab);
    layout->addWidget(popups);
    layout->addWidget(m_doNotDisturb);
    layout->addWidget(hintLabel(tr("No pop-ups, except urgent ones if chosen below; "
                                   "notifications are still kept in the history."),
                                tab));
    m_urgentBreaksDoNotDisturb = new QCheckBox(tr("U&rgent notifications still pop up"), tab);
    m_urgentBreaksDoNotDisturb->setObjectName(QStringLiteral("urgentBreaksDoNotDisturbCheck"));
    // Two boxes say the same on screen; a screen reader reads each without its neighbours.
    m_urgentBreaksDoNotDisturb->setAccessibleName(
        tr("Urgent notifications still pop up during do not disturb"));
    layout->addWidget(m_urgentBreaksDoNotDisturb);
    // Tab in reading order: it is made after the quiet hours group, but shown above it.
    setTabOrder(m_doNotDisturb, m_urgentBreaksDoNotDisturb);
    setTabOrder(m_urgentBreaksDoNotDisturb, m_quietHours);
    layout->addSpacing(6);
    layout->addWidget(m_quietHours);
    layout->addStretch(1);
    return tab;
}

QWidget *SettingsDialog::buildConnectionTab()
{
    auto *tab = new QWidget(this);
    m_outageMinutes = new QSpinBox(tab);
    m_outageMinutes->setObjectName(QStringLiteral("outageMinutesSpin"));
    m_outageMinutes->setRange(1, 120);
    m_outageMinutes->setSuffix(tr(" min"));
    m_outageMinutes->setSizePolicy(QSizePolicy::Maximum, QSizePolicy::Fixed);
    m_connectDirectly = new QCheckBox(tr("Connect &directly (ignore the system proxy)"), tab);
    m_connectDirectly->setObjectName(QStringLiteral("connectDirectlyCheck"));

    auto *form = new QFormLayout;
    form->addRow(tr("&Tell me when a subscription is offline for longer than:"), m_outageMinutes);
    auto *layout = new QVBoxLayout(tab);
    layout->addLayout(form);
    layout->addWidget(hintLabel(tr("Said once, and once more when it is back, with how many "
                                   "notifications arrived that were sent meanwhile. A refused "
                                   "token or certificate is said at once."),
                                tab));
    layout->addSpacing(6);
    layout->addWidget(m_connectDirectly);
    layout->addWidget(hintLabel(tr("By default traybeat follows the system proxy settings "
                                   "(https_proxy, http_proxy, no_proxy)."),
                                tab));
    layout->addStretch(1);
    return tab;
}

QGroupBox *SettingsDialog::buildPopupsGroup(QWidget *tab)
{
    m_corner = new QComboBox(tab);
    m_corner->setObjectName(QStringLiteral("popupCornerCombo"));
    m_corner->addItem(tr("Top right"), int(PopupCorner::TopRight));
    m_corner->addItem(tr("Top left"), int(PopupCorner::TopLeft));
    m_corner->addItem(tr("Bottom right"), int(PopupCorner::BottomRight));
    m_corner->addItem(tr("Bottom left"), int(PopupCorner::BottomLeft));
    m_corner->setSizePolicy(QSizePolicy::Maximum, QSizePolicy::Fixed);
    m_popupDuration = new QLineEdit(tab);
    m_popupDuration->setObjectName(QStringLiteral("popupDurationEdit"));
    m_popupDuration->setAccessibleName(tr("Pop-up duration"));
    m_popupDuration->setMaximumWidth(
        m_popupDuration->fontMetrics().horizontalAdvance(QStringLiteral("0000000ms")) + 24);
    m_popupDurationError = new ErrorLabel(tab);
    m_popupDurationError->setObjectName(QStringLiteral("popupDurationError"));
    m_nativePopups = new QCheckBox(tr("&Use the desktop's notifications instead of traybeat's "
                                      "own pop-ups"),
                                   tab);
    m_nativePopups->setObjectName(QStringLiteral("nativePopupsCheck"));

    auto *durationField = new QWidget(tab);
    auto *durationLayout = new QVBoxLayout(durationField);
    durationLayout->setContentsMargins(0, 0, 0, 0);
    durationLayout->setSpacing(2);
    durationLayout->addWidget(m_popupDuration);
    durationLayout->addWidget(m_popupDurationError);
    durationLayout->addWidget(hintLabel(tr("For normal priority. Higher priorities stay longer; "
                                           "urgent ones stay until closed."),
                                        tab));

    auto *popups = new QGroupBox(tr("Pop-ups"), tab);
    auto *popupForm = new QFormLayout(popups);
    popupForm->addRow(tr("&Position:"), m_corner);
    popupForm->addRow(tr("Sho&w for:"), durationField);
    popupForm->addRow(m_nativePopups);
    if (m_settings->nativePopupsByDefault()) {
        auto *waylandHint = hintLabel(tr("This desktop runs Wayland, where the desktop places "
                                         "every window: traybeat's own pop-ups may not appear in "
                                         "the chosen corner."),
                                      tab);
        waylandHint->setObjectName(QStringLiteral("waylandPopupsHint"));
        popupForm->addRow(waylandHint);
    }
    return popups;
}

QGroupBox *SettingsDialog::buildQuietHoursGroup(QWidget *tab)
{
    auto *quietHours = new QGroupBox(tr("&Quiet hours"), tab);
    quietHours->setObjectName(QStringLiteral("quietHoursGroup"));
    quietHours->setCheckable(true);
    m_quietFrom = new QTimeEdit(quietHours);
    m_quietFrom->setObjectName(QStringLiteral("quietFromEdit"));
    m_quietFrom->setDisplayFormat(QStringLiteral("HH:mm"));
    m_quietTo = new QTimeEdit(quietHours);
    m_quietTo->setObjectName(QStringLiteral("quietToEdit"));
    m_quietTo->setDisplayFormat(QStringLiteral("HH:mm"));
    m_quietFrom->setAccessibleName(tr("Quiet hours start"));
    m_quietTo->setAccessibleName(tr("Quiet hours end"));
    m_urgentBreaksThrough = new QCheckBox(tr("Ur&gent notifications still pop up"), quietHours);
    m_urgentBreaksThrough->setObjectName(QStringLiteral("urgentBreaksThroughCheck"));
    m_urgentBreaksThrough->setAccessibleName(
        tr("Urgent notifications still pop up during quiet hours"));
    m_quietHoursError = new ErrorLabel(quietHours);
    m_quietHoursError->setObjectName(QStringLiteral("quietHoursError"));

    auto *fromLabel = new QLabel(tr("&From"), quietHours);
    fromLabel->setBuddy(m_quietFrom);
    auto *toLabel = new QLabel(tr("t&o"), quietHours);
    toLabel->setBuddy(m_quietTo);
    for (QTimeEdit *edit : {m_quietFrom, m_quietTo}) {
        if (auto *text = edit->findChild<QLineEdit *>())
            text->installEventFilter(this); // clicks: see eventFilter
    }

    auto *span = new QHBoxLayout;
    span->addWidget(fromLabel);
    span->addWidget(m_quietFrom);
    span->addWidget(toLabel);
    span->addWidget(m_quietTo);
    span->addStretch(1);
    auto *quietLayout = new QVBoxLayout(quietHours);
    quietLayout->addLayout(span);
    quietLayout->addWidget(m_quietHoursError);
    quietLayout->addWidget(m_urgentBreaksThrough);
    return quietHours;
}

void SettingsDialog::connectUi()
{
    connect(m_buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &SettingsDialog::reject);
    connect(m_add, &QPushButton::clicked, this, &SettingsDialog::addSubscription);
    connect(m_edit, &QPushButton::clicked, this, &SettingsDialog::editSubscription);
    connect(m_remove, &QPushButton::clicked, this, &SettingsDialog::removeSubscription);
    connect(m_subscriptionList, &QTreeWidget::itemSelectionChanged, this,
            &SettingsDialog::updateButtons);
    connect(m_subscriptionList, &QTreeWidget::itemDoubleClicked, this,
            &SettingsDialog::editSubscription);
    // The list's keys; without them Enter would press OK and close the dialog.
    const auto listKey = [this](QKeySequence key, void (SettingsDialog::*slot)()) {
        auto *shortcut = new QShortcut(key, m_subscriptionList, nullptr, nullptr,
                                       Qt::WidgetShortcut);
        connect(shortcut, &QShortcut::activated, this, slot);
    };
    listKey(QKeySequence(Qt::Key_Return), &SettingsDialog::editSubscription);
    listKey(QKeySequence(Qt::Key_Enter), &SettingsDialog::editSubscription);
    listKey(QKeySequence::Delete, &SettingsDialog::removeSubscription);
    connect(m_popupDuration, &QLineEdit::textChanged, this, &SettingsDialog::validate);
    connect(m_nativePopups, &QCheckBox::toggled, this, &SettingsDialog::updatePopupFields);
    connect(m_quietHours, &QGroupBox::toggled, this, &SettingsDialog::validate);
    connect(m_quietFrom, &QTimeEdit::timeChanged, this, &SettingsDialog::validate);
    connect(m_quietTo, &QTimeEdit::timeChanged, this, &SettingsDialog::validate);
    connect(m_settings, &AppSettings::changed, this, &SettingsDialog::onSettingsChanged);
    connect(m_settings, &AppSettings::secretLocationChanged, this,
            &SettingsDialog::updateTokenLocation);
    connect(m_startAtLogin, &QCheckBox::clicked, this, [this] { m_startAtLoginTouched = true; });
}

// A click into a time field leaves a bare cursor, where typed digits are refused ("22:3|0"
// cannot take a "1"). Select the clicked section instead, the hours when the click was past the
// text, so that typing "2230" replaces the time, as after Tab.
bool SettingsDialog::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() == QEvent::MouseButtonRelease) {
        for (QTimeEdit *edit : {m_quietFrom, m_quietTo}) {
            auto *text = qobject_cast<QLineEdit *>(watched);
            if (!text || text->parent() != edit)
                continue;
            const bool pastText = text->cursorPosition() >= text->text().size();
            edit->setSelectedSection(pastText ? QDateTimeEdit::HourSection
                                              : edit->currentSection());
        }
    }
    return QDialog::eventFilter(watched, event);
}

void SettingsDialog::showEvent(QShowEvent *event)
{
    // A dialog shown again after Cancel must not show the cancelled edits.
    if (!event->spontaneous())
        reload();
    QDialog::showEvent(event);
}

void SettingsDialog::reload()
{
    m_startAtLogin->setChecked(Autostart::isEnabled());
    m_startAtLoginTouched = false;
    m_subscriptions = m_settings->subscriptions();
    m_editedNames.clear();
    fillSubscriptionList(m_subscriptions.isEmpty() ? -1 : 0); // may propose start at login

    const PopupSettings popups = m_settings->popups();
    m_corner->setCurrentIndex(std::max(m_corner->findData(int(popups.corner)), 0));
    m_popupDuration->setText(formatDuration(popups.duration));
    m_nativePopups->setChecked(popups.useNativePopups);
    updatePopupFields();

    m_loadedDoNotDisturb = m_settings->doNotDisturb();
    m_doNotDisturb->setChecked(m_loadedDoNotDisturb);
    m_urgentBreaksDoNotDisturb->setChecked(m_settings->urgentBreaksDoNotDisturb());

    const QuietHours quietHours = m_settings->quietHours();
    m_quietHours->setChecked(quietHours.enabled);
    m_quietFrom->setTime(quietHours.from);
    m_quietTo->setTime(quietHours.to);
    m_urgentBreaksThrough->setChecked(quietHours.urgentBreaksThrough);

    const auto outageMinutes =
        std::chrono::duration_cast<std::chrono::minutes>(m_settings->outageNoticeDelay());
    m_outageMinutes->setValue(int(outageMinutes.count()));
    m_connectDirectly->setChecked(m_settings->connectsDirectly());
    validate();
}

// Start at login is on by default once the first subscription is saved (Autostart::applyDefault);
// the box shows that as soon as the first one is added, so OK does what the dialog showed.
void SettingsDialog::proposeStartAtLogin()
{
    if (!m_startAtLoginTouched && !m_settings->isStartAtLoginDecided() &&
        !m_subscriptions.isEmpty())
        m_startAtLogin->setChecked(true);
}

void SettingsDialog::applyStartAtLogin()
{
    const bool wanted = m_startAtLogin->isChecked();
    if (m_startAtLoginTouched)
        m_settings->setStartAtLoginDecided(); // the user's choice, kept from now on
    if (wanted == Autostart::isEnabled())
        return;
    if (!m_startAtLoginTouched && m_subscriptions.isEmpty())
        return; // nothing chosen, nothing to start
    QString error;
    if (!Autostart::setEnabled(wanted, m_executable, &error))
        qCWarning(lcUi).noquote() << "autostart:" << error;
    m_settings->setStartAtLoginDecided();
}

void SettingsDialog::updateTokenLocation()
{
    if (m_editor)
        m_editor->setTokenLocation(m_settings->secretLocation(), m_settings->keyringProblem());
}

// The desktop's notification daemon places its pop-ups and decides how long they stay: the own
// pop-ups' corner and duration do nothing then, and a field that does nothing must not look as
// if it did.
void SettingsDialog::updatePopupFields()
{
    const bool ownPopups = !m_nativePopups->isChecked();
    m_corner->setEnabled(ownPopups);
    m_popupDuration->setEnabled(ownPopups);
    validate();
}

void SettingsDialog::onSettingsChanged()
{
    const bool current = m_settings->doNotDisturb();
    if (m_doNotDisturb->isChecked() == m_loadedDoNotDisturb)
        m_doNotDisturb->setChecked(current);
    m_loadedDoNotDisturb = current;
}

void SettingsDialog::fillSubscriptionList(int selectRow)
{
    m_subscriptionList->clear();
    for (const SubscriptionConfig &config : m_subscriptions) {
        auto *item = new QTreeWidgetItem(m_subscriptionList);
        item->setText(NameColumn, config.name);
        // The user info of a URL may hold a password.
        item->setText(ServerColumn, config.server.toDisplayString(QUrl::RemoveUserInfo));
        item->setText(ProtocolColumn, config.protocol);
        item->setText(TopicsColumn, config.topics.join(QStringLiteral(", ")));
        showStatus(item, config);
    }
    m_subscriptionStack->setCurrentIndex(m_subscriptions.isEmpty() ? 1 : 0);
    proposeStartAtLogin();
    if (selectRow >= 0 && selectRow < m_subscriptionList->topLevelItemCount())
        m_subscriptionList->setCurrentItem(m_subscriptionList->topLevelItem(selectRow));
    updateButtons();
}

void SettingsDialog::setStatuses(const LinkStatusList &statuses)
{
    m_statuses = statuses;
    for (int row = 0; row < m_subscriptionList->topLevelItemCount(); ++row)
        showStatus(m_subscriptionList->topLevelItem(row), m_subscriptions.value(row));
}

// The state's icon (its colour, as in the tray) and word; the reason, if any, as a tool tip.
// An edited or new subscription is not running as shown: its state would mislead.
void SettingsDialog::showStatus(QTreeWidgetItem *item, const SubscriptionConfig &config)
{
    const auto status = std::find_if(
        m_statuses.cbegin(), m_statuses.cend(), [&config](const LinkStatus &candidate) {
            return candidate.name == config.name && candidate.server == config.server;
        });
    const bool saved = !m_editedNames.contains(config.name);
    if (status == m_statuses.cend() || !saved) {
        item->setIcon(StatusColumn, {});
        item->setText(StatusColumn, saved ? QString() : tr("not saved yet"));
        item->setToolTip(StatusColumn, {});
        return;
    }
    item->setIcon(StatusColumn, TrayIcons::icon(status->state, false, false));
    item->setText(StatusColumn, TrayController::stateText(status->state));
    item->setToolTip(StatusColumn,
                     status->state == ConnectionState::Connected ? QString() : status->reason);
}

void SettingsDialog::updateButtons()
{
    const bool selected = m_subscriptionList->currentItem() != nullptr &&
                          !m_subscriptionList->selectedItems().isEmpty();
    m_edit->setEnabled(selected);
    m_remove->setEnabled(selected);
}

void SettingsDialog::addSubscription()
{
    showEditor(-1);
}

void SettingsDialog::editSubscription()
{
    const int row = m_subscriptionList->indexOfTopLevelItem(m_subscriptionList->currentItem());
    if (row >= 0)
        showEditor(row);
}

void SettingsDialog::removeSubscription()
{
    const int row = m_subscriptionList->indexOfTopLevelItem(m_subscriptionList->currentItem());
    if (row < 0)
        return;
    m_subscriptions.removeAt(row);
    fillSubscriptionList(std::min(row, int(m_subscriptions.size()) - 1));
}

void SettingsDialog::showEditor(int row)
{
    if (m_editor)
        return;
    m_editor = new SubscriptionEditor(this);
    m_editor->setAttribute(Qt::WA_DeleteOnClose);
    m_editor->setWindowTitle(row < 0 ? tr("Add Subscription") : tr("Edit Subscription"));
    QStringList takenNames;
    for (int index = 0; index < m_subscriptions.size(); ++index) {
        if (index != row)
            takenNames.append(m_subscriptions.at(index).name);
    }
    m_editor->setTakenNames(takenNames);
    m_editor->setSubscription(row < 0 ? SubscriptionConfig{} : m_subscriptions.at(row));
    updateTokenLocation();
    connect(m_editor, &QDialog::accepted, this, [this, row] {
        const SubscriptionConfig config = m_editor->subscription();
        m_editedNames.insert(config.name);
        if (row < 0) {
            m_subscriptions.append(config);
            fillSubscriptionList(int(m_subscriptions.size()) - 1);
        } else {
            m_subscriptions[row] = config;
            fillSubscriptionList(row);
        }
    });
    // Window-modal, not exec(): no nested event loop, and tests can fill the editor in.
    m_editor->open();
}

SubscriptionEditor *SettingsDialog::openEditor() const
{
    return m_editor;
}

PopupSettings SettingsDialog::popupsFromFields() const
{
    PopupSettings popups;
    popups.corner = PopupCorner(m_corner->currentData().toInt());
    popups.duration = parseDuration(m_popupDuration->text()).value_or(popups.duration);
    popups.useNativePopups = m_nativePopups->isChecked();
    return popups;
}

QuietHours SettingsDialog::quietHoursFromFields() const
{
    QuietHours quietHours;
    quietHours.enabled = m_quietHours->isChecked();
    quietHours.from = m_quietFrom->time();
    quietHours.to = m_quietTo->time();
    quietHours.urgentBreaksThrough = m_urgentBreaksThrough->isChecked();
    return quietHours;
}

void SettingsDialog::validate()
{
    bool valid = true;
    const auto duration = parseDuration(m_popupDuration->text());
    if (!m_popupDuration->isEnabled()) {
        m_popupDurationError->setError({}); // not used, so not in the way
    } else if (!duration) {
        m_popupDurationError->setError(tr("Pop-up duration: use a duration like 6s"));
        valid = false;
    } else if (*duration < shortestPopup || *duration > longestPopup) {
        m_popupDurationError->setError(
            tr("Pop-up duration must be between %1 and %2.")
                .arg(describeDuration(shortestPopup), describeDuration(longestPopup)));
        valid = false;
    } else {
        m_popupDurationError->setError({});
    }

    if (m_quietHours->isChecked() && m_quietFrom->time() == m_quietTo->time()) {
        m_quietHoursError->setError(tr("Quiet hours must start and end at different times."));
        valid = false;
    } else {
        m_quietHoursError->setError({});
    }
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(valid);
}

void SettingsDialog::accept()
{
    if (!m_buttons->button(QDialogButtonBox::Ok)->isEnabled())
        return;
    // AppSettings emits only for what really changed, so the app reconnects only the
    // subscriptions that need it.
    applyStartAtLogin(); // first: a user's "no" must be known before the first save's default
    m_settings->setSubscriptions(m_subscriptions);
    m_settings->setPopups(popupsFromFields());
    m_settings->setQuietHours(quietHoursFromFields());
    if (m_doNotDisturb->isChecked() != m_loadedDoNotDisturb)
        m_settings->setDoNotDisturb(m_doNotDisturb->isChecked());
    m_settings->setUrgentBreaksDoNotDisturb(m_urgentBreaksDoNotDisturb->isChecked());
    // Written only when changed here: a finer value from the file (90s) is not rounded away.
    const std::chrono::minutes outageMinutes(m_outageMinutes->value());
    if (outageMinutes !=
        std::chrono::duration_cast<std::chrono::minutes>(m_settings->outageNoticeDelay()))
        m_settings->setOutageNoticeDelay(outageMinutes);
    m_settings->setConnectsDirectly(m_connectDirectly->isChecked());
    QDialog::accept();
}

} // namespace traybeat
