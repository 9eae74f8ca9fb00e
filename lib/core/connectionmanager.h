#pragma once

#include "backoffpolicy.h"
#include "connectionconfig.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QNetworkRequest>
#include <QObject>
#include <QPointer>
#include <QRandomGenerator>
#include <QSslCertificate>
#include <QSslError>
#include <QStringList>
#include <QTimer>
#include <functional>
#include <memory>
#include <optional>

class QWebSocket;

namespace traybeat {

enum class ConnectionState { Disconnected, Connecting, Connected, Reconnecting, Failed };
QString connectionStateName(ConnectionState state);

// Owns one subscription's WebSocket link and keeps it honest: proves liveness with a heartbeat,
// aborts a link that stopped answering (a half-open link never sends a close), and reconnects
// with jittered backoff — exactly one reconnect in flight, whatever mix of error, disconnect
// and timeout signals fired. Permanent failures (401/403, refused TLS, a policy close) stop in
// `Failed` instead of looping: one quiet try every `permanentFailureRetry` (10 min), which
// passes through `Connecting` and lands in `Failed` again unless the cause went away.
//
// Re-entrancy: state, reason and timers are settled before any signal goes out, and after
// every emit the manager checks that the slot did not stop, reconnect, drop or delete it before
// touching anything again. `stateChanged` reports a change of the state or of its reason.
class ConnectionManager final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectionManager)
public:
    using RequestFactory = std::function<QNetworkRequest()>;

    explicit ConnectionManager(const ConnectionConfig &config = {}, QObject *parent = nullptr);
    ~ConnectionManager() override;

    const ConnectionConfig &config() const { return m_config; }
    // Takes effect at the next attempt (timers already running keep their interval). The CA
    // file is read here, once, not on every attempt.
    void setConfig(const ConnectionConfig &config);
    // Called before every attempt: the protocol builds the URL (with its resume cursor) and
    // headers there. Without one, the manager connects to `setUrl`'s URL.
    void setRequestFactory(RequestFactory factory);
    void setUrl(const QUrl &url);

    ConnectionState state() const { return m_state; }
    QString stateReason() const { return m_stateReason; }
    bool isConnected() const { return m_state == ConnectionState::Connected; }
    bool isRunning() const { return m_running; }
    // Round-trip time of the last answered heartbeat (ping mode and text mode).
    std::optional<std::chrono::milliseconds> lastRoundTrip() const { return m_lastRoundTrip; }
    // When the peer last proved it is alive (any inbound frame); invalid if never.
    QDateTime lastProofOfLife() const { return m_lastProofOfLife; }
    // When the pending reconnect fires; invalid if none is scheduled.
    QDateTime nextAttemptAt() const { return m_nextAttemptAt; }

    // Seeds the jitter; tests use it for repeatable delays.
    void setRandomSeed(quint32 seed) { m_random.seed(seed); }

public slots:
    void start();
    void stop();
    // Skips the backoff wait (a user's "Reconnect now"). Also leaves `Failed`.
    void reconnectNow();
    // The network came back or the machine woke: reconnect at once, but at most once per
    // `immediateReconnectSpacing`; inside that span the scheduled reconnect stands. Returns
    // whether it reconnected.
    bool reconnectSoon();
    // The layer above cannot use what this link delivers (its messages could not be stored, a
    // catch-up failed): treat the link as lost — abort, report `reason`, reconnect after the
    // usual backoff. Called while the next attempt is being prepared (from the request
    // factory), it cancels that attempt. False when there was nothing to drop (stopped, or
    // waiting for the next attempt): then nothing was reported, the caller must say it.
    bool dropLink(const QString &reason);
    // Like dropLink, but the layer above was refused for good (a side channel answered
    // 401/403): `Failed`, tried again only after `permanentFailureRetry`.
    bool failLink(const QString &reason);

signals:
    void stateChanged(traybeat::ConnectionState state, const QString &reason);
    void connected();
    void textMessageReceived(const QString &message);
    void binaryMessageReceived(const QByteArray &message);
    void heartbeatAnswered(std::chrono::milliseconds roundTrip);
    void reconnectScheduled(std::chrono::milliseconds delay);
    void errorOccurred(const QString &message);

private:
    enum class Failure { Temporary, Permanent };

    void openSocket();
    void onSocketConnected(quint64 generation);
    void onSocketDisconnected(quint64 generation);
    void onSocketError(quint64 generation);
    void onSocketSslErrors(quint64 generation, const QList<QSslError> &errors);
    void onTextFrame(quint64 generation, const QString &message);
    void onBinaryFrame(quint64 generation, const QByteArray &message);
    void onPong(quint64 generation, quint64 elapsed);
    void onHeartbeatDue();
    void onHeartbeatTimeout();
    void onConnectTimeout();
    void onReconnectDue();

    // Taken before an emit that user code can act on; `holds()` after it is false when a slot
    // deleted the manager or changed its course (stop, reconnectNow, a dropped link).
    class Course
    {
    public:
        explicit Course(const ConnectionManager *manager)
            : m_manager(manager), m_generation(manager->m_generation)
        {
        }
        bool holds() const { return m_manager && m_manager->m_generation == m_generation; }

    private:
        QPointer<const ConnectionManager> m_manager;
        quint64 m_generation;
    };

    void proofOfLife();
    bool dropAttempt(Failure failure, const QString &reason);
    void linkLost(Failure failure, const QString &reason);
    std::chrono::milliseconds armReconnect(Failure failure);
    void discardSocket();
    void stopTimers();
    // Settles state and reason; true when either changed and stateChanged is due.
    bool settleState(ConnectionState state, const QString &reason = {});
    void setState(ConnectionState state, const QString &reason = {});
    bool isCurrent(quint64 generation) const { return generation == m_generation; }
    Failure classify(const QString &errorString, QString *reason) const;

    ConnectionConfig m_config;
    BackoffPolicy m_backoff;
    RequestFactory m_requestFactory;
    QUrl m_url;

    // Members, but also children, so a test can check that none is left running after stop().
    QTimer m_heartbeatTimer;     // idle interval before a heartbeat goes out
    QTimer m_serverTimeoutTimer; // single shot: the heartbeat's answer is overdue
    QTimer m_connectTimer;       // single shot: the handshake hangs
    QTimer m_reconnectTimer;     // single shot: the one reconnect in flight

    std::unique_ptr<QWebSocket> m_socket;
    // Bumped per attempt and by every change of course (stop, reconnectNow, a lost link): late
    // signals of older sockets are ignored, and an emit's caller sees that a slot intervened.
    quint64 m_generation = 0;
    bool m_running = false;
    bool m_preparingAttempt = false;         // the request factory runs
    QList<QSslCertificate> m_caCertificates; // read from config().caFile once per setConfig
    ConnectionState m_state = ConnectionState::Disconnected;
    QString m_stateReason;

    QElapsedTimer m_heartbeatSentAt;
    QElapsedTimer m_connectedFor;
    std::optional<std::chrono::milliseconds> m_lastRoundTrip;
    QDateTime m_lastProofOfLife;
    QDateTime m_nextAttemptAt;
    QElapsedTimer m_lastImmediateReconnect;
    QRandomGenerator m_random;
};

} // namespace traybeat

Q_DECLARE_METATYPE(traybeat::ConnectionState)
