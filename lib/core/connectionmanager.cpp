#include "connectionmanager.h"

#include "logging.h"
#include "proxypolicy.h"

#include <QCoreApplication>
#include <QRegularExpression>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QWebSocket>

namespace traybeat {

using std::chrono::milliseconds;

namespace {

// Qt 6.4 reports a refused handshake only as text, built from this template of QWebSocket's and
// translated like any of its messages once Qt's translations are loaded ("Unbehandelter
// HTTP-Status-Code: 401" in German). The status is read with a pattern made from the template
// as it is translated now, and from the English one, so no language hides a 401.
const char handshakeContext[] = "QWebSocket";
const char handshakeTemplate[] =
    "QWebSocketPrivate::processHandshake: Unhandled http status code: %1 (%2).";

// "...code: %1 (%2)." → "...code:\ (?<status>\d{3})\ \(.*\)\." (%2 is the server's reason).
QRegularExpression patternOf(const QString &sentence)
{
    static const QRegularExpression placeholder(QStringLiteral("%([12])"));
    QString pattern;
    qsizetype literalStart = 0;
    for (auto it = placeholder.globalMatch(sentence); it.hasNext();) {
        const QRegularExpressionMatch match = it.next();
        pattern += QRegularExpression::escape(
            sentence.mid(literalStart, match.capturedStart() - literalStart));
        pattern += match.captured(1) == QLatin1String("1") ? QStringLiteral("(?<status>\\d{3})")
                                                           : QStringLiteral(".*");
        literalStart = match.capturedEnd();
    }
    pattern += QRegularExpression::escape(sentence.mid(literalStart));
    return QRegularExpression(pattern, QRegularExpression::DotMatchesEverythingOption);
}

std::optional<int> handshakeStatus(const QString &errorString)
{
    const QString translated = QCoreApplication::translate(handshakeContext, handshakeTemplate);
    for (const QString &sentence : {translated, QString::fromLatin1(handshakeTemplate)}) {
        const QRegularExpressionMatch match = patternOf(sentence).match(errorString);
        if (match.hasMatch() && match.lastCapturedIndex() >= 1)
            return match.captured(QStringLiteral("status")).toInt();
    }
    return std::nullopt;
}

QList<QSslCertificate> readCertificates(const QString &path)
{
    if (path.isEmpty())
        return {};
    const QList<QSslCertificate> certificates = QSslCertificate::fromPath(path);
    if (certificates.isEmpty())
        qCWarning(lcConnection).noquote() << "no certificate found in the CA file" << path;
    return certificates;
}

} // namespace

QString connectionStateName(ConnectionState state)
{
    switch (state) {
    case ConnectionState::Disconnected:
        return QStringLiteral("disconnected");
    case ConnectionState::Connecting:
        return QStringLiteral("connecting");
    case ConnectionState::Connected:
        return QStringLiteral("connected");
    case ConnectionState::Reconnecting:
        return QStringLiteral("reconnecting");
    case ConnectionState::Failed:
        return QStringLiteral("failed");
    }
    return {};
}

ConnectionManager::ConnectionManager(const ConnectionConfig &config, QObject *parent)
    : QObject(parent), m_config(config), m_backoff(config.backoff), m_heartbeatTimer(this),
      m_serverTimeoutTimer(this), m_connectTimer(this), m_reconnectTimer(this),
      m_random(QRandomGenerator::global()->generate())
{
    qRegisterMetaType<ConnectionState>();
    m_heartbeatTimer.setSingleShot(true);
    m_serverTimeoutTimer.setSingleShot(true);
    m_connectTimer.setSingleShot(true);
    m_reconnectTimer.setSingleShot(true);
    // Connected once, here: a retry path only (re)starts timers, so reconnects cannot pile up.
    connect(&m_heartbeatTimer, &QTimer::timeout, this, &ConnectionManager::onHeartbeatDue);
    connect(&m_serverTimeoutTimer, &QTimer::timeout, this, &ConnectionManager::onHeartbeatTimeout);
    connect(&m_connectTimer, &QTimer::timeout, this, &ConnectionManager::onConnectTimeout);
    connect(&m_reconnectTimer, &QTimer::timeout, this, &ConnectionManager::onReconnectDue);
    m_caCertificates = readCertificates(m_config.caFile);
}

ConnectionManager::~ConnectionManager()
{
    discardSocket();
}

void ConnectionManager::setConfig(const ConnectionConfig &config)
{
    m_config = config;
    m_backoff.setConfig(config.backoff);
    m_caCertificates = readCertificates(m_config.caFile);
}

void ConnectionManager::setRequestFactory(RequestFactory factory)
{
    m_requestFactory = std::move(factory);
}

void ConnectionManager::setUrl(const QUrl &url)
{
    m_url = url;
}

void ConnectionManager::start()
{
    if (m_running)
        return;
    m_running = true;
    m_backoff.reset();
    ++m_generation;
    const Course course(this);
    setState(ConnectionState::Connecting);
    if (course.holds())
        openSocket();
}

void ConnectionManager::stop()
{
    m_running = false;
    stopTimers();
    m_reconnectTimer.stop();
    m_nextAttemptAt = {};
    discardSocket();
    ++m_generation;
    setState(ConnectionState::Disconnected);
}

void ConnectionManager::reconnectNow()
{
    if (!m_running) {
        start();
        return;
    }
    if (m_state == ConnectionState::Connected)
        m_backoff.linkWasUp(milliseconds(m_connectedFor.elapsed()));
    m_reconnectTimer.stop();
    m_nextAttemptAt = {};
    stopTimers();
    discardSocket();
    ++m_generation;
    const Course course(this);
    if (m_state != ConnectionState::Connecting)
        setState(ConnectionState::Reconnecting, tr("reconnecting on request"));
    if (course.holds())
        openSocket();
}

bool ConnectionManager::reconnectSoon()
{
    if (!m_running)
        return false;
    if (m_lastImmediateReconnect.isValid() &&
        milliseconds(m_lastImmediateReconnect.elapsed()) < m_config.immediateReconnectSpacing) {
        qCDebug(lcConnection) << "an immediate reconnect happened just now; the backoff stands";
        return false;
    }
    m_lastImmediateReconnect.start();
    reconnectNow();
    return true;
}

bool ConnectionManager::dropLink(const QString &reason)
{
    return dropAttempt(Failure::Temporary, reason);
}

bool ConnectionManager::failLink(const QString &reason)
{
    return dropAttempt(Failure::Permanent, reason);
}

bool ConnectionManager::dropAttempt(Failure failure, const QString &reason)
{
    // Between attempts there is nothing to drop: the next attempt resumes from the cursor.
    if (!m_running || (!m_socket && !m_preparingAttempt))
        return false;
    linkLost(failure, reason);
    return true;
}

void ConnectionManager::openSocket()
{
    discardSocket();
    const quint64 generation = ++m_generation;
    // The factory runs the layer above (it flushes received messages to the store), which may
    // drop this attempt or stop the manager: then there is nothing to open.
    const QPointer<ConnectionManager> alive(this);
    m_preparingAttempt = true;
    const QNetworkRequest request = m_requestFactory ? m_requestFactory() : QNetworkRequest(m_url);
    if (!alive)
        return;
    m_preparingAttempt = false;
    if (!isCurrent(generation))
        return;

    m_socket = std::make_unique<QWebSocket>();
    QWebSocket *socket = m_socket.get();
    // The socket is new for every attempt, so these connections die with it; the generation
    // tag makes any signal that still arrives from an older socket a no-op.
    connect(socket, &QWebSocket::connected, this,
            [this, generation] { onSocketConnected(generation); });
    connect(socket, &QWebSocket::disconnected, this,
            [this, generation] { onSocketDisconnected(generation); });
    connect(socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this,
            [this, generation] { onSocketError(generation); });
    connect(socket, &QWebSocket::sslErrors, this,
            [this, generation](const QList<QSslError> &errors) {
                onSocketSslErrors(generation, errors);
            });
    connect(socket, &QWebSocket::textMessageReceived, this,
            [this, generation](const QString &message) { onTextFrame(generation, message); });
    connect(socket, &QWebSocket::binaryMessageReceived, this,
            [this, generation](const QByteArray &message) { onBinaryFrame(generation, message); });
    connect(
        socket, &QWebSocket::pong, this,
        [this, generation](quint64 elapsed, const QByteArray &) { onPong(generation, elapsed); });

    // Qt's default lets a peer make us buffer ~2 GiB for one message; the dialects reject far
    // smaller frames anyway, this only keeps a hostile server from exhausting memory.
    socket->setMaxAllowedIncomingMessageSize(quint64(m_config.maximumIncomingMessageSize));
    socket->setMaxAllowedIncomingFrameSize(quint64(m_config.maximumIncomingMessageSize));
    if (!m_config.caFile.isEmpty()) {
        QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
        ssl.addCaCertificates(m_caCertificates);
        socket->setSslConfiguration(ssl);
    }
    socket->setProxy(ProxyPolicy::forWebSocket(request.url()));
    qCDebug(lcConnection) << "connecting to" << redactedUrl(request.url());
    m_connectTimer.start(m_config.connectTimeout);
    socket->open(request);
}

void ConnectionManager::onSocketConnected(quint64 generation)
{
    if (!isCurrent(generation))
        return;
    m_connectTimer.stop();
    m_connectedFor.start();
    m_nextAttemptAt = {};
    proofOfLife();
    const Course course(this);
    setState(ConnectionState::Connected);
    if (course.holds())
        emit connected();
}

void ConnectionManager::onSocketDisconnected(quint64 generation)
{
    if (!isCurrent(generation))
        return;
    // A refused or reset connection may announce itself as "disconnected" before its error:
    // the error says more (and may be permanent), so let it speak.
    if (m_socket->error() != QAbstractSocket::UnknownSocketError) {
        onSocketError(generation);
        return;
    }
    const auto code = m_socket->closeCode();
    QString reason = m_socket->closeReason();
    if (reason.isEmpty())
        reason = tr("the server closed the connection (code %1)").arg(int(code));
    // A server that closes with "policy violation" tells us not to come back: honour it.
    const Failure failure = code == QWebSocketProtocol::CloseCodePolicyViolated
                                ? Failure::Permanent
                                : Failure::Temporary;
    linkLost(failure, reason);
}

void ConnectionManager::onSocketError(quint64 generation)
{
    if (!isCurrent(generation))
        return;
    QString reason;
    const Failure failure = classify(m_socket->errorString(), &reason);
    linkLost(failure, reason);
}

void ConnectionManager::onSocketSslErrors(quint64 generation, const QList<QSslError> &errors)
{
    if (!isCurrent(generation))
        return;
    if (m_config.insecure) {
        m_socket->ignoreSslErrors();
        return;
    }
    QStringList descriptions;
    for (const QSslError &error : errors)
        descriptions << error.errorString();
    // Not allowed by the user: permanent until the user changes the setting or the CA file.
    linkLost(Failure::Permanent, tr("TLS error: %1").arg(descriptions.join(QStringLiteral("; "))));
}

ConnectionManager::Failure ConnectionManager::classify(const QString &errorString,
                                                       QString *reason) const
{
    if (const std::optional<int> handshake = handshakeStatus(errorString)) {
        const int status = *handshake;
        if (status == 401 || status == 403) {
            *reason = status == 401 ? tr("the server refused the credentials (HTTP 401)")
                                    : tr("access forbidden by the server (HTTP 403)");
            return Failure::Permanent;
        }
        *reason = tr("the server answered HTTP %1").arg(status);
        return Failure::Temporary;
    }
    *reason = errorString;
    return Failure::Temporary;
}

void ConnectionManager::onTextFrame(quint64 generation, const QString &message)
{
    if (!isCurrent(generation))
        return;
    const bool heartbeatOutstanding = m_serverTimeoutTimer.isActive();
    proofOfLife();
    if (m_config.heartbeat.kind == HeartbeatMode::Kind::Text &&
        message == m_config.heartbeat.payload) {
        // The echo of our own heartbeat: proof of life, never a notification.
        if (heartbeatOutstanding) {
            m_lastRoundTrip = milliseconds(m_heartbeatSentAt.elapsed());
            emit heartbeatAnswered(*m_lastRoundTrip);
        }
        return;
    }
    emit textMessageReceived(message);
}

void ConnectionManager::onBinaryFrame(quint64 generation, const QByteArray &message)
{
    if (!isCurrent(generation))
        return;
    proofOfLife();
    emit binaryMessageReceived(message);
}

void ConnectionManager::onPong(quint64 generation, quint64 elapsed)
{
    if (!isCurrent(generation))
        return;
    proofOfLife();
    m_lastRoundTrip = milliseconds(elapsed);
    emit heartbeatAnswered(*m_lastRoundTrip);
}

void ConnectionManager::proofOfLife()
{
    m_lastProofOfLife = QDateTime::currentDateTimeUtc();
    m_serverTimeoutTimer.stop();
    m_heartbeatTimer.start(m_config.heartbeatInterval);
}

void ConnectionManager::onHeartbeatDue()
{
    if (!m_socket || m_state != ConnectionState::Connected)
        return;
    m_heartbeatSentAt.start();
    switch (m_config.heartbeat.kind) {
    case HeartbeatMode::Kind::Ping:
        m_socket->ping();
        break;
    case HeartbeatMode::Kind::Text:
        m_socket->sendTextMessage(m_config.heartbeat.payload);
        break;
    case HeartbeatMode::Kind::Passive:
        break; // the server's keepalive is due; give it `timeout` more
    }
    m_serverTimeoutTimer.start(m_config.heartbeatTimeout);
}

void ConnectionManager::onHeartbeatTimeout()
{
    const auto silence = m_lastProofOfLife.isValid()
                             ? m_lastProofOfLife.msecsTo(QDateTime::currentDateTimeUtc())
                             : 0;
    linkLost(Failure::Temporary, tr("no sign of life from the server for %1 ms").arg(silence));
}

void ConnectionManager::onConnectTimeout()
{
    linkLost(
        Failure::Temporary,
        tr("the connection was not established within %1 ms").arg(m_config.connectTimeout.count()));
}

void ConnectionManager::onReconnectDue()
{
    m_nextAttemptAt = {};
    if (!m_running)
        return;
    if (m_state == ConnectionState::Failed) {
        // The rare try after a permanent failure is an attempt like the first one: it shows as
        // `connecting`, and lands in `failed` again unless the cause went away.
        ++m_generation;
        const Course course(this);
        setState(ConnectionState::Connecting, tr("trying again: %1").arg(m_stateReason));
        if (!course.holds())
            return;
    }
    openSocket();
}

void ConnectionManager::linkLost(Failure failure, const QString &reason)
{
    if (!m_running)
        return;
    if (m_state == ConnectionState::Connected)
        m_backoff.linkWasUp(milliseconds(m_connectedFor.elapsed()));
    stopTimers();
    // Abort, not close: on a dead path the closing handshake can never complete.
    discardSocket();
    ++m_generation;
    qCDebug(lcConnection).noquote() << "link lost:" << reason;
    // Settled before anyone hears of it: state, reason and the one reconnect in flight.
    const bool reportState = settleState(
        failure == Failure::Permanent ? ConnectionState::Failed : ConnectionState::Reconnecting,
        reason);
    const std::optional<milliseconds> delay =
        m_reconnectTimer.isActive() ? std::nullopt : std::optional(armReconnect(failure));
    const Course course(this);
    emit errorOccurred(reason);
    if (!course.holds())
        return;
    if (reportState)
        emit stateChanged(m_state, m_stateReason);
    if (delay && course.holds())
        emit reconnectScheduled(*delay);
}

milliseconds ConnectionManager::armReconnect(Failure failure)
{
    const milliseconds delay = failure == Failure::Permanent
                                   ? m_config.permanentFailureRetry
                                   : m_backoff.nextDelay(m_random.generateDouble());
    m_nextAttemptAt = QDateTime::currentDateTimeUtc().addMSecs(delay.count());
    m_reconnectTimer.start(delay);
    qCDebug(lcConnection) << "reconnect in" << delay.count() << "ms";
    return delay;
}

void ConnectionManager::discardSocket()
{
    if (!m_socket)
        return;
    ++m_generation; // anything the old socket still emits is now stale
    QWebSocket *socket = m_socket.release();
    socket->disconnect(this);
    socket->abort();
    socket->deleteLater();
}

void ConnectionManager::stopTimers()
{
    m_heartbeatTimer.stop();
    m_serverTimeoutTimer.stop();
    m_connectTimer.stop();
}

bool ConnectionManager::settleState(ConnectionState state, const QString &reason)
{
    if (state == m_state && reason == m_stateReason)
        return false;
    m_state = state;
    m_stateReason = reason;
    return true;
}

void ConnectionManager::setState(ConnectionState state, const QString &reason)
{
    // A new reason alone is news too: the tooltip and `listen` must not show a stale one.
    if (settleState(state, reason))
        emit stateChanged(m_state, m_stateReason);
}

} // namespace traybeat
