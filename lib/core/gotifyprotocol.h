#pragma once

#include "protocol.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QSslConfiguration>
#include <optional>

class QNetworkReply;

namespace traybeat {

// Gotify's client API: streams `<server>/stream` with the client token in `X-Gotify-Key`, and
// after every (re)connect catches up over HTTP (`GET /message`), because the stream itself
// cannot resume. Gotify's `since` pages backwards (ids below it), so the catch-up walks from
// the newest page down to the stored cursor. While it runs, live messages are held back and
// released after the caught-up ones: the store's cursor then never passes a message that has
// not arrived yet. A catch-up that fails releases nothing and asks for a new link
// (`resumeFailed`), so the next connect catches up again from the same cursor; one the server
// refuses (401/403: the stream took the token, the REST API does not) is permanent
// (`resumeRefused`), like a refused handshake.
class GotifyProtocol final : public Protocol
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GotifyProtocol)
public:
    explicit GotifyProtocol(const SubscriptionConfig &config, QObject *parent = nullptr);
    ~GotifyProtocol() override;

    QNetworkRequest request(const QString &cursor) const override;
    void handleTextFrame(const QString &frame) override;
    void handleConnected(const QString &cursor) override;

    // Gotify's 0–10 onto ntfy's 1–5 (0 min, 1–3 low, 4–7 default, 8–9 high, 10 urgent), the
    // bands gotify's own clients use for silent / quiet / normal / loud.
    static int mapPriority(int gotifyPriority);
    // One gotify message object; nullopt and a reason when it has no usable id.
    static std::optional<Notification> parseMessage(const QJsonObject &message,
                                                    QString *errorMessage);
    static void readExtras(const QJsonObject &extras, Notification *notification);
    // The HTTP URL of the API `path` (ws/wss given by the user turned back into http/https).
    QUrl apiUrl(const QString &path) const;

    // Same bound as ntfy: gotify messages are small, a frame this large is not one.
    static constexpr qsizetype maximumFrameSize = 256 * 1024;
    static constexpr int pageLimit = 100;
    // A catch-up stops after this many pages (5,000 messages) instead of paging forever.
    static constexpr int maximumPages = 50;
    // One page holds at most 100 messages of at most maximumFrameSize each; anything larger is
    // not gotify's answer.
    static constexpr qint64 maximumPageBytes = pageLimit * maximumFrameSize;
    // Live messages held back while a catch-up runs; beyond this the catch-up is given up (and
    // the link reopened) rather than letting a flood grow memory without bound.
    static constexpr int maximumHeld = 5000;

private:
    struct CatchUp
    {
        quint64 generation = 0;
        std::optional<qint64> after;  // nullopt: only learn the newest id (a new subscription)
        std::optional<qint64> before; // the `since` of the page in flight
        int pages = 0;
        NotificationList collected; // newest first, as gotify pages them
    };

    QNetworkRequest apiRequest(const QUrl &url) const;
    void startCatchUp(std::optional<qint64> after);
    void fetchPage(std::optional<qint64> before);
    void onPageFinished(quint64 generation, QNetworkReply *reply);
    void takePage(const QJsonObject &page);
    void collect(const QJsonArray &messages, std::optional<qint64> *oldest);
    void finishCatchUp();
    enum class Refusal { Temporary, Permanent };
    void failCatchUp(const QString &reason, Refusal refusal = Refusal::Temporary);
    void release(NotificationList caughtUp);
    void discardReply();

    QNetworkAccessManager m_network;
    QSslConfiguration m_sslConfiguration; // with the CA file's certificates, read once
    QNetworkReply *m_reply = nullptr;
    quint64 m_generation = 0;
    std::optional<CatchUp> m_catchUp;
    // Live messages that came while a catch-up ran; released after it.
    NotificationList m_held;
    // Messages after this id may be missing (a catch-up that failed or was cut short): the next
    // catch-up starts here even though the store's cursor has moved on.
    std::optional<qint64> m_gapAfter;
    // A new subscription has no cursor until its first message: the newest id the server had
    // when it first connected stands in for one, so a drop before that message loses nothing.
    std::optional<qint64> m_newestAtStart;
};

} // namespace traybeat
