#include "gotifyprotocol.h"

#include "logging.h"

#include <QJsonDocument>
#include <QNetworkReply>
#include <QPointer>
#include <QSet>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QUrlQuery>
#include <algorithm>

namespace traybeat {

namespace {
const QByteArray keyHeader = QByteArrayLiteral("X-Gotify-Key");

qint64 numericId(const Notification &notification)
{
    return notification.id.toLongLong();
}

// Gotify's error body is {"error":"Unauthorized","errorCode":401,"errorDescription":"…"}.
QString errorDescription(const QByteArray &body)
{
    const QJsonObject object = QJsonDocument::fromJson(body).object();
    QString text = object.value(QLatin1String("errorDescription"))
                       .toString(object.value(QLatin1String("error")).toString());
    return text.simplified().left(200); // server text: kept short, shown as plain text
}
} // namespace

GotifyProtocol::GotifyProtocol(const SubscriptionConfig &config, QObject *parent)
    : Protocol(config, parent), m_network(this)
{
    // The token travels in a header, which Qt copies onto a redirected request: never follow a
    // redirect to another origin.
    m_network.setRedirectPolicy(QNetworkRequest::SameOriginRedirectPolicy);
    m_sslConfiguration = QSslConfiguration::defaultConfiguration();
    if (!config.connection.caFile.isEmpty())
        m_sslConfiguration.addCaCertificates(QSslCertificate::fromPath(config.connection.caFile));
}

GotifyProtocol::~GotifyProtocol()
{
    discardReply();
}

QNetworkRequest GotifyProtocol::request(const QString &) const
{
    // The stream cannot resume; the cursor is used by the catch-up in handleConnected.
    QNetworkRequest request(webSocketUrl(QStringLiteral("/stream")));
    request.setRawHeader(keyHeader, config().token.toUtf8());
    return request;
}

int GotifyProtocol::mapPriority(int gotifyPriority)
{
    if (gotifyPriority <= 0)
        return 1;
    if (gotifyPriority <= 3)
        return 2;
    if (gotifyPriority <= 7)
        return 3;
    if (gotifyPriority <= 9)
        return 4;
    return 5;
}

// Gotify's extras that a desktop can use (as its Android app does): the click URL, markdown, and
// a big image, which becomes an image attachment.
void GotifyProtocol::readExtras(const QJsonObject &extras, Notification *notification)
{
    const QJsonObject display = extras.value(QLatin1String("client::display")).toObject();
    if (display.value(QLatin1String("contentType")).toString() == Notification::markdownType())
        notification->contentType = Notification::markdownType();
    const QJsonObject client = extras.value(QLatin1String("client::notification")).toObject();
    const QString click =
        client.value(QLatin1String("click")).toObject().value(QLatin1String("url")).toString();
    if (!click.isEmpty())
        notification->url = QUrl(click, QUrl::StrictMode);
    const QString image = client.value(QLatin1String("bigImageUrl")).toString();
    if (image.isEmpty())
        return;
    QString problem;
    const auto attachment =
        NotificationAttachment::fromJson({{QStringLiteral("url"), image}}, &problem);
    if (!attachment) {
        qCWarning(lcProtocol) << "gotify message" << notification->id << "-" << problem;
        return;
    }
    notification->attachment = *attachment;
    notification->attachment.type = QStringLiteral("image/*"); // gotify says it is an image
}

std::optional<Notification> GotifyProtocol::parseMessage(const QJsonObject &message,
                                                         QString *errorMessage)
{
    // toInteger gives the fallback for a fraction, a string or a number beyond 2^53.
    const qint64 id = message.value(QLatin1String("id")).toInteger(0);
    if (id <= 0) {
        if (errorMessage)
            *errorMessage = tr("a gotify message without a usable id; skipped");
        return std::nullopt;
    }
    Notification notification;
    notification.id = QString::number(id);
    if (const qint64 appId = message.value(QLatin1String("appid")).toInteger(0); appId > 0)
        notification.topic = QStringLiteral("app-%1").arg(appId);
    notification.title = message.value(QLatin1String("title")).toString();
    notification.body = message.value(QLatin1String("message")).toString();
    const QJsonValue priority = message.value(QLatin1String("priority"));
    notification.priority = priority.isDouble() ? mapPriority(priority.toInt()) : 3;
    readExtras(message.value(QLatin1String("extras")).toObject(), &notification);
    const QDateTime date =
        QDateTime::fromString(message.value(QLatin1String("date")).toString(), Qt::ISODateWithMs);
    notification.time = date.isValid() ? date.toUTC() : QDateTime::currentDateTimeUtc();
    return notification;
}

void GotifyProtocol::handleTextFrame(const QString &frame)
{
    const auto parsed = jsonObjectFrame(frame, maximumFrameSize, tr("a gotify message"));
    if (!parsed)
        return;
    QString problem;
    std::optional<Notification> notification = parseMessage(*parsed, &problem);
    if (!notification) {
        emit frameRejected(problem);
        return;
    }
    if (m_catchUp && m_catchUp->after) {
        m_held.append(std::move(*notification));
        if (m_held.size() > maximumHeld)
            failCatchUp(tr("more than %1 live messages arrived meanwhile").arg(maximumHeld));
    } else
        emit received({*notification});
}

void GotifyProtocol::handleConnected(const QString &cursor)
{
    bool numeric = false;
    const qint64 stored = cursor.toLongLong(&numeric);
    std::optional<qint64> after;
    if (numeric && stored >= 0)
        after = stored;
    else if (cursor.isEmpty())
        after = m_newestAtStart;
    else
        qCWarning(lcProtocol) << "the cursor is not a gotify message id; no catch-up from it";
    if (m_gapAfter)
        after = after ? std::min(*after, *m_gapAfter) : *m_gapAfter;
    if (!after && !cursor.isEmpty())
        return; // an unusable cursor and nothing known: live messages only
    startCatchUp(after);
}

QUrl GotifyProtocol::apiUrl(const QString &path) const
{
    QUrl url = config().server;
    const QString scheme = url.scheme().toLower();
    if (scheme == QLatin1String("ws"))
        url.setScheme(QStringLiteral("http"));
    else if (scheme == QLatin1String("wss"))
        url.setScheme(QStringLiteral("https"));
    QString base = url.path();
    if (base.endsWith(QLatin1Char('/')))
        base.chop(1);
    url.setPath(base + path);
    url.setQuery(QString());
    url.setFragment(QString());
    return url;
}

QNetworkRequest GotifyProtocol::apiRequest(const QUrl &url) const
{
    QNetworkRequest request(url);
    request.setRawHeader(keyHeader, config().token.toUtf8());
    request.setRawHeader("Accept", "application/json");
    // An inactivity limit, not a total one: a slow but moving page is fine.
    request.setTransferTimeout(int(config().connection.connectTimeout.count()));
    if (!config().connection.caFile.isEmpty())
        request.setSslConfiguration(m_sslConfiguration);
    return request;
}

void GotifyProtocol::startCatchUp(std::optional<qint64> after)
{
    // A catch-up still running belongs to a link that is gone: its pages are dropped, and
    // `after` already reaches back to where it started (m_gapAfter).
    discardReply();
    m_catchUp = CatchUp{++m_generation, after, std::nullopt, 0, {}};
    if (after)
        m_gapAfter = after;
    fetchPage(std::nullopt);
}

void GotifyProtocol::fetchPage(std::optional<qint64> before)
{
    m_catchUp->before = before;
    QUrlQuery query;
    // Without a cursor only the newest id is wanted.
    query.addQueryItem(QStringLiteral("limit"), QString::number(m_catchUp->after ? pageLimit : 1));
    if (before)
        query.addQueryItem(QStringLiteral("since"), QString::number(*before));
    QUrl url = apiUrl(QStringLiteral("/message"));
    url.setQuery(query);
    QNetworkReply *reply = m_network.get(apiRequest(url));
    m_reply = reply;
    const quint64 generation = m_catchUp->generation;
    connect(reply, &QNetworkReply::finished, this,
            [this, generation, reply] { onPageFinished(generation, reply); });
    connect(reply, &QNetworkReply::sslErrors, this, [this, reply](const QList<QSslError> &) {
        if (config().connection.insecure)
            reply->ignoreSslErrors();
    });
    connect(reply, &QNetworkReply::downloadProgress, this, [reply](qint64 received, qint64) {
        if (received > maximumPageBytes)
            reply->abort();
    });
}

void GotifyProtocol::onPageFinished(quint64 generation, QNetworkReply *reply)
{
    reply->deleteLater();
    if (reply == m_reply)
        m_reply = nullptr;
    if (!m_catchUp || generation != m_catchUp->generation)
        return;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (reply->error() != QNetworkReply::NoError || status != 200) {
        const QByteArray body = reply->isOpen() ? reply->readAll() : QByteArray();
        QString reason;
        const bool refused = status == 401 || status == 403;
        if (refused)
            reason = tr("the gotify server refused the client token (HTTP %1)").arg(status);
        else if (status != 0)
            reason = tr("the gotify server answered HTTP %1").arg(status);
        else if (reply->error() == QNetworkReply::OperationCanceledError)
            reason = tr("the answer was too large or too slow");
        else
            reason = reply->errorString();
        if (const QString description = errorDescription(body); !description.isEmpty())
            reason += QStringLiteral(": ") + description;
        failCatchUp(reason, refused ? Refusal::Permanent : Refusal::Temporary);
        return;
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(reply->readAll(), &parseError);
    if (!document.isObject()) {
        failCatchUp(tr("the message list is not a JSON object (%1)")
                        .arg(parseError.error == QJsonParseError::NoError
                                 ? tr("wrong type")
                                 : parseError.errorString()));
        return;
    }
    takePage(document.object());
}

void GotifyProtocol::takePage(const QJsonObject &page)
{
    const QJsonValue messagesValue = page.value(QLatin1String("messages"));
    if (!messagesValue.isArray()) {
        failCatchUp(tr("the answer holds no message list"));
        return;
    }
    const QJsonArray messages = messagesValue.toArray();
    std::optional<qint64> oldest;
    collect(messages, &oldest);
    if (!m_catchUp->after) {
        // A new subscription: remember where "now" was; an empty server is at 0.
        m_newestAtStart =
            m_catchUp->collected.isEmpty() ? 0 : numericId(m_catchUp->collected.first());
        m_catchUp->collected.clear();
        finishCatchUp();
        return;
    }
    const QJsonObject paging = page.value(QLatin1String("paging")).toObject();
    const bool serverHasMore =
        !paging.value(QLatin1String("next")).toString().isEmpty() || messages.size() >= pageLimit;
    if (!oldest || *oldest <= *m_catchUp->after || !serverHasMore) {
        finishCatchUp();
        return;
    }
    if (m_catchUp->before && *oldest >= *m_catchUp->before) {
        failCatchUp(
            tr("the server ignored the paging position (since=%1)").arg(*m_catchUp->before));
        return;
    }
    if (++m_catchUp->pages >= maximumPages) {
        // Not worth another try from the same point: the gap is accepted, and said.
        emit frameRejected(tr("more than %1 messages missed while offline; the older ones are "
                              "skipped")
                               .arg(maximumPages * pageLimit));
        finishCatchUp();
        return;
    }
    fetchPage(*oldest);
}

void GotifyProtocol::collect(const QJsonArray &messages, std::optional<qint64> *oldest)
{
    int unusable = 0;
    for (const QJsonValue &value : messages) {
        std::optional<Notification> notification = parseMessage(value.toObject(), nullptr);
        if (!notification) {
            ++unusable;
            continue;
        }
        const qint64 id = numericId(*notification);
        *oldest = *oldest ? std::min(**oldest, id) : id;
        // Without a cursor every message counts, to find the newest.
        if (!m_catchUp->after || id > *m_catchUp->after)
            m_catchUp->collected.append(std::move(*notification));
    }
    if (unusable > 0)
        emit frameRejected(tr("%n gotify message(s) without a usable id skipped while catching up",
                              nullptr, unusable));
}

void GotifyProtocol::finishCatchUp()
{
    NotificationList caughtUp = std::move(m_catchUp->collected);
    m_catchUp.reset();
    m_gapAfter.reset();
    release(std::move(caughtUp));
}

void GotifyProtocol::failCatchUp(const QString &reason, Refusal refusal)
{
    // Nothing is released: a live message would move the store's cursor past the gap, and a
    // restart would then never fetch the gap again. Instead the link is given up; the next
    // connect (after the usual backoff) catches up again from the unchanged cursor.
    discardReply();
    m_catchUp.reset();
    m_held.clear();
    const QString message = tr("catching up on missed gotify messages failed: %1").arg(reason);
    const QPointer<GotifyProtocol> alive(this);
    emit frameRejected(message);
    if (!alive)
        return; // a slot deleted us (and the subscription around us)
    if (refusal == Refusal::Permanent)
        emit resumeRefused(message);
    else
        emit resumeFailed(message);
}

void GotifyProtocol::release(NotificationList caughtUp)
{
    // Oldest first, then the live ones held meanwhile, so the store's cursor ends on the newest.
    std::sort(caughtUp.begin(), caughtUp.end(), [](const Notification &a, const Notification &b) {
        return numericId(a) < numericId(b);
    });
    QSet<QString> ids;
    for (const Notification &notification : std::as_const(caughtUp))
        ids.insert(notification.id);
    for (Notification &notification : m_held) {
        if (!ids.contains(notification.id))
            caughtUp.append(std::move(notification));
    }
    m_held.clear();
    if (!caughtUp.isEmpty())
        emit received(caughtUp);
}

void GotifyProtocol::discardReply()
{
    if (!m_reply)
        return;
    QNetworkReply *reply = std::exchange(m_reply, nullptr);
    disconnect(reply, nullptr, this, nullptr);
    reply->abort();
    reply->deleteLater();
}

} // namespace traybeat
