#include "subscriptioneditor.h"

#include "duration.h"
#include "errorlabel.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace traybeat {

namespace {

using namespace std::chrono_literals;

const QString pingMode = QStringLiteral("ping");
const QString passiveMode = QStringLiteral("passive");
const QString textMode = QStringLiteral("text");
const QString signInWithToken = QStringLiteral("token");
const QString signInWithPassword = QStringLiteral("password");

QString protocolLabel(const QString &protocol)
{
    if (protocol == QLatin1String("ntfy"))
        return SubscriptionEditor::tr("ntfy");
    if (protocol == QLatin1String("gotify"))
        return SubscriptionEditor::tr("Gotify");
    if (protocol == QLatin1String("text"))
        return SubscriptionEditor::tr("Plain WebSocket text");
    return protocol;
}

QLineEdit *durationEdit(const QString &objectName, QWidget *parent)
{
    auto *edit = new QLineEdit(parent);
    edit->setObjectName(objectName);
    edit->setMaximumWidth(edit->fontMetrics().horizontalAdvance(QStringLiteral("0000000ms")) + 24);
    return edit;
}

QLabel *sectionLabel(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    QFont font = label->font();
    font.setBold(true);
    label->setFont(font);
    return label;
}

} // namespace

SubscriptionEditor::SubscriptionEditor(QWidget *parent) : QDialog(parent)
{
    setWindowTitle(tr("Subscription"));
    buildUi();
    connectUi();
    setSubscription({});
}

SubscriptionEditor::~SubscriptionEditor() = default;

void SubscriptionEditor::buildUi()
{
    createServerFields();
    createSignInFields();
    createHealthFields();
    QFormLayout *form = buildForm();

    m_generalError = new ErrorLabel(this);
    m_generalError->setObjectName(QStringLiteral("generalError"));
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_generalError);
    layout->addStretch(1);
    layout->addWidget(m_buttons);
    setMinimumWidth(520);
}

void SubscriptionEditor::createServerFields()
{
    m_name = new QLineEdit(this);
    m_name->setObjectName(QStringLiteral("nameEdit"));
    m_server = new QLineEdit(this);
    m_server->setObjectName(QStringLiteral("serverEdit"));
    m_server->setPlaceholderText(QStringLiteral("https://ntfy.example.com"));
    m_protocol = new QComboBox(this);
    m_protocol->setObjectName(QStringLiteral("protocolCombo"));
    for (const QString &protocol : SubscriptionConfig::protocolNames())
        m_protocol->addItem(protocolLabel(protocol), protocol);
    m_topics = new QLineEdit(this);
    m_topics->setObjectName(QStringLiteral("topicsEdit"));
    m_topics->setPlaceholderText(tr("alerts, backups"));
    m_token = new QLineEdit(this);
    m_token->setObjectName(QStringLiteral("tokenEdit"));
    m_token->setEchoMode(QLineEdit::Password);
    m_token->setPlaceholderText(tr("Optional"));

    m_nameError = new ErrorLabel(this);
    m_nameError->setObjectName(QStringLiteral("nameError"));
    m_serverError = new ErrorLabel(this);
    m_serverError->setObjectName(QStringLiteral("serverError"));
    m_topicsError = new ErrorLabel(this);
    m_topicsError->setObjectName(QStringLiteral("topicsError"));

    m_token->setToolTip(tr("Sent in a request header, never in the URL."));
    m_tokenLocation = hintLabel(QString(), this);
    m_tokenLocation->setObjectName(QStringLiteral("tokenLocationLabel"));
    setTokenLocation(SecretLocation::SettingsFile);
}

void SubscriptionEditor::setTokenLocation(SecretLocation location, const QString &problem)
{
    switch (location) {
    case SecretLocation::Keyring:
        m_tokenLocation->setText(tr("Stored in the desktop keyring."));
        m_tokenLocation->setToolTip(QString());
        break;
    case SecretLocation::Checking:
        m_tokenLocation->setText(tr("Looking for the desktop keyring…"));
        m_tokenLocation->setToolTip(QString());
        break;
    case SecretLocation::SettingsFile:
        m_tokenLocation->setText(
            tr("Stored in traybeat.conf (readable only by you) — no keyring found."));
        // Why, for whoever wants to fix it; the reason may be the keyring's own words.
        m_tokenLocation->setToolTip(problem);
        break;
    }
    if (m_passwordLocation) { // the password is kept where the token is
        m_passwordLocation->setText(m_tokenLocation->text());
        m_passwordLocation->setToolTip(m_tokenLocation->toolTip());
    }
    growToFit();
}

void SubscriptionEditor::createHealthFields()
{
    m_heartbeat = new QComboBox(this);
    m_heartbeat->setObjectName(QStringLiteral("heartbeatCombo"));
    m_heartbeat->addItem(tr("Ping frames"), pingMode);
    m_heartbeat->addItem(tr("Server keepalives (send nothing)"), passiveMode);
    m_heartbeat->addItem(tr("Text message"), textMode);
    m_heartbeatPayload = new QLineEdit(this);
    m_heartbeatPayload->setObjectName(QStringLiteral("heartbeatPayloadEdit"));
    m_heartbeatPayload->setPlaceholderText(QStringLiteral("HeartBeat"));
    m_interval = durationEdit(QStringLiteral("heartbeatIntervalEdit"), this);
    m_timeout = durationEdit(QStringLiteral("heartbeatTimeoutEdit"), this);
    m_reconnectMin = durationEdit(QStringLiteral("reconnectMinEdit"), this);
    m_reconnectMax = durationEdit(QStringLiteral("reconnectMaxEdit"), this);

    m_heartbeatError = new ErrorLabel(this);
    m_heartbeatError->setObjectName(QStringLiteral("heartbeatError"));
    m_intervalError = new ErrorLabel(this);
    m_intervalError->setObjectName(QStringLiteral("intervalError"));
    m_timeoutError = new ErrorLabel(this);
    m_timeoutError->setObjectName(QStringLiteral("timeoutError"));
    m_reconnectError = new ErrorLabel(this);
    m_reconnectError->setObjectName(QStringLiteral("reconnectError"));
}

QFormLayout *SubscriptionEditor::buildForm()
{
    auto *heartbeatRow = new QHBoxLayout;
    heartbeatRow->addWidget(m_heartbeat);
    heartbeatRow->addWidget(m_heartbeatPayload, 1);
    auto *reconnectRow = new QHBoxLayout;
    reconnectRow->addWidget(m_reconnectMin);
    reconnectRow->addWidget(new QLabel(tr("to"), this));
    reconnectRow->addWidget(m_reconnectMax);
    reconnectRow->addStretch(1);

    m_deadLinkHint = hintLabel(QString(), this);
    QWidget *timeoutField = fieldWithError(m_timeout, m_timeoutError, this);
    timeoutField->layout()->addWidget(m_deadLinkHint);

    // One form for both sections, so that all fields line up.
    auto *form = new QFormLayout;
    form->addRow(sectionLabel(tr("Server"), this));
    form->addRow(tr("&Name:"), fieldWithError(m_name, m_nameError, this));
    form->addRow(tr("Server &URL:"), fieldWithError(m_server, m_serverError, this));
    form->addRow(tr("&Protocol:"), m_protocol);
    form->addRow(tr("&Topics:"), fieldWithError(m_topics, m_topicsError, this));
    auto *tokenField = new QWidget(this);
    auto *tokenLayout = new QVBoxLayout(tokenField);
    tokenLayout->setContentsMargins(0, 0, 0, 0);
    tokenLayout->setSpacing(2);
    tokenLayout->addWidget(m_token);
    tokenLayout->addWidget(m_tokenLocation);
    tokenField->setFocusProxy(m_token); // the label's mnemonic lands in the field
    form->addRow(tr("&Sign in with:"), m_signIn);
    form->addRow(tr("Access &token:"), tokenField);
    m_tokenField = tokenField;
    addCredentialRows(form);
    form->addItem(new QSpacerItem(0, 12, QSizePolicy::Minimum, QSizePolicy::Fixed));
    form->addRow(sectionLabel(tr("Connection health"), this));
    form->addRow(tr("&Heartbeat:"), fieldWithError(heartbeatRow, m_heartbeatError, this));
    form->addRow(tr("Heartbeat &interval:"), fieldWithError(m_interval, m_intervalError, this));
    form->addRow(tr("Heartbeat time&out:"), timeoutField);
    form->addRow(tr("&Reconnect after:"), fieldWithError(reconnectRow, m_reconnectError, this));
    return form;
}

void SubscriptionEditor::connectUi()
{
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    for (QLineEdit *edit : {m_name, m_server, m_topics, m_token, m_heartbeatPayload, m_interval,
                            m_timeout, m_reconnectMin, m_reconnectMax}) {
        connect(edit, &QLineEdit::textChanged, this, &SubscriptionEditor::validate);
        connect(edit, &QLineEdit::textEdited, this, &SubscriptionEditor::onUserEdit);
    }
    connect(m_protocol, &QComboBox::currentIndexChanged, this,
            &SubscriptionEditor::onProtocolChanged);
    connect(m_heartbeat, &QComboBox::currentIndexChanged, this, &SubscriptionEditor::validate);
}

void SubscriptionEditor::setSubscription(const SubscriptionConfig &config)
{
    m_base = config;
    m_userEdited = false;
    const ConnectionConfig &connection = config.connection;
    m_name->setText(config.name);
    m_server->setText(config.server.toString());
    {
        const QSignalBlocker blocker(m_protocol);
        m_protocol->setCurrentIndex(std::max(m_protocol->findData(config.protocol), 0));
    }
    m_lastProtocol = m_protocol->currentData().toString();
    m_topics->setText(config.topics.join(QStringLiteral(", ")));
    m_token->setText(config.token);
    setSignIn(config);
    setHeartbeat(connection.heartbeat);
    m_interval->setText(formatDuration(connection.heartbeatInterval));
    m_timeout->setText(formatDuration(connection.heartbeatTimeout));
    m_reconnectMin->setText(formatDuration(connection.backoff.floor));
    m_reconnectMax->setText(formatDuration(connection.backoff.cap));
    // An existing subscription is checked in full at once; a new one once typing starts.
    m_userEdited = !config.server.isEmpty();
    onProtocolChanged();
}

void SubscriptionEditor::setTakenNames(const QStringList &names)
{
    m_takenNames = names;
    validate();
}

QString SubscriptionEditor::effectiveName() const
{
    const QString name = m_name->text().trimmed();
    if (!name.isEmpty())
        return name;
    SubscriptionConfig config;
    config.server = QUrl(m_server->text().trimmed());
    if (m_protocol->currentData().toString() == QLatin1String("ntfy"))
        config.topics = SubscriptionConfig::parseTopics(m_topics->text());
    return config.defaultName();
}

SubscriptionConfig SubscriptionEditor::subscription() const
{
    SubscriptionConfig config = m_base;
    ConnectionConfig &connection = config.connection;
    config.name = effectiveName();
    config.server = QUrl(m_server->text().trimmed());
    config.protocol = m_protocol->currentData().toString();
    // Only ntfy has topics; a leftover list must not make another dialect's config invalid.
    config.topics = config.protocol == QLatin1String("ntfy")
                        ? SubscriptionConfig::parseTopics(m_topics->text())
                        : QStringList();
    config.token = m_token->text();
    applySignIn(config);
    const QString mode = m_heartbeat->currentData().toString();
    if (mode == textMode)
        connection.heartbeat = {HeartbeatMode::Kind::Text, m_heartbeatPayload->text()};
    else if (mode == passiveMode)
        connection.heartbeat = {HeartbeatMode::Kind::Passive, {}};
    else
        connection.heartbeat = {HeartbeatMode::Kind::Ping, {}};
    connection.heartbeatInterval = parseDuration(m_interval->text()).value_or(0ms);
    connection.heartbeatTimeout = parseDuration(m_timeout->text()).value_or(0ms);
    connection.backoff.floor = parseDuration(m_reconnectMin->text()).value_or(0ms);
    connection.backoff.cap = parseDuration(m_reconnectMax->text()).value_or(0ms);
    return config;
}

void SubscriptionEditor::onProtocolChanged()
{
    const QString protocol = m_protocol->currentData().toString();
    const bool hasTopics = protocol == QLatin1String("ntfy");
    m_topics->setEnabled(hasTopics);
    m_topics->setPlaceholderText(hasTopics ? tr("alerts, backups")
                                           : tr("Not used by this protocol"));
    // Follow the dialect's usual heartbeat, unless the user chose another one.
    if (subscription().connection.heartbeat == SubscriptionConfig::defaultHeartbeat(m_lastProtocol))
        setHeartbeat(SubscriptionConfig::defaultHeartbeat(protocol));
    m_lastProtocol = protocol;
    updateSignInRows();
    validate();
}

void SubscriptionEditor::setHeartbeat(const HeartbeatMode &mode)
{
    switch (mode.kind) {
    case HeartbeatMode::Kind::Ping:
        m_heartbeat->setCurrentIndex(m_heartbeat->findData(pingMode));
        break;
    case HeartbeatMode::Kind::Passive:
        m_heartbeat->setCurrentIndex(m_heartbeat->findData(passiveMode));
        break;
    case HeartbeatMode::Kind::Text:
        m_heartbeat->setCurrentIndex(m_heartbeat->findData(textMode));
        break;
    }
    m_heartbeatPayload->setText(mode.payload);
}

void SubscriptionEditor::onUserEdit()
{
    if (m_userEdited)
        return;
    m_userEdited = true;
    validate();
}

void SubscriptionEditor::validate()
{
    const SubscriptionConfig config = subscription();
    // A field the user has not touched yet is not shouted at for being empty.
    const bool showRequired = m_userEdited;
    bool valid = true;
    const auto report = [&valid](ErrorLabel *label, const QString &reason, bool show = true) {
        if (!reason.isEmpty())
            valid = false;
        label->setError(show ? reason : QString());
    };

    // An empty name means the default one; show which.
    m_name->setPlaceholderText(config.name.isEmpty() ? tr("Defaults to the server and topics")
                                                     : config.name);
    report(m_nameError, nameProblem(config.name), showRequired || !config.name.isEmpty());
    const QString serverText = m_server->text().trimmed();
    report(m_serverError, serverProblem(serverText, config.server),
           showRequired || !serverText.isEmpty());
    report(m_topicsError, topicsProblem(config), showRequired || !config.topics.isEmpty());
    report(m_userError, userProblem(config), showRequired || !m_user->text().isEmpty());
    report(m_passwordError, passwordProblem(config), showRequired);

    const bool textHeartbeat = m_heartbeat->currentData().toString() == textMode;
    m_heartbeatPayload->setVisible(textHeartbeat);
    report(m_heartbeatError, textHeartbeat && m_heartbeatPayload->text().isEmpty()
                                 ? tr("Enter the text to send as heartbeat, e.g. HeartBeat")
                                 : QString());
    const QString intervalReason = intervalProblem();
    report(m_intervalError, intervalReason);
    const QString timeoutReason = timeoutProblem();
    report(m_timeoutError, timeoutReason);
    report(m_reconnectError, reconnectProblem());
    updateDeadLinkHint(config, intervalReason.isEmpty() && timeoutReason.isEmpty());

    // Whatever the fields above do not cover (a missing CA file, ...), in the words of the core.
    report(m_generalError, valid ? config.validationError() : QString());

    m_valid = valid;
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(valid);
    growToFit();
}

// Errors and hints appear under the fields and may wrap: the dialog grows with them instead of
// squeezing the rows into each other (its layout only asks for a minimum width).
void SubscriptionEditor::growToFit()
{
    if (!isVisible())
        return; // shown at its size hint, which counts them already
    const int needed = layout()->hasHeightForWidth() ? layout()->totalHeightForWidth(width())
                                                     : layout()->totalSizeHint().height();
    if (needed > height())
        resize(width(), needed);
}

QString SubscriptionEditor::nameProblem(const QString &name) const
{
    if (name.isEmpty())
        return tr("Give the subscription a name.");
    if (m_takenNames.contains(name))
        return tr("A subscription named “%1” already exists.").arg(name);
    return {};
}

QString SubscriptionEditor::serverProblem(const QString &text, const QUrl &server)
{
    static const QStringList schemes{QStringLiteral("http"), QStringLiteral("https"),
                                     QStringLiteral("ws"), QStringLiteral("wss")};
    if (text.isEmpty())
        return tr("Enter the server's address, e.g. https://ntfy.example.com");
    if (!server.isValid() || !schemes.contains(server.scheme().toLower()))
        return tr("Server URL must start with http://, https://, ws:// or wss://");
    if (server.host().isEmpty())
        return tr("Server URL must name a host, e.g. https://ntfy.example.com");
    return {};
}

QString SubscriptionEditor::topicsProblem(const SubscriptionConfig &config)
{
    if (config.protocol != QLatin1String("ntfy"))
        return {};
    for (const QString &topic : config.topics) {
        if (!SubscriptionConfig::isValidTopic(topic))
            return tr("Topic names may use letters, digits, - and _ (1–64 characters): “%1” "
                      "does not.")
                .arg(topic);
    }
    if (config.topics.isEmpty())
        return tr("ntfy needs at least one topic.");
    return {};
}

QString SubscriptionEditor::intervalProblem() const
{
    const auto interval = parseDuration(m_interval->text());
    if (!interval)
        return tr("Heartbeat interval: use a duration like 25s");
    if (*interval < 1s)
        return tr("Heartbeat interval must be at least 1s.");
    return {};
}

QString SubscriptionEditor::timeoutProblem() const
{
    const auto timeout = parseDuration(m_timeout->text());
    if (!timeout)
        return tr("Heartbeat timeout: use a duration like 10s");
    if (timeout->count() <= 0)
        return tr("Heartbeat timeout must be longer than 0s.");
    return {};
}

QString SubscriptionEditor::reconnectProblem() const
{
    const auto shortest = parseDuration(m_reconnectMin->text());
    const auto longest = parseDuration(m_reconnectMax->text());
    if (!shortest || !longest)
        return tr("Reconnect delays: use durations like 1s and 1m");
    if (shortest->count() <= 0)
        return tr("The shortest reconnect delay must be longer than 0s.");
    if (*longest < *shortest)
        return tr("The longest reconnect delay must not be shorter than the shortest.");
    return {};
}

void SubscriptionEditor::createSignInFields()
{
    m_signIn = new QComboBox(this);
    m_signIn->setObjectName(QStringLiteral("signInCombo"));
    m_signIn->addItem(tr("Access token"), signInWithToken);
    m_signIn->addItem(tr("User name and password"), signInWithPassword);
    m_user = new QLineEdit(this);
    m_user->setObjectName(QStringLiteral("userEdit"));
    m_password = new QLineEdit(this);
    m_password->setObjectName(QStringLiteral("passwordEdit"));
    m_password->setEchoMode(QLineEdit::Password);
    m_password->setToolTip(tr("Sent in a request header, never in the URL."));
    m_userError = new ErrorLabel(this);
    m_userError->setObjectName(QStringLiteral("userError"));
    m_passwordError = new ErrorLabel(this);
    m_passwordError->setObjectName(QStringLiteral("passwordError"));
    m_passwordLocation = hintLabel(QString(), this);
    m_passwordLocation->setObjectName(QStringLiteral("passwordLocationLabel"));
    m_passwordLocation->setText(m_tokenLocation->text());

    connect(m_signIn, &QComboBox::currentIndexChanged, this, [this] {
        updateSignInRows();
        validate();
    });
    for (QLineEdit *edit : {m_user, m_password}) {
        connect(edit, &QLineEdit::textChanged, this, &SubscriptionEditor::validate);
        connect(edit, &QLineEdit::textEdited, this, &SubscriptionEditor::onUserEdit);
    }
}

void SubscriptionEditor::addCredentialRows(QFormLayout *form)
{
    m_form = form;
    m_userField = fieldWithError(m_user, m_userError, this);
    m_passwordField = fieldWithError(m_password, m_passwordError, this);
    m_passwordField->layout()->addWidget(m_passwordLocation);
    form->addRow(tr("User na&me:"), m_userField);
    form->addRow(tr("Pass&word:"), m_passwordField);
}

void SubscriptionEditor::setSignIn(const SubscriptionConfig &config)
{
    const QSignalBlocker blocker(m_signIn);
    m_signIn->setCurrentIndex(
        m_signIn->findData(config.user.isEmpty() ? signInWithToken : signInWithPassword));
    m_user->setText(config.user);
    m_password->setText(config.password);
}

bool SubscriptionEditor::signsInWithPassword() const
{
    return m_protocol->currentData().toString() == QLatin1String("ntfy") &&
           m_signIn->currentData().toString() == signInWithPassword;
}

// Only the chosen way is kept: a token left in the hidden field is not sent as well.
void SubscriptionEditor::applySignIn(SubscriptionConfig &config) const
{
    if (signsInWithPassword()) {
        config.token.clear();
        config.user = m_user->text().trimmed();
        config.password = m_password->text();
    } else {
        config.user.clear();
        config.password.clear();
    }
}

// The other dialects sign in with a token only.
void SubscriptionEditor::updateSignInRows()
{
    if (!m_form)
        return;
    const bool withPassword = signsInWithPassword();
    m_form->setRowVisible(m_signIn, m_protocol->currentData().toString() == QLatin1String("ntfy"));
    m_form->setRowVisible(m_tokenField, !withPassword);
    m_form->setRowVisible(m_userField, withPassword);
    m_form->setRowVisible(m_passwordField, withPassword);
    growToFit();
}

QString SubscriptionEditor::userProblem(const SubscriptionConfig &config) const
{
    if (!signsInWithPassword())
        return {};
    if (config.user.isEmpty())
        return tr("Enter the user name.");
    if (config.user.contains(QLatin1Char(':')))
        return tr("A user name must not contain \":\".");
    return {};
}

QString SubscriptionEditor::passwordProblem(const SubscriptionConfig &config) const
{
    if (signsInWithPassword() && config.password.isEmpty())
        return tr("Enter the password.");
    return {};
}

void SubscriptionEditor::updateDeadLinkHint(const SubscriptionConfig &config, bool timingsValid)
{
    m_deadLinkHint->setVisible(timingsValid);
    if (!timingsValid)
        return;
    const auto deadline = config.connection.heartbeatInterval + config.connection.heartbeatTimeout;
    QString hint =
        tr("A silent, dead connection is noticed within %1.").arg(formatDuration(deadline));
    // ntfy (and traybeat serve) send a keepalive every 45 s: a shorter passive window would
    // call a healthy link dead again and again.
    if (config.connection.heartbeat.kind == HeartbeatMode::Kind::Passive &&
        deadline <= std::chrono::seconds(45))
        hint +=
            QLatin1Char(' ') + tr("With server keepalives, make interval + timeout longer than the "
                                  "server's keepalive period (ntfy: 45s), e.g. 55s + 20s.");
    m_deadLinkHint->setText(hint);
}

} // namespace traybeat
