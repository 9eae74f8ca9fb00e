#include "autostart.h"
#include "errorlabel.h"
#include "settingsdialog.h"
#include "subscriptioneditor.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QGroupBox>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeEdit>
#include <QTreeWidget>

using namespace traybeat;
using namespace std::chrono_literals;

namespace {

QPushButton *okButton(QWidget *dialog)
{
    auto *buttons = dialog->findChild<QDialogButtonBox *>();
    return buttons ? buttons->button(QDialogButtonBox::Ok) : nullptr;
}

template <typename T> T *child(QWidget *parent, const char *name)
{
    return parent->findChild<T *>(QLatin1String(name));
}

// Types as a user does (textEdited fires), replacing what is there.
void retype(QLineEdit *edit, const QString &text)
{
    QVERIFY(edit);
    edit->selectAll();
    QTest::keyClick(edit, Qt::Key_Backspace);
    QTest::keyClicks(edit, text);
    QCOMPARE(edit->text(), text);
}

SubscriptionConfig existingSubscription()
{
    SubscriptionConfig config;
    config.name = QStringLiteral("existing");
    config.server = QUrl(QStringLiteral("https://ntfy.example.com"));
    config.topics = {QStringLiteral("alerts")};
    config.token = QStringLiteral("secret");
    config.connection.caFile = QCoreApplication::applicationFilePath(); // must exist
    config.connection.connectTimeout = 7s;
    return config;
}

} // namespace

class tst_SettingsDialog : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();
    void noteAboutUnlistedSubscriptions();
    void subscriptionValidation_data();
    void subscriptionValidation();
    void goodSubscriptionIsSaved();
    void editKeepsHiddenFieldsAndRemoveWorks();
    void cancelSavesNothing();
    void notificationValidation_data();
    void notificationValidation();
    void notificationSettingsAreSaved();
    void doNotDisturbFromElsewhereIsKept();
    void tokenLocationIsShown();
    void signInWithUserAndPassword();
    void startAtLoginIsProposedWithTheFirstSubscription();
    void startAtLoginSwitchedOffStaysOff();

private:
    SubscriptionEditor *openAddEditor();
    void fillValid(SubscriptionEditor *editor);

    QTemporaryDir m_config; // XDG_CONFIG_HOME: where "Start at login" writes its entry
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<QSettings> m_file;
    std::unique_ptr<AppSettings> m_settings;
    std::unique_ptr<SettingsDialog> m_dialog;
};

void tst_SettingsDialog::initTestCase()
{
    QVERIFY(m_config.isValid());
    qputenv("XDG_CONFIG_HOME", m_config.path().toUtf8());
}

void tst_SettingsDialog::init()
{
    QFile::remove(Autostart::entryPath());
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_file = std::make_unique<QSettings>(m_dir->filePath(QStringLiteral("traybeat.ini")),
                                         QSettings::IniFormat);
    m_settings = std::make_unique<AppSettings>(m_file.get());
    m_settings->setSubscriptions({existingSubscription()});
    m_dialog = std::make_unique<SettingsDialog>(m_settings.get());
    m_dialog->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_dialog.get()));
}

void tst_SettingsDialog::cleanup()
{
    m_dialog.reset();
    m_settings.reset();
    m_file.reset();
    m_dir.reset();
}

SubscriptionEditor *tst_SettingsDialog::openAddEditor()
{
    auto *add = child<QPushButton>(m_dialog.get(), "addSubscriptionButton");
    if (!add)
        return nullptr;
    add->click();
    SubscriptionEditor *editor = m_dialog->openEditor();
    if (editor && !QTest::qWaitForWindowExposed(editor))
        return nullptr;
    return editor;
}

// The --demo subscription is not saved, so the list does not show it; a note must say so.
void tst_SettingsDialog::noteAboutUnlistedSubscriptions()
{
    auto *note = m_dialog->findChild<QLabel *>(QStringLiteral("subscriptionsNoteLabel"));
    QVERIFY(note);
    QVERIFY(!note->isVisible());
    m_dialog->setSubscriptionsNote(QStringLiteral("Demo is not listed"));
    QVERIFY(note->isVisible());
    QCOMPARE(note->text(), QStringLiteral("Demo is not listed"));
    m_dialog->setSubscriptionsNote({});
    QVERIFY(!note->isVisible());
}

void tst_SettingsDialog::fillValid(SubscriptionEditor *editor)
{
    retype(child<QLineEdit>(editor, "nameEdit"), QStringLiteral("builds"));
    retype(child<QLineEdit>(editor, "serverEdit"), QStringLiteral("wss://push.example.org:8443"));
    retype(child<QLineEdit>(editor, "topicsEdit"), QStringLiteral("ci, deploy_prod"));
    retype(child<QLineEdit>(editor, "tokenEdit"), QStringLiteral("tk_123"));
    retype(child<QLineEdit>(editor, "heartbeatIntervalEdit"), QStringLiteral("30s"));
    retype(child<QLineEdit>(editor, "heartbeatTimeoutEdit"), QStringLiteral("5s"));
    retype(child<QLineEdit>(editor, "reconnectMinEdit"), QStringLiteral("2s"));
    retype(child<QLineEdit>(editor, "reconnectMaxEdit"), QStringLiteral("2m"));
}

void tst_SettingsDialog::subscriptionValidation_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("errorLabel");
    QTest::addColumn<QString>("reason");

    const QString scheme = QStringLiteral("Server URL must start with http://, https://, ws:// "
                                          "or wss://");
    const QString topic = QStringLiteral("Topic names may use letters, digits, - and _ (1–64 "
                                         "characters)");
    QTest::newRow("url: ftp scheme") << "serverEdit"
                                     << "ftp://example.com"
                                     << "serverError" << scheme;
    QTest::newRow("url: no scheme") << "serverEdit"
                                    << "ntfy.example.com"
                                    << "serverError" << scheme;
    QTest::newRow("url: javascript") << "serverEdit"
                                     << "javascript:alert(1)"
                                     << "serverError" << scheme;
    QTest::newRow("url: no host") << "serverEdit"
                                  << "https://"
                                  << "serverError"
                                  << "Server URL must name a host";
    QTest::newRow("url: empty") << "serverEdit"
                                << ""
                                << "serverError"
                                << "Enter the server's address";
    QTest::newRow("topic: space") << "topicsEdit"
                                  << "alerts, bad topic"
                                  << "topicsError" << topic;
    QTest::newRow("topic: slash") << "topicsEdit"
                                  << "a/b"
                                  << "topicsError" << topic;
    QTest::newRow("topic: too long")
        << "topicsEdit" << QString(65, QLatin1Char('a')) << "topicsError" << topic;
    QTest::newRow("topic: none") << "topicsEdit"
                                 << " , "
                                 << "topicsError"
                                 << "ntfy needs at least one topic";
    QTest::newRow("interval: bare number") << "heartbeatIntervalEdit"
                                           << "25"
                                           << "intervalError"
                                           << "Heartbeat interval: use a duration like 25s";
    QTest::newRow("interval: too short") << "heartbeatIntervalEdit"
                                         << "500ms"
                                         << "intervalError"
                                         << "Heartbeat interval must be at least 1s";
    QTest::newRow("interval: negative") << "heartbeatIntervalEdit"
                                        << "-5s"
                                        << "intervalError"
                                        << "Heartbeat interval: use a duration like 25s";
    QTest::newRow("timeout: words") << "heartbeatTimeoutEdit"
                                    << "soon"
                                    << "timeoutError"
                                    << "Heartbeat timeout: use a duration like 10s";
    QTest::newRow("timeout: zero") << "heartbeatTimeoutEdit"
                                   << "0s"
                                   << "timeoutError"
                                   << "Heartbeat timeout must be longer than 0s";
    QTest::newRow("reconnect: max below min") << "reconnectMaxEdit"
                                              << "1s"
                                              << "reconnectError"
                                              << "must not be shorter than the shortest";
    QTest::newRow("reconnect: fraction") << "reconnectMinEdit"
                                         << "1.5s"
                                         << "reconnectError"
                                         << "Reconnect delays: use durations like 1s and 1m";
    QTest::newRow("name: duplicate") << "nameEdit"
                                     << "existing"
                                     << "nameError"
                                     << "A subscription named “existing” already exists.";
}

void tst_SettingsDialog::subscriptionValidation()
{
    QFETCH(QString, field);
    QFETCH(QString, value);
    QFETCH(QString, errorLabel);
    QFETCH(QString, reason);

    SubscriptionEditor *editor = openAddEditor();
    QVERIFY(editor);
    QVERIFY(editor->isVisible());
    fillValid(editor);
    QPushButton *ok = okButton(editor);
    QVERIFY(ok);
    QVERIFY(ok->isEnabled());
    const auto labels = editor->findChildren<ErrorLabel *>();
    for (ErrorLabel *label : labels)
        QVERIFY2(!label->isVisible(), qPrintable(label->objectName() + label->text()));

    retype(editor->findChild<QLineEdit *>(field), value);

    QVERIFY(!ok->isEnabled());
    QVERIFY(!editor->isValid());
    auto *label = editor->findChild<ErrorLabel *>(errorLabel);
    QVERIFY(label);
    QVERIFY(label->isVisible());
    QVERIFY2(label->text().contains(reason), qPrintable(label->text()));
    // OK cannot be forced either.
    QTest::keyClick(editor, Qt::Key_Return);
    QVERIFY(editor->isVisible());
}

void tst_SettingsDialog::goodSubscriptionIsSaved()
{
    QSignalSpy subscriptionsSpy(m_settings.get(), &AppSettings::subscriptionsChanged);
    QSignalSpy changedSpy(m_settings.get(), &AppSettings::changed);
    SubscriptionEditor *editor = openAddEditor();
    QVERIFY(editor);
    // New and empty: OK disabled, but nothing shouted yet.
    QVERIFY(!okButton(editor)->isEnabled());
    QVERIFY(!child<ErrorLabel>(editor, "serverError")->isVisible());
    fillValid(editor);
    auto *protocol = child<QComboBox>(editor, "protocolCombo");
    QCOMPARE(protocol->currentData().toString(), QStringLiteral("ntfy"));
    QVERIFY(okButton(editor)->isEnabled());
    okButton(editor)->click();
    QTRY_VERIFY(!m_dialog->openEditor());

    auto *list = child<QTreeWidget>(m_dialog.get(), "subscriptionList");
    QCOMPARE(list->topLevelItemCount(), 2);
    QCOMPARE(list->topLevelItem(1)->text(0), QStringLiteral("builds"));
    QCOMPARE(subscriptionsSpy.size(), 0); // nothing saved before OK

    okButton(m_dialog.get())->click();
    QVERIFY(!m_dialog->isVisible());
    QCOMPARE(subscriptionsSpy.size(), 1);
    QCOMPARE(changedSpy.size(), 0);
    const auto saved = m_settings->subscriptions();
    QCOMPARE(saved.size(), 2);
    const SubscriptionConfig &config = saved.at(1);
    QCOMPARE(config.name, QStringLiteral("builds"));
    QCOMPARE(config.server, QUrl(QStringLiteral("wss://push.example.org:8443")));
    QCOMPARE(config.protocol, QStringLiteral("ntfy"));
    QCOMPARE(config.topics, QStringList({QStringLiteral("ci"), QStringLiteral("deploy_prod")}));
    QCOMPARE(config.token, QStringLiteral("tk_123"));
    QCOMPARE(config.connection.heartbeatInterval, 30s);
    QCOMPARE(config.connection.heartbeatTimeout, 5s);
    QCOMPARE(config.connection.backoff.floor, 2s);
    QCOMPARE(config.connection.backoff.cap, 2min);
    QVERIFY(config.validationError().isEmpty());
}

void tst_SettingsDialog::editKeepsHiddenFieldsAndRemoveWorks()
{
    auto *list = child<QTreeWidget>(m_dialog.get(), "subscriptionList");
    list->setCurrentItem(list->topLevelItem(0));
    child<QPushButton>(m_dialog.get(), "editSubscriptionButton")->click();
    SubscriptionEditor *editor = m_dialog->openEditor();
    QVERIFY(editor);
    // The existing name is not a duplicate of itself; the token is hidden.
    QVERIFY(okButton(editor)->isEnabled());
    QCOMPARE(child<QLineEdit>(editor, "tokenEdit")->echoMode(), QLineEdit::Password);
    // Switching to the `text` dialect follows its heartbeat and drops the topics.
    auto *protocol = child<QComboBox>(editor, "protocolCombo");
    protocol->setCurrentIndex(protocol->findData(QStringLiteral("text")));
    QCOMPARE(child<QComboBox>(editor, "heartbeatCombo")->currentData().toString(),
             QStringLiteral("text"));
    QCOMPARE(child<QLineEdit>(editor, "heartbeatPayloadEdit")->text(), QStringLiteral("HeartBeat"));
    QVERIFY(!child<QLineEdit>(editor, "topicsEdit")->isEnabled());
    QVERIFY(okButton(editor)->isEnabled());
    const SubscriptionConfig edited = editor->subscription();
    QVERIFY(edited.topics.isEmpty());
    QCOMPARE(edited.connection.caFile, existingSubscription().connection.caFile);
    QCOMPARE(edited.connection.connectTimeout, 7s);
    QCOMPARE(edited.token, QStringLiteral("secret"));
    okButton(editor)->click();
    QTRY_VERIFY(!m_dialog->openEditor());
    QCOMPARE(m_dialog->subscriptions().first().protocol, QStringLiteral("text"));
    QCOMPARE(m_dialog->subscriptions().first().connection.heartbeat.toString(),
             QStringLiteral("text:HeartBeat"));

    list->setCurrentItem(list->topLevelItem(0));
    child<QPushButton>(m_dialog.get(), "removeSubscriptionButton")->click();
    QCOMPARE(list->topLevelItemCount(), 0);
    QVERIFY(child<QWidget>(m_dialog.get(), "noSubscriptionsLabel")->isVisible());
    QVERIFY(!child<QPushButton>(m_dialog.get(), "editSubscriptionButton")->isEnabled());
    okButton(m_dialog.get())->click();
    QVERIFY(m_settings->subscriptions().isEmpty());
}

void tst_SettingsDialog::cancelSavesNothing()
{
    QSignalSpy subscriptionsSpy(m_settings.get(), &AppSettings::subscriptionsChanged);
    QSignalSpy changedSpy(m_settings.get(), &AppSettings::changed);
    auto *list = child<QTreeWidget>(m_dialog.get(), "subscriptionList");
    list->setCurrentItem(list->topLevelItem(0));
    child<QPushButton>(m_dialog.get(), "removeSubscriptionButton")->click();
    child<QCheckBox>(m_dialog.get(), "doNotDisturbCheck")->setChecked(true);
    m_dialog->reject();
    QCOMPARE(subscriptionsSpy.size(), 0);
    QCOMPARE(changedSpy.size(), 0);
    QCOMPARE(m_settings->subscriptions().size(), 1);
    // Shown again, it shows the saved state, not the cancelled edits.
    m_dialog->show();
    QCOMPARE(list->topLevelItemCount(), 1);
    QVERIFY(!child<QCheckBox>(m_dialog.get(), "doNotDisturbCheck")->isChecked());
}

void tst_SettingsDialog::notificationValidation_data()
{
    QTest::addColumn<QString>("duration");
    QTest::addColumn<QTime>("from");
    QTest::addColumn<QTime>("to");
    QTest::addColumn<QString>("errorLabel");
    QTest::addColumn<QString>("reason");

    QTest::newRow("duration: bare number")
        << "6" << QTime(22, 0) << QTime(7, 0) << "popupDurationError"
        << "Pop-up duration: use a duration like 6s";
    QTest::newRow("duration: too long")
        << "2h" << QTime(22, 0) << QTime(7, 0) << "popupDurationError"
        << "Pop-up duration must be between 1s and 1h.";
    QTest::newRow("duration: too short")
        << "10ms" << QTime(22, 0) << QTime(7, 0) << "popupDurationError"
        << "Pop-up duration must be between 1s and 1h.";
    QTest::newRow("quiet hours: empty span")
        << "6s" << QTime(8, 30) << QTime(8, 30) << "quietHoursError"
        << "Quiet hours must start and end at different "
           "times.";
}

void tst_SettingsDialog::notificationValidation()
{
    QFETCH(QString, duration);
    QFETCH(QTime, from);
    QFETCH(QTime, to);
    QFETCH(QString, errorLabel);
    QFETCH(QString, reason);

    QPushButton *ok = okButton(m_dialog.get());
    QVERIFY(ok->isEnabled());
    child<QGroupBox>(m_dialog.get(), "quietHoursGroup")->setChecked(true);
    retype(child<QLineEdit>(m_dialog.get(), "popupDurationEdit"), duration);
    child<QTimeEdit>(m_dialog.get(), "quietFromEdit")->setTime(from);
    child<QTimeEdit>(m_dialog.get(), "quietToEdit")->setTime(to);
    // The tab is not the current one; the label must be shown within it all the same.
    auto *label = m_dialog->findChild<ErrorLabel *>(errorLabel);
    QVERIFY(label);
    QVERIFY(!label->isHidden());
    QCOMPARE(label->text(), reason);
    QVERIFY(!ok->isEnabled());
    QSignalSpy changedSpy(m_settings.get(), &AppSettings::changed);
    m_dialog->accept();
    QVERIFY(m_dialog->isVisible());
    QCOMPARE(changedSpy.size(), 0);
}

void tst_SettingsDialog::notificationSettingsAreSaved()
{
    QSignalSpy changedSpy(m_settings.get(), &AppSettings::changed);
    QSignalSpy subscriptionsSpy(m_settings.get(), &AppSettings::subscriptionsChanged);
    auto *corner = child<QComboBox>(m_dialog.get(), "popupCornerCombo");
    corner->setCurrentIndex(corner->findData(int(PopupCorner::BottomLeft)));
    retype(child<QLineEdit>(m_dialog.get(), "popupDurationEdit"), QStringLiteral("15s"));
    child<QCheckBox>(m_dialog.get(), "nativePopupsCheck")->setChecked(true);
    child<QCheckBox>(m_dialog.get(), "doNotDisturbCheck")->setChecked(true);
    child<QGroupBox>(m_dialog.get(), "quietHoursGroup")->setChecked(true);
    child<QTimeEdit>(m_dialog.get(), "quietFromEdit")->setTime(QTime(21, 15));
    child<QTimeEdit>(m_dialog.get(), "quietToEdit")->setTime(QTime(6, 45));
    child<QCheckBox>(m_dialog.get(), "urgentBreaksThroughCheck")->setChecked(false);
    auto *urgentInDoNotDisturb = child<QCheckBox>(m_dialog.get(), "urgentBreaksDoNotDisturbCheck");
    QVERIFY(urgentInDoNotDisturb->isChecked()); // on by default, like GNOME and KDE
    urgentInDoNotDisturb->setChecked(false);
    okButton(m_dialog.get())->click();

    QCOMPARE(subscriptionsSpy.size(), 0);
    QCOMPARE(changedSpy.size(), 4); // pop-ups, quiet hours, do not disturb and its urgent rule
    QCOMPARE(m_settings->popups().corner, PopupCorner::BottomLeft);
    QCOMPARE(m_settings->popups().duration, 15s);
    QCOMPARE(m_settings->popups().useNativePopups, true);
    QCOMPARE(m_settings->doNotDisturb(), true);
    const QuietHours quiet = m_settings->quietHours();
    QCOMPARE(quiet.enabled, true);
    QCOMPARE(quiet.from, QTime(21, 15));
    QCOMPARE(quiet.to, QTime(6, 45));
    QCOMPARE(quiet.urgentBreaksThrough, false);
    QCOMPARE(m_settings->urgentBreaksDoNotDisturb(), false);
}

void tst_SettingsDialog::doNotDisturbFromElsewhereIsKept()
{
    // The tray menu switches do not disturb on while the dialog is open...
    m_settings->setDoNotDisturb(true);
    QVERIFY(child<QCheckBox>(m_dialog.get(), "doNotDisturbCheck")->isChecked());
    // ...and OK after an unrelated edit leaves it on.
    retype(child<QLineEdit>(m_dialog.get(), "popupDurationEdit"), QStringLiteral("8s"));
    okButton(m_dialog.get())->click();
    QCOMPARE(m_settings->doNotDisturb(), true);
    QCOMPARE(m_settings->popups().duration, 8s);
}

// Without a keyring (no store given here), the editor says the token is kept in the file.
void tst_SettingsDialog::tokenLocationIsShown()
{
    SubscriptionEditor *editor = openAddEditor();
    QVERIFY(editor);
    auto *location = child<QLabel>(editor, "tokenLocationLabel");
    QVERIFY(location && location->isVisible());
    QCOMPARE(location->text(),
             QStringLiteral("Stored in traybeat.conf (readable only by you) — no keyring found."));
    editor->setTokenLocation(SecretLocation::Keyring);
    QCOMPARE(location->text(), QStringLiteral("Stored in the desktop keyring."));
}

// ntfy offers a token or a user name and password; only the chosen one is kept, errors show
// beside their field, and the password is saved like the token.
void tst_SettingsDialog::signInWithUserAndPassword()
{
    SubscriptionEditor *editor = openAddEditor();
    QVERIFY(editor);
    fillValid(editor);
    auto *signIn = child<QComboBox>(editor, "signInCombo");
    auto *user = child<QLineEdit>(editor, "userEdit");
    auto *password = child<QLineEdit>(editor, "passwordEdit");
    QVERIFY(signIn && user && password);
    QVERIFY(signIn->isVisible());
    QVERIFY(!user->isVisible() && !password->isVisible());

    signIn->setCurrentIndex(signIn->findData(QStringLiteral("password")));
    QVERIFY(user->isVisible() && password->isVisible());
    QVERIFY(!child<QLineEdit>(editor, "tokenEdit")->isVisible());
    QCOMPARE(password->echoMode(), QLineEdit::Password);
    QVERIFY(child<QLabel>(editor, "passwordLocationLabel")->isVisible());
    QVERIFY(!okButton(editor)->isEnabled());
    QVERIFY(child<ErrorLabel>(editor, "userError")->text().contains(QStringLiteral("user name")));
    QVERIFY(child<ErrorLabel>(editor, "passwordError")->isVisible());

    retype(user, QStringLiteral("ph:il"));
    QVERIFY(child<ErrorLabel>(editor, "userError")->text().contains(QStringLiteral("\":\"")));
    retype(user, QStringLiteral("phil"));
    retype(password, QStringLiteral("correct horse"));
    QVERIFY(!child<ErrorLabel>(editor, "userError")->isVisible());
    QVERIFY(!child<ErrorLabel>(editor, "passwordError")->isVisible());
    QVERIFY(okButton(editor)->isEnabled());
    const SubscriptionConfig config = editor->subscription();
    QCOMPARE(config.user, QStringLiteral("phil"));
    QCOMPARE(config.password, QStringLiteral("correct horse"));
    QVERIFY(config.token.isEmpty()); // the token typed before is not sent as well

    // Gotify signs in with a client token only.
    auto *protocol = child<QComboBox>(editor, "protocolCombo");
    protocol->setCurrentIndex(protocol->findData(QStringLiteral("gotify")));
    QVERIFY(!signIn->isVisible() && !user->isVisible());
    QVERIFY(child<QLineEdit>(editor, "tokenEdit")->isVisible());
    QVERIFY(editor->subscription().user.isEmpty());
    protocol->setCurrentIndex(protocol->findData(QStringLiteral("ntfy")));
    QVERIFY(user->isVisible());

    okButton(editor)->click();
    QTRY_VERIFY(!m_dialog->openEditor());
    okButton(m_dialog.get())->click();
    const SubscriptionConfig saved = m_settings->subscriptions().at(1);
    QCOMPARE(saved.user, QStringLiteral("phil"));
    QCOMPARE(saved.password, QStringLiteral("correct horse"));
    QVERIFY(saved.token.isEmpty());

    // Opened again, the editor shows the user name and password way.
    SubscriptionEditor again;
    again.setSubscription(saved);
    QCOMPARE(child<QComboBox>(&again, "signInCombo")->currentData().toString(),
             QStringLiteral("password"));
    QCOMPARE(child<QLineEdit>(&again, "userEdit")->text(), QStringLiteral("phil"));
    QVERIFY(again.isValid());
}

// The first subscription proposes starting at login (the box is checked), and OK does it.
void tst_SettingsDialog::startAtLoginIsProposedWithTheFirstSubscription()
{
    auto *box = child<QCheckBox>(m_dialog.get(), "startAtLoginCheck");
    QVERIFY(box);
    QVERIFY(box->isChecked()); // init() saved one subscription; nothing decided yet
    QVERIFY(!Autostart::isEnabled());
    okButton(m_dialog.get())->click();
    QVERIFY(Autostart::isEnabled());
    QVERIFY(m_settings->isStartAtLoginDecided());
    QFile entry(Autostart::entryPath());
    QVERIFY(entry.open(QIODevice::ReadOnly));
    QVERIFY(entry.readAll().contains("\nExec=" + Autostart::defaultExecutable().toUtf8() + '\n'));
}

void tst_SettingsDialog::startAtLoginSwitchedOffStaysOff()
{
    auto *box = child<QCheckBox>(m_dialog.get(), "startAtLoginCheck");
    QVERIFY(box);
    box->click();
    QVERIFY(!box->isChecked());
    okButton(m_dialog.get())->click();
    QVERIFY(!Autostart::isEnabled());
    QVERIFY(m_settings->isStartAtLoginDecided());

    // Opened again with another subscription added: no second proposal.
    m_dialog->show();
    QVERIFY(!box->isChecked());
    SubscriptionEditor *editor = openAddEditor();
    QVERIFY(editor);
    fillValid(editor);
    okButton(editor)->click();
    QTRY_VERIFY(!m_dialog->openEditor());
    QVERIFY(!box->isChecked());
    okButton(m_dialog.get())->click();
    QVERIFY(!Autostart::isEnabled());

    // Switched on by hand: the entry is there; off again: gone.
    m_dialog->show();
    box->click();
    okButton(m_dialog.get())->click();
    QVERIFY(Autostart::isEnabled());
    m_dialog->show();
    QVERIFY(box->isChecked());
    box->click();
    okButton(m_dialog.get())->click();
    QVERIFY(!Autostart::isEnabled());
}

QTEST_MAIN(tst_SettingsDialog)
#include "tst_settingsdialog.moc"
