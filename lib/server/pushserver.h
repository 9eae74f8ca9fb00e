#pragma once

// The reference push server: a subset of ntfy's HTTP/WebSocket API, so that traybeat can be
// pointed at it or at a real ntfy server unchanged.
//
// How it is built, and why not on QHttpServer (Qt 6.4):
// - HTTP is served by HttpConnection, a small HTTP/1.1 reader on QTcpServer (keep-alive,
//   Content-Length and chunked bodies, Expect: 100-continue, 16 KiB header cap). The reason is
//   the durability rule: a publish is answered only after its row is committed, and commits are
//   batched (all publishes read in one event-loop turn share one transaction). That needs the
//   answer to be written later than the route returns. QHttpServer 6.4's responder keeps a
//   reference to a per-connection request object and a raw socket pointer, so answering later
//   is unsafe there; one commit per request would cap throughput far below 20,000 msg/s.
// - WebSocket upgrades (GET /<topics>/ws) are checked here first — access, topic names, since —
//   and refused with a plain HTTP error (401/403/400), so a refused request never becomes a socket.
//   Accepted ones are handed, unread, to a QWebSocketServer through handleConnection(), on the
//   same port; QWebSocket then does the framing and answers pings by itself.
// - Storage is MessageStore (SQLite via Qt SQL, WAL, synchronous=NORMAL, prepared statements;
//   or PostgreSQL, shared by several instances). Messages older than the cache duration are
//   never served and are pruned periodically.
// - On a shared (PostgreSQL) store the table is the truth: live fan-out reads what is new
//   after this instance's position (readNewMessages), woken by NOTIFY after our own commits
//   and other instances'. A lost connection is reopened with backoff; publishes answer 503
//   meanwhile (docs/design.md, "Several instances").
// - Live fan-out happens after the commit, in publish order; a subscriber's catch-up query runs
//   when it connects, against committed rows only, so nothing falls between catch-up and live.
//
// Facing the internet: every wait on a peer has a deadline (HttpLimits: head, body gap, idle
// keep-alive), every count a cap (connections in total — sized to the descriptor limit — and
// per client address; refused at once beyond them), every buffer a limit (read-ahead, unsent
// answers, each subscriber's backlog and all subscribers' together; polls and catch-ups are read
// from the database a page at a time). At the descriptor limit accepting pauses until one frees.
//
// Endpoints (ntfy's, see the README's table): POST|PUT /<topic>; POST|PUT / with a JSON body;
// GET|POST|PUT /<topic>/publish|send|trigger; GET /<topic[,topic…]>/ws|json|sse|raw with
// poll, since, scheduled and the filters; GET /v1/health. Scheduled messages wait in the
// database with one timer set for the next one due. Every request but the health check passes
// one access check (AccessGuard): who sent it, then whether they may write the topic published
// to or read every topic subscribed to.

#include "accessguard.h"
#include "backoffpolicy.h"
#include "databaselocation.h"
#include "httpconnection.h"
#include "messagestore.h"
#include "ntfy.h"
#include "publishrequest.h"
#include "pushmessage.h"
#include "subscriber.h"
#include "subscriberequest.h"

#include <QHash>
#include <QHostAddress>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QTcpServer>
#include <QTimer>
#include <QUrl>
#include <QWebSocketServer>
#include <chrono>
#include <memory>
#include <optional>

namespace traybeat {

class HttpConnection;
struct HttpRequest;
class MessageStore;
class Subscriber;

struct PushServerOptions
{
    QHostAddress address = QHostAddress::LocalHost;
    quint16 port = 0;
    QString databasePath; // empty: a private in-memory SQLite database
    // Set: this database instead of databasePath (PostgreSQL, shared with other instances).
    std::optional<DatabaseLocation> database;
    // Shared database: how often the connection is checked, and the reconnect backoff.
    std::chrono::milliseconds databaseCheckInterval = std::chrono::seconds(1);
    BackoffConfig databaseBackoff{std::chrono::milliseconds(200), std::chrono::seconds(5),
                                  std::chrono::seconds(30)};
    QString token;        // the shortcut token (full access); empty: none
    AccessOptions access; // users, grants and tokens; access.token is set from `token`
    std::chrono::milliseconds keepalive = std::chrono::seconds(45); // zero: none
    std::chrono::milliseconds cache = std::chrono::hours(12);
    qsizetype messageSizeLimit = 4096;
    // Peer deadlines (see HttpLimits).
    std::chrono::milliseconds readTimeout = std::chrono::seconds(10);
    std::chrono::milliseconds idleTimeout = std::chrono::seconds(60);
    // Open connections at most; 0: the descriptor limit less a reserve for the database.
    int maxConnections = 0;
    int maxConnectionsPerAddress = 100;
    // A subscriber more than this behind is told why, given closeGrace to take it, then cut.
    qint64 subscriberBacklogLimit = 4 * 1024 * 1024;
    // All subscribers' unsent bytes together; past it the ones furthest behind are closed.
    qint64 subscriberBacklogBudget = 64 * 1024 * 1024;
    std::chrono::milliseconds closeGrace = std::chrono::seconds(5);
    // Scheduled delivery (Delay/At/In) must be this far ahead at least and at most; ntfy's
    // bounds. Tests lower the minimum to a second.
    std::chrono::milliseconds minDelay = std::chrono::seconds(10);
    std::chrono::milliseconds maxDelay = std::chrono::hours(72);
};

class PushServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PushServer)
public:
    explicit PushServer(const PushServerOptions &options, QObject *parent = nullptr);
    ~PushServer() override;

    // Opens the database and starts listening. False + a readable reason (port in use, database
    // not writable) on failure.
    bool listen(QString *errorMessage = nullptr);
    bool isListening() const;
    quint16 port() const;
    // http://ADDRESS:PORT, with 127.0.0.1 (or [::1]) standing in for an any-address.
    QUrl url() const;

    // Publishes as POST /<topic> would; returns the stored message as ntfy JSON, or nullopt +
    // reason. The message is durable and sent to live subscribers when this returns.
    std::optional<QJsonObject> publish(const QString &topic, const QString &message,
                                       const QString &title = {}, int priority = 3,
                                       const QStringList &tags = {}, const QUrl &click = {},
                                       QString *errorMessage = nullptr);

    int subscriberCount() const;
    int connectionCount() const;
    // The total cap in force (resolved from the descriptor limit once listening).
    int maxConnections() const;

signals:
    void published(const QJsonObject &message);

private:
    struct PendingPublish
    {
        Publication publication;
        QPointer<HttpConnection> connection; // null for in-process publish()
        quint64 requestNumber = 0;
    };
    using Error = ntfy::Error;
    // A WebSocket upgrade handed to m_webSocketServer, with what its request asked for.
    struct Upgrading
    {
        QPointer<QTcpSocket> transport;
        SubscribeRequest request;
    };

    void acceptConnections();
    bool admit(QTcpSocket *socket);
    void refuse(QTcpSocket *socket, const QByteArray &answer);
    void release(const QHostAddress &address, bool admitted);
    bool hasDescriptorHeadroom() const;
    static bool isDescriptorFree();
    void pauseAccepting();
    void resumeAccepting();
    void handleAcceptError(QAbstractSocket::SocketError error);
    void scheduleMemoryTrim();
    void continuePoll(traybeat::HttpConnection *connection);
    void continueCatchUp(traybeat::Subscriber *subscriber);
    void acceptWebSockets();
    void handleRequest(traybeat::HttpConnection *connection, quint64 number,
                       const traybeat::HttpRequest &request);
    void route(HttpConnection *connection, quint64 number, const HttpRequest &request,
               const Identity &identity);
    void handlePublish(HttpConnection *connection, quint64 number, const HttpRequest &request,
                       const QString &topic, const Identity &identity);
    void handleSubscribe(HttpConnection *connection, quint64 number, const HttpRequest &request,
                         const QString &topics, StreamFormat format, const Identity &identity);
    void startPoll(HttpConnection *connection, quint64 number, const SubscribeRequest &request,
                   StreamFormat format);
    void startStreamSubscriber(HttpConnection *connection, quint64 number,
                               const SubscribeRequest &request, StreamFormat format);
    void upgradeToWebSocket(HttpConnection *connection, quint64 number,
                            const HttpRequest &httpRequest, const SubscribeRequest &request);
    void addSubscriber(Subscriber *subscriber);
    void respondError(HttpConnection *connection, quint64 number, const Error &error);
    PublishRules publishRules() const;
    void enqueue(PendingPublish publish);
    bool flushPending(); // false: the batch could not be stored (and was answered 500)
    void fanOut(const PushMessage &message, const QByteArray &json);
    std::optional<Upgrading> takeUpgrading(const QWebSocket *socket);
    void scheduleNextDelivery();
    void deliverDue();
    void removeSubscriber(traybeat::Subscriber *subscriber);
    bool openStore(QString *errorMessage);
    void readNewMessages();
    void wakeUp(const QString &channel, QSqlDriver::NotificationSource source,
                const QVariant &payload);
    void checkDatabase();
    void databaseLost();
    void reconnectDatabase();
    bool isStoreShared() const { return m_options.database && m_options.database->isPostgres(); }
    void pruneExpired();
    qint64 cacheHorizonMs() const;

    struct PollStream
    {
        MessageStore::Cursor cursor;
        StreamFormat format = StreamFormat::Json;
        MessageFilter filter;
    };

    const PushServerOptions m_options;
    AccessGuard m_accessGuard;
    HttpLimits m_httpLimits;
    int m_maxConnections = 0;
    int m_connectionCount = 0; // admitted
    int m_openSockets = 0;     // admitted or being refused: each holds a descriptor
    int m_descriptorLimit = 1 << 20;
    int m_descriptorsInUse = 0; // open before the first connection (database, stdio, ...)
    QTimer m_descriptorWatchdog;
    QHash<QHostAddress, int> m_connectionsByAddress;
    bool m_acceptPaused = false;
    QTimer m_resumeAcceptTimer;
    QTimer m_memoryTrimTimer;
    qint64 m_subscriberBacklog = 0; // unsent bytes of all subscribers together
    QHash<HttpConnection *, PollStream> m_polls;
    QTcpServer m_tcpServer;
    QWebSocketServer m_webSocketServer;
    std::unique_ptr<MessageStore> m_store;
    QList<PendingPublish> m_pending;
    QTimer m_flushTimer;
    QTimer m_pruneTimer;
    QTimer m_deliveryTimer; // due time of the next scheduled message
    // Shared store: the last sequence number fanned out; wake-ups coalesced into one read.
    qint64 m_tailPosition = 0;
    bool m_hasTailPosition = false;
    QTimer m_wakeUpTimer;
    bool m_wakeUpForScheduled = false; // one of the coalesced wake-ups told of a scheduled message
    QTimer m_databaseCheckTimer;
    QTimer m_reconnectTimer;
    BackoffPolicy m_reconnectBackoff;
    // TCP sockets handed to m_webSocketServer and not yet adopted by a Subscriber.
    QList<Upgrading> m_upgrading;
    QList<Subscriber *> m_subscribers;
    QHash<QString, QList<Subscriber *>> m_subscribersByTopic;
};

} // namespace traybeat
