#pragma once

#include "backoffpolicy.h"
#include "connectionconfig.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QNetworkRequest>
#include <QObject>
#include <QRandomGenerator>
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
// and timeout signals fired. Permanent failures (401/403, refused TLS) stop in `Failed` instead
// of looping. Frames sent while offline wait in a bounded queue.
class ConnectionManager final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectionManager)
public:
    using RequestFactory = std::function<QNetworkRequest()>;

    explicit ConnectionManager(const ConnectionConfig &config = {}, QObject *parent = nullptr);
    ~ConnectionManager() override;

    const ConnectionConfig &config() const { return m_config; }
    // Takes effect at the next attempt (timers already running keep their interval).
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
    int queuedCount() const { return m_outgoing.size(); }

    // Seeds the jitter; tests use it for repeatable delays.
    void setRandomSeed(quint32 seed) { m_random.seed(seed); }

public slots:
    void start();
    void stop();
    // Skips the backoff wait (a user's "Reconnect now", the network came back, the machine
    // resumed). Also leaves `Failed`.
    void reconnectNow();
    // The layer above cannot use what this link delivers (its messages could not be stored):
    // treat the link as lost — abort, report `reason`, reconnect after the usual backoff.
    void dropLink(const QString &reason);
    // Sends now if connected, else queues (bounded: false when the queue is full).
    bool send(const QString &text);

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

    void proofOfLife();
    void linkLost(Failure failure, const QString &reason);
    void scheduleReconnect(std::chrono::milliseconds delay);
    void discardSocket();
    void stopTimers();
    void flushOutgoing();
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
    quint64 m_generation = 0; // bumped per attempt; late signals of older sockets are ignored
    bool m_running = false;
    ConnectionState m_state = ConnectionState::Disconnected;
    QString m_stateReason;

    QElapsedTimer m_heartbeatSentAt;
    QElapsedTimer m_connectedFor;
    std::optional<std::chrono::milliseconds> m_lastRoundTrip;
    QDateTime m_lastProofOfLife;
    QDateTime m_nextAttemptAt;
    QStringList m_outgoing;
    QRandomGenerator m_random;
};

} // namespace traybeat

Q_DECLARE_METATYPE(traybeat::ConnectionState)
