#include "pushserver.h"

#include "httpconnection.h"
#include "httprequest.h"
#include "logging.h"
#include "messagestore.h"
#include "ntfy.h"
#include "sincefilter.h"
#include "subscriber.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QNetworkRequest>
#include <QTcpSocket>
#include <QUrlQuery>
#include <QWebSocket>

namespace traybeat {

namespace {
// A batch is committed after the event-loop turn that read it, or as soon as it holds this many
// publishes, whichever comes first: bounded latency and memory under any load.
constexpr qsizetype MaxBatch = 2000;

QString jsonText(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

QString queryValue(const QUrlQuery &query, std::initializer_list<const char *> names)
{
    for (const char *name : names) {
        const QString key = QLatin1String(name);
        if (query.hasQueryItem(key))
            return query.queryItemValue(key, QUrl::FullyDecoded);
    }
    return {};
}

QString headerOrQuery(const HttpRequest &request, const QUrlQuery &query, const QByteArray &header,
                      std::initializer_list<const char *> names)
{
    const QByteArray value = request.header(header, "x-" + header);
    return value.isEmpty() ? queryValue(query, names) : QString::fromUtf8(value);
}

// Compares without an early exit, so response times do not reveal how much of a guess matched.
bool equalConstantTime(const QByteArray &a, const QByteArray &b)
{
    if (a.size() != b.size())
        return false;
    char difference = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        difference |= char(a[i] ^ b[i]);
    return difference == 0;
}

const QString topicRule = QStringLiteral("use 1-64 characters of A-Z, a-z, 0-9, _ and -");
} // namespace

PushServer::PushServer(const PushServerOptions &options, QObject *parent)
    : QObject(parent), m_options(options),
      m_webSocketServer(QStringLiteral("traybeat"), QWebSocketServer::NonSecureMode),
      m_store(std::make_unique<MessageStore>())
{
    m_webSocketServer.setMaxPendingConnections(1024);
    connect(&m_tcpServer, &QTcpServer::newConnection, this, &PushServer::acceptConnections);
    connect(&m_webSocketServer, &QWebSocketServer::newConnection, this,
            &PushServer::acceptWebSockets);
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(0);
    connect(&m_flushTimer, &QTimer::timeout, this, &PushServer::flushPending);
    // Pruning only reclaims space (expired rows are never served); a tenth of the cache
    // duration keeps the table near its cached size without deleting in tiny slices.
    const auto pruneInterval = std::clamp<std::chrono::milliseconds>(
        options.cache / 10, std::chrono::milliseconds(100), std::chrono::minutes(10));
    m_pruneTimer.setInterval(pruneInterval);
    connect(&m_pruneTimer, &QTimer::timeout, this, &PushServer::pruneExpired);
}

PushServer::~PushServer()
{
    // Whatever was read is committed and answered; then subscribers are told we are going.
    flushPending();
    const QList<Subscriber *> subscribers = m_subscribers;
    for (Subscriber *subscriber : subscribers) {
        subscriber->close();
        delete subscriber;
    }
    m_subscribers.clear();
    m_subscribersByTopic.clear();
    m_tcpServer.close();
    m_store->close();
}

bool PushServer::listen(QString *errorMessage)
{
    if (!m_store->isOpen() && !m_store->open(m_options.databasePath, errorMessage))
        return false;
    if (!m_tcpServer.listen(m_options.address, m_options.port)) {
        if (errorMessage)
            *errorMessage = QStringLiteral("cannot listen on %1 port %2: %3")
                                .arg(m_options.address.toString())
                                .arg(m_options.port)
                                .arg(m_tcpServer.errorString());
        return false;
    }
    pruneExpired();
    m_pruneTimer.start();
    return true;
}

bool PushServer::isListening() const
{
    return m_tcpServer.isListening();
}

quint16 PushServer::port() const
{
    return m_tcpServer.serverPort();
}

QUrl PushServer::url() const
{
    QHostAddress address =
        m_tcpServer.isListening() ? m_tcpServer.serverAddress() : m_options.address;
    if (address == QHostAddress::Any || address == QHostAddress::AnyIPv4)
        address = QHostAddress(QHostAddress::LocalHost);
    else if (address == QHostAddress::AnyIPv6)
        address = QHostAddress(QHostAddress::LocalHostIPv6);
    QUrl url;
    url.setScheme(QStringLiteral("http"));
    url.setHost(address.toString());
    url.setPort(port());
    return url;
}

int PushServer::subscriberCount() const
{
    return int(m_subscribers.size());
}

qint64 PushServer::cacheHorizonMs() const
{
    return QDateTime::currentMSecsSinceEpoch() - m_options.cache.count();
}

bool PushServer::isAuthorized(const QByteArray &authorizationHeader) const
{
    if (m_options.token.isEmpty())
        return true;
    static const QByteArray scheme = QByteArrayLiteral("bearer ");
    if (authorizationHeader.size() <= scheme.size() ||
        authorizationHeader.left(scheme.size()).toLower() != scheme)
        return false;
    return equalConstantTime(authorizationHeader.mid(scheme.size()).trimmed(),
                             m_options.token.toUtf8());
}

void PushServer::acceptConnections()
{
    while (QTcpSocket *socket = m_tcpServer.nextPendingConnection()) {
        auto *connection = new HttpConnection(socket, m_options.messageSizeLimit, this);
        connect(connection, &HttpConnection::requestReceived, this, &PushServer::handleRequest);
        connection->start();
    }
}

void PushServer::respondError(HttpConnection *connection, quint64 number, const Error &error)
{
    connection->respond(number, error.httpStatus,
                        ntfy::errorBody(error.httpStatus, error.code, error.text));
}

void PushServer::handleRequest(HttpConnection *connection, quint64 number,
                               const HttpRequest &request)
{
    const QByteArray &path = request.path;
    if (path == "/v1/health") {
        // Unauthenticated on purpose, as in ntfy: it tells nothing but "up".
        connection->respond(number, 200, QByteArrayLiteral("{\"healthy\":true}\n"));
        return;
    }
    if (!isAuthorized(request.header("authorization"))) {
        respondError(connection, number,
                     {401, 40101, QStringLiteral("unauthorized: missing or wrong bearer token")});
        return;
    }
    const QList<QByteArray> segments = path.mid(1).split('/');
    const bool isPublish = request.method == "POST" || request.method == "PUT";
    if (segments.size() == 1 && !segments[0].isEmpty() && isPublish) {
        handlePublish(connection, number, request, QString::fromUtf8(segments[0]));
        return;
    }
    if (segments.size() == 2 && request.method == "GET") {
        if (segments[1] == "ws") {
            handleSubscribe(connection, number, request, QString::fromUtf8(segments[0]));
            return;
        }
        if (segments[1] == "json") {
            handlePoll(connection, number, request, QString::fromUtf8(segments[0]));
            return;
        }
    }
    if (segments.size() == 1 && !segments[0].isEmpty()) {
        respondError(connection, number,
                     {405, 40501, QStringLiteral("method not allowed: publish with POST or PUT")});
        return;
    }
    respondError(connection, number, {404, 40401, QStringLiteral("page not found")});
}

std::optional<PushMessage> PushServer::makeMessage(const QString &topic, const QString &body,
                                                   const QString &title, const QString &priority,
                                                   const QString &tags, const QString &click,
                                                   Error *error) const
{
    if (!ntfy::isValidTopic(topic)) {
        *error = {400, 40001,
                  QStringLiteral("invalid topic \"%1\": %2").arg(topic.left(80), topicRule)};
        return std::nullopt;
    }
    const auto parsedPriority = ntfy::parsePriority(priority);
    if (!parsedPriority) {
        *error = {
            400, 40002,
            QStringLiteral("invalid priority \"%1\": use 1-5 or min, low, default, high, urgent")
                .arg(priority.left(40))};
        return std::nullopt;
    }
    if (!click.isEmpty()) {
        const QUrl url(click, QUrl::StrictMode);
        if (!url.isValid() || url.scheme().isEmpty()) {
            *error = {400, 40004, QStringLiteral("invalid click URL")};
            return std::nullopt;
        }
    }
    if (body.toUtf8().size() > m_options.messageSizeLimit) {
        *error = {413, 41301,
                  QStringLiteral("message too large: the limit is %1 bytes")
                      .arg(m_options.messageSizeLimit)};
        return std::nullopt;
    }
    PushMessage message;
    message.id = ntfy::newMessageId();
    message.timeMs = QDateTime::currentMSecsSinceEpoch();
    message.topic = topic;
    message.title = title;
    // An empty body is ntfy's "triggered" message, so that `curl -X POST /topic` still notifies.
    message.message = body.isEmpty() ? QStringLiteral("triggered") : body;
    message.priority = *parsedPriority;
    for (const QString &tag : tags.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const QString trimmed = tag.trimmed();
        if (!trimmed.isEmpty())
            message.tags.append(trimmed);
    }
    message.click = click;
    return message;
}

void PushServer::handlePublish(HttpConnection *connection, quint64 number,
                               const HttpRequest &request, const QString &topic)
{
    if (request.bodyTooLarge) {
        respondError(connection, number,
                     {413, 41301,
                      QStringLiteral("message too large: the limit is %1 bytes")
                          .arg(m_options.messageSizeLimit)});
        return;
    }
    const QUrlQuery query(QString::fromUtf8(request.query));
    Error error{};
    auto message = makeMessage(topic, QString::fromUtf8(request.body),
                               headerOrQuery(request, query, "title", {"title", "t"}),
                               headerOrQuery(request, query, "priority", {"priority", "prio", "p"}),
                               headerOrQuery(request, query, "tags", {"tags", "tag", "ta"}),
                               headerOrQuery(request, query, "click", {"click"}), &error);
    if (!message) {
        respondError(connection, number, error);
        return;
    }
    enqueue({std::move(*message), connection, number});
}

void PushServer::handlePoll(HttpConnection *connection, quint64 number, const HttpRequest &request,
                            const QString &topics)
{
    const auto topicList = ntfy::parseTopicList(topics);
    if (!topicList) {
        respondError(connection, number,
                     {400, 40001, QStringLiteral("invalid topic list: %1").arg(topicRule)});
        return;
    }
    const QUrlQuery query(QString::fromUtf8(request.query));
    const QString poll = query.queryItemValue(QStringLiteral("poll"));
    if (poll != QLatin1String("1") && poll != QLatin1String("true")) {
        respondError(connection, number,
                     {400, 40005,
                      QStringLiteral("only poll=1 is supported on /json; "
                                     "subscribe to live messages on /ws")});
        return;
    }
    QString sinceText = query.queryItemValue(QStringLiteral("since"), QUrl::FullyDecoded);
    if (sinceText.isEmpty())
        sinceText = QStringLiteral("all"); // as ntfy: a poll without since means everything cached
    const auto since = SinceFilter::parse(sinceText, QDateTime::currentMSecsSinceEpoch());
    if (!since) {
        respondError(connection, number,
                     {400, 40003,
                      QStringLiteral("invalid since: use all, a message id, "
                                     "a unix time or a duration like 10m")});
        return;
    }
    // Publishes read before this poll (possibly pipelined on the same connection) are committed
    // first, so that a client reads its own writes.
    flushPending();
    QByteArray body;
    const QList<PushMessage> messages = m_store->messages(*topicList, *since, cacheHorizonMs());
    for (const PushMessage &message : messages) {
        body += QJsonDocument(message.toJson()).toJson(QJsonDocument::Compact);
        body += '\n';
    }
    connection->respond(number, 200, body,
                        QByteArrayLiteral("application/x-ndjson; charset=utf-8"));
}

void PushServer::handleSubscribe(HttpConnection *connection, quint64 number,
                                 const HttpRequest &request, const QString &topics)
{
    if (!ntfy::parseTopicList(topics)) {
        respondError(connection, number,
                     {400, 40001, QStringLiteral("invalid topic list: %1").arg(topicRule)});
        return;
    }
    const QUrlQuery query(QString::fromUtf8(request.query));
    if (!SinceFilter::parse(query.queryItemValue(QStringLiteral("since"), QUrl::FullyDecoded), 0)) {
        respondError(connection, number,
                     {400, 40003,
                      QStringLiteral("invalid since: use all, a message id, "
                                     "a unix time or a duration like 10m")});
        return;
    }
    if (!request.isWebSocketUpgrade) {
        respondError(connection, number,
                     {400, 40006, QStringLiteral("expected a WebSocket upgrade")});
        return;
    }
    QTcpSocket *transport = connection->upgrade(number, &m_webSocketServer);
    if (!transport)
        return;
    m_upgrading.append(transport);
    // A handshake that never completes leaves the socket with the WebSocket server: free it
    // when it closes, unless a Subscriber has adopted it by then (see acceptWebSockets).
    connect(transport, &QTcpSocket::disconnected, this, [this, transport] {
        if (transport->parent() == &m_webSocketServer) {
            m_upgrading.removeAll(transport);
            transport->deleteLater();
        }
    });
}

QTcpSocket *PushServer::takeUpgradedTransport(const QWebSocket *socket)
{
    QTcpSocket *found = nullptr;
    for (auto it = m_upgrading.begin(); it != m_upgrading.end();) {
        QTcpSocket *candidate = *it;
        if (candidate && !found && candidate->peerPort() == socket->peerPort() &&
            candidate->peerAddress() == socket->peerAddress()) {
            found = candidate;
        }
        it = (!candidate || candidate == found) ? m_upgrading.erase(it) : it + 1;
    }
    if (found)
        disconnect(found, &QTcpSocket::disconnected, this, nullptr);
    else
        qCWarning(lcServer) << "no TCP socket found for an accepted WebSocket";
    return found;
}

void PushServer::acceptWebSockets()
{
    while (QWebSocket *socket = m_webSocketServer.nextPendingConnection()) {
        const QUrl url = socket->requestUrl();
        const QString path = url.path();
        const auto topics = path.endsWith(QLatin1String("/ws"))
                                ? ntfy::parseTopicList(QStringView(path).mid(1, path.size() - 4))
                                : std::nullopt;
        const auto since = SinceFilter::parse(
            QUrlQuery(url).queryItemValue(QStringLiteral("since"), QUrl::FullyDecoded),
            QDateTime::currentMSecsSinceEpoch());
        // Checked before the upgrade already; checked again because a socket that reached this
        // point without passing handleSubscribe must not get any data.
        if (!topics || !since || !isAuthorized(socket->request().rawHeader("Authorization"))) {
            qCWarning(lcServer) << "dropping a WebSocket that was not admitted by its HTTP request";
            QTcpSocket *transport = takeUpgradedTransport(socket);
            socket->abort();
            // Deferred deletes run in posting order: the WebSocket goes before its TCP socket.
            socket->deleteLater();
            if (transport)
                transport->deleteLater();
            continue;
        }
        QTcpSocket *transport = takeUpgradedTransport(socket);
        auto *subscriber = new Subscriber(socket, transport, *topics, m_options.keepalive, this);
        connect(subscriber, &Subscriber::disconnected, this, &PushServer::removeSubscriber);
        subscriber->sendEvent(QStringLiteral("open"));
        const QList<PushMessage> cached = m_store->messages(*topics, *since, cacheHorizonMs());
        for (const PushMessage &message : cached)
            subscriber->send(jsonText(message.toJson()));
        m_subscribers.append(subscriber);
        for (const QString &topic : *topics)
            m_subscribersByTopic[topic].append(subscriber);
    }
}

void PushServer::removeSubscriber(Subscriber *subscriber)
{
    m_subscribers.removeOne(subscriber);
    for (const QString &topic : subscriber->topics()) {
        auto it = m_subscribersByTopic.find(topic);
        if (it == m_subscribersByTopic.end())
            continue;
        it->removeOne(subscriber);
        if (it->isEmpty())
            m_subscribersByTopic.erase(it);
    }
    subscriber->deleteLater();
}

std::optional<QJsonObject> PushServer::publish(const QString &topic, const QString &message,
                                               const QString &title, int priority,
                                               const QStringList &tags, const QUrl &click,
                                               QString *errorMessage)
{
    Error error{};
    auto stored =
        makeMessage(topic, message, title, QString::number(priority), tags.join(QLatin1Char(',')),
                    click.toString(QUrl::FullyEncoded), &error);
    if (stored && !m_store->isOpen())
        error = {503, 50301, QStringLiteral("server is not listening")};
    if (!stored || !m_store->isOpen()) {
        if (errorMessage)
            *errorMessage = error.text;
        return std::nullopt;
    }
    const QJsonObject json = stored->toJson();
    enqueue({std::move(*stored), nullptr, 0});
    if (!flushPending()) {
        if (errorMessage)
            *errorMessage = QStringLiteral("cannot store the message");
        return std::nullopt;
    }
    return json;
}

void PushServer::enqueue(PendingPublish publish)
{
    m_pending.append(std::move(publish));
    if (m_pending.size() >= MaxBatch)
        flushPending();
    else if (!m_flushTimer.isActive())
        m_flushTimer.start();
}

bool PushServer::flushPending()
{
    m_flushTimer.stop();
    if (m_pending.isEmpty())
        return true;
    const QList<PendingPublish> batch = std::exchange(m_pending, {});
    QList<PushMessage> messages;
    messages.reserve(batch.size());
    for (const PendingPublish &publish : batch)
        messages.append(publish.message);
    QString error;
    if (!m_store->insert(messages, &error)) {
        qCWarning(lcServer) << "cannot store" << messages.size() << "messages:" << error;
        for (const PendingPublish &publish : batch) {
            if (publish.connection)
                respondError(publish.connection, publish.requestNumber,
                             {500, 50001, QStringLiteral("cannot store the message")});
        }
        return false;
    }
    // Durable now: answer the publishers, then tell the subscribers, in publish order.
    for (const PendingPublish &publish : batch) {
        const QJsonObject json = publish.message.toJson();
        const QByteArray bytes = QJsonDocument(json).toJson(QJsonDocument::Compact);
        if (publish.connection)
            publish.connection->respond(publish.requestNumber, 200, bytes + '\n');
        fanOut(publish.message, json, QString::fromUtf8(bytes));
    }
    return true;
}

void PushServer::fanOut(const PushMessage &message, const QJsonObject &json, const QString &text)
{
    const auto it = m_subscribersByTopic.constFind(message.topic);
    if (it != m_subscribersByTopic.constEnd()) {
        for (Subscriber *subscriber : *it)
            subscriber->send(text);
    }
    emit published(json);
}

void PushServer::pruneExpired()
{
    const int removed = m_store->prune(cacheHorizonMs());
    if (removed > 0)
        qCDebug(lcServer) << "pruned" << removed << "expired messages";
}

} // namespace traybeat
