// The system proxy, for real: an HTTP CONNECT proxy written here (QTcpServer on 127.0.0.1,
// counting tunnels), named in the environment variables the system's proxy settings are read
// from (http_proxy, https_proxy, no_proxy; Qt asks libproxy, which reads them), and a real ntfy
// server (PushServer) behind it.
//
// Honesty: Qt never sends localhost or 127.0.0.0/8 through a proxy, so a link to 127.0.0.1
// would prove nothing. The links name the server `traybeat-test.invalid`, a name no resolver
// knows (RFC 2606): only the proxy, which sends every tunnel to the test's server, can make it
// work. A link that connects went through the proxy; with the bypass, the link goes to the
// name directly and fails, and the proxy sees nothing.
#include "notificationstore.h"
#include "proxypolicy.h"
#include "pushservers.h"
#include "subscription.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QtTest>

using namespace traybeat;
using namespace std::chrono_literals;

namespace {
const QString unresolvableHost = QStringLiteral("traybeat-test.invalid");

// A minimal HTTP CONNECT proxy: every tunnel, whatever host it names, leads to `targetPort` on
// 127.0.0.1. Anything else than CONNECT is answered 405 and closed.
class ConnectProxy final : public QObject
{
public:
    explicit ConnectProxy(quint16 targetPort) : m_targetPort(targetPort)
    {
        connect(&m_server, &QTcpServer::newConnection, this, &ConnectProxy::onNewConnection);
    }
    bool listen() { return m_server.listen(QHostAddress::LocalHost, 0); }
    quint16 port() const { return m_server.serverPort(); }
    QString url() const { return QStringLiteral("http://127.0.0.1:%1").arg(port()); }
    int tunnels() const { return m_tunnelTargets.size(); }
    QStringList tunnelTargets() const { return m_tunnelTargets; }

private:
    void onNewConnection()
    {
        while (QTcpSocket *client = m_server.nextPendingConnection()) {
            client->setParent(this);
            connect(client, &QTcpSocket::readyRead, this, [this, client] { readHead(client); });
            connect(client, &QTcpSocket::disconnected, client, &QObject::deleteLater);
        }
    }
    void readHead(QTcpSocket *client)
    {
        if (client->property("tunnel").toBool())
            return; // relayed by the connections made below
        QByteArray head = client->property("head").toByteArray() + client->readAll();
        client->setProperty("head", head);
        const qsizetype end = head.indexOf("\r\n\r\n");
        if (end < 0) {
            if (head.size() > 8192)
                client->abort();
            return;
        }
        const QList<QByteArray> words = head.left(head.indexOf("\r\n")).split(' ');
        if (words.size() != 3 || words.at(0) != "CONNECT") {
            client->write("HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n");
            client->disconnectFromHost();
            return;
        }
        m_tunnelTargets << QString::fromLatin1(words.at(1));
        client->setProperty("tunnel", true);
        auto *upstream = new QTcpSocket(client);
        const QByteArray early = head.mid(end + 4); // the client may not wait for our answer
        connect(upstream, &QTcpSocket::connected, client, [client, upstream, early] {
            client->write("HTTP/1.1 200 Connection established\r\n\r\n");
            upstream->write(early);
            connect(client, &QTcpSocket::readyRead, upstream,
                    [client, upstream] { upstream->write(client->readAll()); });
            upstream->write(client->readAll());
        });
        connect(upstream, &QTcpSocket::readyRead, client,
                [client, upstream] { client->write(upstream->readAll()); });
        connect(upstream, &QTcpSocket::disconnected, client, &QTcpSocket::disconnectFromHost);
        connect(client, &QTcpSocket::disconnected, upstream, &QTcpSocket::abort);
        upstream->connectToHost(QHostAddress::LocalHost, m_targetPort);
    }

    QTcpServer m_server;
    quint16 m_targetPort;
    QStringList m_tunnelTargets;
};

// The proxy environment of one test, restored after it.
class ProxyEnvironment
{
public:
    explicit ProxyEnvironment(const QString &httpProxy, const QString &httpsProxy)
    {
        for (const char *name : names)
            m_saved.append(qEnvironmentVariableIsSet(name) ? std::optional(qgetenv(name))
                                                           : std::nullopt);
        qputenv("http_proxy", httpProxy.toLocal8Bit());
        qputenv("https_proxy", httpsProxy.toLocal8Bit());
        qunsetenv("HTTP_PROXY");
        qunsetenv("HTTPS_PROXY");
        qunsetenv("all_proxy");
        qunsetenv("no_proxy");
        qunsetenv("NO_PROXY");
    }
    ~ProxyEnvironment()
    {
        for (int i = 0; i < int(std::size(names)); ++i) {
            if (m_saved.at(i))
                qputenv(names[i], *m_saved.at(i));
            else
                qunsetenv(names[i]);
        }
        ProxyPolicy::apply(true);
    }

private:
    static constexpr const char *names[] = {"http_proxy",  "https_proxy", "HTTP_PROXY",
                                            "HTTPS_PROXY", "all_proxy",   "no_proxy",
                                            "NO_PROXY"};
    QList<std::optional<QByteArray>> m_saved;
};

// A child `traybeat listen`, read line by line.
struct Listener
{
    QProcess process;
    QByteArray buffer;
    QStringList states;
    QStringList errors;
    void read()
    {
        buffer += process.readAllStandardOutput();
        for (qsizetype newline; (newline = buffer.indexOf('\n')) >= 0;
             buffer.remove(0, newline + 1)) {
            const QJsonObject event = QJsonDocument::fromJson(buffer.left(newline)).object();
            if (event.value(QLatin1String("event")).toString() == QLatin1String("state"))
                states << event.value(QLatin1String("state")).toString();
            else if (event.value(QLatin1String("event")).toString() == QLatin1String("error"))
                errors << event.value(QLatin1String("error")).toString();
        }
    }
    ~Listener()
    {
        process.kill();
        process.waitForFinished(5000);
    }
};
} // namespace

class tst_ProxyPolicy : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void proxyIsChosenByTheLinksScheme();
    void linkGoesThroughTheSystemProxy();
    void connectingDirectlyIgnoresTheSystemProxy();
    void listenUsesTheProxyUnlessToldNotTo();

private:
    SubscriptionConfig configFor(const QString &host, quint16 port) const
    {
        SubscriptionConfig config;
        config.name = QStringLiteral("proxied");
        config.server = QUrl(QStringLiteral("http://%1:%2").arg(host).arg(port));
        config.protocol = QStringLiteral("ntfy");
        config.topics = {QStringLiteral("alerts")};
        config.connection.connectTimeout = 5s;
        config.connection.backoff = {50ms, 200ms, 10s};
        return config;
    }
    QStringList listenArguments(quint16 port) const
    {
        return {QStringLiteral("listen"),
                QStringLiteral("--server"),
                QStringLiteral("http://%1:%2").arg(unresolvableHost).arg(port),
                QStringLiteral("--topic"),
                QStringLiteral("alerts"),
                QStringLiteral("--reconnect-min"),
                QStringLiteral("100ms"),
                QStringLiteral("--state-dir"),
                m_dir->filePath(QStringLiteral("listen"))};
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<PushServer> m_server;
    std::unique_ptr<NotificationStore> m_store;
};

void tst_ProxyPolicy::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_server = test::startPushServer(m_dir->filePath(QStringLiteral("server.db")));
    QVERIFY(m_server->isListening());
    m_store = std::make_unique<NotificationStore>();
    QVERIFY(m_store->open(m_dir->filePath(QStringLiteral("client.db"))));
}

void tst_ProxyPolicy::cleanup()
{
    m_store.reset();
    m_server.reset();
    m_dir.reset();
}

void tst_ProxyPolicy::proxyIsChosenByTheLinksScheme()
{
    ProxyEnvironment environment(QStringLiteral("http://plain.example:3128"),
                                 QStringLiteral("http://secure.example:3129"));
    ProxyPolicy::apply(false);
    QCOMPARE(ProxyPolicy::forWebSocket(QUrl(QStringLiteral("ws://push.example/a/ws"))).hostName(),
             QStringLiteral("plain.example"));
    const QNetworkProxy secure =
        ProxyPolicy::forWebSocket(QUrl(QStringLiteral("wss://push.example/a/ws?since=1")));
    QCOMPARE(secure.hostName(), QStringLiteral("secure.example"));
    QCOMPARE(secure.port(), quint16(3129));
    QCOMPARE(secure.type(), QNetworkProxy::HttpProxy);
    // Never for loopback (Qt's rule), and never when told to connect directly.
    QCOMPARE(ProxyPolicy::forWebSocket(QUrl(QStringLiteral("ws://127.0.0.1:80/a/ws"))).type(),
             QNetworkProxy::NoProxy);
    ProxyPolicy::apply(true);
    QVERIFY(ProxyPolicy::isDirect());
    QCOMPARE(ProxyPolicy::forWebSocket(QUrl(QStringLiteral("wss://push.example/a/ws"))).type(),
             QNetworkProxy::NoProxy);
}

void tst_ProxyPolicy::linkGoesThroughTheSystemProxy()
{
    ConnectProxy proxy(m_server->port());
    QVERIFY(proxy.listen());
    ProxyEnvironment environment(proxy.url(), proxy.url());
    ProxyPolicy::apply(false);
    Subscription subscription(configFor(unresolvableHost, m_server->port()), m_store.get());
    subscription.start();
    QTRY_COMPARE_WITH_TIMEOUT(subscription.connection()->state(), ConnectionState::Connected,
                              10000);
    QCOMPARE(proxy.tunnels(), 1);
    QCOMPARE(proxy.tunnelTargets().constFirst(),
             QStringLiteral("%1:%2").arg(unresolvableHost).arg(m_server->port()));
    QVERIFY(m_server->publish(QStringLiteral("alerts"), QStringLiteral("through the tunnel")));
    QTRY_COMPARE_WITH_TIMEOUT(m_store->count(), 1, 10000);
}

void tst_ProxyPolicy::connectingDirectlyIgnoresTheSystemProxy()
{
    ConnectProxy proxy(m_server->port());
    QVERIFY(proxy.listen());
    ProxyEnvironment environment(proxy.url(), proxy.url());
    ProxyPolicy::apply(true);
    Subscription subscription(configFor(unresolvableHost, m_server->port()), m_store.get());
    QSignalSpy errors(&subscription, &Subscription::errorOccurred);
    subscription.start();
    QTRY_VERIFY_WITH_TIMEOUT(errors.size() >= 2, 10000); // tried directly, twice: no such host
    QCOMPARE(proxy.tunnels(), 0);
    QVERIFY(!subscription.connection()->isConnected());

    // The direct path itself works.
    Subscription direct(configFor(QStringLiteral("127.0.0.1"), m_server->port()), m_store.get());
    direct.start();
    QTRY_COMPARE_WITH_TIMEOUT(direct.connection()->state(), ConnectionState::Connected, 10000);
    QCOMPARE(proxy.tunnels(), 0);
}

void tst_ProxyPolicy::listenUsesTheProxyUnlessToldNotTo()
{
    ConnectProxy proxy(m_server->port());
    QVERIFY(proxy.listen());
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("http_proxy"), proxy.url());
    environment.insert(QStringLiteral("https_proxy"), proxy.url());
    for (const char *name : {"no_proxy", "NO_PROXY", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY"})
        environment.remove(QString::fromLatin1(name));

    {
        Listener through;
        through.process.setProcessEnvironment(environment);
        through.process.start(QStringLiteral(TRAYBEAT_BINARY), listenArguments(m_server->port()));
        QTRY_VERIFY_WITH_TIMEOUT(
            (through.read(), through.states.contains(QStringLiteral("connected"))), 10000);
        QCOMPARE(proxy.tunnels(), 1);
    }

    Listener direct;
    direct.process.setProcessEnvironment(environment);
    direct.process.start(QStringLiteral(TRAYBEAT_BINARY), listenArguments(m_server->port())
                                                              << QStringLiteral("--no-proxy"));
    QTRY_VERIFY_WITH_TIMEOUT((direct.read(), direct.errors.size() >= 2), 10000);
    QVERIFY(!direct.states.contains(QStringLiteral("connected")));
    QCOMPARE(proxy.tunnels(), 1); // no new tunnel
}

QTEST_GUILESS_MAIN(tst_ProxyPolicy)
#include "tst_proxypolicy.moc"
