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
    HeartbeatMode heartbeat;
    std::chrono::milliseconds heartbeatInterval = 25s; // idle time before a heartbeat goes out
    std::chrono::milliseconds heartbeatTimeout = 10s;  // how long to wait for its answer
    std::chrono::milliseconds connectTimeout = 10s;    // per attempt, handshake included
    BackoffPolicy::Config backoff;                     // floor 1 s, cap 60 s, stable after 30 s
    // After a permanent failure (401/403, refused TLS) try again only this rarely: the user may
    // fix the token on the server side, but we must not hammer it.
    std::chrono::milliseconds permanentFailureRetry = 10min;
    int outgoingQueueLimit = 256; // send() while offline queues at most this many frames
    // Larger inbound messages close the link (QWebSocket: "too much data"). Far above what any
    // dialect accepts (64–256 KiB), so a legitimate stream never stalls on it.
    qint64 maximumIncomingMessageSize = 16 * 1024 * 1024;
    QString caFile;        // extra CA certificate(s), PEM
    bool insecure = false; // accept any TLS certificate (the user asked for it)
};

} // namespace traybeat
