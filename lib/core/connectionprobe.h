#pragma once

#include "connectionmanager.h"
#include "subscriptionconfig.h"

#include <QObject>
#include <QTimer>
#include <chrono>
#include <memory>

namespace traybeat {

class Protocol;

// Connects once with a subscription's settings, on the path a real Subscription takes (its
// dialect's request with the token or password headers, a ConnectionManager with its TLS and
// handshake checks), and reports whether the server let it in or why not. Never retries: the
// first answer, or `timeout`, ends it. Nothing received is kept.
class ConnectionProbe final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectionProbe)
public:
    static constexpr std::chrono::milliseconds defaultTimeout = std::chrono::seconds(10);

    explicit ConnectionProbe(QObject *parent = nullptr);
    ~ConnectionProbe() override;

    // False with `errorMessage` when the settings cannot make a request at all (nothing runs
    // then); otherwise `finished` follows, within `timeout`, unless cancelled first.
    bool start(const SubscriptionConfig &config, QString *errorMessage = nullptr,
               std::chrono::milliseconds timeout = defaultTimeout);
    // Stops without a word: `finished` does not come.
    void cancel();
    bool isRunning() const { return m_running; }

signals:
    // `reason` says why not (the connection core's words) when `connected` is false.
    void finished(bool connected, const QString &reason);

private:
    void onStateChanged(ConnectionState state, const QString &reason);
    void onTimeout();
    void finish(bool connected, QString reason);

    std::unique_ptr<Protocol> m_protocol;
    ConnectionManager m_connection;
    QTimer m_timeout; // single shot: the whole attempt, TLS and handshake included
    std::chrono::milliseconds m_timeoutInterval = defaultTimeout;
    bool m_running = false;
};

} // namespace traybeat
