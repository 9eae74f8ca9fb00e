#pragma once

#include "heartbeatmode.h"
#include "notification.h"
#include "subscriptionconfig.h"

#include <QJsonObject>
#include <QNetworkRequest>
#include <QObject>
#include <memory>
#include <optional>

namespace traybeat {

// A dialect: turns a subscription into the WebSocket request for the next attempt (with its
// resume cursor) and inbound frames into Notifications. One subclass per server family
// (text, ntfy, gotify); `create` picks it by name. A malformed frame is reported and skipped,
// never fatal.
class Protocol : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Protocol)
public:
    static std::unique_ptr<Protocol> create(const SubscriptionConfig &config,
                                            QString *errorMessage = nullptr);
    ~Protocol() override;

    const SubscriptionConfig &config() const { return m_config; }

    // The cursor a brand-new subscription starts from, so that it sees messages from now on
    // (empty: the dialect cannot resume at all).
    virtual QString initialCursor() const { return {}; }
    // Whether the server can send again what came after a cursor. If not (the text dialect),
    // a message once received exists only in this process until it is stored.
    virtual bool canResume() const { return true; }
    // The request of the next connection attempt, resuming after `cursor` where the dialect can.
    virtual QNetworkRequest request(const QString &cursor) const = 0;
    // One inbound text frame; emits `received` / `frameRejected`.
    virtual void handleTextFrame(const QString &frame) = 0;
    // The link is up (again): a dialect that must catch up over HTTP starts that here.
    virtual void handleConnected(const QString &cursor) { Q_UNUSED(cursor) }

signals:
    void received(const traybeat::NotificationList &notifications);
    void frameRejected(const QString &reason);
    // Resuming after a (re)connect failed part way; the link must be given up and opened again
    // so that nothing between the cursor and the live stream is skipped.
    void resumeFailed(const QString &reason);
    // Resuming was refused for good (the server rejected the credentials on its catch-up API):
    // trying again soon would be refused the same way.
    void resumeRefused(const QString &reason);

protected:
    explicit Protocol(const SubscriptionConfig &config, QObject *parent = nullptr);
    // The server URL with its scheme turned to ws/wss and `path` appended to its path.
    QUrl webSocketUrl(const QString &path) const;
    // A frame that must be one JSON object of at most `maximumSize` characters. Anything else is
    // reported through frameRejected, naming the frame as `what` ("an ntfy event"), and skipped.
    std::optional<QJsonObject> jsonObjectFrame(const QString &frame, qsizetype maximumSize,
                                               const QString &what);
    // A request for `url` carrying the token as a bearer header (never in the URL).
    QNetworkRequest authorizedRequest(const QUrl &url) const;

private:
    SubscriptionConfig m_config;
};

} // namespace traybeat
