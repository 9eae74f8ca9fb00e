#pragma once

#include "backoffpolicy.h"
#include "heartbeatmode.h"

#include <QString>
#include <chrono>

namespace traybeat {

using namespace std::chrono_literals;

// Every timing and limit of one link. The defaults are the product's (docs/design.md,
// "Defaults"): a dead link is known within 25 s + 10 s = 35 s, under the 60 s idle timeout of
// common reverse proxies. Tests set them to tens of milliseconds.
struct ConnectionConfig
{
    // ntfy, and `traybeat serve` by default, send a keepalive every 45 s on a quiet link.
    static constexpr std::chrono::milliseconds ntfyKeepalive = 45s;
    // A passive link waits for those keepalives instead of asking, so its silence limit must
    // outlast one keepalive period with room to spare: 55 s + 20 s = 75 s lets a keepalive be
    // 30 s late (a busy server, a slow proxy) before the link is called dead, and still notices
    // a dead link before a second keepalive would have been missed (90 s).
    static constexpr std::chrono::milliseconds passiveHeartbeatInterval = 55s;
    static constexpr std::chrono::milliseconds passiveHeartbeatTimeout = 20s;

    // What the settings let a person choose (the command line and tests may go lower, for
    // speed): below a second is a storm of heartbeats, above these a dead link goes unnoticed
    // for longer than anyone would wait.
    static constexpr std::chrono::milliseconds shortestUserTiming = 1s;
    static constexpr std::chrono::milliseconds longestHeartbeatInterval = 1h;
    static constexpr std::chrono::milliseconds longestHeartbeatTimeout = 10min;
    static constexpr std::chrono::milliseconds longestReconnectDelay = 1h;

    // Sets the mode and that mode's default timings (passive: 55 s + 20 s; ping and text:
    // 25 s + 10 s).
    void setHeartbeat(const HeartbeatMode &mode)
    {
        const bool passive = mode.kind == HeartbeatMode::Kind::Passive;
        heartbeat = mode;
        heartbeatInterval = passive ? passiveHeartbeatInterval : std::chrono::milliseconds(25s);
        heartbeatTimeout = passive ? passiveHeartbeatTimeout : std::chrono::milliseconds(10s);
    }

    HeartbeatMode heartbeat;
    std::chrono::milliseconds heartbeatInterval = 25s; // idle time before a heartbeat goes out
    std::chrono::milliseconds heartbeatTimeout = 10s;  // how long to wait for its answer
    std::chrono::milliseconds connectTimeout = 10s;    // per attempt, handshake included
    BackoffPolicy::Config backoff;                     // floor 1 s, cap 60 s, stable after 30 s
    // After a permanent failure (401/403, refused TLS) try again only this rarely: the user may
    // fix the token on the server side, but we must not hammer it.
    std::chrono::milliseconds permanentFailureRetry = 10min;
    // "The network is back" and "the machine woke up" skip the backoff wait at most once per
    // this span; further events inside it leave the scheduled reconnect alone, so a flapping
    // Wi-Fi cannot turn into a reconnect storm.
    std::chrono::milliseconds immediateReconnectSpacing = 5s;
    // Larger inbound messages close the link (QWebSocket: "too much data"). Far above what any
    // dialect accepts (64–256 KiB), so a legitimate stream never stalls on it.
    qint64 maximumIncomingMessageSize = 16 * 1024 * 1024;
    QString caFile;        // extra CA certificate(s), PEM
    bool insecure = false; // accept any TLS certificate (the user asked for it)
};

} // namespace traybeat
