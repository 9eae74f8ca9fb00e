// The gotify dialect against a small in-process gotify: one port serves `/stream` (WebSocket,
// `X-Gotify-Key` checked before the upgrade) and `GET /message` with gotify's backwards paging.
// End to end with a real Subscription and NotificationStore: after every outage each message
// is shown exactly once.
#include "gotifyprotocol.h"
#include "notificationstore.h"
#include "subscription.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkReply>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QUrlQuery>
#include <QWebSocket>
#include <QWebSocketServer>
#include <QtTest>
#include <functional>

using namespace traybeat;
using namespace std::chrono_literals;

namespace {

QByteArray httpAnswer(int status, const QByteArray &reason, const QByteArray &body)
{
    return "HTTP/1.1 " + QByteArray::number(status) + ' ' + reason +
           "\r\nContent-Type: application/json\r\nContent-Length: " +
           QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

// Just enough of gotify's client API for the dialect: the stream, and the message list with
// paging exactly as gotify builds it (limit+1 rows fetched; `next` only when more exist).
class FakeGotify final : public QObject
{
    Q_OBJECT
public:
    explicit FakeGotify(const QString &key)
        : m_key(key.toUtf8()),
          m_webSockets(QStringLiteral("fake gotify"), QWebSocketServer::NonSecureMode)
    {
        connect(&m_tcp, &QTcpServer::newConnection, this, &FakeGotify::accept);
        connect(&m_webSockets, &QWebSocketServer::newConnection, this, &FakeGotify::acceptStream);
    }

    bool listen() { return m_tcp.listen(QHostAddress::LocalHost); }
    QUrl url() const { return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_tcp.serverPort())); }
    int streamCount() const { return int(m_streams.size()); }
    qint64 lastId() const { return m_lastId; }

    // Stores a message; open streams get it at once when `live`.
    void publish(const QString &text, int priority = 5, bool live = true)
    {
        QJsonObject message{
            {QStringLiteral("id"), ++m_lastId},
            {QStringLiteral("appid"), 1},
            {QStringLiteral("message"), text},
            {QStringLiteral("title"), QStringLiteral("title %1").arg(m_lastId)},
            {QStringLiteral("priority"), priority},
            {QStringLiteral("date"), QStringLiteral("2018-02-27T19:36:10.5045044+01:00")}};
        m_messages.append(message);
        if (!live)
            return;
        const QString frame =
            QString::fromUtf8(QJsonDocument(message).toJson(QJsonDocument::Compact));
        for (QWebSocket *stream : std::as_const(m_streams))
            stream->sendTextMessage(frame);
    }
    void publishQuietly(int count)
    {
        for (int i = 0; i < count; ++i)
            publish(QStringLiteral("missed %1").arg(i), 5, false);
    }

    // The server cuts every stream, as a crash or a dead NAT entry would.
    void dropStreams()
    {
        for (QWebSocket *stream : std::exchange(m_streams, {})) {
            stream->abort();
            stream->deleteLater(); // its TCP socket, a child, goes after it
        }
    }

    // Answers to `/message` wait until released (they are computed at release time).
    void setHoldingAnswers(bool holding)
    {
        m_holding = holding;
        if (holding)
            return;
        for (const auto &answer : std::exchange(m_heldAnswers, {}))
            answer();
    }
    int heldAnswerCount() const { return int(m_heldAnswers.size()); }
    void failNextPage(int status) { m_failNextPage = status; }
    // Every `/message` is answered with `status` (gotify's REST API refusing a token).
    void refuseMessageList(int status) { m_refuseMessageList = status; }

    QList<QUrlQuery> pageRequests; // every /message query, in arrival order

private:
    void accept()
    {
        while (QTcpSocket *socket = m_tcp.nextPendingConnection()) {
            connect(socket, &QTcpSocket::readyRead, this, [this, socket] { readHead(socket); });
            connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        }
    }

    void readHead(QTcpSocket *socket)
    {
        // Peeked, not read: an upgrade hands the untouched bytes to the WebSocket server.
        const QByteArray buffered = socket->peek(socket->bytesAvailable());
        const qsizetype end = buffered.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        const QList<QByteArray> lines = buffered.left(end).split('\n');
        const QList<QByteArray> requestLine = lines.first().trimmed().split(' ');
        QByteArray key;
        bool upgrade = false;
        for (const QByteArray &line : lines.mid(1)) {
            const qsizetype colon = line.indexOf(':');
            const QByteArray name = line.left(colon).trimmed().toLower();
            const QByteArray value = line.mid(colon + 1).trimmed();
            if (name == "x-gotify-key")
                key = value;
            else if (name == "upgrade")
                upgrade = value.toLower() == "websocket";
        }
        const QUrl target(QString::fromLatin1(requestLine.value(1)));
        disconnect(socket, &QTcpSocket::readyRead, this, nullptr);
        if (key != m_key) {
            reply(
                socket, 401, "Unauthorized",
                R"({"error":"Unauthorized","errorCode":401,"errorDescription":"you need to provide a valid access token or user credentials to access this api"})");
            return;
        }
        if (upgrade && target.path() == QLatin1String("/stream")) {
            // The WebSocket uses this socket without owning it: it must not go first.
            disconnect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            m_upgrading.append(socket);
            m_webSockets.handleConnection(socket);
            return;
        }
        socket->read(end + 4);
        if (target.path() != QLatin1String("/message")) {
            reply(socket, 404, "Not Found", R"({"error":"Not Found","errorCode":404})");
            return;
        }
        const QUrlQuery query(target);
        pageRequests.append(query);
        QPointer<QTcpSocket> guarded(socket);
        auto answer = [this, guarded, query] {
            if (guarded)
                answerPage(guarded, query);
        };
        if (m_holding)
            m_heldAnswers.append(answer);
        else
            answer();
    }

    void answerPage(QTcpSocket *socket, const QUrlQuery &query)
    {
        if (const int status = std::exchange(m_failNextPage, 0); status != 0) {
            reply(socket, status, "Failed", R"({"error":"Internal Server Error"})");
            return;
        }
        if (m_refuseMessageList != 0) {
            reply(socket, m_refuseMessageList, "Forbidden",
                  R"({"error":"Forbidden","errorCode":403,"errorDescription":"not allowed"})");
            return;
        }
        const qint64 since = query.queryItemValue(QStringLiteral("since")).toLongLong();
        const int limit = std::clamp(query.queryItemValue(QStringLiteral("limit")).toInt(), 1, 200);
        QJsonArray rows;
        for (auto it = m_messages.crbegin(); it != m_messages.crend() && rows.size() <= limit;
             ++it) {
            if (since <= 0 || it->value(QStringLiteral("id")).toInteger() < since)
                rows.append(*it);
        }
        QJsonObject paging{{QStringLiteral("limit"), limit}, {QStringLiteral("since"), 0}};
        if (rows.size() > limit) {
            rows.removeLast();
            const qint64 next = rows.last().toObject().value(QStringLiteral("id")).toInteger();
            paging[QStringLiteral("since")] = next;
            paging[QStringLiteral("next")] =
                url().toString() +
                QStringLiteral("/message?limit=%1&since=%2").arg(limit).arg(next);
        }
        paging[QStringLiteral("size")] = rows.size();
        const QJsonObject page{{QStringLiteral("messages"), rows},
                               {QStringLiteral("paging"), paging}};
        reply(socket, 200, "OK", QJsonDocument(page).toJson(QJsonDocument::Compact));
    }

    void reply(QTcpSocket *socket, int status, const QByteArray &reason, const QByteArray &body)
    {
        socket->write(httpAnswer(status, reason, body));
        socket->disconnectFromHost();
    }

    void acceptStream()
    {
        while (QWebSocket *stream = m_webSockets.nextPendingConnection()) {
            // The stream adopts its TCP socket, so the socket is deleted after the stream.
            stream->setParent(this);
            for (const QPointer<QTcpSocket> &transport : std::exchange(m_upgrading, {})) {
                if (!transport)
                    continue;
                if (transport->peerPort() == stream->peerPort())
                    transport->setParent(stream);
                else
                    m_upgrading.append(transport);
            }
            m_streams.append(stream);
            connect(stream, &QWebSocket::disconnected, this, [this, stream] {
                if (m_streams.removeOne(stream))
                    stream->deleteLater();
            });
        }
    }

    QByteArray m_key;
    QTcpServer m_tcp;
    QWebSocketServer m_webSockets;
    QList<QWebSocket *> m_streams;
    QList<QPointer<QTcpSocket>> m_upgrading; // handed to the WebSocket server, not yet adopted
    QList<QJsonObject> m_messages;           // oldest first
    qint64 m_lastId = 0;
    bool m_holding = false;
    QList<std::function<void()>> m_heldAnswers;
    int m_failNextPage = 0;
    int m_refuseMessageList = 0;
};

// Collects what a subscription shows, and counts how often each id was shown.
struct Shown
{
    QStringList ids;
    int doubled = 0;
    void add(const NotificationList &fresh)
    {
        for (const Notification &notification : fresh) {
            if (ids.contains(notification.id))
                ++doubled;
            ids << notification.id;
        }
    }
    bool isAscending() const
    {
        for (int i = 1; i < ids.size(); ++i) {
            if (ids.at(i - 1).toLongLong() >= ids.at(i).toLongLong())
                return false;
        }
        return true;
    }
};

const QString token = QStringLiteral("C-s3cret.token");

} // namespace

class tst_GotifyProtocol : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void mapPriority_data();
    void mapPriority();
    void parseMessage();
    void parseMessageExtras();
    void malformedFramesAreReportedAndSkipped();
    void requestCarriesTheKeyHeader();
    void tokenIsRequired();
    void liveMessagesArrive();
    void catchUpPagesBackwardsAfterTheLinkDrops();
    void liveMessagesDuringCatchUpAreHeldAndNotDoubled();
    void staleCatchUpIsDroppedWhenANewConnectStarts();
    void newSubscriptionLosesNothingBeforeItsFirstMessage();
    void failedCatchUpIsRetriedFromTheGap();
    void failedCatchUpDropsTheLinkAndLosesNothing();
    void catchUpStopsAfterTheMaximumPages();
    void wrongKeyIsRefusedOnStreamAndCatchUp();
    void catchUpRefusedFailsInsteadOfLooping_data();
    void catchUpRefusedFailsInsteadOfLooping();

private:
    SubscriptionConfig configFor(const QUrl &server) const
    {
        SubscriptionConfig config;
        config.name = QStringLiteral("test");
        config.server = server;
        config.protocol = QStringLiteral("gotify");
        config.token = token;
        // Drops here are the server's aborts, seen at once; a relaxed heartbeat keeps a loaded
        // machine from adding reconnects of its own. The connect timeout also bounds a stalled
        // catch-up page, and the tests stall pages on purpose.
        config.connection.heartbeatInterval = 200ms;
        config.connection.heartbeatTimeout = 300ms;
        config.connection.connectTimeout = 5s;
        config.connection.backoff = {20ms, 150ms, 10s};
        return config;
    }
    std::unique_ptr<Subscription> subscribe(const QUrl &server, Shown *shown)
    {
        auto subscription = std::make_unique<Subscription>(configFor(server), m_store.get());
        connect(subscription.get(), &Subscription::notificationsArrived, this,
                [shown](const NotificationList &fresh) { shown->add(fresh); });
        return subscription;
    }
    static NotificationList receivedAt(const QSignalSpy &spy, int index)
    {
        return spy.at(index).at(0).value<NotificationList>();
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<NotificationStore> m_store;
};

void tst_GotifyProtocol::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_store = std::make_unique<NotificationStore>();
    QVERIFY(m_store->open(m_dir->filePath(QStringLiteral("client.db"))));
}

void tst_GotifyProtocol::cleanup()
{
    m_store.reset();
    m_dir.reset();
}

void tst_GotifyProtocol::mapPriority_data()
{
    QTest::addColumn<int>("gotify");
    QTest::addColumn<int>("expected");
    QTest::newRow("negative") << -3 << 1;
    QTest::newRow("0 min") << 0 << 1;
    QTest::newRow("1 low") << 1 << 2;
    QTest::newRow("3 low") << 3 << 2;
    QTest::newRow("4 default") << 4 << 3;
    QTest::newRow("5 default") << 5 << 3;
    QTest::newRow("7 default") << 7 << 3;
    QTest::newRow("8 high") << 8 << 4;
    QTest::newRow("9 high") << 9 << 4;
    QTest::newRow("10 urgent") << 10 << 5;
    QTest::newRow("above 10") << 99 << 5;
}

void tst_GotifyProtocol::mapPriority()
{
    QFETCH(int, gotify);
    QFETCH(int, expected);
    QCOMPARE(GotifyProtocol::mapPriority(gotify), expected);
}

void tst_GotifyProtocol::parseMessage()
{
    const QByteArray json = R"({"id":123,"appid":7,"message":"<b>disk</b> full","title":"Backup",
        "priority":8,"date":"2018-02-27T19:36:10.5045044+01:00",
        "extras":{"client::notification":{"click":{"url":"https://example.org/run/5"}}}})";
    QString error;
    const auto full = GotifyProtocol::parseMessage(QJsonDocument::fromJson(json).object(), &error);
    QVERIFY2(full, qPrintable(error));
    QCOMPARE(full->id, QStringLiteral("123"));
    QCOMPARE(full->topic, QStringLiteral("app-7"));
    QCOMPARE(full->title, QStringLiteral("Backup"));
    QCOMPARE(full->body, QStringLiteral("<b>disk</b> full")); // literal: shown as plain text
    QCOMPARE(full->priority, 4);
    QCOMPARE(full->url, QUrl(QStringLiteral("https://example.org/run/5")));
    QCOMPARE(full->time,
             QDateTime(QDate(2018, 2, 27), QTime(18, 36, 10, 505), Qt::UTC)); // 7 digits, rounded

    const auto bare = GotifyProtocol::parseMessage(
        QJsonDocument::fromJson(R"({"id":9007199254740991,"message":"m"})").object(), &error);
    QVERIFY2(bare, qPrintable(error));
    QCOMPARE(bare->id, QStringLiteral("9007199254740991"));
    QCOMPARE(bare->topic, QString());
    QCOMPARE(bare->priority, 3); // no priority given: the default, not "min"
    QVERIFY(bare->url.isEmpty());
    QVERIFY(bare->time.isValid());
}

// Gotify's extras as its Android app reads them: markdown, and a big image as an attachment.
void tst_GotifyProtocol::parseMessageExtras()
{
    const QByteArray json = R"({"id":5,"message":"**bold**","extras":{
        "client::display":{"contentType":"text/markdown"},
        "client::notification":{"bigImageUrl":"https://example.org/img/cam.png"}}})";
    const auto rich = GotifyProtocol::parseMessage(QJsonDocument::fromJson(json).object(), nullptr);
    QVERIFY(rich);
    QVERIFY(rich->isMarkdown());
    QCOMPARE(rich->attachment.url, QUrl(QStringLiteral("https://example.org/img/cam.png")));
    QCOMPARE(rich->attachment.name, QStringLiteral("cam.png"));
    QVERIFY(rich->attachment.isImage());

    const QByteArray unsafe = R"({"id":6,"message":"m","extras":{
        "client::display":{"contentType":"text/html"},
        "client::notification":{"bigImageUrl":"file:///etc/passwd"}}})";
    const auto plain =
        GotifyProtocol::parseMessage(QJsonDocument::fromJson(unsafe).object(), nullptr);
    QVERIFY(plain);
    QVERIFY(!plain->isMarkdown()); // anything but markdown stays plain text
    QVERIFY(plain->attachment.isEmpty());
}

void tst_GotifyProtocol::malformedFramesAreReportedAndSkipped()
{
    GotifyProtocol protocol(configFor(QUrl(QStringLiteral("http://127.0.0.1:1"))));
    QSignalSpy rejected(&protocol, &Protocol::frameRejected);
    QSignalSpy received(&protocol, &Protocol::received);
    const QStringList bad{
        QStringLiteral("not json"),
        QStringLiteral("[1,2]"),
        QStringLiteral(R"({"message":"no id"})"),
        QStringLiteral(R"({"id":"12","message":"id as a string"})"),
        QStringLiteral(R"({"id":1.5,"message":"fractional id"})"),
        QStringLiteral(R"({"id":0,"message":"zero id"})"),
        QStringLiteral(R"({"id":1,"message":")") + QString(300 * 1024, QLatin1Char('x')) +
            QStringLiteral(R"("})"),
    };
    for (const QString &frame : bad)
        protocol.handleTextFrame(frame);
    QCOMPARE(rejected.size(), bad.size());
    QVERIFY(rejected.last().at(0).toString().contains(QStringLiteral("limit")));
    QCOMPARE(received.size(), 0);

    protocol.handleTextFrame(QStringLiteral(R"({"id":42,"appid":2,"message":"ok","priority":10})"));
    QCOMPARE(received.size(), 1);
    const NotificationList list = receivedAt(received, 0);
    QCOMPARE(list.size(), 1);
    QCOMPARE(list.first().id, QStringLiteral("42"));
    QCOMPARE(list.first().priority, 5);
}

void tst_GotifyProtocol::requestCarriesTheKeyHeader()
{
    GotifyProtocol plain(configFor(QUrl(QStringLiteral("http://push.example.org:8080/gotify/"))));
    const QNetworkRequest request = plain.request(QStringLiteral("17"));
    QCOMPARE(request.url(), QUrl(QStringLiteral("ws://push.example.org:8080/gotify/stream")));
    QCOMPARE(request.rawHeader("X-Gotify-Key"), token.toUtf8());
    QVERIFY(!request.hasRawHeader("Authorization"));
    QVERIFY(!request.url().toString().contains(token));
    QCOMPARE(plain.apiUrl(QStringLiteral("/message")),
             QUrl(QStringLiteral("http://push.example.org:8080/gotify/message")));

    GotifyProtocol secure(configFor(QUrl(QStringLiteral("wss://push.example.org"))));
    QCOMPARE(secure.request({}).url(), QUrl(QStringLiteral("wss://push.example.org/stream")));
    QCOMPARE(secure.apiUrl(QStringLiteral("/message")),
             QUrl(QStringLiteral("https://push.example.org/message")));
}

void tst_GotifyProtocol::tokenIsRequired()
{
    SubscriptionConfig config = configFor(QUrl(QStringLiteral("https://push.example.org")));
    config.token.clear();
    QString error;
    QVERIFY(!Protocol::create(config, &error));
    QVERIFY2(error.contains(QStringLiteral("token")), qPrintable(error));
    config.token = token;
    QVERIFY(Protocol::create(config, &error));
}

void tst_GotifyProtocol::liveMessagesArrive()
{
    FakeGotify server(token);
    QVERIFY(server.listen());
    server.publishQuietly(2); // before the subscription existed: not for it
    Shown shown;
    auto subscription = subscribe(server.url(), &shown);
    QVERIFY2(subscription->isValid(), qPrintable(subscription->errorString()));
    subscription->start();
    QTRY_COMPARE(subscription->connection()->state(), ConnectionState::Connected);
    QTRY_COMPARE(server.streamCount(), 1);
    server.publish(QStringLiteral("one"), 0);
    server.publish(QStringLiteral("two"), 10);
    QTRY_COMPARE(shown.ids, QStringList({QStringLiteral("3"), QStringLiteral("4")}));
    const auto stored = m_store->notification(QStringLiteral("test"), QStringLiteral("4"));
    QVERIFY(stored);
    QCOMPARE(stored->body, QStringLiteral("two"));
    QCOMPARE(stored->topic, QStringLiteral("app-1"));
    QCOMPARE(stored->priority, 5);
    QCOMPARE(m_store->notification(QStringLiteral("test"), QStringLiteral("3"))->priority, 1);
    QCOMPARE(m_store->cursor(QStringLiteral("test")), QStringLiteral("4"));
}

void tst_GotifyProtocol::catchUpPagesBackwardsAfterTheLinkDrops()
{
    FakeGotify server(token);
    QVERIFY(server.listen());
    Shown shown;
    auto subscription = subscribe(server.url(), &shown);
    subscription->start();
    QTRY_COMPARE(server.streamCount(), 1);
    for (int i = 0; i < 5; ++i)
        server.publish(QStringLiteral("live %1").arg(i));
    QTRY_COMPARE(shown.ids.size(), 5);
    QTRY_COMPARE(server.pageRequests.size(), 1); // the first connect only asked for the newest id
    const qsizetype requestsBefore = server.pageRequests.size();

    server.dropStreams();
    server.publishQuietly(250); // ids 6..255, only in the server's list
    QTRY_COMPARE_WITH_TIMEOUT(shown.ids.size(), 255, 5000);
    QCOMPARE(shown.doubled, 0);
    QVERIFY(shown.isAscending());
    QCOMPARE(m_store->count(), 255);
    QCOMPARE(m_store->cursor(QStringLiteral("test")), QStringLiteral("255"));

    // Newest page first, then backwards from the oldest id seen, until the cursor (5) is reached.
    const QList<QUrlQuery> pages = server.pageRequests.mid(requestsBefore);
    QCOMPARE(pages.size(), 3);
    QCOMPARE(pages.at(0).queryItemValue(QStringLiteral("limit")), QStringLiteral("100"));
    QVERIFY(!pages.at(0).hasQueryItem(QStringLiteral("since")));
    QCOMPARE(pages.at(1).queryItemValue(QStringLiteral("since")), QStringLiteral("156"));
    QCOMPARE(pages.at(2).queryItemValue(QStringLiteral("since")), QStringLiteral("56"));

    QTRY_COMPARE(server.streamCount(), 1);
    server.publish(QStringLiteral("live again"));
    QTRY_COMPARE(shown.ids.size(), 256);
    QCOMPARE(shown.doubled, 0);
}

void tst_GotifyProtocol::liveMessagesDuringCatchUpAreHeldAndNotDoubled()
{
    FakeGotify server(token);
    QVERIFY(server.listen());
    Shown shown;
    auto subscription = subscribe(server.url(), &shown);
    subscription->start();
    QTRY_COMPARE(server.streamCount(), 1);
    server.publish(QStringLiteral("first"));
    server.publish(QStringLiteral("second"));
    QTRY_COMPARE(shown.ids.size(), 2);

    server.setHoldingAnswers(true);
    server.dropStreams();
    server.publishQuietly(30); // 3..32
    QTRY_COMPARE(server.streamCount(), 1);
    QTRY_VERIFY(server.heldAnswerCount() >= 1); // the catch-up waits for its first page
    QSignalSpy frames(subscription->connection(), &ConnectionManager::textMessageReceived);
    for (int i = 0; i < 3; ++i)
        server.publish(QStringLiteral("live while catching up %1").arg(i)); // 33..35
    QTRY_COMPARE(frames.size(), 3);
    QCoreApplication::processEvents();
    QCOMPARE(shown.ids.size(), 2); // held: shown after the older ones, not before

    server.setHoldingAnswers(false); // the page now also lists 33..35: they must not double
    QTRY_COMPARE(shown.ids.size(), 35);
    QCOMPARE(shown.doubled, 0);
    QVERIFY(shown.isAscending());
    QCOMPARE(m_store->cursor(QStringLiteral("test")), QStringLiteral("35"));
}

void tst_GotifyProtocol::staleCatchUpIsDroppedWhenANewConnectStarts()
{
    FakeGotify server(token);
    QVERIFY(server.listen());
    Shown shown;
    auto subscription = subscribe(server.url(), &shown);
    subscription->start();
    QTRY_COMPARE(server.streamCount(), 1);
    server.publish(QStringLiteral("first"));
    QTRY_COMPARE(shown.ids.size(), 1);

    server.setHoldingAnswers(true);
    server.dropStreams();
    server.publishQuietly(20);
    QTRY_VERIFY(server.heldAnswerCount() >= 1);
    QTRY_COMPARE(server.streamCount(), 1);
    server.publish(QStringLiteral("live, held by the first catch-up")); // 22
    const int heldBefore = server.heldAnswerCount();
    server.dropStreams();     // the link dies again mid catch-up
    server.publishQuietly(5); // 23..27
    QTRY_VERIFY(server.heldAnswerCount() > heldBefore);
    QTRY_COMPARE(server.streamCount(), 1);
    QCOMPARE(shown.ids.size(), 1);

    server.setHoldingAnswers(false); // the first answer goes to an aborted request
    QTRY_COMPARE(shown.ids.size(), 27);
    QCOMPARE(shown.doubled, 0);
    QVERIFY(shown.isAscending());
    QCOMPARE(m_store->count(), 27);
}

// A new subscription has no cursor until its first message; a drop before that must not lose
// what is published meanwhile.
void tst_GotifyProtocol::newSubscriptionLosesNothingBeforeItsFirstMessage()
{
    FakeGotify server(token);
    QVERIFY(server.listen());
    server.publishQuietly(4); // history from before the subscription: never shown
    GotifyProtocol protocol(configFor(server.url()));
    QSignalSpy received(&protocol, &Protocol::received);
    QSignalSpy rejected(&protocol, &Protocol::frameRejected);
    protocol.handleConnected({});
    QTRY_COMPARE(server.pageRequests.size(), 1);
    QCOMPARE(server.pageRequests.first().queryItemValue(QStringLiteral("limit")),
             QStringLiteral("1"));
    QTRY_VERIFY(protocol.findChildren<QNetworkReply *>().isEmpty()); // the answer is taken
    QCOMPARE(received.size(), 0);

    server.publishQuietly(3);     // 5..7, while the link was down
    protocol.handleConnected({}); // still no stored cursor
    QTRY_COMPARE(received.size(), 1);
    const NotificationList list = receivedAt(received, 0);
    QCOMPARE(list.size(), 3);
    QCOMPARE(list.first().id, QStringLiteral("5"));
    QCOMPARE(list.last().id, QStringLiteral("7"));
    QCOMPARE(rejected.size(), 0);
}

void tst_GotifyProtocol::failedCatchUpIsRetriedFromTheGap()
{
    FakeGotify server(token);
    QVERIFY(server.listen());
    server.publishQuietly(2);
    GotifyProtocol protocol(configFor(server.url()));
    QSignalSpy received(&protocol, &Protocol::received);
    QSignalSpy rejected(&protocol, &Protocol::frameRejected);
    server.publishQuietly(3); // 3..5 missed
    server.failNextPage(502);
    protocol.handleConnected(QStringLiteral("2"));
    QVERIFY(rejected.wait());
    QVERIFY2(rejected.last().at(0).toString().contains(QStringLiteral("502")),
             qPrintable(rejected.last().at(0).toString()));

    // A live message moved the store's cursor past the gap; the next catch-up still covers it.
    server.publishQuietly(1); // 6
    protocol.handleTextFrame(QStringLiteral(R"({"id":6,"message":"live"})"));
    QCOMPARE(received.size(), 1);
    protocol.handleConnected(QStringLiteral("6"));
    QTRY_COMPARE(received.size(), 2);
    const NotificationList list = receivedAt(received, 1);
    QStringList ids;
    for (const Notification &notification : list)
        ids << notification.id;
    QCOMPARE(ids, QStringList({QStringLiteral("3"), QStringLiteral("4"), QStringLiteral("5"),
                               QStringLiteral("6")}));
}

// End to end: the stream is healthy but the catch-up fails. Showing live messages now would move
// the cursor past the gap (lost for good after a restart); so the link is dropped and the next
// connect catches up again, and every message arrives once.
void tst_GotifyProtocol::failedCatchUpDropsTheLinkAndLosesNothing()
{
    FakeGotify server(token);
    QVERIFY(server.listen());
    Shown shown;
    auto subscription = subscribe(server.url(), &shown);
    subscription->start();
    QTRY_COMPARE(server.streamCount(), 1);
    server.publish(QStringLiteral("live 1"));
    QTRY_COMPARE(shown.ids.size(), 1);

    server.dropStreams();
    server.publishQuietly(30); // missed while down
    server.failNextPage(502);  // the first catch-up after the drop fails
    QTRY_COMPARE_WITH_TIMEOUT(shown.ids.size(), 31, 8000);
    QCOMPARE(shown.doubled, 0);
    QVERIFY(shown.isAscending());
    QVERIFY(server.streamCount() >= 1);
}

void tst_GotifyProtocol::catchUpStopsAfterTheMaximumPages()
{
    FakeGotify server(token);
    QVERIFY(server.listen());
    const int total = GotifyProtocol::maximumPages * GotifyProtocol::pageLimit + 150;
    server.publishQuietly(total);
    GotifyProtocol protocol(configFor(server.url()));
    QSignalSpy received(&protocol, &Protocol::received);
    QSignalSpy rejected(&protocol, &Protocol::frameRejected);
    protocol.handleConnected(QStringLiteral("0"));
    QTRY_COMPARE_WITH_TIMEOUT(received.size(), 1, 20000);
    QCOMPARE(server.pageRequests.size(), GotifyProtocol::maximumPages);
    QCOMPARE(rejected.size(), 1);
    const NotificationList list = receivedAt(received, 0);
    QCOMPARE(list.size(), GotifyProtocol::maximumPages * GotifyProtocol::pageLimit);
    QCOMPARE(list.last().id, QString::number(total)); // the newest are kept
}

void tst_GotifyProtocol::wrongKeyIsRefusedOnStreamAndCatchUp()
{
    FakeGotify server(QStringLiteral("the-right-one"));
    QVERIFY(server.listen());
    server.publishQuietly(3);

    GotifyProtocol protocol(configFor(server.url()));
    QSignalSpy rejected(&protocol, &Protocol::frameRejected);
    QSignalSpy received(&protocol, &Protocol::received);
    protocol.handleConnected(QStringLiteral("1"));
    QVERIFY(rejected.wait());
    const QString reason = rejected.last().at(0).toString();
    QVERIFY2(reason.contains(QStringLiteral("401")), qPrintable(reason));
    QVERIFY(reason.contains(QStringLiteral("valid access token"))); // gotify's own words
    QVERIFY(!reason.contains(token));
    QCOMPARE(received.size(), 0);

    Shown shown;
    auto subscription = subscribe(server.url(), &shown);
    subscription->start();
    QTRY_COMPARE(subscription->connection()->state(), ConnectionState::Failed);
    const QString stateReason = subscription->connection()->stateReason();
    QVERIFY2(stateReason.contains(QStringLiteral("401")), qPrintable(stateReason));
    QVERIFY(!stateReason.contains(token));
}

void tst_GotifyProtocol::catchUpRefusedFailsInsteadOfLooping_data()
{
    QTest::addColumn<int>("status");
    QTest::newRow("401") << 401;
    QTest::newRow("403") << 403;
}

// The stream takes the token but the REST API refuses it: retrying at the backoff cap forever
// would never work. Like a refused handshake, it is `failed`, tried again only rarely.
void tst_GotifyProtocol::catchUpRefusedFailsInsteadOfLooping()
{
    QFETCH(int, status);
    FakeGotify server(token);
    QVERIFY(server.listen());
    server.refuseMessageList(status);
    Shown shown;
    auto subscription = subscribe(server.url(), &shown);
    subscription->start();
    QTRY_COMPARE(subscription->connection()->state(), ConnectionState::Failed);
    const QString reason = subscription->connection()->stateReason();
    QVERIFY2(reason.contains(QString::number(status)), qPrintable(reason));
    QVERIFY(subscription->connection()->nextAttemptAt() >
            QDateTime::currentDateTimeUtc().addSecs(60));
    // A temporary failure would have retried several times within this span (backoff 20-150 ms).
    QSignalSpy states(subscription.get(), &Subscription::stateChanged);
    QVERIFY(!states.wait(500));
    QCOMPARE(server.pageRequests.size(), 1);
}

QTEST_GUILESS_MAIN(tst_GotifyProtocol)
#include "tst_gotifyprotocol.moc"
