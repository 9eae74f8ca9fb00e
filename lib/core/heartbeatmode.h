#pragma once

#include <QString>
#include <optional>

namespace traybeat {

// How liveness is proven on a link:
//  - Ping:    RFC 6455 ping frames; every conforming server answers them (the default).
//  - Text:    the origin's application heartbeat: send `payload` as a text frame; the server
//             echoes it, and the echo is swallowed (it never becomes a notification).
//  - Passive: send nothing; the server sends keepalives (ntfy: every 45 s). Silence longer
//             than interval + timeout means the link is dead, so passive has defaults of its
//             own above the keepalive (ConnectionConfig::setHeartbeat: 55 s + 20 s).
struct HeartbeatMode
{
    enum class Kind { Ping, Text, Passive };
    Kind kind = Kind::Ping;
    QString payload; // only for Kind::Text

    // "ping", "passive", "text:PAYLOAD" (PAYLOAD not empty). std::nullopt otherwise.
    static std::optional<HeartbeatMode> parse(const QString &text);
    QString toString() const;

    friend bool operator==(const HeartbeatMode &a, const HeartbeatMode &b)
    {
        return a.kind == b.kind && a.payload == b.payload;
    }
};

} // namespace traybeat
