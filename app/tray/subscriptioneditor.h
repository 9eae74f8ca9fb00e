#pragma once

#include "appsettings.h"
#include "subscriptionconfig.h"

#include <QDialog>
#include <QSet>
#include <QTimer>
#include <chrono>

class QComboBox;
class QDialogButtonBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPushButton;

namespace traybeat {

class ConnectionProbe;
class ErrorLabel;

// Edits one subscription: where, which dialect, which topics, which token, and how the link's
// liveness is checked. Every field is checked as it is typed; a wrong value is refused right
// under the field with a reason once the field was touched, and OK stays disabled until all
// are usable. "Test connection" connects once with the form's values and says how it went.
class SubscriptionEditor final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SubscriptionEditor)
public:
    explicit SubscriptionEditor(QWidget *parent = nullptr);
    ~SubscriptionEditor() override;

    // Fills the fields. Settings the editor does not show (CA file, connect timeout, ...) are
    // kept and come back unchanged from subscription().
    void setSubscription(const SubscriptionConfig &config);
    // The edited subscription; meaningful when isValid().
    SubscriptionConfig subscription() const;
    // Names of the other subscriptions: a name must be unique because it keys the history.
    void setTakenNames(const QStringList &names);

    bool isValid() const { return m_valid; }
    // Says under the token and password fields where they are kept; `problem` is why there is
    // no keyring.
    void setTokenLocation(SecretLocation location, const QString &problem = QString());
    // How long "Test connection" waits for an answer (tests shorten it).
    void setConnectionTestTimeout(std::chrono::milliseconds timeout);

public slots:
    // Connects once with the form's values; the result shows beside the button.
    void testConnection();
    void done(int result) override; // also ends a running test

signals:
    // A connection test ended (tests wait for it); its text is beside the button.
    void connectionTestFinished(bool connected);

private:
    void buildUi();
    // Parts of buildUi, in the order the widgets are created (which is the tab order).
    void createServerFields(); // name, server, protocol, topics, token
    void createHealthFields(); // heartbeat, its timings, reconnect delays
    // ntfy signs in with a token or with a user name and password (Basic auth).
    void createSignInFields();
    void addCredentialRows(QFormLayout *form);
    void setSignIn(const SubscriptionConfig &config);
    void applySignIn(SubscriptionConfig &config) const;
    bool signsInWithPassword() const;
    void updateSignInRows();
    QFormLayout *buildForm(); // both sections in one form, so that all fields line up
    void connectUi();
    void onProtocolChanged();
    void setHeartbeat(const HeartbeatMode &mode);
    void onNameEdited(const QString &text);
    void watchField(QLineEdit *edit);
    void validate();
    // A field shows why it is refused once the user typed in it or left it.
    bool isTouched(const QWidget *field) const { return m_touched.contains(field); }
    void touchAll();
    void followDefaultName();
    void updateTokenField(const SubscriptionConfig &config);
    void updateHeartbeatWarning(const SubscriptionConfig &config);
    void cancelConnectionTest();
    // Every field's value: a test's result stands while these are unchanged.
    QStringList formValues() const;
    void onConnectionTestFinished(bool connected, const QString &reason);
    void showTestResult(const QString &text, bool failed);
    void growToFit(); // soon: fitToContents
    void fitToContents();
    // What is wrong with a field, in a sentence for the person; empty when it is usable.
    QString nameProblem(const QString &name) const;
    static QString serverProblem(const QString &text, const QUrl &server);
    static QString topicsProblem(const SubscriptionConfig &config);
    static QString tokenProblem(const SubscriptionConfig &config);
    QString intervalProblem() const;
    QString timeoutProblem() const;
    QString reconnectProblem() const;
    QString userProblem(const SubscriptionConfig &config) const;
    QString passwordProblem(const SubscriptionConfig &config) const;
    // "A silent, dead connection is noticed within …", shown while both timings are usable.
    void updateDeadLinkHint(const SubscriptionConfig &config, bool timingsValid);
    QString effectiveName() const;
    QString defaultNameFromFields() const;

    SubscriptionConfig m_base; // what setSubscription() gave, for the fields not shown
    QStringList m_takenNames;
    QString m_lastProtocol;
    bool m_valid = false;
    // A new, still empty form is not shouted at: a field's error shows once it was touched.
    QSet<const QWidget *> m_touched;
    // A new subscription's name is the server and topics ("ntfy.example.com/alerts") and
    // follows them until the user types a name of their own.
    bool m_nameFollowsServer = true;
    QString m_defaultNameShown; // what followDefaultName() put in the field last
    QString m_defaultName;      // the default name of the fields as last seen
    ConnectionProbe *m_probe = nullptr;
    std::chrono::milliseconds m_testTimeout;
    QStringList m_testedValues; // formValues() of the test shown beside the button
    int m_fittedHeight = -1;    // the height fitToContents() gave the window last
    QTimer m_fitTimer;          // zero-interval single shot

    QLineEdit *m_name = nullptr;
    QLineEdit *m_server = nullptr;
    QComboBox *m_protocol = nullptr;
    QLineEdit *m_topics = nullptr;
    QLineEdit *m_token = nullptr;
    QComboBox *m_signIn = nullptr;
    QLineEdit *m_user = nullptr;
    QLineEdit *m_password = nullptr;
    QWidget *m_tokenField = nullptr;
    QWidget *m_userField = nullptr;
    QWidget *m_passwordField = nullptr;
    QFormLayout *m_form = nullptr;
    QComboBox *m_heartbeat = nullptr;
    QLineEdit *m_heartbeatPayload = nullptr;
    QLineEdit *m_interval = nullptr;
    QLineEdit *m_timeout = nullptr;
    QLineEdit *m_reconnectMin = nullptr;
    QLineEdit *m_reconnectMax = nullptr;

    ErrorLabel *m_nameError = nullptr;
    ErrorLabel *m_serverError = nullptr;
    ErrorLabel *m_topicsError = nullptr;
    ErrorLabel *m_tokenError = nullptr;
    ErrorLabel *m_heartbeatError = nullptr;
    ErrorLabel *m_intervalError = nullptr;
    ErrorLabel *m_timeoutError = nullptr;
    ErrorLabel *m_reconnectError = nullptr;
    ErrorLabel *m_userError = nullptr;
    ErrorLabel *m_passwordError = nullptr;
    ErrorLabel *m_generalError = nullptr;
    QLabel *m_deadLinkHint = nullptr;
    QLabel *m_tokenLocation = nullptr;
    QLabel *m_heartbeatWarning = nullptr;
    QPushButton *m_testButton = nullptr;
    QLabel *m_testResult = nullptr;
    QLabel *m_passwordLocation = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
};

} // namespace traybeat
