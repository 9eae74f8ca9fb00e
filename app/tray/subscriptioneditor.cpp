#include "subscriptioneditor.h"

#include "connectionprobe.h"
#include "duration.h"
#include "errorlabel.h"

#include <QComboBox>
#include <QCoreApplication>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScreen>
#include <QSignalBlocker>
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

SubscriptionEditor::SubscriptionEditor(QWidget *parent)
    : QDialog(parent), m_probe(new ConnectionProbe(this)),
      m_testTimeout(ConnectionProbe::defaultTimeout)
{
    setWindowTitle(tr("Subscription"));
    m_fitTimer.setSingleShot(true);
    m_fitTimer.setInterval(0);
    connect(&m_fitTimer, &QTimer::timeout, this, &SubscriptionEditor::fitToContents);
    buildUi();
    connectUi();
    setSubscription({});
}

SubscriptionEditor::~SubscriptionEditor()
{
    // QDialog's destructor hides the window, and a field losing focus then would run validate()
    // on this half-destroyed editor.
    for (const QLineEdit *edit : findChildren<QLineEdit *>())
        edit->disconnect(this);
}

void SubscriptionEditor::buildUi()
{
    createServerFields();
    createSignInFields();
    createHealthFields();
    QFormLayout *form = buildForm();

    m_generalError = new ErrorLabel(this);
    m_generalError->setObjectName(QStringLiteral("generalError"));
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);

    m_testButton = new QPushButton(tr("Test &connection"), this);
    m_testButton->setObjectName(QStringLiteral("testConnectionButton"));
    m_testButton->setToolTip(tr("Connects once with these settings, without saving them."));
    m_testResult = new QLabel(this);
    m_testResult->setObjectName(QStringLiteral("testResultLabel"));
    m_testResult->setTextFormat(Qt::PlainText); // a reason may carry the server's words
    m_testResult->setWordWrap(true);
    auto *testRow = new QHBoxLayout;
    testRow->addWidget(m_testButton, 0, Qt::AlignTop);
    testRow->addWidget(m_testResult, 1);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_generalError);
    layout->addSpacing(6);
    layout->addLayout(testRow);
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
    m_tokenError = new ErrorLabel(this);
    m_tokenError->setObjectName(QStringLiteral("tokenError"));

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
    m_heartbeatWarning = hintLabel(QString(), this);
    m_heartbeatWarning->setObjectName(QStringLiteral("heartbeatWarning"));
    m_heartbeatWarning->hide();
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
    m_deadLinkHint->setObjectName(QStringLiteral("deadLinkHint"));
    QWidget *timeoutField = fieldWithError(m_timeout, m_timeoutError, this);
    timeoutField->layout()->addWidget(m_deadLinkHint);
    QWidget *heartbeatField = fieldWithError(heartbeatRow, m_heartbeatError, this);
    heartbeatField->layout()->addWidget(m_heartbeatWarning);

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
    tokenLayout->addWidget(m_tokenError);
    tokenLayout->addWidget(m_tokenLocation);
    tokenField->setFocusProxy(m_token); // the label's mnemonic lands in the field
    form->addRow(tr("&Sign in with:"), m_signIn);
    form->addRow(tr("Access to&ken:"), tokenField);
    m_tokenField = tokenField;
    addCredentialRows(form);
    form->addItem(new QSpacerItem(0, 12, QSizePolicy::Minimum, QSizePolicy::Fixed));
    form->addRow(sectionLabel(tr("Connection health"), this));
    form->addRow(tr("&Heartbeat:"), heartbeatField);
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
                            m_timeout, m_reconnectMin, m_reconnectMax})
        watchField(edit);
    connect(m_name, &QLineEdit::textEdited, this, &SubscriptionEditor::onNameEdited);
    connect(m_protocol, &QComboBox::currentIndexChanged, this,
            &SubscriptionEditor::onProtocolChanged);
    connect(m_heartbeat, &QComboBox::currentIndexChanged, this, &SubscriptionEditor::validate);
    connect(m_testButton, &QPushButton::clicked, this, &SubscriptionEditor::testConnection);
    connect(m_probe, &ConnectionProbe::finished, this,
            &SubscriptionEditor::onConnectionTestFinished);
}

// Checked as it changes; its errors show once it was typed in or left (also without typing).
void SubscriptionEditor::watchField(QLineEdit *edit)
{
    connect(edit, &QLineEdit::textChanged, this, &SubscriptionEditor::validate);
    const auto touch = [this, edit] {
        m_touched.insert(edit);
        validate();
    };
    connect(edit, &QLineEdit::textEdited, this, touch);
    connect(edit, &QLineEdit::editingFinished, this, touch);
}

void SubscriptionEditor::setSubscription(const SubscriptionConfig &config)
{
    m_base = config;
    m_touched.clear();
    // An existing subscription keeps its name unless it is the one that follows the server.
    m_nameFollowsServer = config.name.isEmpty() || config.name == config.defaultName();
    m_defaultNameShown = config.name;
    m_defaultName = config.name;
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
    // An existing subscription is checked in full at once; a new one field by field.
    if (!config.server.isEmpty())
        touchAll();
    onProtocolChanged();
}

void SubscriptionEditor::touchAll()
{
    for (const QLineEdit *edit : findChildren<QLineEdit *>())
        m_touched.insert(edit);
}

void SubscriptionEditor::setConnectionTestTimeout(std::chrono::milliseconds timeout)
{
    m_testTimeout = timeout;
}

void SubscriptionEditor::setTakenNames(const QStringList &names)
{
    m_takenNames = names;
    validate();
}

QString SubscriptionEditor::effectiveName() const
{
    const QString name = m_name->text().trimmed();
    return name.isEmpty() ? defaultNameFromFields() : name;
}

QString SubscriptionEditor::defaultNameFromFields() const
{
    SubscriptionConfig config;
    config.server = QUrl(m_server->text().trimmed());
    if (config.server.host().isEmpty())
        return {}; // not "/alerts": no name until there is a server to name it after
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

void SubscriptionEditor::onNameEdited(const QString &text)
{
    // Emptied by the user: the default takes over again (the field shows it as its hint).
    if (text.trimmed().isEmpty()) {
        m_nameFollowsServer = true;
        m_defaultNameShown = text;
        m_defaultName = defaultNameFromFields();
    }
}

void SubscriptionEditor::followDefaultName()
{
    if (!m_nameFollowsServer)
        return;
    if (m_name->text() != m_defaultNameShown) {
        m_nameFollowsServer = false; // the user typed a name of their own
        return;
    }
    const QString name = defaultNameFromFields();
    if (name == m_defaultName)
        return; // an emptied field stays empty until the server or topics change
    m_defaultName = name;
    m_defaultNameShown = name;
    const QSignalBlocker quiet(m_name); // validate() runs already
    m_name->setText(m_defaultNameShown);
}

void SubscriptionEditor::validate()
{
    if (formValues() != m_testedValues)
        cancelConnectionTest(); // its result would be about values no longer in the form
    followDefaultName();
    const SubscriptionConfig config = subscription();
    bool valid = true;
    // A field's reason shows once it was touched; `field` null: it always shows.
    const auto report = [this, &valid](ErrorLabel *label, const QString &reason,
                                       const QWidget *field = nullptr) {
        if (!reason.isEmpty())
            valid = false;
        label->setError(field == nullptr || isTouched(field) ? reason : QString());
    };

    // An empty name means the default one: the field shows which, never a "required".
    m_name->setPlaceholderText(config.name);
    report(m_nameError, nameProblem(config.name), m_name);
    report(m_serverError, serverProblem(m_server->text(), config.server), m_server);
    report(m_topicsError, topicsProblem(config), m_topics);
    updateTokenField(config);
    report(m_tokenError, tokenProblem(config), m_token);
    report(m_userError, userProblem(config), m_user);
    report(m_passwordError, passwordProblem(config), m_password);

    const bool textHeartbeat = m_heartbeat->currentData().toString() == textMode;
    m_heartbeatPayload->setVisible(textHeartbeat);
    report(m_heartbeatError, textHeartbeat && m_heartbeatPayload->text().isEmpty()
                                 ? tr("Enter the text to send as heartbeat, e.g. HeartBeat")
                                 : QString());
    updateHeartbeatWarning(config);
    const QString intervalReason = intervalProblem();
    report(m_intervalError, intervalReason);
    QString timeoutReason = timeoutProblem();
    if (timeoutReason.isEmpty() && intervalReason.isEmpty())
        timeoutReason = config.keepaliveProblem();
    report(m_timeoutError, timeoutReason);
    report(m_reconnectError, reconnectProblem());
    updateDeadLinkHint(config, intervalReason.isEmpty() && timeoutReason.isEmpty());

    // Whatever the fields above do not cover (a missing CA file, ...), in the words of the core.
    report(m_generalError, valid ? config.validationError() : QString());

    m_valid = valid;
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(valid);
    m_testButton->setEnabled(valid);
    growToFit();
}

void SubscriptionEditor::updateTokenField(const SubscriptionConfig &config)
{
    const bool gotify = config.protocol == QLatin1String("gotify");
    m_token->setPlaceholderText(gotify ? tr("Required") : tr("Optional"));
}

void SubscriptionEditor::updateHeartbeatWarning(const SubscriptionConfig &config)
{
    // Allowed (a proxy in front may answer), but ntfy itself does not echo text, so the link
    // lives only on its 45 s keepalives.
    const bool warn = config.protocol == QLatin1String("ntfy") &&
                      config.connection.heartbeat.kind == HeartbeatMode::Kind::Text;
    m_heartbeatWarning->setText(
        warn ? tr("ntfy does not answer text messages: only its keepalive (every %1) proves the "
                  "link alive, so a timeout shorter than that drops a healthy link. Ping frames "
                  "are the better choice.")
                   .arg(describeDuration(ConnectionConfig::ntfyKeepalive))
             : QString());
    m_heartbeatWarning->setVisible(warn);
}

// Errors and hints appear under the fields and may wrap: the dialog grows with them instead of
// squeezing the rows into each other (its layout only asks for a minimum width).
void SubscriptionEditor::growToFit()
{
    m_fitTimer.start(); // once per batch of changes, not for every label touched
}

void SubscriptionEditor::fitToContents()
{
    if (!isVisible())
        return; // shown at its size hint, which counts them already
    // A label's new size climbs to this layout one widget level per LayoutRequest round (label →
    // its field's box → the form), each round caching the old heights until it is through.
    for (int level = 0; level < 3; ++level)
        QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
    const int needed = layout()->hasHeightForWidth() ? layout()->totalHeightForWidth(width())
                                                     : layout()->totalSizeHint().height();
    // Never past the screen's bottom: the window manager would not let OK be reached. Shrinks
    // back when the errors go, unless the user sized the window since.
    const int room = screen() ? screen()->availableGeometry().height() - 60 : needed;
    const int fitting = std::min(needed, std::max(room, minimumSizeHint().height()));
    if (fitting > height() || (height() == m_fittedHeight && fitting != height())) {
        resize(width(), fitting);
        m_fittedHeight = height();
    }
}

QString SubscriptionEditor::nameProblem(const QString &name) const
{
    // Empty only while the server names no host: the server field says what is missing.
    if (m_takenNames.contains(name))
        return tr("A subscription named “%1” already exists.").arg(name);
    return {};
}

QString SubscriptionEditor::serverProblem(const QString &text, const QUrl &server)
{
    Q_UNUSED(server)
    return SubscriptionConfig::serverUrlProblem(text);
}

QString SubscriptionEditor::tokenProblem(const SubscriptionConfig &config)
{
    if (config.protocol == QLatin1String("gotify") && config.token.isEmpty())
        return tr("Gotify needs a client token: make one on the Clients page of Gotify's web "
                  "interface.");
    return {};
}

QString SubscriptionEditor::topicsProblem(const SubscriptionConfig &config)
{
    if (config.protocol != QLatin1String("ntfy"))
        return {};
    for (const QString &topic : config.topics) {
        if (topic.contains(QLatin1Char(' ')))
            return tr("“%1” contains a space: separate topics with commas.")
                .arg(SubscriptionConfig::excerpt(topic));
        if (!SubscriptionConfig::isValidTopic(topic))
            return tr("Topic names may use letters, digits, - and _ (1–64 characters): “%1” "
                      "does not.")
                .arg(SubscriptionConfig::excerpt(topic));
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
    if (*interval < ConnectionConfig::shortestUserTiming ||
        *interval > ConnectionConfig::longestHeartbeatInterval)
        return tr("Heartbeat interval must be between %1 and %2.")
            .arg(describeDuration(ConnectionConfig::shortestUserTiming),
                 describeDuration(ConnectionConfig::longestHeartbeatInterval));
    return {};
}

QString SubscriptionEditor::timeoutProblem() const
{
    const auto timeout = parseDuration(m_timeout->text());
    if (!timeout)
        return tr("Heartbeat timeout: use a duration like 10s");
    if (*timeout < ConnectionConfig::shortestUserTiming ||
        *timeout > ConnectionConfig::longestHeartbeatTimeout)
        return tr("Heartbeat timeout must be between %1 and %2.")
            .arg(describeDuration(ConnectionConfig::shortestUserTiming),
                 describeDuration(ConnectionConfig::longestHeartbeatTimeout));
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
    if (*longest > ConnectionConfig::longestReconnectDelay)
        return tr("The longest reconnect delay must be at most %1.")
            .arg(describeDuration(ConnectionConfig::longestReconnectDelay));
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
    for (QLineEdit *edit : {m_user, m_password})
        watchField(edit);
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
    m_deadLinkHint->setText(
        tr("A silent, dead connection is noticed within %1.").arg(describeDuration(deadline)));
}

void SubscriptionEditor::testConnection()
{
    if (!m_valid)
        return;
    QString error;
    if (!m_probe->start(subscription(), &error, m_testTimeout)) {
        onConnectionTestFinished(false, error);
        return;
    }
    m_testedValues = formValues();
    m_testButton->setEnabled(false);
    showTestResult(tr("Connecting…"), false);
}

QStringList SubscriptionEditor::formValues() const
{
    QStringList values;
    for (const QLineEdit *edit : findChildren<QLineEdit *>())
        values << edit->text();
    for (const QComboBox *combo : findChildren<QComboBox *>())
        values << combo->currentData().toString();
    return values;
}

void SubscriptionEditor::cancelConnectionTest()
{
    m_probe->cancel();
    m_testedValues.clear();
    m_testResult->clear();
}

void SubscriptionEditor::onConnectionTestFinished(bool connected, const QString &reason)
{
    m_testButton->setEnabled(m_valid);
    showTestResult(connected ? tr("Connected.") : tr("Not connected: %1").arg(reason), !connected);
    emit connectionTestFinished(connected);
}

void SubscriptionEditor::showTestResult(const QString &text, bool failed)
{
    m_testResult->setText(text);
    QPalette colours = m_testResult->palette();
    colours.setColor(QPalette::WindowText,
                     failed ? ErrorLabel::errorColor() : palette().color(QPalette::WindowText));
    m_testResult->setPalette(colours);
    growToFit();
}

void SubscriptionEditor::done(int result)
{
    m_probe->cancel(); // a dialog gone leaves no connection behind
    QDialog::done(result);
}

} // namespace traybeat
