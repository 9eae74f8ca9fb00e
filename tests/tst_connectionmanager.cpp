#include "blackholeproxy.h"
#include "connectionmanager.h"

#include <QFile>
#include <QLibraryInfo>
#include <QPointer>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTranslator>
#include <QWebSocket>
#include <QWebSocketServer>
#include <QtTest>

using namespace traybeat;
using namespace std::chrono_literals;
using std::chrono::milliseconds;

// A real WebSocket server on 127.0.0.1: records what it receives, can echo, broadcast and drop.
class TestServer final : public QObject
{
    Q_OBJECT
public:
    explicit TestServer(QWebSocketServer::SslMode mode = QWebSocketServer::NonSecureMode)
        : m_server(QStringLiteral("test"), mode)
    {
        connect(&m_server, &QWebSocketServer::newConnection, this, &TestServer::onNewConnection);
        if (mode == QWebSocketServer::SecureMode) {
            // A self-signed certificate for 127.0.0.1 (tests/data, valid until 2126).
            QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
            ssl.setLocalCertificate(QSslCertificate::fromPath(certificatePath()).value(0));
            QFile key(QStringLiteral(TRAYBEAT_TEST_DATA "/localhost.key"));
            key.open(QIODevice::ReadOnly);
            ssl.setPrivateKey(QSslKey(&key, QSsl::Rsa));
            m_server.setSslConfiguration(ssl);
        }
    }
    static QString certificatePath() { return QStringLiteral(TRAYBEAT_TEST_DATA "/localhost.crt"); }
    bool listen(quint16 port = 0) { return m_server.listen(QHostAddress::LocalHost, port); }
    quint16 port() const { return m_server.serverPort(); }
    QUrl url() const
    {
        const bool secure = m_server.secureMode() == QWebSocketServer::SecureMode;
        return QUrl(QStringLiteral("%1://127.0.0.1:%2/")
                        .arg(secure ? QStringLiteral("wss") : QStringLiteral("ws"))
                        .arg(port()));
    }
    void close()
    {
        m_server.close();
        abortAll();
    }
    void abortAll()
    {
        const auto clients = m_clients;
        for (QWebSocket *client : clients)
            client->abort();
    }
    void closeAll(QWebSocketProtocol::CloseCode code = QWebSocketProtocol::CloseCodeGoingAway)
    {
        const auto clients = m_clients;
        for (QWebSocket *client : clients)
            client->close(code, QStringLiteral("server says bye"));
    }
    void sendToAll(const QString &text)
    {
        for (QWebSocket *client : std::as_const(m_clients))
            client->sendTextMessage(text);
    }
    void sendBinaryToAll(const QByteArray &data)
    {
        for (QWebSocket *client : std::as_const(m_clients))
            client->sendBinaryMessage(data);
    }
    int clientCount() const { return int(m_clients.size()); }

    bool echo = false;
    QStringList received;
    int connectionCount = 0;
    QList<QWebSocket *> m_clients;

signals:
    void clientConnected();

private:
    void onNewConnection()
    {
        while (QWebSocket *client = m_server.nextPendingConnection()) {
            client->setParent(this);
            ++connectionCount;
            m_clients.append(client);
            connect(client, &QWebSocket::textMessageReceived, this,
                    [this, client](const QString &text) {
                        received.append(text);
                        if (echo)
                            client->sendTextMessage(text);
                    });
            connect(client, &QWebSocket::disconnected, this, [this, client] {
                m_clients.removeAll(client);
                client->deleteLater();
            });
            emit clientConnected();
        }
    }
    QWebSocketServer m_server;
};

// Answers every connection with a fixed HTTP response: a server that refuses the handshake.
class HttpStatusServer final : public QObject
{
    Q_OBJECT
public:
    explicit HttpStatusServer(QByteArray response) : m_response(std::move(response))
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                ++connectionCount;
                connect(socket, &QTcpSocket::readyRead, socket, [this, socket] {
                    socket->readAll();
                    socket->write(m_response);
                    socket->disconnectFromHost();
                });
            }
        });
        m_server.listen(QHostAddress::LocalHost);
    }
    QUrl url() const
    {
        return QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(m_server.serverPort()));
    }
    void setResponse(const QByteArray &response) { m_response = response; }
    int connectionCount = 0;

private:
    QTcpServer m_server;
    QByteArray m_response;
};

QByteArray httpStatus(int status, const QByteArray &phrase)
{
    return "HTTP/1.1 " + QByteArray::number(status) + ' ' + phrase +
           "\r\nContent-Length: 0\r\n\r\n";
}

// Stands in for a catalog that translates QWebSocket's handshake message (Debian's
// qt6-translations-l10n has no qtwebsockets_zh_CN.qm); answers in Chinese for that one text.
class ChineseWebSocketTranslator final : public QTranslator
{
public:
    bool isEmpty() const override { return false; }
    QString translate(const char *context, const char *sourceText, const char *disambiguation,
                      int n) const override
    {
        Q_UNUSED(disambiguation)
        Q_UNUSED(n)
        if (qstrcmp(context, "QWebSocket") == 0 &&
            qstrcmp(sourceText, "QWebSocketPrivate::processHandshake: Unhandled http status "
                                "code: %1 (%2).") == 0)
            return QStringLiteral(
                "QWebSocketPrivate::processHandshake：未处理的 HTTP 状态码：%1（%2）。");
        return {};
    }
};

class tst_ConnectionManager : public QObject
{
    Q_OBJECT
private slots:
    void connectsAndReportsStateOnce();
    void pingHeartbeatMeasuresRoundTrip();
    void halfOpenLinkDetectedAndRecovered();
    void passiveHeartbeatTrustsServerKeepalives();
    void textHeartbeatEchoIsSwallowed();
    void serverGoneReconnectsWithGrowingJitteredDelays();
    void abruptCloseSchedulesExactlyOneReconnect();
    void stopLeavesNoTimerRunning();
    void hangingHandshakeHitsConnectTimeout();
    void unauthorizedFailsWithoutStorm_data();
    void unauthorizedFailsWithoutStorm();
    void policyCloseMeansDoNotReconnect();
    void hugeMessageClosesTheLinkInsteadOfEatingMemory();
    void reconnectNowSkipsTheWait();
    void requestFactoryIsAskedOnEveryAttempt();
    void untrustedCertificateFailsUnlessAllowed_data();
    void untrustedCertificateFailsUnlessAllowed();
    void slotActingOnASignalLeavesAConsistentState_data();
    void slotActingOnASignalLeavesAConsistentState();
    void reasonChangeAloneIsReported();
    void retryAfterPermanentFailurePassesThroughConnecting();
    void refusedHandshakeFailsInAnyLanguage_data();
    void refusedHandshakeFailsInAnyLanguage();
    void dropWhilePreparingAnAttemptCancelsItAndSaysSo();
    void caFileIsReadOnceNotOnEveryAttempt();
    void immediateReconnectsAreSpacedOut();
    void passiveDefaultsOutlastTheServerKeepalive();

private:
    static ConnectionConfig fastConfig()
    {
        ConnectionConfig config;
        config.heartbeatInterval = 60ms;
        config.heartbeatTimeout = 60ms;
        config.connectTimeout = 300ms;
        config.backoff = {20ms, 200ms, 10s};
        config.permanentFailureRetry = 10min;
        return config;
    }
};

void tst_ConnectionManager::connectsAndReportsStateOnce()
{
    TestServer server;
    QVERIFY(server.listen());
    ConnectionManager manager(fastConfig());
    manager.setUrl(server.url());
    QSignalSpy states(&manager, &ConnectionManager::stateChanged);
    manager.start();
    QTRY_COMPARE(manager.state(), ConnectionState::Connected);
    manager.start(); // a second start is a no-op, not a second connection
    QTRY_COMPARE(server.connectionCount, 1);
    QCOMPARE(states.size(), 2);
    QCOMPARE(states.at(0).at(0).value<ConnectionState>(), ConnectionState::Connecting);
    QCOMPARE(states.at(1).at(0).value<ConnectionState>(), ConnectionState::Connected);
}

void tst_ConnectionManager::pingHeartbeatMeasuresRoundTrip()
{
    TestServer server;
    QVERIFY(server.listen());
    // Roomier than fastConfig: a stall of a loaded machine must not look like a dead link here.
    ConnectionConfig config = fastConfig();
    config.heartbeatInterval = 50ms;
    config.heartbeatTimeout = 400ms;
    ConnectionManager manager(config);
    manager.setUrl(server.url());
    QSignalSpy answered(&manager, &ConnectionManager::heartbeatAnswered);
    manager.start();
    QTRY_VERIFY(answered.size() >= 3);
    QVERIFY(manager.lastRoundTrip().has_value());
    QVERIFY(manager.lastRoundTrip()->count() < 400);
    QVERIFY(manager.lastProofOfLife().isValid());
    QCOMPARE(manager.state(), ConnectionState::Connected); // heartbeats alone keep it up
    QCOMPARE(server.connectionCount, 1);
}

// The heart of the product: the path dies silently (no FIN, no RST). The heartbeat must notice
// within interval + timeout, abort the socket and reconnect once the path is back.
void tst_ConnectionManager::halfOpenLinkDetectedAndRecovered()
{
    TestServer server;
    QVERIFY(server.listen());
    BlackholeProxy proxy(server.port());
    QVERIFY(proxy.listen());
    ConnectionManager manager(fastConfig());
    manager.setUrl(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(proxy.port())));
    manager.start();
    QTRY_COMPARE(manager.state(), ConnectionState::Connected);
    QCOMPARE(proxy.openCount(), 1);

    QSignalSpy states(&manager, &ConnectionManager::stateChanged);
    QElapsedTimer sinceBlackhole;
    proxy.setBlackholed(true);
    sinceBlackhole.start();
    QTRY_COMPARE_WITH_TIMEOUT(manager.state(), ConnectionState::Reconnecting, 2000);
    const qint64 detectedAfter = sinceBlackhole.elapsed();
    const auto &config = manager.config();
    // Worst case: the last frame arrived just before the blackhole, so interval + timeout.
    // Slack for a loaded 2-core machine; "never" would blow far past it.
    QVERIFY2(detectedAfter <= (config.heartbeatInterval + config.heartbeatTimeout).count() + 400,
             qPrintable(QStringLiteral("detected after %1 ms").arg(detectedAfter)));
    QVERIFY(manager.stateReason().contains(QStringLiteral("no sign of life")));
    // The dead socket was aborted: its end at the proxy is gone, not left half-open.
    QTRY_COMPARE(proxy.openCount(), 0);

    proxy.setBlackholed(false);
    QTRY_COMPARE_WITH_TIMEOUT(manager.state(), ConnectionState::Connected, 3000);
    QTRY_VERIFY(server.connectionCount >= 2);
}

void tst_ConnectionManager::passiveHeartbeatTrustsServerKeepalives()
{
    TestServer server;
    QVERIFY(server.listen());
    BlackholeProxy proxy(server.port());
    QVERIFY(proxy.listen());
    ConnectionConfig config = fastConfig();
    config.heartbeat = *HeartbeatMode::parse(QStringLiteral("passive"));
    config.heartbeatInterval =
        150ms; // five keepalives per interval: a stall must not count as death
    config.heartbeatTimeout = 150ms;
    ConnectionManager manager(config);
    manager.setUrl(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(proxy.port())));
    QSignalSpy messages(&manager, &ConnectionManager::textMessageReceived);
    manager.start();
    QTRY_COMPARE(manager.state(), ConnectionState::Connected);

    // The server's keepalives every 30 ms keep the link alive for many interval + timeout spans.
    QTimer keepalive;
    connect(&keepalive, &QTimer::timeout, &server,
            [&server] { server.sendToAll(QStringLiteral("{\"event\":\"keepalive\"}")); });
    keepalive.start(30ms);
    QTRY_VERIFY_WITH_TIMEOUT(messages.size() >= 15, 3000);
    QCOMPARE(manager.state(), ConnectionState::Connected);
    QCOMPARE(server.connectionCount, 1);
    QCOMPARE(server.received.size(), 0); // passive: we never send anything

    proxy.setBlackholed(true); // the keepalives stop arriving
    QTRY_COMPARE_WITH_TIMEOUT(manager.state(), ConnectionState::Reconnecting, 2000);
}

void tst_ConnectionManager::textHeartbeatEchoIsSwallowed()
{
    TestServer server;
    server.echo = true;
    QVERIFY(server.listen());
    ConnectionConfig config = fastConfig();
    config.heartbeat = *HeartbeatMode::parse(QStringLiteral("text:HeartBeat"));
    ConnectionManager manager(config);
    manager.setUrl(server.url());
    QSignalSpy messages(&manager, &ConnectionManager::textMessageReceived);
    QSignalSpy answered(&manager, &ConnectionManager::heartbeatAnswered);
    manager.start();
    QTRY_VERIFY(answered.size() >= 3);
    QVERIFY(server.received.count(QStringLiteral("HeartBeat")) >= 3);
    QCOMPARE(messages.size(), 0);

    server.sendToAll(QStringLiteral("a real message"));
    QTRY_COMPARE(messages.size(), 1);
    QCOMPARE(messages.at(0).at(0).toString(), QStringLiteral("a real message"));
}

void tst_ConnectionManager::serverGoneReconnectsWithGrowingJitteredDelays()
{
    TestServer server;
    QVERIFY(server.listen());
    const quint16 port = server.port();
    ConnectionManager manager(fastConfig());
    manager.setRandomSeed(7);
    manager.setUrl(server.url());
    manager.start();
    QTRY_COMPARE(manager.state(), ConnectionState::Connected);

    QSignalSpy scheduled(&manager, &ConnectionManager::reconnectScheduled);
    server.close(); // the process is gone: connection dropped, then refused
    QTRY_VERIFY_WITH_TIMEOUT(scheduled.size() >= 5, 3000);
    QCOMPARE(manager.state(), ConnectionState::Reconnecting);
    QList<qint64> delays;
    for (const auto &arguments : std::as_const(scheduled))
        delays << arguments.at(0).value<milliseconds>().count();
    // Each delay lies in [floor, floor + min(cap - floor, floor * 2^n)].
    const qint64 floor = 20, cap = 200;
    for (int n = 0; n < delays.size(); ++n) {
        const qint64 window = std::min<qint64>(cap - floor, floor << n);
        QVERIFY2(delays[n] >= floor && delays[n] <= floor + window,
                 qPrintable(QStringLiteral("delay %1 = %2").arg(n).arg(delays[n])));
    }
    QVERIFY2(QSet<qint64>(delays.begin(), delays.end()).size() > 1, "delays are jittered");

    QVERIFY(server.listen(port)); // the server is back on its port
    QTRY_COMPARE_WITH_TIMEOUT(manager.state(), ConnectionState::Connected, 3000);
}

void tst_ConnectionManager::abruptCloseSchedulesExactlyOneReconnect()
{
    TestServer server;
    QVERIFY(server.listen());
    ConnectionConfig config = fastConfig();
    config.backoff = {300ms, 300ms, 10s}; // long enough to see a second schedule if there were one
    ConnectionManager manager(config);
    manager.setUrl(server.url());
    manager.start();
    QTRY_COMPARE(manager.state(), ConnectionState::Connected);
    QSignalSpy scheduled(&manager, &ConnectionManager::reconnectScheduled);
    QSignalSpy errors(&manager, &ConnectionManager::errorOccurred);
    server.abortAll(); // RST: the client sees error() and disconnected()
    QTRY_COMPARE(scheduled.size(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(server.connectionCount, 2, 2000);
    QCOMPARE(scheduled.size(), 1);
    QCOMPARE(errors.size(), 1);
    QTRY_COMPARE(manager.state(), ConnectionState::Connected);
}

void tst_ConnectionManager::stopLeavesNoTimerRunning()
{
    TestServer server;
    QVERIFY(server.listen());
    ConnectionManager manager(fastConfig());
    manager.setUrl(server.url());
    manager.start();
    QTRY_COMPARE(manager.state(), ConnectionState::Connected);
    server.abortAll();
    QTRY_VERIFY(manager.nextAttemptAt().isValid()); // a reconnect is pending
    manager.stop();
    QCOMPARE(manager.state(), ConnectionState::Disconnected);
    for (const QTimer *timer : manager.findChildren<QTimer *>())
        QVERIFY2(!timer->isActive(), "a timer kept running after stop()");
    QVERIFY(!manager.nextAttemptAt().isValid());
    // And nothing reconnects behind our back: wait for what would have been several retries.
    QSignalSpy states(&manager, &ConnectionManager::stateChanged);
    QVERIFY(!states.wait(300));
    QCOMPARE(server.connectionCount, 1);
}

void tst_ConnectionManager::hangingHandshakeHitsConnectTimeout()
{
    TestServer server;
    QVERIFY(server.listen());
    BlackholeProxy proxy(server.port());
    QVERIFY(proxy.listen());
    proxy.setBlackholed(true); // TCP connects, the HTTP upgrade never gets an answer
    ConnectionConfig config = fastConfig();
    config.connectTimeout = 150ms;
    ConnectionManager manager(config);
    manager.setUrl(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(proxy.port())));
    QElapsedTimer elapsed;
    elapsed.start();
    manager.start();
    QTRY_COMPARE_WITH_TIMEOUT(manager.state(), ConnectionState::Reconnecting, 2000);
    QVERIFY(elapsed.elapsed() >= 140);
    QVERIFY(manager.stateReason().contains(QStringLiteral("not established")));
    QTRY_VERIFY(proxy.acceptedCount() >= 2); // and it keeps trying
    proxy.setBlackholed(false);
    QTRY_COMPARE_WITH_TIMEOUT(manager.state(), ConnectionState::Connected, 3000);
}

void tst_ConnectionManager::unauthorizedFailsWithoutStorm_data()
{
    QTest::addColumn<QByteArray>("response");
    QTest::addColumn<QString>("reason");
    QTest::newRow("401") << QByteArray("HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n")
                         << QStringLiteral("401");
    QTest::newRow("403") << QByteArray("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                         << QStringLiteral("403");
}

void tst_ConnectionManager::unauthorizedFailsWithoutStorm()
{
    QFETCH(QByteArray, response);
    QFETCH(QString, reason);
    HttpStatusServer server(response);
    ConnectionManager manager(fastConfig());
    manager.setUrl(server.url());
    manager.start();
    QTRY_COMPARE(manager.state(), ConnectionState::Failed);
    QVERIFY2(manager.stateReason().contains(reason), qPrintable(manager.stateReason()));
    // Temporary failures would have retried ~10 times in this span; a permanent one waits.
    QSignalSpy states(&manager, &ConnectionManager::stateChanged);
    QVERIFY(!states.wait(400));
    QCOMPARE(server.connectionCount, 1);
    QVERIFY(manager.nextAttemptAt() > QDateTime::currentDateTimeUtc().addSecs(60));
}

void tst_ConnectionManager::policyCloseMeansDoNotReconnect()
{
    TestServer server;
    QVERIFY(server.listen());
    ConnectionManager manager(fastConfig());
    manager.setUrl(server.url());
    manager.start();
    QTRY_COMPARE(manager.state(), ConnectionState::Connected);
    server.closeAll(QWebSocketProtocol::CloseCodePolicyViolated);
    QTRY_COMPARE(manager.state(), ConnectionState::Failed);
    QCOMPARE(manager.stateReason(), QStringLiteral("server says bye"));
    manager.reconnectNow(); // the user may insist
    QTRY_COMPARE(manager.state(), ConnectionState::Connected);
}

void tst_ConnectionManager::hugeMessageClosesTheLinkInsteadOfEatingMemory()
{
    TestServer server;
    QVERIFY(server.listen());
    ConnectionConfig config = fastConfig();
    config.maximumIncomingMessageSize = 64 * 1024;
    ConnectionManager manager(config);
    manager.setUrl(server.url());
    QSignalSpy messages(&manager, &ConnectionManager::textMessageReceived);
    manager.start();
    QTRY_COMPARE(manager.state(), ConnectionState::Connected);
    server.sendToAll(QString(100 * 1024, QLatin1Char('x')));
    QTRY_COMPARE(manager.state(), ConnectionState::Reconnecting);
    QCOMPARE(messages.size(), 0);
    QTRY_COMPARE(manager.state(), ConnectionState::Connected); // and it comes back
    server.sendToAll(QStringLiteral("small"));
    QTRY_COMPARE(messages.size(), 1);
}

void tst_ConnectionManager::reconnectNowSkipsTheWait()
{
    TestServer server;
    QVERIFY(server.listen());
    ConnectionConfig config = fastConfig();
    config.backoff = {30s, 60s, 30s}; // a wait no test would sit through
    ConnectionManager manager(config);
    manager.setUrl(server.url());
    manager.start();
    QTRY_COMPARE(manager.state(), ConnectionState::Connected);
    server.abortAll();
    QTRY_COMPARE(manager.state(), ConnectionState::Reconnecting);
    QVERIFY(manager.nextAttemptAt() > QDateTime::currentDateTimeUtc().addSecs(20));
    manager.reconnectNow();
    QTRY_COMPARE(manager.state(), ConnectionState::Connected);
    QCOMPARE(server.connectionCount, 2);
}

void tst_ConnectionManager::requestFactoryIsAskedOnEveryAttempt()
{
    TestServer server;
    QVERIFY(server.listen());
    ConnectionManager manager(fastConfig());
    int asked = 0;
    manager.setRequestFactory([&] {
        ++asked;
        QNetworkRequest request(server.url());
        request.setRawHeader("X-Attempt", QByteArray::number(asked));
        return request;
    });
    manager.start();
    QTRY_COMPARE(manager.state(), ConnectionState::Connected);
    server.abortAll();
    QTRY_COMPARE(server.connectionCount, 2);
    QCOMPARE(asked, 2);
}

void tst_ConnectionManager::untrustedCertificateFailsUnlessAllowed_data()
{
    QTest::addColumn<bool>("trustCertificate");
    QTest::addColumn<bool>("insecure");
    QTest::addColumn<ConnectionState>("expected");
    QTest::newRow("unknown issuer: failed, no retry loop")
        << false << false << ConnectionState::Failed;
    QTest::newRow("--ca-file names the issuer") << true << false << ConnectionState::Connected;
    QTest::newRow("--insecure, the user's choice") << false << true << ConnectionState::Connected;
}

void tst_ConnectionManager::untrustedCertificateFailsUnlessAllowed()
{
    QFETCH(bool, trustCertificate);
    QFETCH(bool, insecure);
    QFETCH(ConnectionState, expected);
    TestServer server(QWebSocketServer::SecureMode);
    QVERIFY(server.listen());
    ConnectionConfig config = fastConfig();
    if (trustCertificate)
        config.caFile = TestServer::certificatePath();
    config.insecure = insecure;
    ConnectionManager manager(config);
    manager.setUrl(server.url());
    manager.start();
    QTRY_COMPARE(manager.state(), expected);
    if (expected == ConnectionState::Failed) {
        QVERIFY2(manager.stateReason().startsWith(QStringLiteral("TLS error")),
                 qPrintable(manager.stateReason()));
        QSignalSpy states(&manager, &ConnectionManager::stateChanged);
        QVERIFY(!states.wait(300)); // temporary failures would have retried several times
    }
}

void tst_ConnectionManager::slotActingOnASignalLeavesAConsistentState_data()
{
    QTest::addColumn<QString>("trigger");
    QTest::addColumn<QString>("action");
    const QStringList triggers{QStringLiteral("stateChanged(connecting)"),
                               QStringLiteral("stateChanged(connected)"),
                               QStringLiteral("stateChanged(reconnecting)"),
                               QStringLiteral("stateChanged(failed)"),
                               QStringLiteral("connected"),
                               QStringLiteral("textMessageReceived"),
                               QStringLiteral("binaryMessageReceived"),
                               QStringLiteral("heartbeatAnswered"),
                               QStringLiteral("reconnectScheduled"),
                               QStringLiteral("errorOccurred")};
    for (const QString &trigger : triggers) {
        for (const char *action : {"stop", "reconnectNow", "delete"})
            QTest::addRow("%s: %s", qPrintable(trigger), action)
                << trigger << QString::fromLatin1(action);
    }
}

// Whatever a slot does with the manager in the middle of one of its signals — stop it, reconnect
// it, delete it — the manager ends in a state that tells the truth: stopped means no timer and
// no further handshake; one reconnectNow means exactly one handshake and no reconnect left
// pending behind it; deleted means the link is closed and nothing else happens.
void tst_ConnectionManager::slotActingOnASignalLeavesAConsistentState()
{
    QFETCH(QString, trigger);
    QFETCH(QString, action);
    TestServer server;
    QVERIFY(server.listen());
    ConnectionConfig config = fastConfig();
    config.heartbeatTimeout = 1s;         // a loaded machine must not add reconnects of its own
    config.backoff = {150ms, 150ms, 10s}; // a reconnect left pending would show within the waits
    QPointer<ConnectionManager> manager = new ConnectionManager(config);
    manager->setUrl(server.url());

    bool fired = false;
    int handshakesAtAction = -1;
    auto act = [&] {
        if (fired)
            return;
        fired = true;
        handshakesAtAction = server.connectionCount;
        if (action == QLatin1String("stop"))
            manager->stop();
        else if (action == QLatin1String("reconnectNow"))
            manager->reconnectNow();
        else
            delete manager.data();
    };
    QObject context;
    if (trigger.startsWith(QLatin1String("stateChanged("))) {
        const QString wanted = trigger.mid(13).chopped(1);
        connect(manager, &ConnectionManager::stateChanged, &context,
                [&act, wanted](ConnectionState state) {
                    if (connectionStateName(state) == wanted)
                        act();
                });
    } else if (trigger == QLatin1String("connected")) {
        connect(manager, &ConnectionManager::connected, &context, act);
    } else if (trigger == QLatin1String("textMessageReceived")) {
        connect(manager, &ConnectionManager::textMessageReceived, &context, act);
    } else if (trigger == QLatin1String("binaryMessageReceived")) {
        connect(manager, &ConnectionManager::binaryMessageReceived, &context, act);
    } else if (trigger == QLatin1String("heartbeatAnswered")) {
        connect(manager, &ConnectionManager::heartbeatAnswered, &context, act);
    } else if (trigger == QLatin1String("reconnectScheduled")) {
        connect(manager, &ConnectionManager::reconnectScheduled, &context, act);
    } else {
        connect(manager, &ConnectionManager::errorOccurred, &context, act);
    }

    manager->start();
    QTRY_VERIFY(fired || server.clientCount() == 1);
    if (!fired) {
        if (trigger == QLatin1String("textMessageReceived"))
            server.sendToAll(QStringLiteral("hello"));
        else if (trigger == QLatin1String("binaryMessageReceived"))
            server.sendBinaryToAll(QByteArrayLiteral("hello"));
        else if (trigger == QLatin1String("stateChanged(failed)"))
            server.closeAll(QWebSocketProtocol::CloseCodePolicyViolated);
        else if (trigger.contains(QLatin1String("reconnect")) ||
                 trigger.contains(QLatin1String("error")))
            server.abortAll();
    }
    QTRY_VERIFY(fired);

    QSignalSpy handshakes(&server, &TestServer::clientConnected);
    if (action == QLatin1String("stop")) {
        QCOMPARE(manager->state(), ConnectionState::Disconnected);
        QVERIFY(!manager->isRunning());
        for (const QTimer *timer : manager->findChildren<QTimer *>())
            QVERIFY2(!timer->isActive(), "a timer kept running after stop()");
        QVERIFY(!manager->nextAttemptAt().isValid());
        // Twice the backoff: a reconnect left behind would have handshaken by now.
        QVERIFY(!handshakes.wait(350));
        QCOMPARE(manager->state(), ConnectionState::Disconnected);
        QCOMPARE(server.connectionCount, handshakesAtAction);
    } else if (action == QLatin1String("reconnectNow")) {
        QTRY_COMPARE(server.connectionCount, handshakesAtAction + 1);
        QTRY_COMPARE(manager->state(), ConnectionState::Connected);
        QVERIFY(!manager->nextAttemptAt().isValid()); // no second reconnect waits behind it
        QVERIFY(!handshakes.wait(350));
        QCOMPARE(server.connectionCount, handshakesAtAction + 1);
        QCOMPARE(manager->state(), ConnectionState::Connected);
    } else {
        QVERIFY(manager.isNull());
        QTRY_COMPARE(server.clientCount(), 0); // the link was closed, not left open
        QVERIFY(!handshakes.wait(350));
        QCOMPARE(server.connectionCount, handshakesAtAction);
    }
    delete manager.data();
}

// The state stays `reconnecting` but the cause changes: the person must see the new cause.
void tst_ConnectionManager::reasonChangeAloneIsReported()
{
    HttpStatusServer server(httpStatus(503, "Service Unavailable"));
    ConnectionManager manager(fastConfig());
    manager.setUrl(server.url());
    QSignalSpy states(&manager, &ConnectionManager::stateChanged);
    manager.start();
    QTRY_COMPARE(manager.state(), ConnectionState::Reconnecting);
    QVERIFY2(manager.stateReason().contains(QStringLiteral("503")),
             qPrintable(manager.stateReason()));
    const int before = states.size();
    QTRY_VERIFY(server.connectionCount >= 3); // the same cause again: nothing new to say
    QCOMPARE(states.size(), before);

    server.setResponse(httpStatus(502, "Bad Gateway"));
    QTRY_VERIFY(manager.stateReason().contains(QStringLiteral("502")));
    QCOMPARE(states.size(), before + 1);
    QCOMPARE(states.last().at(0).value<ConnectionState>(), ConnectionState::Reconnecting);
    QVERIFY(states.last().at(1).toString().contains(QStringLiteral("502")));
}

// After a permanent failure one quiet try comes much later; it is an attempt like any other, so
// it shows as `connecting`, and ends in `failed` again while the cause stays.
void tst_ConnectionManager::retryAfterPermanentFailurePassesThroughConnecting()
{
    HttpStatusServer server(httpStatus(401, "Unauthorized"));
    ConnectionConfig config = fastConfig();
    config.permanentFailureRetry = 200ms;
    ConnectionManager manager(config);
    manager.setUrl(server.url());
    QSignalSpy states(&manager, &ConnectionManager::stateChanged);
    manager.start();
    QTRY_COMPARE(manager.state(), ConnectionState::Failed);
    QTRY_COMPARE_WITH_TIMEOUT(server.connectionCount, 2, 3000);
    QTRY_COMPARE(manager.state(), ConnectionState::Failed);
    QStringList sequence;
    for (const auto &arguments : std::as_const(states))
        sequence << connectionStateName(arguments.at(0).value<ConnectionState>());
    QCOMPARE(sequence.mid(0, 4),
             QStringList({QStringLiteral("connecting"), QStringLiteral("failed"),
                          QStringLiteral("connecting"), QStringLiteral("failed")}));
    QVERIFY(states.at(2).at(1).toString().contains(QStringLiteral("401")));
    QVERIFY(manager.nextAttemptAt().isValid());

    server.setResponse(httpStatus(503, "Service Unavailable")); // the cause went away
    QTRY_COMPARE_WITH_TIMEOUT(manager.state(), ConnectionState::Reconnecting, 3000);
}

void tst_ConnectionManager::refusedHandshakeFailsInAnyLanguage_data()
{
    QTest::addColumn<QStringList>("catalogs");
    QTest::addColumn<bool>("chineseWebSockets");
    QTest::newRow("de: Qt's own catalogs")
        << QStringList{QStringLiteral("qtbase_de"), QStringLiteral("qtwebsockets_de")} << false;
    QTest::newRow("fr: Qt's own catalogs")
        << QStringList{QStringLiteral("qtbase_fr"), QStringLiteral("qtwebsockets_fr")} << false;
    QTest::newRow("zh_CN: Qt's catalogs and a websocket translation")
        << QStringList{QStringLiteral("qt_zh_CN"), QStringLiteral("qtbase_zh_CN")} << true;
}

// Qt's translations change QWebSocket's error text ("Unbehandelter HTTP-Status-Code: 401"); a
// refused token must still be told from a server hiccup.
void tst_ConnectionManager::refusedHandshakeFailsInAnyLanguage()
{
    QFETCH(QStringList, catalogs);
    QFETCH(bool, chineseWebSockets);
    const QString folder = QLibraryInfo::path(QLibraryInfo::TranslationsPath);
    std::vector<std::unique_ptr<QTranslator>> translators;
    for (const QString &catalog : std::as_const(catalogs)) {
        auto translator = std::make_unique<QTranslator>();
        if (!translator->load(catalog, folder))
            QSKIP(qPrintable(QStringLiteral("%1 is not installed in %2 (Debian: "
                                            "qt6-translations-l10n)")
                                 .arg(catalog, folder)));
        QVERIFY(QCoreApplication::installTranslator(translator.get()));
        translators.push_back(std::move(translator));
    }
    if (chineseWebSockets) {
        translators.push_back(std::make_unique<ChineseWebSocketTranslator>());
        QVERIFY(QCoreApplication::installTranslator(translators.back().get()));
    }
    const QString english =
        QStringLiteral("QWebSocketPrivate::processHandshake: Unhandled http status code: %1 (%2).");
    const QString translated = QCoreApplication::translate(
        "QWebSocket", "QWebSocketPrivate::processHandshake: Unhandled http status code: %1 (%2).");
    QVERIFY2(translated != english, "the catalogs do not translate the handshake message");

    HttpStatusServer server(httpStatus(401, "Unauthorized"));
    ConnectionManager manager(fastConfig());
    manager.setUrl(server.url());
    QSignalSpy errors(&manager, &ConnectionManager::errorOccurred);
    manager.start();
    QTRY_COMPARE(manager.state(), ConnectionState::Failed);
    QVERIFY2(manager.stateReason().contains(QStringLiteral("401")),
             qPrintable(manager.stateReason()));
    QCOMPARE(server.connectionCount, 1);
    for (const auto &translator : translators)
        QCoreApplication::removeTranslator(translator.get());
}

// The layer above may give up an attempt while it is being prepared (its store refused what
// the last link delivered): no handshake for it, the reason is reported, and the next attempt
// follows after the backoff.
void tst_ConnectionManager::dropWhilePreparingAnAttemptCancelsItAndSaysSo()
{
    TestServer server;
    QVERIFY(server.listen());
    ConnectionManager manager(fastConfig());
    int asked = 0;
    bool dropped = false;
    manager.setRequestFactory([&] {
        if (++asked == 1)
            dropped = manager.dropLink(QStringLiteral("the store is full"));
        return QNetworkRequest(server.url());
    });
    QSignalSpy errors(&manager, &ConnectionManager::errorOccurred);
    QSignalSpy scheduled(&manager, &ConnectionManager::reconnectScheduled);
    manager.start();
    QVERIFY(dropped);
    QCOMPARE(manager.state(), ConnectionState::Reconnecting);
    QCOMPARE(manager.stateReason(), QStringLiteral("the store is full"));
    QCOMPARE(errors.size(), 1);
    QCOMPARE(scheduled.size(), 1);
    QTRY_COMPARE(manager.state(), ConnectionState::Connected);
    QCOMPARE(asked, 2);
    QCOMPARE(server.connectionCount, 1);
    // Waiting between attempts there is nothing to drop: the caller hears so.
    manager.stop();
    QVERIFY(!manager.dropLink(QStringLiteral("late")));
    QCOMPARE(errors.size(), 1);
}

// The CA file is read when the configuration is set, not on every attempt: an attempt never
// stalls on the disk, and a file replaced underneath changes nothing until the config does.
void tst_ConnectionManager::caFileIsReadOnceNotOnEveryAttempt()
{
    QTemporaryDir dir;
    const QString caFile = dir.filePath(QStringLiteral("ca.pem"));
    QVERIFY(QFile::copy(TestServer::certificatePath(), caFile));
    TestServer server(QWebSocketServer::SecureMode);
    QVERIFY(server.listen());
    ConnectionConfig config = fastConfig();
    config.caFile = caFile;
    ConnectionManager manager(config);
    manager.setUrl(server.url());
    manager.start();
    QTRY_COMPARE(manager.state(), ConnectionState::Connected);

    QVERIFY(QFile::remove(caFile));
    manager.reconnectNow();
    QTRY_COMPARE(server.connectionCount, 2);
    QTRY_COMPARE(manager.state(), ConnectionState::Connected);

    manager.setConfig(config); // now it is read again, and it is gone
    manager.reconnectNow();
    QTRY_COMPARE(manager.state(), ConnectionState::Failed);
}

// "The network is back" may come every second from a flapping Wi-Fi: only the first one inside
// the spacing skips the backoff; the others leave the scheduled reconnect alone.
void tst_ConnectionManager::immediateReconnectsAreSpacedOut()
{
    HttpStatusServer server(httpStatus(503, "Service Unavailable"));
    ConnectionConfig config = fastConfig();
    config.backoff = {30s, 60s, 30s}; // only an immediate reconnect can reach the server
    config.immediateReconnectSpacing = 400ms;
    ConnectionManager manager(config);
    manager.setUrl(server.url());
    manager.start();
    QTRY_COMPARE(manager.state(), ConnectionState::Reconnecting);
    QCOMPARE(server.connectionCount, 1);

    QSignalSpy scheduled(&manager, &ConnectionManager::reconnectScheduled);
    QVERIFY(manager.reconnectSoon());
    for (int i = 0; i < 10; ++i)
        QVERIFY(!manager.reconnectSoon());
    QTRY_COMPARE(server.connectionCount, 2);
    // The immediate attempt is refused too (the state says `reconnecting` all along, so wait for
    // the schedule): the backoff stands.
    QTRY_COMPARE(scheduled.count(), 1);
    QVERIFY(manager.nextAttemptAt() > QDateTime::currentDateTimeUtc().addSecs(20));
    bool reconnected = false; // once the spacing has passed (QTRY evaluates more than once)
    QTRY_VERIFY_WITH_TIMEOUT(reconnected = reconnected || manager.reconnectSoon(), 2000);
    QTRY_COMPARE(server.connectionCount, 3);
}

// Passive mode hears only the server's keepalives (ntfy: every 45 s): its own defaults must
// outlast one period with room to spare, while ping and text keep 25 s + 10 s.
void tst_ConnectionManager::passiveDefaultsOutlastTheServerKeepalive()
{
    ConnectionConfig config;
    config.setHeartbeat(*HeartbeatMode::parse(QStringLiteral("passive")));
    QVERIFY(config.heartbeatInterval + config.heartbeatTimeout >
            ConnectionConfig::ntfyKeepalive + 20s);
    QVERIFY(config.heartbeatInterval > ConnectionConfig::ntfyKeepalive);
    config.setHeartbeat(*HeartbeatMode::parse(QStringLiteral("ping")));
    QCOMPARE(config.heartbeatInterval, milliseconds(25s));
    QCOMPARE(config.heartbeatTimeout, milliseconds(10s));
    config.setHeartbeat(*HeartbeatMode::parse(QStringLiteral("text:HeartBeat")));
    QCOMPARE(config.heartbeatInterval + config.heartbeatTimeout, milliseconds(35s));
}

QTEST_GUILESS_MAIN(tst_ConnectionManager)
#include "tst_connectionmanager.moc"
