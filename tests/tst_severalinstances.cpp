// Several `traybeat serve` instances on one PostgreSQL database (issue 10), all real: a private
// PostgreSQL cluster, serve and listen as child processes of this build, HAProxy in front.
// Nothing may be lost or doubled when publishers write to both instances at once, when the
// instance holding a client's WebSocket is killed, or when PostgreSQL restarts.

#include "databaselocation.h"
#include "haproxyprocess.h"
#include "postgrescluster.h"
#include "pushserver.h"
#include "serveinstance.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>
#include <memory>

namespace {
#ifdef TRAYBEAT_SANITIZED
constexpr int Slowdown = 4;
#else
constexpr int Slowdown = 1;
#endif
constexpr int LongWaitMs = 60000 * Slowdown;

// One HTTP answer read off a socket: status and body (Content-Length framed, as serve answers).
struct Answer
{
    int status = 0;
    QByteArray body;
};

// Takes one complete answer from the front of `buffer`; nullopt while it is incomplete.
std::optional<Answer> takeAnswer(QByteArray *buffer)
{
    const qsizetype headEnd = buffer->indexOf("\r\n\r\n");
    if (headEnd < 0)
        return std::nullopt;
    const QByteArray head = buffer->left(headEnd).toLower();
    const qsizetype lengthAt = head.indexOf("content-length:");
    const qsizetype length =
        lengthAt < 0 ? 0
                     : head.mid(lengthAt + 15, head.indexOf('\r', lengthAt) - lengthAt - 15)
                           .trimmed()
                           .toLongLong();
    if (buffer->size() < headEnd + 4 + length)
        return std::nullopt;
    Answer answer;
    answer.status = head.mid(9, 3).toInt();
    answer.body = buffer->mid(headEnd + 4, length);
    buffer->remove(0, headEnd + 4 + length);
    return answer;
}

// `headers`: more header lines, each ending in CRLF.
QByteArray publishRequest(const QString &topic, const QByteArray &body, bool close = false,
                          const QByteArray &headers = {})
{
    return "POST /" + topic.toUtf8() +
           " HTTP/1.1\r\nHost: test\r\nContent-Length: " + QByteArray::number(body.size()) +
           (close ? "\r\nConnection: close" : "") + "\r\n" + headers + "\r\n" + body;
}

// POSTs one message on a connection of its own; the answer, or status 0 when none came.
Answer publishOnce(quint16 port, const QString &topic, const QByteArray &body)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(10000))
        return {};
    socket.write(publishRequest(topic, body, true));
    QByteArray buffer;
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < 20000) {
        if (auto answer = takeAnswer(&buffer))
            return *answer;
        if (!socket.waitForReadyRead(1000) && socket.state() != QAbstractSocket::ConnectedState)
            break;
        buffer += socket.readAll();
    }
    return {};
}

QString idOf(const QByteArray &json)
{
    return QJsonDocument::fromJson(json).object().value(QStringLiteral("id")).toString();
}

// Publishes `count` messages "<prefix>-<n>" on one keep-alive connection, up to `window`
// requests in flight (pipelined), so that two of these on two instances really commit at once.
class PipelinedPublisher final : public QObject
{
public:
    PipelinedPublisher(quint16 port, const QString &topic, const QString &prefix, int count)
        : m_topic(topic), m_prefix(prefix), m_count(count)
    {
        connect(&m_socket, &QTcpSocket::connected, this, &PipelinedPublisher::fill);
        connect(&m_socket, &QTcpSocket::readyRead, this, &PipelinedPublisher::read);
        m_socket.connectToHost(QHostAddress::LocalHost, port);
    }
    int answered() const { return m_answered; }
    int failed() const { return m_failed; }

private:
    void fill()
    {
        while (m_sent < m_count && m_sent - m_answered < Window)
            m_socket.write(publishRequest(
                m_topic, QStringLiteral("%1-%2").arg(m_prefix).arg(m_sent++).toUtf8()));
    }
    void read()
    {
        m_buffer += m_socket.readAll();
        while (const auto answer = takeAnswer(&m_buffer)) {
            ++m_answered;
            if (answer->status != 200)
                ++m_failed;
        }
        fill();
    }

    static constexpr int Window = 32;
    QTcpSocket m_socket;
    QByteArray m_buffer;
    QString m_topic;
    QString m_prefix;
    int m_count;
    int m_sent = 0;
    int m_answered = 0;
    int m_failed = 0;
};

// A WebSocket subscriber that keeps every message event's id and text, in arrival order.
class Subscriber final : public QObject
{
public:
    explicit Subscriber(const QUrl &url)
    {
        connect(&m_socket, &QWebSocket::textMessageReceived, this, [this](const QString &text) {
            const QJsonObject event = QJsonDocument::fromJson(text.toUtf8()).object();
            if (event.value(QStringLiteral("event")).toString() == QLatin1String("open"))
                m_open = true;
            if (event.value(QStringLiteral("event")).toString() != QLatin1String("message"))
                return;
            ids.append(event.value(QStringLiteral("id")).toString());
            texts.append(event.value(QStringLiteral("message")).toString());
        });
        m_socket.open(url);
    }
    bool isOpen() const { return m_open; }
    QStringList ids;
    QStringList texts;

private:
    QWebSocket m_socket;
    bool m_open = false;
};

QUrl webSocketUrl(quint16 port, const QString &topic)
{
    return QUrl(QStringLiteral("ws://127.0.0.1:%1/%2/ws").arg(port).arg(topic));
}

// `traybeat listen` of this build through `server`: the ids of the messages it printed, in order,
// and how often it said it was connected.
class ListenProcess final
{
public:
    explicit ListenProcess(quint16 port)
    {
        m_process.start(QStringLiteral(TRAYBEAT_BINARY),
                        {QStringLiteral("listen"), QStringLiteral("--server"),
                         QStringLiteral("http://127.0.0.1:%1").arg(port), QStringLiteral("--topic"),
                         QStringLiteral("alerts"), QStringLiteral("--reconnect-min=50ms"),
                         QStringLiteral("--reconnect-max=500ms"), QStringLiteral("--state-dir"),
                         m_state.path()});
    }
    ~ListenProcess()
    {
        m_process.terminate();
        if (!m_process.waitForFinished(10000))
            m_process.kill();
    }
    Q_DISABLE_COPY_MOVE(ListenProcess)

    bool isStarted() { return m_process.waitForStarted(10000); }
    // Reads what it printed since the last call.
    void read()
    {
        m_pending += m_process.readAllStandardOutput();
        qsizetype newline;
        while ((newline = m_pending.indexOf('\n')) >= 0) {
            const QJsonObject line = QJsonDocument::fromJson(m_pending.left(newline)).object();
            m_pending.remove(0, newline + 1);
            if (line.value(QStringLiteral("event")).toString() == QLatin1String("message"))
                received.append(line.value(QStringLiteral("id")).toString());
            if (line.value(QStringLiteral("state")).toString() == QLatin1String("connected"))
                ++connects;
        }
    }
    QStringList received;
    int connects = 0;

private:
    QTemporaryDir m_state;
    QProcess m_process;
    QByteArray m_pending;
};

// Each "<prefix>-<n>" of one prefix arrives in n's order: a publisher's order is kept.
bool keepsEachPublishersOrder(const QStringList &texts, QString *problem)
{
    QHash<QString, int> last;
    for (const QString &text : texts) {
        const QString prefix = text.section(QLatin1Char('-'), 0, 0);
        const int number = text.section(QLatin1Char('-'), 1).toInt();
        if (number <= last.value(prefix, -1)) {
            *problem = QStringLiteral("%1 after %2-%3").arg(text, prefix).arg(last.value(prefix));
            return false;
        }
        last.insert(prefix, number);
    }
    return true;
}
} // namespace

class tst_SeveralInstances : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void concurrentPublishersOnTwoInstances();
    void listenSurvivesTheKillOfItsInstance();
    void databaseRestartAnswers503AndLosesNothing();
    void scheduledMessageIsDeliveredOnce();
    void reconnectedInstanceSendsWhatCameMeanwhile();
    void usersAndTokensCountOnEveryInstance();
    void authFileBesideTheDatabaseIsRefused();
    void nulIsRefusedAlikeOnBothBackends();
    void passwordFromUrlFileIsNeverShown();

private:
    std::unique_ptr<ServeInstance> startInstance(const QStringList &arguments = {});
    // Two instances with HAProxy in front and `listen` connected through it; its WebSocket is
    // on the first instance (HaproxyProcess routes /ws there while it is up).
    struct BehindHaproxy
    {
        std::unique_ptr<ServeInstance> first;
        std::unique_ptr<ServeInstance> second;
        std::unique_ptr<HaproxyProcess> haproxy;
        std::unique_ptr<ListenProcess> listen;
    };
    void startBehindHaproxy(BehindHaproxy *setup);
    struct Run
    {
        int exitCode = -1;
        QByteArray out;
        QByteArray err;
    };
    // `traybeat ARGUMENTS` with `input` on its standard input, PGPASSWORD in its environment.
    Run runCli(const QStringList &arguments, const QByteArray &input = {});

    PostgresCluster m_cluster;
    QString m_database;
    int m_databaseNumber = 0;
};

void tst_SeveralInstances::initTestCase()
{
    QString error;
    QVERIFY2(m_cluster.start(&error), qPrintable(error));
}

void tst_SeveralInstances::init()
{
    m_database = QStringLiteral("several%1").arg(++m_databaseNumber);
    QString error;
    QVERIFY2(m_cluster.createDatabase(m_database, &error), qPrintable(error));
}

std::unique_ptr<ServeInstance> tst_SeveralInstances::startInstance(const QStringList &arguments)
{
    // Over TCP with the password in the environment, as an operator would run it.
    auto instance = std::make_unique<ServeInstance>(
        QStringLiteral(TRAYBEAT_BINARY), m_cluster.tcpUrl(m_database),
        QStringList{QStringLiteral("PGPASSWORD=") + m_cluster.password()});
    QString error;
    if (!instance->start(&error, 0, arguments))
        qWarning("%s", qPrintable(error));
    return instance;
}

void tst_SeveralInstances::startBehindHaproxy(BehindHaproxy *setup)
{
    setup->first = startInstance();
    setup->second = startInstance();
    QVERIFY(setup->first->port() && setup->second->port());
    setup->haproxy = std::make_unique<HaproxyProcess>();
    QString error;
    QVERIFY2(setup->haproxy->start({setup->first->port(), setup->second->port()}, &error),
             qPrintable(error));
    setup->listen = std::make_unique<ListenProcess>(setup->haproxy->port());
    ListenProcess &listen = *setup->listen;
    QVERIFY(listen.isStarted());
    QTRY_VERIFY_WITH_TIMEOUT((listen.read(), listen.connects == 1), 10000 * Slowdown);
}

void tst_SeveralInstances::concurrentPublishersOnTwoInstances()
{
    const auto first = startInstance();
    const auto second = startInstance();
    QVERIFY(first->port() && second->port());
    const QString topic = QStringLiteral("shared");
    std::vector<std::unique_ptr<Subscriber>> subscribers;
    for (const ServeInstance *instance : {first.get(), second.get(), first.get(), second.get()})
        subscribers.push_back(std::make_unique<Subscriber>(webSocketUrl(instance->port(), topic)));
    for (const auto &subscriber : subscribers)
        QTRY_VERIFY_WITH_TIMEOUT(subscriber->isOpen(), 10000);

    constexpr int PerPublisher = 2500;
    std::vector<std::unique_ptr<PipelinedPublisher>> publishers;
    int index = 0;
    for (const ServeInstance *instance : {first.get(), second.get(), first.get(), second.get()})
        publishers.push_back(std::make_unique<PipelinedPublisher>(
            instance->port(), topic, QStringLiteral("p%1").arg(index++), PerPublisher));
    for (const auto &publisher : publishers) {
        QTRY_COMPARE_WITH_TIMEOUT(publisher->answered(), PerPublisher, LongWaitMs);
        QCOMPARE(publisher->failed(), 0);
    }
    const int total = PerPublisher * int(publishers.size());
    QTRY_COMPARE_WITH_TIMEOUT(subscribers.front()->ids.size(), total, LongWaitMs);
    const QStringList order = subscribers.front()->ids;
    QCOMPARE(QSet<QString>(order.begin(), order.end()).size(), total);
    QString problem;
    QVERIFY2(keepsEachPublishersOrder(subscribers.front()->texts, &problem), qPrintable(problem));
    // Every subscriber on either instance: all of them, once, in the same (commit) order.
    for (const auto &subscriber : subscribers) {
        QTRY_COMPARE_WITH_TIMEOUT(subscriber->ids.size(), total, LongWaitMs);
        QCOMPARE(subscriber->ids, order);
    }
    // And catch-up on either instance agrees with live delivery.
    Subscriber late(QUrl(webSocketUrl(second->port(), topic).toString() +
                         QStringLiteral("?since=") + order.at(total / 2 - 1)));
    QTRY_COMPARE_WITH_TIMEOUT(late.ids.size(), total / 2, LongWaitMs);
    QCOMPARE(late.ids, order.mid(total / 2));
}

void tst_SeveralInstances::listenSurvivesTheKillOfItsInstance()
{
    BehindHaproxy setup;
    startBehindHaproxy(&setup);
    if (QTest::currentTestFailed())
        return;
    const HaproxyProcess &haproxy = *setup.haproxy;
    ListenProcess &listen = *setup.listen;

    constexpr int Count = 2000;
    QStringList acknowledged;
    for (int i = 0; i < Count; ++i) {
        if (i == Count / 2)
            setup.first->kill(); // listen's instance, between two publishes
        const Answer answer =
            publishOnce(haproxy.port(), QStringLiteral("alerts"), QByteArray::number(i));
        QVERIFY2(answer.status == 200, qPrintable(QStringLiteral("message %1: status %2 %3")
                                                      .arg(i)
                                                      .arg(answer.status)
                                                      .arg(QString::fromUtf8(answer.body))));
        acknowledged.append(idOf(answer.body));
    }
    QTRY_VERIFY_WITH_TIMEOUT((listen.read(), listen.received.size() >= Count), LongWaitMs);
    // 0 lost, 0 doubled, in order; and the link really was cut and resumed.
    QCOMPARE(listen.received, acknowledged);
    QVERIFY2(listen.connects >= 2,
             "listen never reconnected: its link was not on the killed instance");
}

// Two instances behind HAProxy, publishes round robin through it, `listen` through it too.
void tst_SeveralInstances::databaseRestartAnswers503AndLosesNothing()
{
    BehindHaproxy setup;
    startBehindHaproxy(&setup);
    if (QTest::currentTestFailed())
        return;
    const HaproxyProcess &haproxy = *setup.haproxy;
    ListenProcess &listen = *setup.listen;

    QString error;
    QStringList acknowledged;
    QList<int> statuses; // of the publishes while the database is down
    auto publish = [&](int n) {
        const Answer answer =
            publishOnce(haproxy.port(), QStringLiteral("alerts"), QByteArray::number(n));
        if (answer.status == 200)
            acknowledged.append(idOf(answer.body));
        else if (answer.status == 503 && !answer.body.contains("\"code\":50301"))
            return -answer.status; // a 503 without ntfy's JSON error
        return answer.status;
    };
    for (int n = 0; n < 100; ++n)
        QCOMPARE(publish(n), 200);
    QVERIFY2(m_cluster.stop(true, &error), qPrintable(error));
    // While the database is down: 503 with a JSON reason from either instance, never 200,
    // never a hang.
    for (int n = 100; n < 110; ++n)
        statuses.append(publish(n));
    QCOMPARE(statuses, QList<int>(10, 503));
    // A poll cannot be answered either: the stream breaks off rather than end as if complete.
    QTcpSocket poll;
    poll.connectToHost(QHostAddress::LocalHost, haproxy.port());
    QVERIFY(poll.waitForConnected(10000));
    poll.write(
        "GET /alerts/json?poll=1&since=all HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
    QByteArray pollAnswer;
    QTRY_VERIFY_WITH_TIMEOUT(
        (pollAnswer += poll.readAll(), poll.state() == QAbstractSocket::UnconnectedState),
        10000 * Slowdown);
    QVERIFY2(!pollAnswer.endsWith("0\r\n\r\n"), pollAnswer.constData());
    QVERIFY2(m_cluster.start(&error), qPrintable(error));
    // Back within the reconnect backoff: both instances (round robin), so two in a row.
    int n = 110;
    QTRY_VERIFY_WITH_TIMEOUT(publish(n++) == 200 && publish(n++) == 200, 30000 * Slowdown);
    for (int more = 0; more < 100; ++more)
        QCOMPARE(publish(n++), 200);
    // Every acknowledged message once, in publish order; nothing refused shows up.
    QTRY_VERIFY_WITH_TIMEOUT((listen.read(), listen.received.size() >= acknowledged.size()),
                             LongWaitMs);
    QCOMPARE(listen.received, acknowledged);
}

void tst_SeveralInstances::scheduledMessageIsDeliveredOnce()
{
    // In process, for the short minimum delay; two servers, two connections, one database.
    QString error;
    traybeat::PushServerOptions options;
    options.database = traybeat::DatabaseLocation::parse(m_cluster.socketUrl(m_database), &error);
    QVERIFY2(options.database, qPrintable(error));
    options.minDelay = std::chrono::seconds(1);
    traybeat::PushServer first(options);
    traybeat::PushServer second(options);
    QVERIFY2(first.listen(&error), qPrintable(error));
    QVERIFY2(second.listen(&error), qPrintable(error));
    Subscriber onFirst(webSocketUrl(first.port(), QStringLiteral("later")));
    Subscriber onSecond(webSocketUrl(second.port(), QStringLiteral("later")));
    QTRY_VERIFY_WITH_TIMEOUT(onFirst.isOpen() && onSecond.isOpen(), 10000);

    // Scheduled on the first; both arm their timer for it (the second on the wake-up).
    QTcpSocket socket;
    const QByteArray request = publishRequest(QStringLiteral("later"), "due", true, "In: 1s\r\n");
    socket.connectToHost(QHostAddress::LocalHost, first.port());
    QVERIFY(socket.waitForConnected(10000));
    socket.write(request);
    QTRY_VERIFY_WITH_TIMEOUT(socket.readAll().startsWith("HTTP/1.1 200") ||
                                 socket.state() == QAbstractSocket::UnconnectedState,
                             10000);
    QTRY_COMPARE_WITH_TIMEOUT(onFirst.texts, QStringList{"due"}, 10000 * Slowdown);
    QTRY_COMPARE_WITH_TIMEOUT(onSecond.texts, QStringList{"due"}, 10000 * Slowdown);
    // Both timers have fired by now or fire within this round trip; a marker published after
    // them comes next, the scheduled one not again.
    QVERIFY(second.publish(QStringLiteral("later"), QStringLiteral("marker")));
    QTRY_COMPARE_WITH_TIMEOUT(onFirst.texts, QStringList({"due", "marker"}), 10000 * Slowdown);
    QTRY_COMPARE_WITH_TIMEOUT(onSecond.texts, QStringList({"due", "marker"}), 10000 * Slowdown);
    QCOMPARE(m_cluster.query(m_database, QStringLiteral("SELECT count(*) FROM messages")),
             QStringLiteral("2"));
}

void tst_SeveralInstances::reconnectedInstanceSendsWhatCameMeanwhile()
{
    // Two servers on an empty table; both lose their connections (terminated by PostgreSQL);
    // the second is back at once and stores a message while the first still waits to
    // reconnect. The first, back, must send it: its position was 0, not "now".
    QString error;
    traybeat::PushServerOptions options;
    options.database = traybeat::DatabaseLocation::parse(m_cluster.socketUrl(m_database), &error);
    QVERIFY2(options.database, qPrintable(error));
    options.databaseCheckInterval = std::chrono::milliseconds(100);
    options.databaseBackoff = {std::chrono::seconds(3), std::chrono::seconds(3),
                               std::chrono::seconds(30)};
    traybeat::PushServer slow(options);
    options.databaseBackoff = {std::chrono::milliseconds(50), std::chrono::milliseconds(100),
                               std::chrono::seconds(30)};
    traybeat::PushServer quick(options);
    QVERIFY2(slow.listen(&error), qPrintable(error));
    QVERIFY2(quick.listen(&error), qPrintable(error));
    Subscriber subscriber(webSocketUrl(slow.port(), QStringLiteral("alerts")));
    QTRY_VERIFY_WITH_TIMEOUT(subscriber.isOpen(), 10000);

    m_cluster.query(m_database,
                    QStringLiteral("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                                   " WHERE datname = current_database()"
                                   " AND pid <> pg_backend_pid()"),
                    &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    // Refused (503) until the quick one has reconnected; then stored once.
    QElapsedTimer waited;
    waited.start();
    while (!quick.publish(QStringLiteral("alerts"), QStringLiteral("meanwhile")) &&
           waited.elapsed() < 10000 * Slowdown)
        QTest::qWait(20);
    QTRY_COMPARE_WITH_TIMEOUT(subscriber.texts, QStringList{"meanwhile"}, 20000 * Slowdown);
}

tst_SeveralInstances::Run tst_SeveralInstances::runCli(const QStringList &arguments,
                                                       const QByteArray &input)
{
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("PGPASSWORD"), m_cluster.password());
    process.setProcessEnvironment(environment);
    process.start(QStringLiteral(TRAYBEAT_BINARY), arguments);
    if (!process.waitForStarted(10000))
        return {};
    process.write(input);
    process.closeWriteChannel();
    if (!process.waitForFinished(30000 * Slowdown))
        process.kill();
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            process.readAllStandardOutput(), process.readAllStandardError()};
}

// Users, grants and tokens live in the shared database: made with the command line, they work
// on both instances; revoked, they stop working on both within a second (at once when the
// change's NOTIFY has arrived).
void tst_SeveralInstances::usersAndTokensCountOnEveryInstance()
{
    const auto first =
        startInstance({QStringLiteral("--default-access"), QStringLiteral("deny-all")});
    const auto second =
        startInstance({QStringLiteral("--default-access"), QStringLiteral("deny-all")});
    QVERIFY(first->port() && second->port());
    const QStringList db{QStringLiteral("--db"), m_cluster.tcpUrl(m_database)};
    Run run = runCli(
        QStringList{QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("phil")} + db,
        "pw\n");
    QVERIFY2(run.exitCode == 0, run.err.constData());
    run = runCli(QStringList{QStringLiteral("access"), QStringLiteral("phil"),
                             QStringLiteral("alerts"), QStringLiteral("read-write")} +
                 db);
    QVERIFY2(run.exitCode == 0, run.err.constData());
    run = runCli(
        QStringList{QStringLiteral("token"), QStringLiteral("add"), QStringLiteral("phil")} + db);
    QVERIFY2(run.exitCode == 0, run.err.constData());
    const QByteArray token = run.out.trimmed();

    const auto post = [](const ServeInstance &instance, const QByteArray &authorization) {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, instance.port());
        if (!socket.waitForConnected(10000))
            return 0;
        socket.write(publishRequest(QStringLiteral("alerts"), "hi", true,
                                    "Authorization: " + authorization + "\r\n"));
        QByteArray buffer;
        while (socket.waitForReadyRead(10000 * Slowdown) || socket.bytesAvailable()) {
            buffer += socket.readAll();
            if (const auto answer = takeAnswer(&buffer))
                return answer->status;
        }
        return 0;
    };
    const QByteArray basic = "Basic " + QByteArray("phil:pw").toBase64();
    for (const ServeInstance *instance : {first.get(), second.get()}) {
        QCOMPARE(post(*instance, "Bearer " + token), 200);
        QCOMPARE(post(*instance, basic), 200);
    }
    // Revoked through the database: refused by both at the next request.
    run = runCli(QStringList{QStringLiteral("token"), QStringLiteral("remove"),
                             QStringLiteral("phil"), QString::fromLatin1(token)} +
                 db);
    QVERIFY2(run.exitCode == 0, run.err.constData());
    run = runCli(
        QStringList{QStringLiteral("access"), QStringLiteral("--reset"), QStringLiteral("phil")} +
        db);
    QVERIFY2(run.exitCode == 0, run.err.constData());
    // Each instance empties what it read when the change's NOTIFY comes, at the latest after
    // AccessOptions::sharedCacheTtl (1 s): the bound checked here, with the machine's slack.
    QElapsedTimer revoked;
    revoked.start();
    for (const ServeInstance *instance : {first.get(), second.get()}) {
        QTRY_COMPARE_WITH_TIMEOUT(post(*instance, "Bearer " + token), 401, 10000 * Slowdown);
        // remembered sign-in, but no grant any more
        QTRY_COMPARE_WITH_TIMEOUT(post(*instance, basic), 403, 10000 * Slowdown);
    }
    // The cache's second, and generous slack for four requests on a loaded machine.
    qInfo("revocation refused on both instances after %lld ms", revoked.elapsed());
    QVERIFY2(revoked.elapsed() < 1000 + 4000 * Slowdown,
             qPrintable(QString::number(revoked.elapsed())));
    // A changed password counts at once, also where the old one was remembered.
    run = runCli(
        QStringList{QStringLiteral("user"), QStringLiteral("change-pass"), QStringLiteral("phil")} +
            db,
        "new\n");
    QVERIFY2(run.exitCode == 0, run.err.constData());
    for (const ServeInstance *instance : {first.get(), second.get()})
        QTRY_COMPARE_WITH_TIMEOUT(post(*instance, basic), 401, 10000 * Slowdown);
}

void tst_SeveralInstances::authFileBesideTheDatabaseIsRefused()
{
    QTemporaryDir dir;
    const Run run = runCli({QStringLiteral("serve"), QStringLiteral("--listen=127.0.0.1:0"),
                            QStringLiteral("--db"), m_cluster.tcpUrl(m_database),
                            QStringLiteral("--auth-file"), dir.filePath(QStringLiteral("a.db"))});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains("--auth-file cannot be used with a PostgreSQL --db"),
             run.err.constData());
    // The commands too: one store or the other.
    const Run user = runCli({QStringLiteral("user"), QStringLiteral("list"), QStringLiteral("--db"),
                             m_cluster.tcpUrl(m_database), QStringLiteral("--auth-file"),
                             dir.filePath(QStringLiteral("a.db"))});
    QCOMPARE(user.exitCode, 2);
    QVERIFY2(user.err.contains("give one of them"), user.err.constData());
}

// PostgreSQL's text cannot hold U+0000: a message with one is a 400 with ntfy's JSON error on
// both backends alike, for the body and for every other text field.
void tst_SeveralInstances::nulIsRefusedAlikeOnBothBackends()
{
    QTemporaryDir dir;
    QString error;
    traybeat::PushServerOptions sqlite;
    sqlite.databasePath = dir.filePath(QStringLiteral("server.db"));
    traybeat::PushServerOptions postgres;
    postgres.database = traybeat::DatabaseLocation::parse(m_cluster.socketUrl(m_database), &error);
    QVERIFY2(postgres.database, qPrintable(error));
    const QList<QPair<QString, QByteArray>> requests{
        {QStringLiteral("message"), publishRequest(QStringLiteral("a"), QByteArray("x\0y", 3))},
        {QStringLiteral("title"), "POST /a?title=x%00y HTTP/1.1\r\nHost: t\r\nContent-Length: "
                                  "2\r\n\r\nhi"},
        {QStringLiteral("tags"), "POST /a?tags=ok,x%00 HTTP/1.1\r\nHost: t\r\nContent-Length: "
                                 "2\r\n\r\nhi"},
        {QStringLiteral("message"),
         publishRequest(QString(), R"({"topic":"a","message":"x\u0000y"})")},
        {QStringLiteral("actions"),
         publishRequest(QString(), R"({"topic":"a","actions":[{"action":"view","label":"x\u0000",)"
                                   R"("url":"https://example.com"}]})")},
    };
    QList<QByteArray> answers[2];
    int backend = 0;
    for (const traybeat::PushServerOptions &options : {sqlite, postgres}) {
        traybeat::PushServer server(options);
        QVERIFY2(server.listen(&error), qPrintable(error));
        for (const auto &[field, request] : requests) {
            QTcpSocket socket;
            socket.connectToHost(QHostAddress::LocalHost, server.port());
            QVERIFY(socket.waitForConnected(10000));
            socket.write(request);
            QByteArray buffer;
            std::optional<Answer> answer;
            // Evaluated more than once: an answer taken stays taken.
            QTRY_VERIFY_WITH_TIMEOUT(
                (buffer += socket.readAll(), answer.has_value() || (answer = takeAnswer(&buffer))),
                10000);
            QVERIFY2(answer->status == 400, answer->body.constData());
            const QJsonObject json = QJsonDocument::fromJson(answer->body).object();
            QCOMPARE(json.value(QStringLiteral("code")).toInt(), 40000);
            QCOMPARE(json.value(QStringLiteral("http")).toInt(), 400);
            QVERIFY2(json.value(QStringLiteral("error"))
                         .toString()
                         .contains(QStringLiteral("the %1 holds a NUL character").arg(field)),
                     answer->body.constData());
            answers[backend].append(answer->body);
        }
        // Nothing stored, and the server goes on storing what is text.
        QVERIFY(server.publish(QStringLiteral("a"), QStringLiteral("fine")));
        ++backend;
    }
    QCOMPARE(answers[0], answers[1]);
    QCOMPARE(m_cluster.query(m_database, QStringLiteral("SELECT message FROM messages")),
             QStringLiteral("fine"));
}

// The password in a URL read from --db-url-file is never on the command line (ps), nor in what
// serve prints, also when the database refuses it.
void tst_SeveralInstances::passwordFromUrlFileIsNeverShown()
{
    QTemporaryDir dir;
    const auto writeUrl = [&dir](const QString &name, const QString &password,
                                 QFileDevice::Permissions permissions) {
        QFile file(dir.filePath(name));
        file.open(QIODevice::WriteOnly);
        file.write(password.toUtf8() + '\n');
        file.setPermissions(permissions);
        return file.fileName();
    };
    const QFileDevice::Permissions owner = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
    QUrl url(m_cluster.tcpUrl(m_database));
    url.setPassword(m_cluster.password());
    const QString right = writeUrl(QStringLiteral("right"), url.toString(), owner);
    url.setPassword(QStringLiteral("wrong-secret-0815"));
    const QString wrong = writeUrl(QStringLiteral("wrong"), url.toString(), owner);
    const QString open =
        writeUrl(QStringLiteral("open"), url.toString(), owner | QFileDevice::ReadOther);

    // No PGPASSWORD: the password comes from the file only.
    ServeInstance instance(QStringLiteral(TRAYBEAT_BINARY), QString());
    QString error;
    QVERIFY2(instance.start(&error, 0, {QStringLiteral("--db-url-file"), right}),
             qPrintable(error));
    QFile commandLine(QStringLiteral("/proc/%1/cmdline").arg(instance.pid()));
    QVERIFY(commandLine.open(QIODevice::ReadOnly));
    QVERIFY(!commandLine.readAll().contains(m_cluster.password().toUtf8()));
    QCOMPARE(publishOnce(instance.port(), QStringLiteral("a"), "stored").status, 200);
    QVERIFY(!instance.standardError().contains(m_cluster.password().toUtf8()));

    const auto refused = [this](const QString &file) {
        QProcess serve;
        serve.start(QStringLiteral(TRAYBEAT_BINARY),
                    {QStringLiteral("serve"), QStringLiteral("--listen=127.0.0.1:0"),
                     QStringLiteral("--db-url-file"), file});
        serve.waitForFinished(30000 * Slowdown);
        return std::make_pair(serve.exitCode(),
                              serve.readAllStandardOutput() + serve.readAllStandardError());
    };
    const auto [wrongStatus, wrongOutput] = refused(wrong);
    QCOMPARE(wrongStatus, 1);
    QVERIFY2(wrongOutput.contains("password authentication failed"), wrongOutput.constData());
    QVERIFY2(!wrongOutput.contains("wrong-secret-0815"), wrongOutput.constData());
    const auto [openStatus, openOutput] = refused(open);
    QCOMPARE(openStatus, 2);
    QVERIFY2(openOutput.contains("may be read by others"), openOutput.constData());
    QVERIFY2(!openOutput.contains("wrong-secret-0815"), openOutput.constData());
}

QTEST_GUILESS_MAIN(tst_SeveralInstances)
#include "tst_severalinstances.moc"
