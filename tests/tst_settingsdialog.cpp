#include "autostart.h"
#include "errorlabel.h"
#include "pushserver.h"
#include "settingsdialog.h"
#include "subscriptioneditor.h"
#include "trayicons.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QGroupBox>
#include <QLineEdit>
#include <QPushButton>
#include <QScreen>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTabWidget>
#include <QTcpServer>
#include <QTcpSocket>
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

// Picks the item of `combo` (an object name in `parent`) whose data is `value`.
void choose(QWidget *parent, const char *combo, const QString &value)
{
    auto *box = parent->findChild<QComboBox *>(QLatin1String(combo));
    QVERIFY(box);
    const int index = box->findData(value);
    QVERIFY2(index >= 0, qPrintable(value));
    box->setCurrentIndex(index);
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
    void connectionSettingsAreSaved();
    void tokenLocationIsShown();
    void signInWithUserAndPassword();
    void startAtLoginIsProposedWithTheFirstSubscription();
    void startAtLoginSwitchedOffStaysOff();
    void defaultNameFollowsTheServerUntilTyped();
    void errorsShowOnceAFieldIsTouched();
    void repeatedTopicsAreCleaned();
    void deadLinkTimeIsReadable();
    void passiveHeartbeatUnderNtfyKeepaliveIsRefused();
    void textHeartbeatOnNtfyWarns();
    void gotifyTokenIsRequiredBesideTheField();
    void longErrorsWrapOnScreen();
    void testConnectionSucceeds();
    void testConnectionReportsRefusedCredentials();
    void testConnectionReportsRefusedPort();
    void testConnectionEndsWhenTheFormChangesOrCloses();
    void statusColumnShowsTheLinkState();
    void quietHoursTakeTypedDigits();
    void desktopNotificationsDisablePositionAndDuration();

private:
    SubscriptionEditor *openAddEditor();
    void fillValid(SubscriptionEditor *editor);
    // Fills `editor` for ntfy on 127.0.0.1:`port`, topic alerts, with `token`.
    void fillLocal(SubscriptionEditor *editor, quint16 port, const QString &token = {});
    std::unique_ptr<PushServer> startServer(const QString &token = {});
    // Clicks "Test connection" and waits for its end; the text beside the button.
    QString runConnectionTest(SubscriptionEditor *editor, bool expectConnected);

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

    const QString scheme = QStringLiteral("addresses are not supported: use http://, https://, "
                                          "ws:// or wss://.");
    const QString topic = QStringLiteral("Topic names may use letters, digits, - and _ (1–64 "
                                         "characters)");
    // The actual reason, not a catch-all "must start with http://".
    QTest::newRow("url: ftp scheme") << "serverEdit"
                                     << "ftp://example.com"
                                     << "serverError"
                                     << "“ftp” " + scheme;
    QTest::newRow("url: no scheme") << "serverEdit"
                                    << "ntfy.example.com:8080"
                                    << "serverError"
                                    << "The address needs a scheme: https://ntfy.example.com:8080";
    QTest::newRow("url: javascript") << "serverEdit"
                                     << "javascript:alert(1)"
                                     << "serverError"
                                     << "“javascript” " + scheme;
    QTest::newRow("url: no host") << "serverEdit"
                                  << "https://"
                                  << "serverError"
                                  << "The address names no host";
    QTest::newRow("url: port only") << "serverEdit"
                                    << "https://:8080"
                                    << "serverError"
                                    << "The address names no host";
    QTest::newRow("url: port out of range") << "serverEdit"
                                            << "https://ntfy.example.com:99999"
                                            << "serverError"
                                            << "The port 99999 is out of range: use 1 to 65535.";
    QTest::newRow("url: port zero") << "serverEdit"
                                    << "http://127.0.0.1:0/"
                                    << "serverError"
                                    << "The port 0 is out of range";
    QTest::newRow("url: port not a number") << "serverEdit"
                                            << "https://ntfy.example.com:http"
                                            << "serverError"
                                            << "The port “http” is not a number.";
    QTest::newRow("url: space in host") << "serverEdit"
                                        << "https://ntfy .example.com"
                                        << "serverError"
                                        << "The host “ntfy .example.com” contains a space.";
    QTest::newRow("url: empty") << "serverEdit"
                                << ""
                                << "serverError"
                                << "Enter the server's address";
    QTest::newRow("topic: space") << "topicsEdit"
                                  << "alerts, bad topic"
                                  << "topicsError"
                                  << "“bad topic” contains a space: separate topics with commas.";
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
                                         << "Heartbeat interval must be between 1 s and 1 h.";
    QTest::newRow("interval: too long") << "heartbeatIntervalEdit"
                                        << "999999999d"
                                        << "intervalError"
                                        << "Heartbeat interval must be between 1 s and 1 h.";
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
                                   << "Heartbeat timeout must be between 1 s and 10 min.";
    QTest::newRow("timeout: too long") << "heartbeatTimeoutEdit"
                                       << "11m"
                                       << "timeoutError"
                                       << "Heartbeat timeout must be between 1 s and 10 min.";
    QTest::newRow("reconnect: cap too long") << "reconnectMaxEdit"
                                             << "2h"
                                             << "reconnectError"
                                             << "The longest reconnect delay must be at most 1 h.";
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
        << "Pop-up duration must be between 1 s and 1 h.";
    QTest::newRow("duration: too short")
        << "10ms" << QTime(22, 0) << QTime(7, 0) << "popupDurationError"
        << "Pop-up duration must be between 1 s and 1 h.";
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

void tst_SettingsDialog::connectionSettingsAreSaved()
{
    auto *minutes = child<QSpinBox>(m_dialog.get(), "outageMinutesSpin");
    QCOMPARE(minutes->value(), 2);
    QVERIFY(!child<QCheckBox>(m_dialog.get(), "connectDirectlyCheck")->isChecked());
    minutes->setValue(15);
    child<QCheckBox>(m_dialog.get(), "connectDirectlyCheck")->setChecked(true);
    okButton(m_dialog.get())->click();
    QCOMPARE(m_settings->outageNoticeDelay(), std::chrono::milliseconds(15min));
    QVERIFY(m_settings->connectsDirectly());

    // A finer value from the file is shown rounded but kept unless changed here.
    m_settings->setOutageNoticeDelay(90s);
    m_dialog->reload();
    okButton(m_dialog.get())->click();
    QCOMPARE(m_settings->outageNoticeDelay(), std::chrono::milliseconds(90s));
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
    // Not touched yet: no shouting; left empty: each says what is missing.
    QVERIFY(!child<ErrorLabel>(editor, "userError")->isVisible());
    QVERIFY(!child<ErrorLabel>(editor, "passwordError")->isVisible());
    user->setFocus();
    QTRY_VERIFY(user->hasFocus());
    QTest::keyClick(user, Qt::Key_Tab);
    QTRY_VERIFY(password->hasFocus());
    QTest::keyClick(password, Qt::Key_Tab);
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

// The name is never "required" next to a placeholder saying it has a default: a new
// subscription's name is its server and topics, following them until the user types one.
void tst_SettingsDialog::defaultNameFollowsTheServerUntilTyped()
{
    SubscriptionEditor *editor = openAddEditor();
    QVERIFY(editor);
    auto *name = child<QLineEdit>(editor, "nameEdit");
    auto *nameError = child<ErrorLabel>(editor, "nameError");
    retype(child<QLineEdit>(editor, "serverEdit"), QStringLiteral("https://ntfy.example.org"));
    QCOMPARE(name->text(), QStringLiteral("ntfy.example.org"));
    retype(child<QLineEdit>(editor, "topicsEdit"), QStringLiteral("ci, builds"));
    QCOMPARE(name->text(), QStringLiteral("ntfy.example.org/ci,builds"));
    QVERIFY(!nameError->isVisible());
    QVERIFY(okButton(editor)->isEnabled());

    // Typed by the user: it stays, whatever the server becomes.
    retype(name, QStringLiteral("Builds"));
    retype(child<QLineEdit>(editor, "serverEdit"), QStringLiteral("https://push.example.org"));
    QCOMPARE(name->text(), QStringLiteral("Builds"));

    // Emptied: the default is used (and shown as the field's hint), no error.
    retype(name, QString());
    QVERIFY(!nameError->isVisible());
    QCOMPARE(name->placeholderText(), QStringLiteral("push.example.org/ci,builds"));
    QVERIFY(okButton(editor)->isEnabled());
    QCOMPARE(editor->subscription().name, QStringLiteral("push.example.org/ci,builds"));

    // A default that is taken is refused like a typed one.
    retype(child<QLineEdit>(editor, "serverEdit"), QStringLiteral("https://ntfy.example.com"));
    retype(child<QLineEdit>(editor, "topicsEdit"), QStringLiteral("alerts"));
    m_dialog->openEditor()->setTakenNames({QStringLiteral("ntfy.example.com/alerts")});
    QVERIFY(nameError->isVisible());
    QVERIFY(!okButton(editor)->isEnabled());
}

// A new form does not shout: typing an address wrong shows the server's error, not the
// untouched topics'; leaving the topics field empty shows its error too.
void tst_SettingsDialog::errorsShowOnceAFieldIsTouched()
{
    SubscriptionEditor *editor = openAddEditor();
    QVERIFY(editor);
    auto *topicsError = child<ErrorLabel>(editor, "topicsError");
    retype(child<QLineEdit>(editor, "serverEdit"), QStringLiteral("https://ntfy.example.org:0"));
    QVERIFY(child<ErrorLabel>(editor, "serverError")->isVisible());
    QVERIFY(!topicsError->isVisible());
    QVERIFY(!child<ErrorLabel>(editor, "nameError")->isVisible());
    QVERIFY(!okButton(editor)->isEnabled());

    auto *topics = child<QLineEdit>(editor, "topicsEdit");
    topics->setFocus();
    QTRY_VERIFY(topics->hasFocus());
    QVERIFY(!topicsError->isVisible());
    QTest::keyClick(topics, Qt::Key_Tab); // left empty
    QVERIFY(topicsError->isVisible());
    QCOMPARE(topicsError->text(), QStringLiteral("ntfy needs at least one topic."));
}

void tst_SettingsDialog::repeatedTopicsAreCleaned()
{
    SubscriptionEditor *editor = openAddEditor();
    QVERIFY(editor);
    fillValid(editor);
    retype(child<QLineEdit>(editor, "topicsEdit"),
           QStringLiteral("alerts,,alerts , backups,alerts"));
    QVERIFY(okButton(editor)->isEnabled());
    QCOMPARE(editor->subscription().topics,
             QStringList({QStringLiteral("alerts"), QStringLiteral("backups")}));
    QCOMPARE(SubscriptionConfig::parseTopics(QStringLiteral(" a ,, b,a,")),
             QStringList({QStringLiteral("a"), QStringLiteral("b")}));
}

void tst_SettingsDialog::deadLinkTimeIsReadable()
{
    SubscriptionEditor *editor = openAddEditor();
    QVERIFY(editor);
    fillValid(editor);
    auto *hint = child<QLabel>(editor, "deadLinkHint");
    retype(child<QLineEdit>(editor, "heartbeatIntervalEdit"), QStringLiteral("25s"));
    retype(child<QLineEdit>(editor, "heartbeatTimeoutEdit"), QStringLiteral("10s"));
    QVERIFY(hint->isVisible());
    QCOMPARE(hint->text(), QStringLiteral("A silent, dead connection is noticed within 35 s."));
    retype(child<QLineEdit>(editor, "heartbeatIntervalEdit"), QStringLiteral("1h"));
    retype(child<QLineEdit>(editor, "heartbeatTimeoutEdit"), QStringLiteral("75s"));
    QCOMPARE(hint->text(),
             QStringLiteral("A silent, dead connection is noticed within 1 h 1 min."));
    // Out of bounds: no hint with a wall of digits, the field's error instead.
    retype(child<QLineEdit>(editor, "heartbeatIntervalEdit"), QStringLiteral("999999999d"));
    QVERIFY(!hint->isVisible());
}

// ntfy sends a keepalive every 45 s: a passive heartbeat that gives up sooner calls a healthy,
// quiet link dead again and again.
void tst_SettingsDialog::passiveHeartbeatUnderNtfyKeepaliveIsRefused()
{
    SubscriptionEditor *editor = openAddEditor();
    QVERIFY(editor);
    fillValid(editor);
    choose(editor, "heartbeatCombo", QStringLiteral("passive"));
    retype(child<QLineEdit>(editor, "heartbeatIntervalEdit"), QStringLiteral("25s"));
    retype(child<QLineEdit>(editor, "heartbeatTimeoutEdit"), QStringLiteral("10s"));
    auto *error = child<ErrorLabel>(editor, "timeoutError");
    QVERIFY(error->isVisible());
    QVERIFY2(error->text().contains(QStringLiteral("(35 s) must be longer than ntfy's keepalive "
                                                   "period (45 s)")),
             qPrintable(error->text()));
    QVERIFY(!okButton(editor)->isEnabled());
    retype(child<QLineEdit>(editor, "heartbeatIntervalEdit"), QStringLiteral("55s"));
    QVERIFY(!error->isVisible());
    QVERIFY(okButton(editor)->isEnabled());
    // Another dialect's server has no such keepalive to wait for.
    retype(child<QLineEdit>(editor, "heartbeatIntervalEdit"), QStringLiteral("25s"));
    QVERIFY(!okButton(editor)->isEnabled());
    choose(editor, "protocolCombo", QStringLiteral("text"));
    choose(editor, "heartbeatCombo", QStringLiteral("passive"));
    QVERIFY(!error->isVisible());
    QVERIFY(okButton(editor)->isEnabled());
}

void tst_SettingsDialog::textHeartbeatOnNtfyWarns()
{
    SubscriptionEditor *editor = openAddEditor();
    QVERIFY(editor);
    fillValid(editor);
    auto *warning = child<QLabel>(editor, "heartbeatWarning");
    QVERIFY(!warning->isVisible());
    choose(editor, "heartbeatCombo", QStringLiteral("text"));
    retype(child<QLineEdit>(editor, "heartbeatPayloadEdit"), QStringLiteral("HeartBeat"));
    QVERIFY(warning->isVisible());
    QVERIFY(warning->text().startsWith(QStringLiteral("ntfy does not answer text messages")));
    QVERIFY(okButton(editor)->isEnabled()); // a warning, not a refusal
}

void tst_SettingsDialog::gotifyTokenIsRequiredBesideTheField()
{
    SubscriptionEditor *editor = openAddEditor();
    QVERIFY(editor);
    fillValid(editor);
    auto *token = child<QLineEdit>(editor, "tokenEdit");
    QCOMPARE(token->placeholderText(), QStringLiteral("Optional"));
    choose(editor, "protocolCombo", QStringLiteral("gotify"));
    QCOMPARE(token->placeholderText(), QStringLiteral("Required"));
    retype(token, QString());
    auto *error = child<ErrorLabel>(editor, "tokenError");
    QVERIFY(error->isVisible());
    QVERIFY(error->text().startsWith(QStringLiteral("Gotify needs a client token")));
    // Beside the field: between it and the next row, not at the bottom of the dialog.
    QVERIFY(!child<ErrorLabel>(editor, "generalError")->isVisible());
    const int tokenBottom = token->mapTo(editor, QPoint(0, token->height())).y();
    const int errorTop = error->mapTo(editor, QPoint(0, 0)).y();
    QVERIFY(errorTop >= tokenBottom);
    QVERIFY(errorTop - tokenBottom < token->height());
    QVERIFY(!okButton(editor)->isEnabled());
    retype(token, QStringLiteral("C_token"));
    QVERIFY(!error->isVisible());
    QVERIFY(okButton(editor)->isEnabled());
}

// A long reason wraps inside the dialog: the label gets the height its lines need, and the
// dialog stays on the screen.
void tst_SettingsDialog::longErrorsWrapOnScreen()
{
    SubscriptionEditor *editor = openAddEditor();
    QVERIFY(editor);
    fillValid(editor);
    choose(editor, "heartbeatCombo", QStringLiteral("passive"));
    retype(child<QLineEdit>(editor, "heartbeatIntervalEdit"), QStringLiteral("25s"));
    retype(child<QLineEdit>(editor, "serverEdit"),
           QStringLiteral("https://") + QString(300, QLatin1Char('x')) + QStringLiteral(":99999"));
    retype(child<QLineEdit>(editor, "topicsEdit"),
           QString(200, QLatin1Char('y')) + QStringLiteral(" z"));
    const QRect screen = editor->screen()->availableGeometry();
    for (const char *name : {"timeoutError", "serverError", "topicsError"}) {
        auto *error = child<ErrorLabel>(editor, name);
        QVERIFY(error->isVisible());
        QTRY_VERIFY2(error->height() >= error->heightForWidth(error->width()),
                     qPrintable(QStringLiteral("%1: %2 < %3 (width %4, editor %5x%6)")
                                    .arg(QLatin1String(name))
                                    .arg(error->height())
                                    .arg(error->heightForWidth(error->width()))
                                    .arg(error->width())
                                    .arg(editor->width())
                                    .arg(editor->height())));
        QVERIFY2(error->mapTo(editor, QPoint(error->width(), 0)).x() <= editor->width(), name);
    }
    QVERIFY(child<ErrorLabel>(editor, "timeoutError")->heightForWidth(editor->width()) >
            editor->fontMetrics().height()); // really more than one line
    QVERIFY(editor->width() <= screen.width());
    QVERIFY(editor->height() <= screen.height());
}

void tst_SettingsDialog::fillLocal(SubscriptionEditor *editor, quint16 port, const QString &token)
{
    fillValid(editor);
    retype(child<QLineEdit>(editor, "serverEdit"), QStringLiteral("http://127.0.0.1:%1").arg(port));
    retype(child<QLineEdit>(editor, "topicsEdit"), QStringLiteral("alerts"));
    retype(child<QLineEdit>(editor, "tokenEdit"), token);
}

std::unique_ptr<PushServer> tst_SettingsDialog::startServer(const QString &token)
{
    PushServerOptions options;
    options.token = token;
    options.databasePath = m_dir->filePath(QStringLiteral("server.db"));
    auto server = std::make_unique<PushServer>(options);
    QString error;
    if (!server->listen(&error)) {
        qWarning() << "server did not start:" << error;
        return nullptr;
    }
    return server;
}

QString tst_SettingsDialog::runConnectionTest(SubscriptionEditor *editor, bool expectConnected)
{
    auto *button = child<QPushButton>(editor, "testConnectionButton");
    auto *result = child<QLabel>(editor, "testResultLabel");
    if (!button || !result || !button->isEnabled())
        return QStringLiteral("(no test button to click)");
    QSignalSpy finished(editor, &SubscriptionEditor::connectionTestFinished);
    QTest::mouseClick(button, Qt::LeftButton);
    // The click returns at once: the dialog is not frozen while the test runs.
    if (finished.isEmpty() && result->text() != QStringLiteral("Connecting…"))
        return QStringLiteral("(no progress shown: %1)").arg(result->text());
    if (finished.isEmpty() && !finished.wait(20000))
        return QStringLiteral("(no end)");
    if (finished.first().first().toBool() != expectConnected)
        return QStringLiteral("(unexpected outcome: %1)").arg(result->text());
    return result->text();
}

void tst_SettingsDialog::testConnectionSucceeds()
{
    const auto server = startServer();
    QVERIFY(server);
    SubscriptionEditor *editor = openAddEditor();
    QVERIFY(editor);
    fillLocal(editor, server->port());
    QCOMPARE(runConnectionTest(editor, true), QStringLiteral("Connected."));
    // Nothing was saved by testing.
    QCOMPARE(m_dialog->subscriptions().size(), 1);
}

void tst_SettingsDialog::testConnectionReportsRefusedCredentials()
{
    const auto server = startServer(QStringLiteral("tk_right"));
    QVERIFY(server);
    SubscriptionEditor *editor = openAddEditor();
    QVERIFY(editor);
    fillLocal(editor, server->port(), QStringLiteral("tk_wrong"));
    QCOMPARE(runConnectionTest(editor, false),
             QStringLiteral("Not connected: the server refused the credentials (HTTP 401)"));
    retype(child<QLineEdit>(editor, "tokenEdit"), QStringLiteral("tk_right"));
    QCOMPARE(runConnectionTest(editor, true), QStringLiteral("Connected."));
}

void tst_SettingsDialog::testConnectionReportsRefusedPort()
{
    quint16 port = 0;
    {
        QTcpServer probe; // a port that was free a moment ago, and nobody listens on now
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        port = probe.serverPort();
    }
    SubscriptionEditor *editor = openAddEditor();
    QVERIFY(editor);
    fillLocal(editor, port);
    const QString text = runConnectionTest(editor, false);
    QVERIFY2(text.startsWith(QStringLiteral("Not connected: ")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("refused"), Qt::CaseInsensitive), qPrintable(text));
}

// A server that accepts and never answers: the test waits, then ends as soon as the form
// changes or the editor closes, and its connection goes with it.
void tst_SettingsDialog::testConnectionEndsWhenTheFormChangesOrCloses()
{
    QTcpServer silent;
    QVERIFY(silent.listen(QHostAddress::LocalHost));
    SubscriptionEditor *editor = openAddEditor();
    QVERIFY(editor);
    fillLocal(editor, silent.serverPort());
    QSignalSpy finished(editor, &SubscriptionEditor::connectionTestFinished);
    auto *button = child<QPushButton>(editor, "testConnectionButton");
    auto *result = child<QLabel>(editor, "testResultLabel");

    QTest::mouseClick(button, Qt::LeftButton);
    QCOMPARE(result->text(), QStringLiteral("Connecting…"));
    QVERIFY(silent.waitForNewConnection(10000));
    QTcpSocket *first = silent.nextPendingConnection();
    QVERIFY(first);
    QTest::keyClicks(child<QLineEdit>(editor, "topicsEdit"), QStringLiteral("2"));
    QCOMPARE(result->text(), QString());
    QTRY_COMPARE_WITH_TIMEOUT(first->state(), QAbstractSocket::UnconnectedState, 10000);
    QVERIFY(button->isEnabled());

    QTest::mouseClick(button, Qt::LeftButton);
    QVERIFY(silent.waitForNewConnection(10000));
    QTcpSocket *second = silent.nextPendingConnection();
    QVERIFY(second);
    editor->reject();
    QTRY_COMPARE_WITH_TIMEOUT(second->state(), QAbstractSocket::UnconnectedState, 10000);
    QCOMPARE(finished.size(), 0);

    // Left alone, it gives up after its timeout with the reason.
    editor = openAddEditor();
    QVERIFY(editor);
    fillLocal(editor, silent.serverPort());
    editor->setConnectionTestTimeout(300ms);
    const QString text = runConnectionTest(editor, false);
    QVERIFY2(text.startsWith(QStringLiteral("Not connected: ")), qPrintable(text));
}

void tst_SettingsDialog::statusColumnShowsTheLinkState()
{
    auto *list = child<QTreeWidget>(m_dialog.get(), "subscriptionList");
    QCOMPARE(list->headerItem()->text(1), QStringLiteral("Status"));
    LinkStatus status;
    status.name = existingSubscription().name;
    status.server = existingSubscription().server;
    status.state = ConnectionState::Failed;
    status.reason = QStringLiteral("the server refused the credentials (HTTP 401)");
    m_dialog->setStatuses({status});
    QTreeWidgetItem *item = list->topLevelItem(0);
    QCOMPARE(item->text(1), QStringLiteral("failed"));
    QCOMPARE(item->toolTip(1), status.reason);
    QVERIFY(!item->icon(1).isNull());
    status.state = ConnectionState::Connected;
    m_dialog->setStatuses({status});
    QCOMPARE(item->text(1), QStringLiteral("connected"));
    QCOMPARE(item->toolTip(1), QString());

    // A subscription just added is not running yet: no state that is not its own.
    SubscriptionEditor *editor = openAddEditor();
    QVERIFY(editor);
    fillValid(editor);
    okButton(editor)->click();
    QTRY_VERIFY(!m_dialog->openEditor());
    QCOMPARE(list->topLevelItem(1)->text(1), QStringLiteral("not saved yet"));
}

// Quiet hours are typed as digits ("2230"), as in any time field.
void tst_SettingsDialog::quietHoursTakeTypedDigits()
{
    child<QGroupBox>(m_dialog.get(), "quietHoursGroup")->setChecked(true);
    auto *tabs = m_dialog->findChild<QTabWidget *>();
    tabs->setCurrentIndex(1);
    auto *from = child<QTimeEdit>(m_dialog.get(), "quietFromEdit");
    auto *to = child<QTimeEdit>(m_dialog.get(), "quietToEdit");
    from->setFocus(Qt::TabFocusReason);
    QTRY_VERIFY(from->hasFocus());
    QTest::keyClicks(from, QStringLiteral("2230"));
    QCOMPARE(from->time(), QTime(22, 30));
    QTest::keyClick(from, Qt::Key_Tab);
    QTRY_VERIFY(to->hasFocus());
    QTest::keyClicks(to, QStringLiteral("0615"));
    QCOMPARE(to->time(), QTime(6, 15));
    // Clicked into (the click lands on the field's text, as under a real pointer), past the
    // text or on the hours: typing replaces the time all the same.
    auto *fromText = from->findChild<QLineEdit *>();
    QVERIFY(fromText);
    QTest::mouseClick(fromText, Qt::LeftButton, {},
                      QPoint(fromText->width() - 4, fromText->height() / 2));
    QTRY_VERIFY(from->hasFocus());
    QTest::keyClicks(from, QStringLiteral("2345"));
    QCOMPARE(from->time(), QTime(23, 45));
    QTest::mouseClick(fromText, Qt::LeftButton, {}, QPoint(6, fromText->height() / 2));
    QTest::keyClicks(from, QStringLiteral("2230"));
    QCOMPARE(from->time(), QTime(22, 30));
    okButton(m_dialog.get())->click();
    QCOMPARE(m_settings->quietHours().from, QTime(22, 30));
    QCOMPARE(m_settings->quietHours().to, QTime(6, 15));
}

void tst_SettingsDialog::desktopNotificationsDisablePositionAndDuration()
{
    auto *native = child<QCheckBox>(m_dialog.get(), "nativePopupsCheck");
    auto *corner = child<QComboBox>(m_dialog.get(), "popupCornerCombo");
    auto *duration = child<QLineEdit>(m_dialog.get(), "popupDurationEdit");
    QVERIFY(!native->isChecked());
    QVERIFY(corner->isEnabled() && duration->isEnabled());
    native->setChecked(true);
    QVERIFY(!corner->isEnabled());
    QVERIFY(!duration->isEnabled());
    native->setChecked(false);
    QVERIFY(corner->isEnabled() && duration->isEnabled());
}

QTEST_MAIN(tst_SettingsDialog)
#include "tst_settingsdialog.moc"
