#include "pushclients.h"
#include "pushserver.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>
#include <algorithm>
#include <memory>

using namespace traybeat;
using namespace traybeat::test;
using namespace std::chrono_literals;

class tst_PushServer final : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void publishAnswersStoredMessage();
    void publishAcceptsPriorityNames_data();
    void publishAcceptsPriorityNames();
    void publishRejects_data();
    void publishRejects();
    void unknownPathIs404();
    void publishApiStoresAndSignals();
    void keepAliveAndPipelining();
    void subscribeGetsOpenThenLive();
    void subscribeSince_data();
    void subscribeSince();
    void subscribeToSeveralTopics();
    void longCatchUpArrivesOnceInOrder();
    void subscriberCountFollowsConnections();
    void pollReturnsJsonLines();
    void tokenIsRequired();
    void refusedUpgradeGetsHttpError_data();
    void refusedUpgradeGetsHttpError();
    void malformedRequestsGetErrors_data();
    void malformedRequestsGetErrors();
    void clientGoneBeforeAnswer();
    void unreadAnswersStopReading();
    void shutdownClosesSubscribers();
    void messagesSurviveRestart();
    void keepaliveEventsArrive();
    void expiredMessagesAreNotServed();
    void pingIsAnswered();
    void largeInboundMessageClosesSubscriber();
    void subscribersOverTheBudgetAreClosed();
    void serveAndPublishProcesses();
    void badArgumentsExitWithTwo_data();
    void badArgumentsExitWithTwo();
    void portInUseExitsWithOne();

private:
    void startServer(PushServerOptions options = {});
    QUrl url(const QString &pathAndQuery, const QString &scheme = QStringLiteral("http")) const;
    HttpResult request(const QByteArray &method, const QString &pathAndQuery,
                       const QByteArray &body = {}, const Headers &headers = {});
    QJsonObject publishOverHttp(const QString &topic, const QString &message,
                                const Headers &headers = {});
    QByteArray rawExchange(const QByteArray &request, int expectedResponses = 1);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<PushServer> m_server;
    QNetworkAccessManager m_network;
};

void tst_PushServer::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void tst_PushServer::cleanup()
{
    m_server.reset();
    m_dir.reset();
}

void tst_PushServer::startServer(PushServerOptions options)
{
    m_server.reset();
    if (options.databasePath.isEmpty())
        options.databasePath = m_dir->filePath(QStringLiteral("server.db"));
    m_server = std::make_unique<PushServer>(options);
    QString error;
    QVERIFY2(m_server->listen(&error), qPrintable(error));
    QVERIFY(m_server->port() != 0);
}

QUrl tst_PushServer::url(const QString &pathAndQuery, const QString &scheme) const
{
    QUrl base = m_server->url();
    base.setScheme(scheme);
    return base.resolved(QUrl(pathAndQuery));
}

HttpResult tst_PushServer::request(const QByteArray &method, const QString &pathAndQuery,
                                   const QByteArray &body, const Headers &headers)
{
    return httpRequest(m_network, url(pathAndQuery), method, body, headers);
}

QJsonObject tst_PushServer::publishOverHttp(const QString &topic, const QString &message,
                                            const Headers &headers)
{
    const HttpResult result = request("POST", QLatin1Char('/') + topic, message.toUtf8(), headers);
    if (result.status != 200)
        qWarning() << "publish failed:" << result.status << result.body;
    return result.json();
}

// Writes `request` on a fresh TCP connection and returns what comes back once
// `expectedResponses` complete answers (by Content-Length) arrived or the peer closed.
QByteArray tst_PushServer::rawExchange(const QByteArray &request, int expectedResponses)
{
    // The server runs in this thread: wait with the event loop spinning, never blocking.
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_server->port());
    if (!QTest::qWaitFor([&] { return socket.state() == QAbstractSocket::ConnectedState; }, 5000))
        return {};
    socket.write(request);
    QByteArray received;
    const auto complete = [&] {
        int responses = 0;
        qsizetype offset = 0;
        while (true) {
            const qsizetype headEnd = received.indexOf("\r\n\r\n", offset);
            if (headEnd < 0)
                return false;
            static const QRegularExpression length(QStringLiteral("Content-Length: (\\d+)"),
                                                   QRegularExpression::CaseInsensitiveOption);
            const QByteArray head = received.mid(offset, headEnd - offset);
            const auto match = length.match(QString::fromLatin1(head));
            qsizetype bodyEnd = headEnd + 4 + (match.hasMatch() ? match.captured(1).toInt() : 0);
            if (head.contains(
                    "Transfer-Encoding: chunked")) { // a streamed poll: up to the last chunk
                const qsizetype last =
                    ("\r\n" + received.mid(headEnd + 4)).indexOf("\r\n0\r\n\r\n");
                if (last < 0)
                    return false;
                bodyEnd = headEnd + 4 + last + 5;
            }
            if (received.size() < bodyEnd)
                return false;
            offset = bodyEnd;
            if (++responses >= expectedResponses)
                return true;
        }
    };
    const bool done = QTest::qWaitFor(
        [&] {
            received += socket.readAll();
            return complete() || socket.state() != QAbstractSocket::ConnectedState;
        },
        5000);
    if (!done)
        qWarning() << "no complete answer within 5 s; received" << received;
    received += socket.readAll();
    return received;
}

void tst_PushServer::publishAnswersStoredMessage()
{
    startServer();
    const qint64 before = QDateTime::currentSecsSinceEpoch();
    const QJsonObject message =
        publishOverHttp(QStringLiteral("alerts"), QStringLiteral("disk full"),
                        {{"Title", "Server \xc3\xa9t\xc3\xa9"},
                         {"X-Priority", "high"},
                         {"Tags", "warning, disk"},
                         {"Click", "https://example.com/disk"}});
    const QString id = message.value(QStringLiteral("id")).toString();
    QVERIFY2(QRegularExpression(QStringLiteral("^[A-Za-z0-9]{12}$")).match(id).hasMatch(),
             qPrintable(id));
    QVERIFY(!QRegularExpression(QStringLiteral("^[0-9]+$")).match(id).hasMatch());
    QCOMPARE(message.value(QStringLiteral("event")).toString(), QStringLiteral("message"));
    QCOMPARE(message.value(QStringLiteral("topic")).toString(), QStringLiteral("alerts"));
    QCOMPARE(message.value(QStringLiteral("message")).toString(), QStringLiteral("disk full"));
    QCOMPARE(message.value(QStringLiteral("title")).toString(),
             QString::fromUtf8("Server \xc3\xa9t\xc3\xa9"));
    QCOMPARE(message.value(QStringLiteral("priority")).toInt(), 4);
    QCOMPARE(message.value(QStringLiteral("tags")).toArray(),
             QJsonArray({QStringLiteral("warning"), QStringLiteral("disk")}));
    QCOMPARE(message.value(QStringLiteral("click")).toString(),
             QStringLiteral("https://example.com/disk"));
    const qint64 time = message.value(QStringLiteral("time")).toInteger();
    QVERIFY(time >= before && time <= QDateTime::currentSecsSinceEpoch());

    // PUT is accepted too, and an empty body is ntfy's "triggered".
    const HttpResult put = request("PUT", QStringLiteral("/alerts"));
    QCOMPARE(put.status, 200);
    QCOMPARE(put.json().value(QStringLiteral("message")).toString(), QStringLiteral("triggered"));
    QCOMPARE(put.json().value(QStringLiteral("priority")).toInt(), 3);
}

void tst_PushServer::publishAcceptsPriorityNames_data()
{
    QTest::addColumn<QByteArray>("priority");
    QTest::addColumn<int>("expected");
    QTest::newRow("1") << QByteArray("1") << 1;
    QTest::newRow("5") << QByteArray("5") << 5;
    QTest::newRow("min") << QByteArray("min") << 1;
    QTest::newRow("low") << QByteArray("low") << 2;
    QTest::newRow("default") << QByteArray("default") << 3;
    QTest::newRow("HIGH") << QByteArray("HIGH") << 4;
    QTest::newRow("urgent") << QByteArray("urgent") << 5;
}

void tst_PushServer::publishAcceptsPriorityNames()
{
    QFETCH(QByteArray, priority);
    QFETCH(int, expected);
    startServer();
    const QJsonObject message =
        publishOverHttp(QStringLiteral("t"), QStringLiteral("m"), {{"Priority", priority}});
    QCOMPARE(message.value(QStringLiteral("priority")).toInt(), expected);
}

void tst_PushServer::publishRejects_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("priority");
    QTest::addColumn<int>("status");
    QTest::addColumn<int>("code");
    QTest::newRow("bad topic") << QStringLiteral("/bad.topic") << QByteArray("m") << QByteArray()
                               << 400 << 40009;
    QTest::newRow("topic too long") << QLatin1Char('/') + QString(65, QLatin1Char('a'))
                                    << QByteArray("m") << QByteArray() << 400 << 40009;
    QTest::newRow("priority 0") << QStringLiteral("/t") << QByteArray("m") << QByteArray("0") << 400
                                << 40007;
    QTest::newRow("priority 6") << QStringLiteral("/t") << QByteArray("m") << QByteArray("6") << 400
                                << 40007;
    QTest::newRow("priority word")
        << QStringLiteral("/t") << QByteArray("m") << QByteArray("loud") << 400 << 40007;
    QTest::newRow("over limit") << QStringLiteral("/t") << QByteArray(4097, 'x') << QByteArray()
                                << 413 << 41301;
}

void tst_PushServer::publishRejects()
{
    QFETCH(QString, path);
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, priority);
    QFETCH(int, status);
    QFETCH(int, code);
    startServer();
    Headers headers;
    if (!priority.isEmpty())
        headers.append({"Priority", priority});
    const HttpResult result = request("POST", path, body, headers);
    QCOMPARE(result.status, status);
    QCOMPARE(result.json().value(QStringLiteral("code")).toInt(), code);
    QCOMPARE(result.json().value(QStringLiteral("http")).toInt(), status);
    QVERIFY(!result.json().value(QStringLiteral("error")).toString().isEmpty());
    // Exactly at the limit is fine, and nothing rejected was stored.
    QCOMPARE(request("POST", QStringLiteral("/t"), QByteArray(4096, 'x')).status, 200);
    QCOMPARE(request("GET", QStringLiteral("/t/json?poll=1")).lines().size(), 1);
}

void tst_PushServer::unknownPathIs404()
{
    startServer();
    for (const QString &path :
         {QStringLiteral("/"), QStringLiteral("/a/b/c"), QStringLiteral("/a/xml")}) {
        const HttpResult result = request("GET", path);
        QCOMPARE(result.status, 404);
        QCOMPARE(result.json().value(QStringLiteral("http")).toInt(), 404);
    }
    QCOMPARE(request("GET", QStringLiteral("/v1/health"))
                 .json()
                 .value(QStringLiteral("healthy"))
                 .toBool(),
             true);
}

void tst_PushServer::publishApiStoresAndSignals()
{
    startServer();
    QSignalSpy published(m_server.get(), &PushServer::published);
    WsClient subscriber(url(QStringLiteral("/news/ws"), QStringLiteral("ws")));
    QVERIFY(subscriber.waitConnected());
    QTRY_COMPARE(m_server->subscriberCount(), 1);

    QString error;
    const auto message = m_server->publish(QStringLiteral("news"), QStringLiteral("hello"),
                                           QStringLiteral("Title"), 5, {QStringLiteral("x")},
                                           QUrl(QStringLiteral("https://example.com")), &error);
    QVERIFY2(message, qPrintable(error));
    QCOMPARE(message->value(QStringLiteral("priority")).toInt(), 5);
    QCOMPARE(published.size(), 1);
    QCOMPARE(published.first().first().toJsonObject(), *message);
    QTRY_COMPARE(subscriber.messages(), QStringList{QStringLiteral("hello")});
    QCOMPARE(subscriber.of(QStringLiteral("message")).first(), *message);

    QVERIFY(
        !m_server->publish(QStringLiteral("no/slash"), QStringLiteral("x"), {}, 3, {}, {}, &error));
    QVERIFY(error.contains(QStringLiteral("topic")));
    QVERIFY(!m_server->publish(QStringLiteral("news"), QStringLiteral("x"), {}, 9, {}, {}, &error));
    QVERIFY(error.contains(QStringLiteral("priority")));
    QCOMPARE(published.size(), 1);
}

void tst_PushServer::keepAliveAndPipelining()
{
    startServer();
    // Two publishes and a poll written at once on one connection: three answers, in order.
    const QByteArray requests =
        "POST /pipe HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nfirst"
        "PUT /pipe HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        "3\r\nsec\r\n3\r\nond\r\n0\r\n\r\n"
        "GET /pipe/json?poll=1 HTTP/1.1\r\nHost: x\r\n\r\n";
    const QByteArray received = rawExchange(requests, 3);
    QCOMPARE(received.count("HTTP/1.1 200 OK"), 3);
    QVERIFY(!received.contains("Connection: close"));
    const qsizetype first = received.indexOf("\"first\"");
    const qsizetype second = received.indexOf("\"second\"");
    QVERIFY(first > 0 && second > first);
    QCOMPARE(received.mid(received.indexOf("application/x-ndjson")).count("\"event\":\"message\""),
             2);

    // Expect: 100-continue is honoured; HTTP/1.0 without keep-alive is closed after the answer.
    const QByteArray continued =
        rawExchange("POST /pipe HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
                    "Expect: 100-continue\r\n\r\nhi",
                    2);
    QVERIFY(continued.startsWith("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK"));
    const QByteArray old = rawExchange("POST /pipe HTTP/1.0\r\nContent-Length: 2\r\n\r\nhi");
    QVERIFY(old.contains("Connection: close"));
}

void tst_PushServer::subscribeGetsOpenThenLive()
{
    startServer();
    WsClient subscriber(url(QStringLiteral("/alerts/ws"), QStringLiteral("ws")));
    QVERIFY(subscriber.waitConnected());
    QTRY_COMPARE(subscriber.events.size(), 1);
    const QJsonObject open = subscriber.events.first();
    QCOMPARE(open.value(QStringLiteral("event")).toString(), QStringLiteral("open"));
    QCOMPARE(open.value(QStringLiteral("topic")).toString(), QStringLiteral("alerts"));
    QCOMPARE(open.value(QStringLiteral("id")).toString().size(), 12);

    const QJsonObject published =
        publishOverHttp(QStringLiteral("alerts"), QStringLiteral("live one"));
    QTRY_COMPARE(subscriber.events.size(), 2);
    QCOMPARE(subscriber.events.last(), published);
}

void tst_PushServer::subscribeSince_data()
{
    // Three messages m1, m2, m3 are published first; `since` is written with their ids/times.
    QTest::addColumn<QString>("since");
    QTest::addColumn<QStringList>("expected");
    const QStringList all{QStringLiteral("m1"), QStringLiteral("m2"), QStringLiteral("m3")};
    QTest::newRow("absent: only new") << QString() << QStringList();
    QTest::newRow("all") << QStringLiteral("all") << all;
    QTest::newRow("after id of m1")
        << QStringLiteral("{m1}") << QStringList{QStringLiteral("m2"), QStringLiteral("m3")};
    QTest::newRow("after id of m3") << QStringLiteral("{m3}") << QStringList();
    QTest::newRow("unknown id: all cached") << QStringLiteral("abcdefABCDEF") << all;
    QTest::newRow("unix time a minute ago") << QStringLiteral("{now-60}") << all;
    QTest::newRow("unix time in the future") << QStringLiteral("{now+60}") << QStringList();
    QTest::newRow("duration 10m") << QStringLiteral("10m") << all;
}

void tst_PushServer::subscribeSince()
{
    QFETCH(QString, since);
    QFETCH(QStringList, expected);
    startServer();
    publishOverHttp(QStringLiteral("other"), QStringLiteral("elsewhere"));
    QHash<QString, QString> ids;
    for (const QString &name : {QStringLiteral("m1"), QStringLiteral("m2"), QStringLiteral("m3")})
        ids.insert(
            name,
            publishOverHttp(QStringLiteral("t"), name).value(QStringLiteral("id")).toString());
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    since.replace(QStringLiteral("{m1}"), ids.value(QStringLiteral("m1")))
        .replace(QStringLiteral("{m3}"), ids.value(QStringLiteral("m3")))
        .replace(QStringLiteral("{now-60}"), QString::number(now - 60))
        .replace(QStringLiteral("{now+60}"), QString::number(now + 60));

    const QString query = since.isEmpty() ? QString() : QStringLiteral("?since=") + since;
    WsClient subscriber(url(QStringLiteral("/t/ws") + query, QStringLiteral("ws")));
    QVERIFY(subscriber.waitConnected());
    QTRY_COMPARE(subscriber.of(QStringLiteral("open")).size(), 1);
    // Cached messages come right after open; a live marker after them proves nothing else follows.
    publishOverHttp(QStringLiteral("t"), QStringLiteral("live"));
    QTRY_VERIFY(subscriber.messages().contains(QStringLiteral("live")));
    QCOMPARE(subscriber.events.first().value(QStringLiteral("event")).toString(),
             QStringLiteral("open"));
    QCOMPARE(subscriber.messages(), expected + QStringList{QStringLiteral("live")});
}

void tst_PushServer::longCatchUpArrivesOnceInOrder()
{
    // More than the catch-up's low-water mark (256 KiB) of cached messages: the pages follow one
    // another as the socket drains, while frames are gathered and flushed in chunks, and each
    // message must still come exactly once, in order, before the live one.
    startServer();
    QStringList expected;
    const QString padding(3000, QLatin1Char('x'));
    for (int i = 0; i < 400; ++i) {
        expected << QStringLiteral("m%1 ").arg(i) + padding;
        QVERIFY(m_server->publish(QStringLiteral("t"), expected.last(), {}, 3, {}, {}, nullptr));
    }
    WsClient subscriber(url(QStringLiteral("/t/ws?since=all"), QStringLiteral("ws")));
    QVERIFY(subscriber.waitConnected());
    QTRY_COMPARE_WITH_TIMEOUT(subscriber.messages().size(), 400, 20000);
    publishOverHttp(QStringLiteral("t"), QStringLiteral("live"));
    QTRY_VERIFY(subscriber.messages().contains(QStringLiteral("live")));
    QCOMPARE(subscriber.messages(), expected + QStringList{QStringLiteral("live")});
}

void tst_PushServer::subscribeToSeveralTopics()
{
    startServer();
    publishOverHttp(QStringLiteral("a"), QStringLiteral("cached a"));
    publishOverHttp(QStringLiteral("c"), QStringLiteral("cached c"));
    WsClient subscriber(url(QStringLiteral("/a,b/ws?since=all"), QStringLiteral("ws")));
    QVERIFY(subscriber.waitConnected());
    QTRY_COMPARE(subscriber.messages().size(), 1);
    QCOMPARE(
        subscriber.of(QStringLiteral("open")).first().value(QStringLiteral("topic")).toString(),
        QStringLiteral("a,b"));
    publishOverHttp(QStringLiteral("b"), QStringLiteral("live b"));
    publishOverHttp(QStringLiteral("c"), QStringLiteral("live c"));
    publishOverHttp(QStringLiteral("a"), QStringLiteral("live a"));
    QTRY_COMPARE(subscriber.messages().size(), 3);
    QCOMPARE(subscriber.messages(),
             (QStringList{QStringLiteral("cached a"), QStringLiteral("live b"),
                          QStringLiteral("live a")}));
}

void tst_PushServer::subscriberCountFollowsConnections()
{
    startServer();
    QCOMPARE(m_server->subscriberCount(), 0);
    {
        WsClient first(url(QStringLiteral("/a/ws"), QStringLiteral("ws")));
        WsClient second(url(QStringLiteral("/a,b/ws"), QStringLiteral("ws")));
        QVERIFY(first.waitConnected());
        QVERIFY(second.waitConnected());
        QTRY_COMPARE(m_server->subscriberCount(), 2);
        first.socket().close();
        QTRY_COMPARE(m_server->subscriberCount(), 1);
    }
    QTRY_COMPARE(m_server->subscriberCount(), 0);
    // Publishing to a topic whose subscribers left is harmless.
    QCOMPARE(request("POST", QStringLiteral("/a"), "x").status, 200);
}

void tst_PushServer::pollReturnsJsonLines()
{
    startServer();
    const QString first = publishOverHttp(QStringLiteral("p"), QStringLiteral("one"))
                              .value(QStringLiteral("id"))
                              .toString();
    publishOverHttp(QStringLiteral("q"), QStringLiteral("two"));
    publishOverHttp(QStringLiteral("p"), QStringLiteral("three"));

    HttpResult result = request("GET", QStringLiteral("/p/json?poll=1"));
    QCOMPARE(result.status, 200);
    QList<QJsonObject> lines = result.lines();
    QCOMPARE(lines.size(), 2);
    QCOMPARE(lines[0].value(QStringLiteral("message")).toString(), QStringLiteral("one"));
    QCOMPARE(lines[1].value(QStringLiteral("message")).toString(), QStringLiteral("three"));

    lines = request("GET", QStringLiteral("/p,q/json?poll=1&since=") + first).lines();
    QCOMPARE(lines.size(), 2);
    QCOMPARE(lines[0].value(QStringLiteral("message")).toString(), QStringLiteral("two"));
    QCOMPARE(lines[1].value(QStringLiteral("topic")).toString(), QStringLiteral("p"));

    QCOMPARE(request("GET", QStringLiteral("/p/json?poll=1&since=x-y")).status, 400);
    QCOMPARE(request("GET", QStringLiteral("/p,bad.t/json?poll=1")).status, 400);
}

void tst_PushServer::tokenIsRequired()
{
    PushServerOptions options;
    options.token = QStringLiteral("s3cret");
    startServer(options);
    const HttpResult missing = request("POST", QStringLiteral("/t"), "x");
    QCOMPARE(missing.status, 401);
    QCOMPARE(missing.json().value(QStringLiteral("code")).toInt(), 40101);
    QCOMPARE(request("POST", QStringLiteral("/t"), "x", {{"Authorization", "Bearer wrong"}}).status,
             401);
    QCOMPARE(
        request("POST", QStringLiteral("/t"), "x", {{"Authorization", "Basic czNjcmV0"}}).status,
        401);
    QCOMPARE(request("GET", QStringLiteral("/t/json?poll=1")).status, 401);
    // A token in the URL is not accepted: tokens never travel in URLs.
    QCOMPARE(request("POST", QStringLiteral("/t?auth=s3cret"), "x").status, 401);
    QCOMPARE(
        request("POST", QStringLiteral("/t"), "x", {{"Authorization", "Bearer s3cret"}}).status,
        200);

    WsClient refused(url(QStringLiteral("/t/ws"), QStringLiteral("ws")), "wrong");
    QSignalSpy refusedError(&refused.socket(),
                            QOverload<QAbstractSocket::SocketError>::of(&QWebSocket::error));
    QVERIFY(refusedError.wait(5000));
    QTRY_COMPARE(refused.socket().state(), QAbstractSocket::UnconnectedState);
    QVERIFY(refused.events.isEmpty());
    QCOMPARE(m_server->subscriberCount(), 0);

    WsClient admitted(url(QStringLiteral("/t/ws?since=all"), QStringLiteral("ws")), "s3cret");
    QVERIFY(admitted.waitConnected());
    QTRY_COMPARE(admitted.messages(), QStringList{QStringLiteral("x")});
    QCOMPARE(m_server->subscriberCount(), 1);

    // The refusal is a real HTTP 401 with ntfy's error body, not a dropped connection.
    const QByteArray raw = rawExchange("GET /t/ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                                       "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                                       "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
    QVERIFY2(raw.startsWith("HTTP/1.1 401"), raw.constData());
    QVERIFY(raw.contains("\"code\":40101"));
}

void tst_PushServer::refusedUpgradeGetsHttpError_data()
{
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<QByteArray>("status");
    QTest::newRow("bad topic") << QByteArray("/bad.topic/ws") << QByteArray("400");
    QTest::newRow("bad since") << QByteArray("/t/ws?since=x-y") << QByteArray("400");
    QTest::newRow("unknown path") << QByteArray("/t/events") << QByteArray("404");
}

void tst_PushServer::refusedUpgradeGetsHttpError()
{
    QFETCH(QByteArray, target);
    QFETCH(QByteArray, status);
    startServer();
    const QByteArray raw = rawExchange("GET " + target +
                                       " HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                                       "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                                       "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
    QVERIFY2(raw.startsWith("HTTP/1.1 " + status), raw.constData());
    QCOMPARE(m_server->subscriberCount(), 0);
}

void tst_PushServer::malformedRequestsGetErrors_data()
{
    QTest::addColumn<QByteArray>("rawRequest");
    QTest::addColumn<QByteArray>("status");
    QTest::newRow("garbage") << QByteArray("HELLO\r\n\r\n") << QByteArray("400");
    QTest::newRow("HTTP/2") << QByteArray("GET /t/json HTTP/2.0\r\n\r\n") << QByteArray("505");
    QTest::newRow("bad length") << QByteArray(
                                       "POST /t HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n")
                                << QByteArray("400");
    QTest::newRow("gzip") << QByteArray(
                                 "POST /t HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n")
                          << QByteArray("501");
    QTest::newRow("huge header") << "GET /t/json HTTP/1.1\r\nHost: x\r\nX-Big: " +
                                        QByteArray(20000, 'a') + "\r\n\r\n"
                                 << QByteArray("431");
    QTest::newRow("huge body")
        << QByteArray("POST /t HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n")
        << QByteArray("413");
}

void tst_PushServer::malformedRequestsGetErrors()
{
    QFETCH(QByteArray, rawRequest);
    QFETCH(QByteArray, status);
    startServer();
    const QByteArray raw = rawExchange(rawRequest);
    QVERIFY2(raw.startsWith("HTTP/1.1 " + status), raw.left(200).constData());
    QVERIFY(raw.contains("Connection: close"));
    QVERIFY(raw.contains("\"http\":" + status));
    QCOMPARE(request("GET", QStringLiteral("/t/json?poll=1")).status, 200); // still serving
}

void tst_PushServer::clientGoneBeforeAnswer()
{
    startServer();
    {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_server->port());
        QVERIFY(QTest::qWaitFor([&] { return socket.state() == QAbstractSocket::ConnectedState; },
                                5000));
        socket.write("POST /gone HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nbye!");
        QVERIFY(socket.waitForBytesWritten(1000));
        socket.abort(); // the publish is read, the answer has nowhere to go
    }
    // Whether or not it was read before the reset, the server carries on and stays consistent.
    QCOMPARE(request("POST", QStringLiteral("/gone"), "after").status, 200);
    const QList<QJsonObject> lines = request("GET", QStringLiteral("/gone/json?poll=1")).lines();
    QVERIFY(lines.size() == 1 || lines.size() == 2);
    QCOMPARE(lines.last().value(QStringLiteral("message")).toString(), QStringLiteral("after"));
}

void tst_PushServer::unreadAnswersStopReading()
{
    // Found by fuzzing: a client that pipelines polls and never reads had every answer buffered
    // in the server, a few bytes of request each buying 200 KB of memory, without bound. The
    // server must stop taking requests while its answers pile up, and resume as they drain.
    startServer();
    const QString text(4000, QLatin1Char('x'));
    for (int i = 0; i < 50; ++i)
        QVERIFY(m_server->publish(QStringLiteral("big"), text));
    QTcpSocket socket;
    // Ours too must not read ahead, nor the kernel's buffers grow: unread answers stay unread.
    socket.setReadBufferSize(4096);
    socket.connectToHost(QHostAddress::LocalHost, m_server->port());
    QVERIFY(
        QTest::qWaitFor([&] { return socket.state() == QAbstractSocket::ConnectedState; }, 5000));
    socket.setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 64 * 1024);
    constexpr int polls = 200; // 40 MB of answers, far beyond what the kernel buffers
    QByteArray requests;
    for (int i = 0; i < polls; ++i)
        requests += "GET /big/json?poll=1 HTTP/1.1\r\nHost: x\r\n\r\n";
    requests += "POST /marker HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nx";
    QSignalSpy published(m_server.get(), &PushServer::published);
    socket.write(requests);
    QVERIFY(QTest::qWaitFor([&] { return socket.bytesToWrite() == 0; }, 5000));
    // A publish on a second connection, sent after the pipeline above was on its way. The server
    // sees the first connection's bytes first, so had it read on to the marker, the marker would
    // be published (committed) no later than this probe.
    QCOMPARE(publishOverHttp(QStringLiteral("probe"), QStringLiteral("probe"))
                 .value(QStringLiteral("topic"))
                 .toString(),
             QStringLiteral("probe"));
    QCOMPARE(published.count(), 1); // the probe; the publish behind the polls is not read yet
    QCOMPARE(published.constFirst().constFirst().toJsonObject().value(QStringLiteral("topic")),
             QStringLiteral("probe"));

    // Reading the answers lets the server carry on, in order, to the last request.
    socket.setReadBufferSize(0);
    // Poll answers are streamed (chunked); the marker's answer comes last, after all of them.
    QByteArray received;
    QVERIFY(QTest::qWaitFor(
        [&] {
            received += socket.readAll();
            return received.contains("\"topic\":\"marker\"");
        },
        30000));
    const bool allOk =
        received.count("HTTP/1.1 ") == polls + 1 && received.count("HTTP/1.1 200 OK") == polls + 1;
    QVERIFY(allOk);
    QCOMPARE(published.count(), 2); // the probe, then the marker
    QCOMPARE(published.constLast().constFirst().toJsonObject().value(QStringLiteral("topic")),
             QStringLiteral("marker"));
}

void tst_PushServer::shutdownClosesSubscribers()
{
    startServer();
    WsClient subscriber(url(QStringLiteral("/s/ws"), QStringLiteral("ws")));
    QVERIFY(subscriber.waitConnected());
    QTRY_COMPARE(m_server->subscriberCount(), 1);
    m_server.reset();
    QTRY_COMPARE(subscriber.socket().state(), QAbstractSocket::UnconnectedState);
    QCOMPARE(subscriber.socket().closeCode(), QWebSocketProtocol::CloseCodeGoingAway);
}

void tst_PushServer::messagesSurviveRestart()
{
    startServer();
    publishOverHttp(QStringLiteral("keep"), QStringLiteral("before restart 1"));
    QVERIFY(m_server->publish(QStringLiteral("keep"), QStringLiteral("before restart 2")));
    m_server.reset();

    startServer(); // same database file
    WsClient subscriber(url(QStringLiteral("/keep/ws?since=all"), QStringLiteral("ws")));
    QVERIFY(subscriber.waitConnected());
    QTRY_COMPARE(subscriber.messages(), (QStringList{QStringLiteral("before restart 1"),
                                                     QStringLiteral("before restart 2")}));
}

void tst_PushServer::keepaliveEventsArrive()
{
    PushServerOptions options;
    options.keepalive = 100ms;
    startServer(options);
    WsClient subscriber(url(QStringLiteral("/k/ws"), QStringLiteral("ws")));
    QVERIFY(subscriber.waitConnected());
    QTRY_VERIFY_WITH_TIMEOUT(subscriber.of(QStringLiteral("keepalive")).size() >= 2, 2000);
    const QJsonObject keepalive = subscriber.of(QStringLiteral("keepalive")).first();
    QCOMPARE(keepalive.value(QStringLiteral("topic")).toString(), QStringLiteral("k"));
    QCOMPARE(keepalive.value(QStringLiteral("id")).toString().size(), 12);
    QVERIFY(keepalive.contains(QStringLiteral("time")));
}

void tst_PushServer::expiredMessagesAreNotServed()
{
    PushServerOptions options;
    options.cache = 300ms;
    startServer(options);
    publishOverHttp(QStringLiteral("e"), QStringLiteral("short-lived"));
    QCOMPARE(request("GET", QStringLiteral("/e/json?poll=1")).lines().size(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(request("GET", QStringLiteral("/e/json?poll=1")).lines().size(), 0,
                              3000);
    WsClient subscriber(url(QStringLiteral("/e/ws?since=all"), QStringLiteral("ws")));
    QVERIFY(subscriber.waitConnected());
    publishOverHttp(QStringLiteral("e"), QStringLiteral("fresh"));
    QTRY_COMPARE(subscriber.messages(), QStringList{QStringLiteral("fresh")});
}

void tst_PushServer::pingIsAnswered()
{
    startServer();
    WsClient subscriber(url(QStringLiteral("/p/ws"), QStringLiteral("ws")));
    QVERIFY(subscriber.waitConnected());
    QSignalSpy pong(&subscriber.socket(), &QWebSocket::pong);
    subscriber.socket().ping("are you there");
    QVERIFY(pong.wait(5000));
    QCOMPARE(pong.first().at(1).toByteArray(), QByteArray("are you there"));
}

void tst_PushServer::subscribersOverTheBudgetAreClosed()
{
    // Each subscriber alone is far below its own limit; together they pass the budget, and the
    // ones furthest behind are closed (with the reason), then cut off after the grace period.
    PushServerOptions options;
    options.subscriberBacklogLimit = 64 * 1024 * 1024;
    options.subscriberBacklogBudget = 2 * 1024 * 1024;
    options.closeGrace = 200ms;
    startServer(options);
    std::vector<std::unique_ptr<QTcpSocket>> subscribers;
    for (int i = 0; i < 3; ++i) {
        auto socket = std::make_unique<QTcpSocket>();
        socket->setReadBufferSize(1024); // reads no further: a subscriber that stopped reading
        socket->connectToHost(QHostAddress::LocalHost, m_server->port());
        QVERIFY(socket->waitForConnected(5000));
        socket->setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 4096);
        socket->write("GET /budget/ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                      "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                      "Sec-WebSocket-Version: 13\r\n\r\n");
        subscribers.push_back(std::move(socket));
    }
    QTRY_COMPARE(m_server->subscriberCount(), 3);
    // 3,000 × 4 KB is 12 MB per subscriber: far below each one's 64 MiB, far above the budget.
    const QString text(4000, QLatin1Char('b'));
    for (int i = 0; i < 3000 && m_server->subscriberCount() == 3; ++i) {
        QVERIFY(m_server->publish(QStringLiteral("budget"), text));
        if (i % 50 == 0)
            QTest::qWait(1);
    }
    // The furthest behind go until the rest fit: told why, then cut off after the grace period
    // (a subscriber leaves the count only once its socket is gone).
    QTRY_VERIFY_WITH_TIMEOUT(m_server->subscriberCount() < 3, 5000);
}

void tst_PushServer::largeInboundMessageClosesSubscriber()
{
    // Found by review while fuzzing: a subscriber's messages are never read, yet QWebSocket
    // buffered each up to 2 GiB. One larger than a few KB now ends the subscription.
    startServer();
    WsClient subscriber(url(QStringLiteral("/big/ws"), QStringLiteral("ws")));
    QVERIFY(subscriber.waitConnected());
    QTRY_COMPARE(m_server->subscriberCount(), 1);
    subscriber.socket().sendBinaryMessage(QByteArray(1024 * 1024, 'x'));
    QTRY_COMPARE(subscriber.socket().state(), QAbstractSocket::UnconnectedState);
    QCOMPARE(subscriber.socket().closeCode(), QWebSocketProtocol::CloseCodeTooMuchData);
    QTRY_COMPARE(m_server->subscriberCount(), 0);
}

void tst_PushServer::serveAndPublishProcesses()
{
    QProcess serve;
    serve.start(QStringLiteral(TRAYBEAT_BINARY),
                {QStringLiteral("serve"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                 QStringLiteral("--db"), m_dir->filePath(QStringLiteral("serve.db")),
                 QStringLiteral("--token"), QStringLiteral("t0k3n-secret")});
    QVERIFY(serve.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(serve.canReadLine(), 5000);
    const QString line = QString::fromUtf8(serve.readLine()).trimmed();
    const auto match =
        QRegularExpression(
            QStringLiteral("^traybeat serve: listening on (http://127\\.0\\.0\\.1:(\\d+))$"))
            .match(line);
    QVERIFY2(match.hasMatch(), qPrintable(line));
    const QString server = match.captured(1);

    QProcess publish;
    publish.start(QStringLiteral(TRAYBEAT_BINARY),
                  {QStringLiteral("publish"), QStringLiteral("--server"), server,
                   QStringLiteral("--token"), QStringLiteral("t0k3n-secret"),
                   QStringLiteral("--title"), QStringLiteral("Hi"), QStringLiteral("--priority"),
                   QStringLiteral("urgent"), QStringLiteral("--tags"), QStringLiteral("a,b"),
                   QStringLiteral("news"), QStringLiteral("hello from publish")});
    QVERIFY(publish.waitForFinished(10000));
    QCOMPARE(publish.exitCode(), 0);
    const QJsonObject message = QJsonDocument::fromJson(publish.readAllStandardOutput()).object();
    QCOMPARE(message.value(QStringLiteral("message")).toString(),
             QStringLiteral("hello from publish"));
    QCOMPARE(message.value(QStringLiteral("title")).toString(), QStringLiteral("Hi"));
    QCOMPARE(message.value(QStringLiteral("priority")).toInt(), 5);

    // The server's own error text reaches stderr, exit status 1.
    publish.start(QStringLiteral(TRAYBEAT_BINARY),
                  {QStringLiteral("publish"), QStringLiteral("--server"), server,
                   QStringLiteral("news"), QStringLiteral("no token")});
    QVERIFY(publish.waitForFinished(10000));
    QCOMPARE(publish.exitCode(), 1);
    const QByteArray stderrText = publish.readAllStandardError();
    QVERIFY2(stderrText.contains("unauthorized") && stderrText.contains("401"),
             stderrText.constData());
    QVERIFY(!stderrText.contains("t0k3n-secret"));

    serve.terminate(); // SIGTERM: clean exit, database closed
    QVERIFY(serve.waitForFinished(5000));
    QCOMPARE(serve.exitStatus(), QProcess::NormalExit);
    QCOMPARE(serve.exitCode(), 0);
    QVERIFY(!QFile::exists(m_dir->filePath(QStringLiteral("serve.db-wal"))));

    // What was published is still there for the next server on the same file.
    PushServerOptions options;
    options.databasePath = m_dir->filePath(QStringLiteral("serve.db"));
    startServer(options);
    QCOMPARE(request("GET", QStringLiteral("/news/json?poll=1")).lines().size(), 1);
}

void tst_PushServer::badArgumentsExitWithTwo_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::newRow("serve: bad listen") << QStringList{
        QStringLiteral("serve"), QStringLiteral("--listen"), QStringLiteral("nowhere")};
    QTest::newRow("serve: bad port") << QStringList{
        QStringLiteral("serve"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:70000")};
    QTest::newRow("serve: bad keepalive")
        << QStringList{QStringLiteral("serve"), QStringLiteral("--keepalive"), QStringLiteral("5")};
    QTest::newRow("serve: bad cache")
        << QStringList{QStringLiteral("serve"), QStringLiteral("--cache"), QStringLiteral("soon")};
    QTest::newRow("serve: bad limit") << QStringList{
        QStringLiteral("serve"), QStringLiteral("--message-limit"), QStringLiteral("-1")};
    QTest::newRow("serve: unknown option")
        << QStringList{QStringLiteral("serve"), QStringLiteral("--frobnicate")};
    QTest::newRow("publish: no message")
        << QStringList{QStringLiteral("publish"), QStringLiteral("topic")};
    QTest::newRow("publish: bad topic")
        << QStringList{QStringLiteral("publish"), QStringLiteral("a/b"), QStringLiteral("m")};
    QTest::newRow("publish: bad priority")
        << QStringList{QStringLiteral("publish"), QStringLiteral("--priority"), QStringLiteral("9"),
                       QStringLiteral("t"), QStringLiteral("m")};
    QTest::newRow("publish: bad server")
        << QStringList{QStringLiteral("publish"), QStringLiteral("--server"),
                       QStringLiteral("ftp://x"), QStringLiteral("t"), QStringLiteral("m")};
}

void tst_PushServer::badArgumentsExitWithTwo()
{
    QFETCH(QStringList, arguments);
    QProcess process;
    process.start(QStringLiteral(TRAYBEAT_BINARY), arguments);
    QVERIFY(process.waitForFinished(10000));
    QCOMPARE(process.exitCode(), 2);
    const QByteArray stderrText = process.readAllStandardError();
    QCOMPARE(stderrText.count('\n'), 1);
    QVERIFY2(stderrText.startsWith("traybeat " + arguments.first().toUtf8() + ": "),
             stderrText.constData());
    QVERIFY(process.readAllStandardOutput().isEmpty());
}

void tst_PushServer::portInUseExitsWithOne()
{
    startServer();
    QProcess serve;
    serve.start(QStringLiteral(TRAYBEAT_BINARY),
                {QStringLiteral("serve"), QStringLiteral("--listen"),
                 QStringLiteral("127.0.0.1:%1").arg(m_server->port()), QStringLiteral("--db"),
                 m_dir->filePath(QStringLiteral("other.db"))});
    QVERIFY(serve.waitForFinished(10000));
    QCOMPARE(serve.exitCode(), 1);
    const QByteArray stderrText = serve.readAllStandardError();
    QCOMPARE(stderrText.count('\n'), 1);
    QVERIFY2(stderrText.contains("cannot listen"), stderrText.constData());
}

QTEST_GUILESS_MAIN(tst_PushServer)
#include "tst_pushserver.moc"
