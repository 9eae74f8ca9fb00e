#include "pushserver.h"

#include "httpconnection.h"
#include "httprequest.h"
#include "logging.h"
#include "messagestore.h"
#include "ntfy.h"
#include "sincefilter.h"
#include "subscriber.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QJsonDocument>
#include <QMetaMethod>
#include <QNetworkRequest>
#include <QRandomGenerator>
#include <QSqlDriver>
#include <QSqlError>
#include <QTcpSocket>
#include <QUrlQuery>
#include <QWebSocket>

#include <cerrno>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace traybeat {

namespace {
// A batch is committed after the event-loop turn that read it, or as soon as it holds this many
// publishes, whichever comes first: bounded latency and memory under any load.
constexpr qsizetype MaxBatch = 2000;
// Messages per database read of a poll or a catch-up: memory independent of the topic's size.
constexpr int PageSize = 200;
// Pending connections the kernel may queue before accept (it caps this at net.core.somaxconn).
constexpr int ListenBacklog = 1024;
// Descriptors kept back from the connection cap: SQLite's file, WAL and shared memory, the
// listening socket, the event loop's own, stdio, the signal pipe.
constexpr int ReservedDescriptors = 32;
// Subscribers closed for the budget are those at least this far behind.
constexpr qint64 BudgetVictimBacklog = 256 * 1024;
// Descriptors kept free for what the server opens besides sockets (SQLite's WAL and shared
// memory, a journal) when deciding to stop accepting.
constexpr int DescriptorMargin = 8;
// How long a refused connection may keep its descriptor while the refusal is read.
constexpr std::chrono::milliseconds RefusalLinger(200);

// The longest the delivery timer sleeps: a wall-clock change is noticed within this.
constexpr std::chrono::milliseconds MaxDeliveryWait = std::chrono::minutes(10);

QByteArray jsonBytes(const PushMessage &message)
{
    return message.toJsonBytes();
}

SubscriberLimits subscriberLimits(const PushServerOptions &options)
{
    return {options.keepalive, options.subscriberBacklogLimit, options.closeGrace};
}

AccessOptions accessOptions(const PushServerOptions &options)
{
    AccessOptions access = options.access;
    access.token = options.token;
    // A shared database holds the users and access too, so that every instance has the same.
    if (options.database && options.database->isPostgres())
        access.database = options.database;
    return access;
}

int descriptorLimit()
{
    rlimit limit = {};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
        return 1 << 20;
    return int(qMin<rlim_t>(limit.rlim_cur, 1 << 20));
}

int connectionCapFromDescriptorLimit()
{
    return qMax(1, descriptorLimit() - ReservedDescriptors);
}

int openDescriptorCount()
{
    const int count = int(QDir(QStringLiteral("/proc/self/fd"))
                              .entryList(QDir::NoDotAndDotDot | QDir::System)
                              .size());
    return count > 0 ? count : 16; // no /proc: a guess on the safe side
}

QByteArray refusal(int status, const QByteArray &reason)
{
    const QByteArray body = ntfy::errorBody(status, status * 100 + 1, QString::fromLatin1(reason));
    return "HTTP/1.1 " + QByteArray::number(status) +
           (status == 429 ? " Too Many Requests" : " Service Unavailable") +
           "\r\nContent-Type: application/json\r\nContent-Length: " +
           QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}
} // namespace

PushServer::PushServer(const PushServerOptions &options, QObject *parent)
    : QObject(parent), m_options(options), m_accessGuard(accessOptions(options)),
      m_webSocketServer(QStringLiteral("traybeat"), QWebSocketServer::NonSecureMode),
      m_store(std::make_unique<MessageStore>())
{
    m_webSocketServer.setMaxPendingConnections(1024);
    // A JSON publish wraps the message in its fields: twice the message limit, as ntfy allows.
    m_httpLimits.bodyLimit = 2 * options.messageSizeLimit;
    m_httpLimits.readTimeout = options.readTimeout;
    m_httpLimits.idleTimeout = options.idleTimeout;
    connect(&m_tcpServer, &QTcpServer::newConnection, this, &PushServer::acceptConnections);
    connect(&m_tcpServer, &QTcpServer::acceptError, this, &PushServer::handleAcceptError);
    // Out of descriptors, accepting pauses; a closing connection resumes it at once, this
    // timer if the descriptors were freed elsewhere (the database). The watchdog notices
    // running out when someone else took the last ones: Qt's accept loop treats EMFILE as a
    // temporary error, keeps the listening socket armed and would spin.
    m_resumeAcceptTimer.setSingleShot(true);
    m_resumeAcceptTimer.setInterval(std::chrono::seconds(1));
    connect(&m_resumeAcceptTimer, &QTimer::timeout, this, &PushServer::resumeAccepting);
    m_descriptorWatchdog.setInterval(std::chrono::seconds(1));
    connect(&m_descriptorWatchdog, &QTimer::timeout, this, [this] {
        if (!m_acceptPaused && !isDescriptorFree())
            pauseAccepting();
    });
    m_memoryTrimTimer.setSingleShot(true);
    m_memoryTrimTimer.setInterval(std::chrono::milliseconds(200));
    connect(&m_memoryTrimTimer, &QTimer::timeout, this, [] {
#ifdef __GLIBC__
        // Freed socket buffers are scattered through the heap; glibc keeps them unless asked.
        ::malloc_trim(0);
#endif
    });
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
    m_deliveryTimer.setSingleShot(true);
    m_deliveryTimer.setTimerType(Qt::PreciseTimer); // a coarse timer may be 5 % late
    connect(&m_deliveryTimer, &QTimer::timeout, this, &PushServer::deliverDue);
    m_wakeUpTimer.setSingleShot(true);
    m_wakeUpTimer.setInterval(0);
    connect(&m_wakeUpTimer, &QTimer::timeout, this, [this] {
        readNewMessages();
        if (m_wakeUpForScheduled)
            scheduleNextDelivery(); // another instance may have stored an earlier one
    });
    m_databaseCheckTimer.setInterval(options.databaseCheckInterval);
    connect(&m_databaseCheckTimer, &QTimer::timeout, this, &PushServer::checkDatabase);
    m_reconnectTimer.setSingleShot(true);
    connect(&m_reconnectTimer, &QTimer::timeout, this, &PushServer::reconnectDatabase);
    m_reconnectBackoff.setConfig(options.databaseBackoff);
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
    // Subscribers removed but not yet deleted still account their backlog here.
    qDeleteAll(findChildren<Subscriber *>(Qt::FindDirectChildrenOnly));
    m_tcpServer.close();
    m_store->close();
}

bool PushServer::listen(QString *errorMessage)
{
    if (!m_store->isOpen() && !openStore(errorMessage))
        return false;
    if (!m_accessGuard.open(errorMessage))
        return false;
    m_maxConnections = m_options.maxConnections > 0 ? m_options.maxConnections
                                                    : connectionCapFromDescriptorLimit();
    // Qt's default of 50 is too short for a load balancer, which opens its connections in a
    // burst: a SYN dropped from a full queue is retried by the sender's kernel only after 1 s.
    m_tcpServer.setListenBacklogSize(ListenBacklog);
    if (!m_tcpServer.listen(m_options.address, m_options.port)) {
        if (errorMessage)
            *errorMessage = tr("cannot listen on %1 port %2: %3")
                                .arg(m_options.address.toString())
                                .arg(m_options.port)
                                .arg(m_tcpServer.errorString());
        return false;
    }
    m_descriptorLimit = descriptorLimit();
    m_descriptorsInUse = openDescriptorCount();
    m_descriptorWatchdog.start();
    pruneExpired();
    m_pruneTimer.start();
    // Messages that came due while the server was down go out now, the others when due.
    scheduleNextDelivery();
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

int PushServer::connectionCount() const
{
    return m_connectionCount;
}

int PushServer::maxConnections() const
{
    return m_maxConnections;
}

qint64 PushServer::cacheHorizonMs() const
{
    return QDateTime::currentMSecsSinceEpoch() - m_options.cache.count();
}

void PushServer::acceptConnections()
{
    while (QTcpSocket *socket = m_tcpServer.nextPendingConnection()) {
        if (!admit(socket))
            continue;
        auto *connection = new HttpConnection(socket, m_httpLimits, this);
        connect(connection, &HttpConnection::requestReceived, this, &PushServer::handleRequest);
        connect(connection, &HttpConnection::streamWritable, this, &PushServer::continuePoll);
        connect(connection, &QObject::destroyed, this,
                [this, connection] { m_polls.remove(connection); });
        connection->start();
    }
}

bool PushServer::admit(QTcpSocket *socket)
{
    const QHostAddress address = socket->peerAddress();
    int &fromAddress = m_connectionsByAddress[address];
    const bool overTotal = m_connectionCount >= m_maxConnections || !hasDescriptorHeadroom();
    const bool overAddress = fromAddress >= m_options.maxConnectionsPerAddress;
    const bool admitted = !overTotal && !overAddress;
    ++m_openSockets;
    if (admitted) {
        ++fromAddress;
        ++m_connectionCount;
    } else if (fromAddress == 0) {
        m_connectionsByAddress.remove(address);
    }
    // Whoever owns the socket last (connection, WebSocket server, subscriber), its end is the
    // moment its descriptor is closed. A child object carries the signal: QWebSocket
    // disconnects everything connected to its TCP socket's own signals when it goes.
    auto *lifetime = new QObject(socket);
    connect(lifetime, &QObject::destroyed, this,
            [this, address, admitted] { release(address, admitted); });
    if (!hasDescriptorHeadroom())
        pauseAccepting();
    if (!admitted) {
        refuse(socket, overTotal ? refusal(503, "too many connections")
                                 : refusal(429, "too many connections from your address"));
    }
    return admitted;
}

void PushServer::refuse(QTcpSocket *socket, const QByteArray &answer)
{
    // Answered at once and gone shortly: the answer, our FIN, a brief drain of what the peer
    // already sent (closing on unread bytes would reset the connection and could destroy the
    // answer before the peer reads it), then the descriptor is freed.
    socket->setParent(this);
    socket->setReadBufferSize(4096);
    socket->write(answer);
    socket->flush();
    ::shutdown(int(socket->socketDescriptor()), SHUT_WR);
    connect(socket, &QTcpSocket::readyRead, socket, [socket] { socket->skip(4096); });
    connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    QTimer::singleShot(RefusalLinger, socket, &QTcpSocket::abort);
}

void PushServer::release(const QHostAddress &address, bool admitted)
{
    --m_openSockets;
    if (admitted) {
        --m_connectionCount;
        auto it = m_connectionsByAddress.find(address);
        if (it != m_connectionsByAddress.end() && --*it <= 0)
            m_connectionsByAddress.erase(it);
    }
    if (m_acceptPaused && hasDescriptorHeadroom())
        resumeAccepting();
    if (m_connectionCount == 0 || m_connectionCount % 256 == 0)
        scheduleMemoryTrim();
}

bool PushServer::hasDescriptorHeadroom() const
{
    return m_descriptorsInUse + m_openSockets + DescriptorMargin < m_descriptorLimit;
}

bool PushServer::isDescriptorFree()
{
    const int probe = ::fcntl(0, F_DUPFD_CLOEXEC, 0);
    if (probe < 0)
        return errno != EMFILE && errno != ENFILE;
    ::close(probe);
    return true;
}

void PushServer::pauseAccepting()
{
    if (!m_acceptPaused)
        qCWarning(lcServer) << "out of descriptors:" << m_openSockets
                            << "sockets open; new connections wait until one closes";
    m_acceptPaused = true;
    m_tcpServer.pauseAccepting();
    m_resumeAcceptTimer.start();
}

void PushServer::resumeAccepting()
{
    if (!hasDescriptorHeadroom() || !isDescriptorFree()) {
        m_resumeAcceptTimer.start();
        return;
    }
    m_acceptPaused = false;
    m_resumeAcceptTimer.stop();
    m_tcpServer.resumeAccepting();
}

void PushServer::handleAcceptError(QAbstractSocket::SocketError error)
{
    qCWarning(lcServer) << "cannot accept connections:" << error << m_tcpServer.errorString();
    pauseAccepting();
}

void PushServer::scheduleMemoryTrim()
{
    if (!m_memoryTrimTimer.isActive())
        m_memoryTrimTimer.start();
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
    Identity identity;
    Error error;
    // A password being verified (on a worker thread) routes the request when it is done; the
    // connection may be gone by then.
    auto whenVerified = [this, connection = QPointer<HttpConnection>(connection), number,
                         request](const std::optional<Identity> &verified, const Error &refusal) {
        if (!connection)
            return;
        if (verified)
            route(connection, number, request, *verified);
        else
            respondError(connection, number, refusal);
    };
    switch (m_accessGuard.identify(connection->peerAddress(), request, &identity, &error,
                                   whenVerified)) {
    case AccessGuard::Outcome::Known:
        route(connection, number, request, identity);
        break;
    case AccessGuard::Outcome::Refused:
        respondError(connection, number, error);
        break;
    case AccessGuard::Outcome::Verifying:
        break;
    }
}

void PushServer::route(HttpConnection *connection, quint64 number, const HttpRequest &request,
                       const Identity &identity)
{
    const QByteArray &path = request.path;
    const QList<QByteArray> segments = path.mid(1).split('/');
    const bool isGet = request.method == "GET";
    const bool isPublish = request.method == "POST" || request.method == "PUT";
    if (path == "/" && isPublish) {
        handlePublish(connection, number, request, QString(), identity); // JSON publish
        return;
    }
    if (segments.size() == 1 && !segments[0].isEmpty() && isPublish) {
        handlePublish(connection, number, request, QString::fromUtf8(segments[0]), identity);
        return;
    }
    if (segments.size() == 2) {
        static const QList<QByteArray> publishVerbs{"publish", "send", "trigger"};
        if ((isGet || isPublish) && publishVerbs.contains(segments[1])) {
            handlePublish(connection, number, request, QString::fromUtf8(segments[0]), identity);
            return;
        }
        static const QList<QPair<QByteArray, StreamFormat>> formats{{"ws", StreamFormat::WebSocket},
                                                                    {"json", StreamFormat::Json},
                                                                    {"sse", StreamFormat::Sse},
                                                                    {"raw", StreamFormat::Raw}};
        for (const auto &[name, format] : formats) {
            if (isGet && segments[1] == name) {
                handleSubscribe(connection, number, request, QString::fromUtf8(segments[0]), format,
                                identity);
                return;
            }
        }
    }
    if (segments.size() == 1 && !segments[0].isEmpty()) {
        respondError(connection, number,
                     {405, 40501, QStringLiteral("method not allowed: publish with POST or PUT")});
        return;
    }
    respondError(connection, number, {404, 40401, QStringLiteral("page not found")});
}

PublishRules PushServer::publishRules() const
{
    return {m_options.messageSizeLimit, m_options.cache, m_options.minDelay, m_options.maxDelay};
}

void PushServer::handlePublish(HttpConnection *connection, quint64 number,
                               const HttpRequest &request, const QString &topic,
                               const Identity &identity)
{
    if (request.bodyTooLarge) {
        respondError(connection, number,
                     {413, 41301,
                      QStringLiteral("message too large: the limit is %1 bytes")
                          .arg(m_options.messageSizeLimit)});
        return;
    }
    Error error;
    auto publication =
        readPublish(request, topic, publishRules(), QDateTime::currentMSecsSinceEpoch(), &error);
    if (!publication) {
        respondError(connection, number, error);
        return;
    }
    // Checked once the topic is known: a JSON publish names it in its body.
    if (const auto refusal = m_accessGuard.check(identity, {publication->message.topic}, true)) {
        respondError(connection, number, *refusal);
        return;
    }
    enqueue({std::move(*publication), connection, number});
}

void PushServer::handleSubscribe(HttpConnection *connection, quint64 number,
                                 const HttpRequest &request, const QString &topics,
                                 StreamFormat format, const Identity &identity)
{
    Error error;
    const auto subscribe =
        readSubscribe(request, topics, QDateTime::currentMSecsSinceEpoch(), &error);
    if (!subscribe) {
        respondError(connection, number, error);
        return;
    }
    if (const auto refusal = m_accessGuard.check(identity, subscribe->topics, false)) {
        respondError(connection, number, *refusal);
        return;
    }
    if (format == StreamFormat::WebSocket)
        upgradeToWebSocket(connection, number, request, *subscribe);
    else if (subscribe->poll)
        startPoll(connection, number, *subscribe, format);
    else
        startStreamSubscriber(connection, number, *subscribe, format);
}

namespace {
QByteArray contentTypeOf(StreamFormat format)
{
    switch (format) {
    case StreamFormat::Sse:
        return QByteArrayLiteral("text/event-stream; charset=utf-8");
    case StreamFormat::Raw:
        return QByteArrayLiteral("text/plain; charset=utf-8");
    case StreamFormat::Json:
    case StreamFormat::WebSocket:
        break;
    }
    return QByteArrayLiteral("application/x-ndjson; charset=utf-8");
}
} // namespace

void PushServer::startPoll(HttpConnection *connection, quint64 number,
                           const SubscribeRequest &request, StreamFormat format)
{
    // Publishes read before this poll (possibly pipelined on the same connection) are committed
    // first, so that a client reads its own writes.
    flushPending();
    // Streamed a page at a time as the client takes it: memory independent of the topic's size.
    if (!connection->startStream(number, 200, contentTypeOf(format))) {
        respondError(connection, number, {500, 50002, QStringLiteral("cannot start the answer")});
        return;
    }
    m_polls.insert(connection, {m_store->cursor(request.topics, request.since, cacheHorizonMs(),
                                                request.scheduled),
                                format, request.filter});
    continuePoll(connection);
}

void PushServer::continuePoll(HttpConnection *connection)
{
    auto it = m_polls.find(connection);
    if (it == m_polls.end())
        return;
    while (connection->isStreamWritable() && !it->cursor.atEnd) {
        QByteArray chunk;
        for (const PushMessage &message : m_store->nextPage(&it->cursor, PageSize)) {
            if (it->filter.passes(message))
                chunk += formatEvent(it->format, jsonBytes(message), &message);
        }
        connection->writeStreamChunk(chunk);
    }
    if (it->cursor.atEnd) {
        const bool failed = it->cursor.failed;
        m_polls.erase(it);
        // A read that failed (the database went away) must not look like a complete answer:
        // no final chunk, the client sees a broken stream and asks again.
        if (failed)
            connection->abort();
        else
            connection->finishStream();
    }
}

void PushServer::startStreamSubscriber(HttpConnection *connection, quint64 number,
                                       const SubscribeRequest &request, StreamFormat format)
{
    flushPending();
    if (!connection->startStream(number, 200, contentTypeOf(format))) {
        respondError(connection, number, {500, 50002, QStringLiteral("cannot start the answer")});
        return;
    }
    addSubscriber(new Subscriber(connection, format, request, subscriberLimits(m_options),
                                 &m_subscriberBacklog, this));
}

void PushServer::upgradeToWebSocket(HttpConnection *connection, quint64 number,
                                    const HttpRequest &httpRequest, const SubscribeRequest &request)
{
    if (!httpRequest.isWebSocketUpgrade) {
        respondError(connection, number,
                     {400, 40016,
                      QStringLiteral("invalid request: client not using the websocket protocol")});
        return;
    }
    QTcpSocket *transport = connection->upgrade(number, &m_webSocketServer);
    if (!transport)
        return;
    m_upgrading.append({transport, request});
    // A handshake that never completes leaves the socket with the WebSocket server: free it
    // when it closes, unless a Subscriber has adopted it by then (see acceptWebSockets).
    connect(transport, &QTcpSocket::disconnected, this, [this, transport] {
        if (transport->parent() == &m_webSocketServer) {
            m_upgrading.removeIf(
                [transport](const Upgrading &entry) { return entry.transport == transport; });
            transport->deleteLater();
        }
    });
}

std::optional<PushServer::Upgrading> PushServer::takeUpgrading(const QWebSocket *socket)
{
    std::optional<Upgrading> found;
    for (auto it = m_upgrading.begin(); it != m_upgrading.end();) {
        QTcpSocket *candidate = it->transport;
        if (candidate && !found && candidate->peerPort() == socket->peerPort() &&
            candidate->peerAddress() == socket->peerAddress()) {
            found = *it;
            it = m_upgrading.erase(it);
            continue;
        }
        it = !candidate ? m_upgrading.erase(it) : it + 1;
    }
    if (found)
        disconnect(found->transport, &QTcpSocket::disconnected, this, nullptr);
    else
        qCWarning(lcServer) << "no TCP socket found for an accepted WebSocket";
    return found;
}

void PushServer::acceptWebSockets()
{
    while (QWebSocket *socket = m_webSocketServer.nextPendingConnection()) {
        const auto upgrading = takeUpgrading(socket);
        // Access was checked before the upgrade; a socket not in m_upgrading did not pass
        // handleSubscribe and must not get any data.
        if (!upgrading || socket->state() != QAbstractSocket::ConnectedState) {
            qCWarning(lcServer) << "dropping a WebSocket that was not admitted by its HTTP request";
            socket->abort();
            // Deferred deletes run in posting order: the WebSocket goes before its TCP socket.
            socket->deleteLater();
            if (upgrading && upgrading->transport)
                upgrading->transport->deleteLater();
            continue;
        }
        addSubscriber(new Subscriber(socket, upgrading->transport, upgrading->request,
                                     subscriberLimits(m_options), &m_subscriberBacklog, this));
    }
}

void PushServer::addSubscriber(Subscriber *subscriber)
{
    connect(subscriber, &Subscriber::disconnected, this, &PushServer::removeSubscriber);
    connect(subscriber, &Subscriber::drained, this, &PushServer::continueCatchUp);
    m_subscribers.append(subscriber);
    const SubscribeRequest &request = subscriber->request();
    for (const QString &topic : request.topics)
        m_subscribersByTopic[topic].append(subscriber);
    subscriber->sendEvent(QStringLiteral("open"));
    subscriber->startCatchUp(
        m_store->cursor(request.topics, request.since, cacheHorizonMs(), request.scheduled));
    continueCatchUp(subscriber);
}

void PushServer::continueCatchUp(Subscriber *subscriber)
{
    // Pages of committed rows until the cursor reaches the end; live messages are held back
    // meanwhile (they are committed, so a page brings them). The last page and the switch to
    // live happen in one go, with no commit in between: nothing falls through.
    MessageStore::Cursor &cursor = subscriber->catchUpCursor();
    if (isStoreShared() && subscriber->isCatchingUp()) {
        // Catch-up ends where live delivery stands: what is after m_tailPosition comes live.
        // A `since` beyond it (committed elsewhere, not read here yet) brings the tail there.
        if (cursor.afterSequence > m_tailPosition)
            readNewMessages();
        cursor.upToSequence = m_tailPosition;
    }
    while (subscriber->isCatchingUp() && subscriber->wantsMore() && !cursor.atEnd) {
        for (const PushMessage &message : m_store->nextPage(&cursor, PageSize))
            subscriber->sendMessage(message, jsonBytes(message));
    }
    if (subscriber->isCatchingUp() && cursor.failed) {
        // Ending catch-up here would skip what could not be read: better the client resumes.
        subscriber->closeBehind(
            QStringLiteral("database unavailable; reconnect with since=<last id>"));
        return;
    }
    if (subscriber->isCatchingUp() && cursor.atEnd)
        subscriber->finishCatchUp();
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
    scheduleMemoryTrim();
}

std::optional<QJsonObject> PushServer::publish(const QString &topic, const QString &message,
                                               const QString &title, int priority,
                                               const QStringList &tags, const QUrl &click,
                                               QString *errorMessage)
{
    // The same reading as an HTTP publish, so that both follow one set of rules.
    HttpRequest request;
    request.method = "POST";
    request.body = message.toUtf8();
    request.headers = {{"x-title", title.toUtf8()},
                       {"x-priority", QByteArray::number(priority)},
                       {"x-tags", tags.join(QLatin1Char(',')).toUtf8()},
                       {"x-click", click.toString(QUrl::FullyEncoded).toUtf8()}};
    Error error;
    auto publication =
        readPublish(request, topic, publishRules(), QDateTime::currentMSecsSinceEpoch(), &error);
    if (publication && !m_store->isOpen())
        error = {503, 50301,
                 isStoreShared() ? QStringLiteral("database unavailable, try again shortly")
                                 : QStringLiteral("server is not listening")};
    if (!publication || !m_store->isOpen()) {
        if (errorMessage)
            *errorMessage = error.text;
        return std::nullopt;
    }
    const QJsonObject json = publication->message.toJson();
    enqueue({std::move(*publication), nullptr, 0});
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
    bool anyScheduled = false;
    for (const PendingPublish &publish : batch) {
        if (publish.publication.cache)
            messages.append(publish.publication.message);
        anyScheduled = anyScheduled || !publish.publication.message.delivered;
    }
    QString error;
    if (!m_store->insert(messages, &error)) {
        qCWarning(lcServer) << "cannot store" << messages.size() << "messages:" << error;
        // A shared database that went away: 503, the publisher may retry (here or elsewhere).
        const bool unavailable = isStoreShared() && !m_store->isReachable();
        const Error refusal =
            unavailable
                ? Error{503, 50301, QStringLiteral("database unavailable, try again shortly")}
                : Error{500, 50001, QStringLiteral("cannot store the message")};
        for (const PendingPublish &publish : batch) {
            if (publish.connection)
                respondError(publish.connection, publish.requestNumber, refusal);
        }
        if (unavailable)
            databaseLost();
        return false;
    }
    // Durable now: answer the publishers, then tell the subscribers, in publish order. A
    // scheduled message is told when it is due.
    for (const PendingPublish &publish : batch) {
        const PushMessage &message = publish.publication.message;
        const QByteArray json = jsonBytes(message);
        if (publish.connection)
            publish.connection->respond(publish.requestNumber, 200, json + '\n');
        if (message.delivered && !isStoreShared())
            fanOut(message, json);
    }
    // Shared: what is new is read back in commit order, ours and other instances' alike.
    if (isStoreShared())
        readNewMessages();
    if (anyScheduled || m_wakeUpForScheduled)
        scheduleNextDelivery();
    return true;
}

void PushServer::fanOut(const PushMessage &message, const QByteArray &json)
{
    const auto it = m_subscribersByTopic.constFind(message.topic);
    if (it != m_subscribersByTopic.constEnd()) {
        // A copy: a subscriber closed here may leave the list before the loop ends.
        const QList<Subscriber *> subscribers = *it;
        for (Subscriber *subscriber : subscribers) {
            if (subscriber->isCatchingUp())
                continue;
            subscriber->sendMessage(message, json);
            if (m_subscriberBacklog > m_options.subscriberBacklogBudget &&
                subscriber->backlog() >= BudgetVictimBacklog) {
                // Over the budget for all: the slow ones go first, told why.
                subscriber->closeBehind(
                    QStringLiteral("server busy; reconnect with since=<last id>"));
            }
        }
    }
    // Built only for someone listening (the tray's demo, tests): a fan-out does not need it.
    if (isSignalConnected(QMetaMethod::fromSignal(&PushServer::published)))
        emit published(message.toJson());
}

void PushServer::scheduleNextDelivery()
{
    m_wakeUpForScheduled = false;
    const auto dueMs = m_store->nextDueMs();
    if (!dueMs) {
        m_deliveryTimer.stop();
        return;
    }
    // One timer for the earliest message due; re-armed after each delivery. Capped so that a
    // change of the wall clock is noticed within minutes.
    const qint64 waitMs = std::clamp<qint64>(*dueMs - QDateTime::currentMSecsSinceEpoch(), 0,
                                             MaxDeliveryWait.count());
    m_deliveryTimer.start(std::chrono::milliseconds(waitMs));
}

void PushServer::deliverDue()
{
    // Pending publishes first: nothing published before the delivery is ordered after it.
    flushPending();
    QString error;
    const QList<PushMessage> due =
        m_store->deliverDue(QDateTime::currentMSecsSinceEpoch(), int(MaxBatch), &error);
    if (!error.isEmpty())
        qCWarning(lcServer) << "cannot deliver scheduled messages:" << error;
    if (isStoreShared()) {
        readNewMessages();
    } else {
        for (const PushMessage &message : due)
            fanOut(message, jsonBytes(message));
    }
    if (!error.isEmpty()) {
        m_deliveryTimer.start(std::chrono::seconds(1)); // retried, not lost
        return;
    }
    scheduleNextDelivery();
}

bool PushServer::openStore(QString *errorMessage)
{
    if (!isStoreShared())
        return m_store->open(m_options.databasePath, errorMessage);
    if (!m_store->open(*m_options.database, errorMessage))
        return false;
    QSqlDriver *driver = m_store->driver();
    if (!driver->subscribeToNotification(MessageStore::WakeUpChannel)) {
        if (errorMessage)
            *errorMessage = tr("cannot LISTEN on %1: %2")
                                .arg(m_options.database->displayName(), driver->lastError().text());
        m_store->close();
        return false;
    }
    // Connected once, to this connection's driver; a reopened store has a new one.
    connect(driver, &QSqlDriver::notification, this, &PushServer::wakeUp);
    // Live delivery starts when the server does; after a reconnect it goes on from where it
    // was (even from 0: what came meanwhile into an empty table is still to send).
    if (!m_hasTailPosition)
        m_tailPosition = m_store->lastSequence();
    m_hasTailPosition = true;
    m_databaseCheckTimer.start();
    return true;
}

void PushServer::wakeUp(const QString &, QSqlDriver::NotificationSource source,
                        const QVariant &payload)
{
    // Our own commits were read right after they committed (flushPending, deliverDue).
    if (source == QSqlDriver::SelfSource)
        return;
    if (payload.toString() == MessageStore::ScheduledPayload)
        m_wakeUpForScheduled = true;
    m_wakeUpTimer.start();
}

void PushServer::readNewMessages()
{
    // Complete in commit order because publishing transactions are serialized (MessageStore):
    // nothing can still commit below a number that was read. This read also covers every
    // wake-up received so far (their commits are visible now): one read, not one more each.
    m_wakeUpTimer.stop();
    while (m_store->isOpen()) {
        const auto page = m_store->newMessages(&m_tailPosition, PageSize);
        if (!page) {
            databaseLost();
            return;
        }
        for (const PushMessage &message : *page)
            fanOut(message, jsonBytes(message));
        if (page->size() < PageSize)
            return;
    }
}

void PushServer::checkDatabase()
{
    if (!m_store->isReachable() || !m_accessGuard.isStoreReachable())
        databaseLost();
}

void PushServer::databaseLost()
{
    if (m_reconnectTimer.isActive())
        return;
    qCWarning(lcServer) << "lost the database" << m_options.database->displayName()
                        << "; reconnecting";
    m_databaseCheckTimer.stop();
    m_wakeUpTimer.stop();
    m_store->close();
    m_accessGuard.closeStore();
    m_reconnectTimer.start(
        m_reconnectBackoff.nextDelay(QRandomGenerator::global()->generateDouble()));
}

void PushServer::reconnectDatabase()
{
    QString error;
    const bool opened = openStore(&error) && m_accessGuard.open(&error);
    if (!opened) {
        m_databaseCheckTimer.stop();
        m_store->close();
        qCWarning(lcServer) << "cannot reconnect:" << error;
        m_reconnectTimer.start(
            m_reconnectBackoff.nextDelay(QRandomGenerator::global()->generateDouble()));
        return;
    }
    qCInfo(lcServer) << "database back:" << m_options.database->displayName();
    m_reconnectBackoff.reset();
    // Whatever was committed while we were away goes out now, in order.
    readNewMessages();
    scheduleNextDelivery();
}

void PushServer::pruneExpired()
{
    const int removed = m_store->prune(cacheHorizonMs());
    if (removed > 0)
        qCDebug(lcServer) << "pruned" << removed << "expired messages";
}

} // namespace traybeat
