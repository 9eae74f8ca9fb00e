#pragma once

#include "protocol.h"

namespace traybeat {

// The origin's protocol: every text frame is a notification. A frame holding a JSON object is
// read for its fields (title; message or body; id; priority; url or click); anything else is
// the body as is. The server offers no resume, so a message without an id gets one made from
// its content and arrival, and the cursor is only a marker. Heartbeat: `text:HeartBeat`.
class TextProtocol final : public Protocol
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TextProtocol)
public:
    explicit TextProtocol(const SubscriptionConfig &config, QObject *parent = nullptr);

    QNetworkRequest request(const QString &cursor) const override;
    bool canResume() const override { return false; }
    void handleTextFrame(const QString &frame) override;

    // Largest frame accepted as a notification; larger ones are rejected (not truncated).
    static constexpr qsizetype maximumFrameSize = 64 * 1024;

private:
    Notification parse(const QString &frame) const;
};

} // namespace traybeat
