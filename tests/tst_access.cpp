#include "accessguard.h"
#include "authstore.h"
#include "postgrescluster.h"
#include "pushclients.h"
#include "pushserver.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonDocument>
#include <QProcess>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace traybeat;
using namespace traybeat::test;

namespace {
QPair<QByteArray, QByteArray> authorizationHeader(const QByteArray &value)
{
    return {QByteArrayLiteral("authorization"), value};
}

// AccessGuard::identify, waiting for a password verification when one is started.
std::optional<Identity> identifyNow(AccessGuard &guard, const QHostAddress &peer,
                                    const HttpRequest &request, ntfy::Error *error)
{
    Identity identity;
    bool done = false;
    std::optional<Identity> verified;
    const auto outcome =
        guard.identify(peer, request, &identity, error,
                       [&](const std::optional<Identity> &result, const ntfy::Error &refusal) {
                           verified = result;
                           *error = refusal;
                           done = true;
                       });
    if (outcome == AccessGuard::Outcome::Known)
        return identity;
    if (outcome == AccessGuard::Outcome::Refused)
        return std::nullopt;
    if (!QTest::qWaitFor([&] { return done; }, 10000))
        qWarning("no verification result");
    return verified;
}
} // namespace

// Users, grants and tokens at work: every endpoint of the push server behind the one access
// check (Basic, Bearer, ntfy's ?auth=, 401/403/429), the bounds of that check, the
// `traybeat user|access|token` commands on a real binary, and `listen --user`. Every test runs on
// both backends (initTestCase_data): an SQLite auth file, and the PostgreSQL database a server
// keeps its messages in (a private cluster, tests/support/postgrescluster.h).
class tst_Access : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase_data();
    void initTestCase();
    void init();
    void cleanup();
    void endpoints_data();
    void endpoints();
    void unauthorizedAnswerShape();
    void webSocketNeedsAccess();
    void streamNeedsAccess();
    void shortcutTokenWorksAlongsideUsers();
    void lockoutAfterRepeatedFailures();
    void failureTableIsBounded();
    void verifiedCredentialsAreRememberedBriefly();
    void passwordsAreVerifiedOffTheEventLoop();
    void basicPublishRate();
    void commandLineManagesUsersAccessAndTokens();
    void commandLineRejectsBadArguments_data();
    void commandLineRejectsBadArguments();
    void listenSignsInWithUserAndPassword();
    void serveProcessReadsTheAuthFile();
    void serveRejectsBadAccessOptions_data();
    void serveRejectsBadAccessOptions();

private:
    bool isPostgres() const;
    // Where users and access are: --auth-file FILE, or --db URL.
    QStringList storeArguments() const;
    AccessOptions storeOptions() const;
    void prepareAuthFile();
    void startServer(PushServerOptions options = {});
    HttpResult request(const QByteArray &method, const QString &pathAndQuery,
                       const QByteArray &authorization = {}, const QByteArray &body = "hi");
    QByteArray basic(const QByteArray &user, const QByteArray &password) const
    {
        return "Basic " + (user + ':' + password).toBase64();
    }
    // Runs `traybeat ARGS` with `input` on stdin; exit code, stdout, stderr.
    struct Run
    {
        int exitCode = -1;
        QByteArray out;
        QByteArray err;
    };
    Run runCli(const QStringList &arguments, const QByteArray &input = {});

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<PushServer> m_server;
    QNetworkAccessManager m_network;
    PostgresCluster m_cluster;
    int m_databaseNumber = 0;
    QString m_authFile;
    std::optional<DatabaseLocation> m_database; // the PostgreSQL row's
    QString m_databaseUrl;
    QString m_token; // phil's
};

void tst_Access::initTestCase_data()
{
    QTest::addColumn<bool>("postgres");
    QTest::newRow("sqlite") << false;
    QTest::newRow("postgresql") << true;
}

void tst_Access::initTestCase()
{
    QString error;
    QVERIFY2(m_cluster.start(&error), qPrintable(error));
}

bool tst_Access::isPostgres() const
{
    QFETCH_GLOBAL(bool, postgres);
    return postgres;
}

QStringList tst_Access::storeArguments() const
{
    return m_database ? QStringList{QStringLiteral("--db"), m_databaseUrl}
                      : QStringList{QStringLiteral("--auth-file"), m_authFile};
}

AccessOptions tst_Access::storeOptions() const
{
    AccessOptions options;
    if (m_database)
        options.database = m_database;
    else
        options.authFile = m_authFile;
    return options;
}

void tst_Access::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_authFile = m_dir->filePath(QStringLiteral("auth.db"));
    m_database.reset();
    if (isPostgres()) {
        const QString name = QStringLiteral("access%1").arg(++m_databaseNumber);
        QString error;
        QVERIFY2(m_cluster.createDatabase(name, &error), qPrintable(error));
        m_databaseUrl = m_cluster.socketUrl(name);
        m_database = DatabaseLocation::parse(m_databaseUrl, &error);
        QVERIFY2(m_database, qPrintable(error));
    }
}

void tst_Access::cleanup()
{
    m_server.reset();
    m_dir.reset();
}

// phil (password "pw"): alerts read-write, news read-only, inbox write-only, a token;
// everyone: public read-only.
void tst_Access::prepareAuthFile()
{
    AuthStore store;
    QString error;
    QVERIFY2(m_database ? store.open(*m_database, &error) : store.open(m_authFile, &error),
             qPrintable(error));
    QVERIFY(store.addUser(QStringLiteral("phil"), QStringLiteral("pw"), false, &error));
    QVERIFY(store.grant(QStringLiteral("phil"), QStringLiteral("alerts"), Permission::ReadWrite,
                        &error));
    QVERIFY(
        store.grant(QStringLiteral("phil"), QStringLiteral("news"), Permission::ReadOnly, &error));
    QVERIFY(store.grant(QStringLiteral("phil"), QStringLiteral("inbox"), Permission::WriteOnly,
                        &error));
    QVERIFY(
        store.grant(AuthStore::Everyone, QStringLiteral("public"), Permission::ReadOnly, &error));
    const auto token = store.addToken(QStringLiteral("phil"), QStringLiteral("test"), 0, &error);
    QVERIFY(token);
    m_token = *token;
}

void tst_Access::startServer(PushServerOptions options)
{
    m_server.reset();
    options.databasePath = m_dir->filePath(QStringLiteral("server.db"));
    // PostgreSQL: the server's database holds the users too.
    options.database = m_database;
    if (!m_database)
        options.access.authFile = m_authFile;
    if (!options.access.defaultPermission)
        options.access.defaultPermission = Permission::Deny;
    m_server = std::make_unique<PushServer>(options);
    QString error;
    QVERIFY2(m_server->listen(&error), qPrintable(error));
}

HttpResult tst_Access::request(const QByteArray &method, const QString &pathAndQuery,
                               const QByteArray &authorization, const QByteArray &body)
{
    Headers headers;
    if (!authorization.isEmpty())
        headers.append({"Authorization", authorization});
    return httpRequest(m_network, m_server->url().resolved(QUrl(pathAndQuery)), method, body,
                       headers, 10000);
}

void tst_Access::endpoints_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path"); // {auth}: ?auth= of phil's Basic, {token}: of the token
    QTest::addColumn<QString>("credentials"); // basic, wrong, token, badtoken, tokenasbasic, none
    QTest::addColumn<int>("status");
    QTest::newRow("publish basic") << QByteArray("POST") << "/alerts"
                                   << "basic" << 200;
    QTest::newRow("publish anonymous") << QByteArray("POST") << "/alerts"
                                       << "none" << 401;
    QTest::newRow("publish wrong password") << QByteArray("POST") << "/alerts"
                                            << "wrong" << 401;
    QTest::newRow("publish bearer") << QByteArray("POST") << "/alerts"
                                    << "token" << 200;
    QTest::newRow("publish bad bearer") << QByteArray("POST") << "/alerts"
                                        << "badtoken" << 401;
    QTest::newRow("publish token as basic") << QByteArray("POST") << "/alerts"
                                            << "tokenasbasic" << 200;
    QTest::newRow("publish ?auth basic") << QByteArray("POST") << "/alerts?auth={auth}"
                                         << "none" << 200;
    QTest::newRow("publish ?auth bearer") << QByteArray("PUT") << "/alerts?auth={token}"
                                          << "none" << 200;
    QTest::newRow("publish ?auth garbage") << QByteArray("POST") << "/alerts?auth=!!!"
                                           << "none" << 401;
    QTest::newRow("GET publish ?auth")
        << QByteArray("GET") << "/alerts/publish?message=x&auth={auth}"
        << "none" << 200;
    QTest::newRow("send basic") << QByteArray("GET") << "/alerts/send?m=x"
                                << "basic" << 200;
    QTest::newRow("publish read-only") << QByteArray("POST") << "/news"
                                       << "basic" << 403;
    QTest::newRow("publish write-only") << QByteArray("POST") << "/inbox"
                                        << "basic" << 200;
    QTest::newRow("json poll read-only") << QByteArray("GET") << "/news/json?poll=1"
                                         << "basic" << 200;
    QTest::newRow("json poll write-only") << QByteArray("GET") << "/inbox/json?poll=1"
                                          << "basic" << 403;
    QTest::newRow("sse poll two topics") << QByteArray("GET") << "/alerts,news/sse?poll=1"
                                         << "token" << 200;
    QTest::newRow("raw poll one topic denied") << QByteArray("GET") << "/alerts,inbox/raw?poll=1"
                                               << "basic" << 403;
    QTest::newRow("raw poll ?auth") << QByteArray("GET") << "/alerts/raw?poll=1&auth={auth}"
                                    << "none" << 200;
    QTest::newRow("everyone may read public") << QByteArray("GET") << "/public/json?poll=1"
                                              << "none" << 200;
    QTest::newRow("anonymous may not write public") << QByteArray("POST") << "/public"
                                                    << "none" << 401;
    QTest::newRow("phil gets everyone's grant") << QByteArray("POST") << "/public"
                                                << "basic" << 403;
    QTest::newRow("default deny for anonymous") << QByteArray("GET") << "/secret/json?poll=1"
                                                << "none" << 401;
    QTest::newRow("health needs nothing") << QByteArray("GET") << "/v1/health"
                                          << "none" << 200;
}

void tst_Access::endpoints()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(QString, credentials);
    QFETCH(int, status);
    prepareAuthFile();
    startServer();
    const QByteArray philBasic = basic("phil", "pw");
    path.replace(QLatin1String("{auth}"),
                 QString::fromLatin1(philBasic.toBase64(QByteArray::Base64UrlEncoding |
                                                        QByteArray::OmitTrailingEquals)));
    path.replace(QLatin1String("{token}"),
                 QString::fromLatin1(
                     ("Bearer " + m_token.toLatin1()).toBase64(QByteArray::Base64UrlEncoding)));
    const QMap<QString, QByteArray> headers{
        {QStringLiteral("basic"), philBasic},
        {QStringLiteral("wrong"), basic("phil", "nope")},
        {QStringLiteral("token"), "Bearer " + m_token.toLatin1()},
        {QStringLiteral("badtoken"), "Bearer tk_00000000000000000000000000000"},
        {QStringLiteral("tokenasbasic"), basic("", m_token.toLatin1())},
        {QStringLiteral("none"), QByteArray()},
    };
    const HttpResult result = request(method, path, headers.value(credentials));
    QVERIFY2(result.status == status,
             qPrintable(QStringLiteral("%1: %2").arg(result.status).arg(result.body)));
    if (status >= 400) {
        // ntfy's error shape
        QCOMPARE(result.json().value(QLatin1String("http")).toInt(), status);
        QVERIFY(result.json().value(QLatin1String("code")).toInt() / 100 == status);
        QVERIFY(!result.json().value(QLatin1String("error")).toString().isEmpty());
    }
}

void tst_Access::unauthorizedAnswerShape()
{
    prepareAuthFile();
    startServer();
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_server->port());
    QVERIFY(socket.waitForConnected(5000));
    socket.write("POST /alerts HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi");
    QByteArray answer;
    QTRY_VERIFY_WITH_TIMEOUT((answer += socket.readAll(), answer.contains("}\n")), 5000);
    QVERIFY2(answer.startsWith("HTTP/1.1 401 "), answer.constData());
    QVERIFY2(answer.contains("\r\nWWW-Authenticate: Basic realm=\"traybeat\"\r\n"),
             answer.constData());
    QVERIFY2(answer.contains("{\"code\":40101,\"error\":\"unauthorized: missing or wrong "
                             "credentials\",\"http\":401}\n"),
             answer.constData());
}

void tst_Access::webSocketNeedsAccess()
{
    prepareAuthFile();
    startServer();
    QUrl url = m_server->url().resolved(QUrl(QStringLiteral("/alerts/ws")));
    url.setScheme(QStringLiteral("ws"));

    // Header, then ntfy's ?auth= as a browser would send it.
    QWebSocket withHeader;
    QNetworkRequest headerRequest(url);
    headerRequest.setRawHeader("Authorization", basic("phil", "pw"));
    withHeader.open(headerRequest);
    QSignalSpy connected(&withHeader, &QWebSocket::connected);
    QVERIFY(connected.wait(5000));
    QUrl queryUrl = url;
    queryUrl.setQuery(
        QStringLiteral("auth=") +
        QString::fromLatin1(
            ("Bearer " + m_token.toLatin1()).toBase64(QByteArray::Base64UrlEncoding)));
    WsClient withQuery(queryUrl);
    QVERIFY(withQuery.waitConnected());
    QTRY_COMPARE(m_server->subscriberCount(), 2);
    QCOMPARE(request("POST", QStringLiteral("/alerts"), basic("phil", "pw"), "live").status, 200);
    QTRY_COMPARE(withQuery.messages(), QStringList{QStringLiteral("live")});

    // Refused before the upgrade: no subscriber, a plain HTTP error.
    for (const QByteArray &authorization : {QByteArray(), basic("phil", "nope")}) {
        QWebSocket refused;
        QNetworkRequest refusedRequest(url);
        if (!authorization.isEmpty())
            refusedRequest.setRawHeader("Authorization", authorization);
        QSignalSpy errors(&refused,
                          QOverload<QAbstractSocket::SocketError>::of(&QWebSocket::error));
        refused.open(refusedRequest);
        QVERIFY(errors.wait(5000));
    }
    QUrl newsUrl = url.resolved(QUrl(QStringLiteral("/inbox/ws"))); // write-only for phil
    QWebSocket forbidden;
    QNetworkRequest forbiddenRequest(newsUrl);
    forbiddenRequest.setRawHeader("Authorization", basic("phil", "pw"));
    QSignalSpy errors(&forbidden, QOverload<QAbstractSocket::SocketError>::of(&QWebSocket::error));
    forbidden.open(forbiddenRequest);
    QVERIFY(errors.wait(5000));
    QCOMPARE(m_server->subscriberCount(), 2);
}

void tst_Access::streamNeedsAccess()
{
    prepareAuthFile();
    startServer();
    QNetworkRequest streamRequest(m_server->url().resolved(QUrl(QStringLiteral("/alerts/json"))));
    streamRequest.setRawHeader("Authorization", basic("phil", "pw"));
    QNetworkReply *reply = m_network.get(streamRequest);
    QTRY_VERIFY_WITH_TIMEOUT(reply->bytesAvailable() > 0, 5000); // the open event
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
    QCOMPARE(m_server->subscriberCount(), 1);
    reply->abort();
    reply->deleteLater();
    const HttpResult refused = request("GET", QStringLiteral("/alerts/sse"));
    QCOMPARE(refused.status, 401);
}

void tst_Access::shortcutTokenWorksAlongsideUsers()
{
    prepareAuthFile();
    PushServerOptions options;
    options.token = QStringLiteral("shortcut-secret");
    startServer(options);
    QCOMPARE(request("POST", QStringLiteral("/anything"), "Bearer shortcut-secret").status, 200);
    QCOMPARE(
        request("GET", QStringLiteral("/anything/json?poll=1"), "Bearer shortcut-secret").status,
        200);
    QCOMPARE(request("POST", QStringLiteral("/alerts"), basic("phil", "pw")).status, 200);
    QCOMPARE(request("POST", QStringLiteral("/anything"), basic("phil", "pw")).status, 403);
    QCOMPARE(request("POST", QStringLiteral("/anything"), "Bearer shortcut-secreT").status, 401);
}

void tst_Access::lockoutAfterRepeatedFailures()
{
    prepareAuthFile();
    PushServerOptions options;
    options.access.maxFailures = 3;
    startServer(options);
    for (int i = 0; i < 3; ++i)
        QCOMPARE(request("POST", QStringLiteral("/alerts"), basic("phil", "guess")).status, 401);
    // Locked out: even the right password waits, and nothing is verified meanwhile.
    const HttpResult locked = request("POST", QStringLiteral("/alerts"), basic("phil", "pw"));
    QCOMPARE(locked.status, 429);
    QCOMPARE(locked.json().value(QLatin1String("code")).toInt(), 42909);
    QCOMPARE(request("GET", QStringLiteral("/public/json?poll=1")).status, 429);
}

void tst_Access::failureTableIsBounded()
{
    AccessOptions options;
    options.maxTrackedAddresses = 8;
    options.maxFailures = 2;
    AccessGuard guard(options);
    QString error;
    QVERIFY(guard.open(&error));
    HttpRequest bad;
    bad.headers.append(authorizationHeader("Bearer wrong"));
    ntfy::Error refusal;
    for (int i = 1; i <= 100; ++i) {
        const QHostAddress peer(QStringLiteral("10.0.0.%1").arg(i));
        QVERIFY(!identifyNow(guard, peer, bad, &refusal));
        QVERIFY(!identifyNow(guard, peer, bad, &refusal));
        QCOMPARE(refusal.httpStatus, 401);
        QVERIFY(!identifyNow(guard, peer, bad, &refusal));
        QCOMPARE(refusal.httpStatus, 429);
        QVERIFY(guard.trackedAddressCount() <= 8);
    }
    // The latest offenders are the ones still locked out.
    QVERIFY(
        !identifyNow(guard, QHostAddress(QStringLiteral("10.0.0.100")), HttpRequest(), &refusal));
    QCOMPARE(refusal.httpStatus, 429);
    QVERIFY(identifyNow(guard, QHostAddress(QStringLiteral("10.0.1.1")), HttpRequest(), &refusal));
}

void tst_Access::verifiedCredentialsAreRememberedBriefly()
{
    prepareAuthFile();
    {
        AuthStore store;
        QString error;
        QVERIFY(m_database ? store.open(*m_database, &error) : store.open(m_authFile, &error));
        for (int i = 0; i < 4; ++i)
            QVERIFY(
                store.addUser(QStringLiteral("u%1").arg(i), QStringLiteral("pw"), false, &error));
    }
    AccessOptions options = storeOptions();
    options.maxVerified = 2;
    options.verifiedTtl = std::chrono::milliseconds(300);
    AccessGuard guard(options);
    QString error;
    QVERIFY(guard.open(&error));
    const QHostAddress peer(QHostAddress::LocalHost);
    HttpRequest phil;
    phil.headers.append(authorizationHeader(basic("phil", "pw")));
    ntfy::Error refusal;
    QElapsedTimer clock;
    clock.start();
    QCOMPARE(identifyNow(guard, peer, phil, &refusal)->user, QStringLiteral("phil"));
    const qint64 firstNs = clock.nsecsElapsed();
    clock.restart();
    for (int i = 0; i < 10; ++i)
        QCOMPARE(identifyNow(guard, peer, phil, &refusal)->user, QStringLiteral("phil"));
    const qint64 cachedNs = clock.nsecsElapsed() / 10;
    qInfo("Basic verification: first %.1f ms (yescrypt), remembered %.3f ms", firstNs / 1e6,
          cachedNs / 1e6);
    QVERIFY(cachedNs < firstNs);
    QCOMPARE(guard.verifiedCount(), 1);
    // A wrong password is never remembered.
    HttpRequest wrong;
    wrong.headers.append(authorizationHeader(basic("phil", "nope")));
    QVERIFY(!identifyNow(guard, peer, wrong, &refusal));
    QCOMPARE(guard.verifiedCount(), 1);
    for (int i = 0; i < 4; ++i) {
        HttpRequest other;
        other.headers.append(
            authorizationHeader(basic(QByteArray("u") + QByteArray::number(i), "pw")));
        QVERIFY(identifyNow(guard, peer, other, &refusal));
        QVERIFY(guard.verifiedCount() <= 2);
    }
}

// identify() returns at once with a verification under way, whose result comes later through
// the event loop; verifications in flight are bounded per address.
void tst_Access::passwordsAreVerifiedOffTheEventLoop()
{
    prepareAuthFile();
    AccessOptions options = storeOptions();
    options.maxVerifyingPerAddress = 2;
    AccessGuard guard(options);
    QString error;
    QVERIFY(guard.open(&error));
    const QHostAddress peer(QHostAddress::LocalHost);
    int results = 0;
    const auto count = [&results](const std::optional<Identity> &, const ntfy::Error &) {
        ++results;
    };
    QList<AccessGuard::Outcome> outcomes;
    for (const char *password : {"pw", "nope", "other"}) {
        HttpRequest request;
        request.headers.append(authorizationHeader(basic("phil", password)));
        Identity identity;
        ntfy::Error refusal;
        outcomes.append(guard.identify(peer, request, &identity, &refusal, count));
        if (outcomes.last() == AccessGuard::Outcome::Refused)
            QCOMPARE(refusal.httpStatus, 429);
    }
    QCOMPARE(outcomes, (QList<AccessGuard::Outcome>{AccessGuard::Outcome::Verifying,
                                                    AccessGuard::Outcome::Verifying,
                                                    AccessGuard::Outcome::Refused}));
    QCOMPARE(results, 0); // nothing is answered inside identify()
    QTRY_COMPARE_WITH_TIMEOUT(results, 2, 10000);
    QCOMPARE(guard.verifiedCount(), 1); // only the right password is remembered
}

void tst_Access::basicPublishRate()
{
    prepareAuthFile();
    startServer();
    const QByteArray authorization = basic("phil", "pw");
    constexpr int Count = 300;
    QElapsedTimer clock;
    clock.start();
    QCOMPARE(request("POST", QStringLiteral("/alerts"), authorization).status, 200);
    const qint64 firstMs = clock.elapsed();
    clock.restart();
    for (int i = 0; i < Count; ++i)
        QCOMPARE(request("POST", QStringLiteral("/alerts"), authorization).status, 200);
    const qint64 basicMs = qMax<qint64>(1, clock.elapsed());
    clock.restart();
    for (int i = 0; i < Count; ++i)
        QCOMPARE(request("POST", QStringLiteral("/alerts"), "Bearer " + m_token.toLatin1()).status,
                 200);
    const qint64 bearerMs = qMax<qint64>(1, clock.elapsed());
    qInfo("publish: first Basic %lld ms, then %d sequential each at %.0f/s (Basic), %.0f/s "
          "(Bearer token)",
          firstMs, Count, Count * 1000.0 / basicMs, Count * 1000.0 / bearerMs);
}

tst_Access::Run tst_Access::runCli(const QStringList &arguments, const QByteArray &input)
{
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("XDG_DATA_HOME"), m_dir->filePath(QStringLiteral("data")));
    process.setProcessEnvironment(environment);
    process.start(QStringLiteral(TRAYBEAT_BINARY), arguments);
    if (!process.waitForStarted(10000))
        return {};
    process.write(input);
    process.closeWriteChannel();
    if (!process.waitForFinished(30000))
        process.kill();
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            process.readAllStandardOutput(), process.readAllStandardError()};
}

void tst_Access::commandLineManagesUsersAccessAndTokens()
{
    const QStringList file = storeArguments();
    Run run = runCli(
        QStringList{QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("phil")} + file,
        "s3cret pw\nignored\n");
    QVERIFY2(run.exitCode == 0, run.err.constData());
    run = runCli(QStringList{QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("boss"),
                             QStringLiteral("--role"), QStringLiteral("admin")} +
                     file,
                 "x\n");
    QVERIFY2(run.exitCode == 0, run.err.constData());
    run = runCli(QStringList{QStringLiteral("user"), QStringLiteral("list")} + file);
    QCOMPARE(run.out, QByteArray("boss (admin)\nphil (user)\n"));
    run = runCli(QStringList{QStringLiteral("access"), QStringLiteral("phil"),
                             QStringLiteral("alerts_*"), QStringLiteral("read-write")} +
                 file);
    QVERIFY2(run.exitCode == 0, run.err.constData());
    run = runCli(QStringList{QStringLiteral("access"), QStringLiteral("*"),
                             QStringLiteral("public"), QStringLiteral("read-only")} +
                 file);
    QVERIFY2(run.exitCode == 0, run.err.constData());
    run = runCli(QStringList{QStringLiteral("access"), QStringLiteral("phil")} + file);
    QCOMPARE(run.out, QByteArray("phil alerts_* read-write\n"));
    run = runCli(QStringList{QStringLiteral("token"), QStringLiteral("add"), QStringLiteral("phil"),
                             QStringLiteral("--label"), QStringLiteral("cron"),
                             QStringLiteral("--expires"), QStringLiteral("30d")} +
                 file);
    QVERIFY2(run.exitCode == 0, run.err.constData());
    const QByteArray token = run.out.trimmed();
    QVERIFY2(AuthStore::isTokenShaped(QString::fromLatin1(token)), token.constData());
    run = runCli(
        QStringList{QStringLiteral("token"), QStringLiteral("list"), QStringLiteral("phil")} +
        file);
    QVERIFY2(run.out.startsWith(token.left(8) + "… label \"cron\""), run.out.constData());
    QVERIFY(!run.out.contains(token));
    if (!m_database)
        QCOMPARE(QFileInfo(m_authFile).permissions() & 0x0077, QFileDevice::Permissions());

    // The server reads what the commands wrote.
    startServer();
    QCOMPARE(request("POST", QStringLiteral("/alerts_db"), basic("phil", "s3cret pw")).status, 200);
    QCOMPARE(request("POST", QStringLiteral("/alerts_db"), "Bearer " + token).status, 200);
    QCOMPARE(request("POST", QStringLiteral("/other"), "Bearer " + token).status, 403);
    QCOMPARE(request("POST", QStringLiteral("/other"), basic("boss", "x")).status, 200);
    QCOMPARE(request("GET", QStringLiteral("/public/json?poll=1")).status, 200);

    // Changes apply to the running server at once.
    run = runCli(QStringList{QStringLiteral("token"), QStringLiteral("remove"),
                             QStringLiteral("phil"), QString::fromLatin1(token)} +
                 file);
    QVERIFY2(run.exitCode == 0, run.err.constData());
    // (On PostgreSQL the server learns of it by a NOTIFY, which may come a moment after.)
    QTRY_COMPARE_WITH_TIMEOUT(
        request("POST", QStringLiteral("/alerts_db"), "Bearer " + token).status, 401, 10000);
    run = runCli(
        QStringList{QStringLiteral("access"), QStringLiteral("--reset"), QStringLiteral("phil")} +
        file);
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QTRY_COMPARE_WITH_TIMEOUT(
        request("POST", QStringLiteral("/alerts_db"), basic("phil", "s3cret pw")).status, 403,
        10000);
    run = runCli(
        QStringList{QStringLiteral("user"), QStringLiteral("del"), QStringLiteral("phil")} + file);
    QVERIFY2(run.exitCode == 0, run.err.constData());
    run = runCli(QStringList{QStringLiteral("user"), QStringLiteral("list")} + file);
    QCOMPARE(run.out, QByteArray("boss (admin)\n"));
    if (m_database)
        return;

    // Without --auth-file: the default file beside the server's message database.
    run = runCli({QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("anna")}, "pw\n");
    QVERIFY2(run.exitCode == 0, run.err.constData());
    const QString defaultFile = m_dir->filePath(QStringLiteral("data/traybeat/auth.db"));
    QVERIFY(QFileInfo::exists(defaultFile));
    QCOMPARE(QFileInfo(defaultFile).permissions() & 0x0077, QFileDevice::Permissions());
}

void tst_Access::commandLineRejectsBadArguments_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("reason");
    QTest::newRow("user without command") << QStringList{"user"} << QByteArray() << 2 << "usage";
    QTest::newRow("user unknown command")
        << QStringList{"user", "frob", "x"} << QByteArray() << 2 << "unknown command";
    QTest::newRow("bad user name")
        << QStringList{"user", "add", "a b"} << QByteArray("pw\n") << 2 << "not a valid user name";
    QTest::newRow("empty password")
        << QStringList{"user", "add", "phil"} << QByteArray("\n") << 2 << "password is empty";
    QTest::newRow("bad role") << QStringList{"user", "add", "phil", "--role", "god"}
                              << QByteArray("pw\n") << 2 << "--role";
    QTest::newRow("delete unknown user")
        << QStringList{"user", "del", "ghost"} << QByteArray() << 2 << "no user \"ghost\"";
    QTest::newRow("bad permission") << QStringList{"access", "*", "a", "sometimes"} << QByteArray()
                                    << 2 << "none of read-write";
    QTest::newRow("bad pattern") << QStringList{"access", "*", "a/b", "deny"} << QByteArray() << 2
                                 << "not a topic pattern";
    QTest::newRow("grant to unknown user")
        << QStringList{"access", "ghost", "a", "deny"} << QByteArray() << 2 << "no user";
    QTest::newRow("token for unknown user")
        << QStringList{"token", "add", "ghost"} << QByteArray() << 2 << "no user";
    QTest::newRow("bad expiry") << QStringList{"token", "add", "ghost", "--expires", "soon"}
                                << QByteArray() << 2 << "--expires";
    QTest::newRow("token without user")
        << QStringList{"token", "add"} << QByteArray() << 2 << "usage";
}

void tst_Access::commandLineRejectsBadArguments()
{
    QFETCH(QStringList, arguments);
    QFETCH(QByteArray, input);
    QFETCH(int, exitCode);
    QFETCH(QString, reason);
    const Run run = runCli(arguments + storeArguments(), input);
    QCOMPARE(run.exitCode, exitCode);
    QVERIFY2(QString::fromUtf8(run.err).contains(reason), run.err.constData());
    QCOMPARE(run.err.count('\n'), 1); // one line
}

void tst_Access::listenSignsInWithUserAndPassword()
{
    prepareAuthFile();
    startServer();
    QProcess listen;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("TRAYBEAT_PASSWORD"), QStringLiteral("pw"));
    listen.setProcessEnvironment(environment);
    listen.start(QStringLiteral(TRAYBEAT_BINARY),
                 {QStringLiteral("listen"), QStringLiteral("--server"), m_server->url().toString(),
                  QStringLiteral("--topic"), QStringLiteral("alerts"), QStringLiteral("--user"),
                  QStringLiteral("phil"), QStringLiteral("--state-dir"),
                  m_dir->filePath(QStringLiteral("listen"))});
    QVERIFY(listen.waitForStarted());
    QTRY_COMPARE_WITH_TIMEOUT(m_server->subscriberCount(), 1, 10000);
    QCOMPARE(request("POST", QStringLiteral("/alerts"), basic("phil", "pw"), "signed in").status,
             200);
    QByteArray output;
    QTRY_VERIFY_WITH_TIMEOUT(
        (output += listen.readAllStandardOutput(), output.contains("\"body\":\"signed in\"")),
        10000);
    listen.terminate();
    QVERIFY(listen.waitForFinished(5000));

    // No password and no terminal: a clear refusal, not a silent anonymous link.
    QProcess refused;
    refused.setProcessEnvironment(QProcessEnvironment::systemEnvironment());
    refused.start(QStringLiteral(TRAYBEAT_BINARY),
                  {QStringLiteral("listen"), QStringLiteral("--server"), m_server->url().toString(),
                   QStringLiteral("--topic"), QStringLiteral("alerts"), QStringLiteral("--user"),
                   QStringLiteral("phil")});
    refused.closeWriteChannel();
    QVERIFY(refused.waitForFinished(10000));
    QCOMPARE(refused.exitCode(), 2);
    QVERIFY(refused.readAllStandardError().contains("TRAYBEAT_PASSWORD"));

    // A user and a token at once: one of them, said in one line.
    QProcess both;
    both.setProcessEnvironment(environment);
    both.start(QStringLiteral(TRAYBEAT_BINARY),
               {QStringLiteral("listen"), QStringLiteral("--server"), m_server->url().toString(),
                QStringLiteral("--topic"), QStringLiteral("alerts"), QStringLiteral("--user"),
                QStringLiteral("phil"), QStringLiteral("--token"), m_token});
    QVERIFY(both.waitForFinished(10000));
    QCOMPARE(both.exitCode(), 2);
    QVERIFY(both.readAllStandardError().contains("or a token, not both"));
}

// `traybeat serve --auth-file FILE --default-access deny-all` as a real process; on PostgreSQL
// `traybeat serve --db URL --default-access deny-all`.
void tst_Access::serveProcessReadsTheAuthFile()
{
    prepareAuthFile();
    QProcess serve;
    const QStringList store =
        m_database
            ? storeArguments()
            : QStringList{QStringLiteral("--db"), m_dir->filePath(QStringLiteral("server.db"))} +
                  storeArguments();
    serve.start(QStringLiteral(TRAYBEAT_BINARY),
                QStringList{QStringLiteral("serve"), QStringLiteral("--listen"),
                            QStringLiteral(":0"), QStringLiteral("--default-access"),
                            QStringLiteral("deny-all")} +
                    store);
    QVERIFY(serve.waitForStarted());
    QByteArray output;
    const QUrl base = serveAddress(serve, &output);
    QVERIFY2(base.isValid(), output.constData());
    const QByteArray says = m_database ? "messages, users and access in" : "users and access from";
    QTRY_VERIFY_WITH_TIMEOUT((output += serve.readAllStandardOutput(), output.contains(says)),
                             10000);
    const auto post = [&](const QByteArray &authorization) {
        Headers headers;
        if (!authorization.isEmpty())
            headers.append({"Authorization", authorization});
        return httpRequest(m_network, base.resolved(QUrl(QStringLiteral("/alerts"))), "POST", "x",
                           headers, 10000)
            .status;
    };
    QCOMPARE(post({}), 401);
    QCOMPARE(post(basic("phil", "pw")), 200);
    QCOMPARE(post("Bearer " + m_token.toLatin1()), 200);
    serve.terminate();
    QVERIFY(serve.waitForFinished(10000));
    QCOMPARE(serve.exitCode(), 0);
}

void tst_Access::serveRejectsBadAccessOptions_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("reason");
    QTest::newRow("unknown default")
        << QStringList{"--default-access", "maybe"} << "--default-access";
    QTest::newRow("empty auth file") << QStringList{"--auth-file", ""} << "--auth-file";
}

void tst_Access::serveRejectsBadAccessOptions()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, reason);
    const QString database =
        m_database ? m_databaseUrl : m_dir->filePath(QStringLiteral("server.db"));
    const Run run = runCli(QStringList{QStringLiteral("serve"), QStringLiteral("--listen"),
                                       QStringLiteral(":0"), QStringLiteral("--db"), database} +
                           arguments);
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(QString::fromUtf8(run.err).contains(reason), run.err.constData());
}

QTEST_GUILESS_MAIN(tst_Access)
#include "tst_access.moc"
