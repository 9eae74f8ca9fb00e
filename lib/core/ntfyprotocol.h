#pragma once

#include "protocol.h"

namespace traybeat {

// ntfy's WebSocket API (and traybeat's own server, which speaks it): connects to
// `<server>/<topic,topic>/ws?since=<cursor>` and reads JSON events — `open` and `keepalive` are
// only proof of life, `message` becomes a Notification. The cursor is the last stored message
// id, or for a new subscription the unix time it was created, which ntfy's `since` also takes.
class NtfyProtocol final : public Protocol
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(NtfyProtocol)
public:
    explicit NtfyProtocol(const SubscriptionConfig &config, QObject *parent = nullptr);

    QString initialCursor() const override;
    QNetworkRequest request(const QString &cursor) const override;
    void handleTextFrame(const QString &frame) override;

    // ntfy caps messages at 4 KiB (plus attachments metadata); anything this large is not ntfy.
    static constexpr qsizetype maximumFrameSize = 256 * 1024;
};

} // namespace traybeat
