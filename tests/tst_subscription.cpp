// The promise "no lost, no doubled notification", end to end in one process: a real PushServer
// (ntfy dialect) on 127.0.0.1, a BlackholeProxy on the path, a Subscription with a real
// NotificationStore in a temporary folder. Every outage ends with each message shown once.
#include "blackholeproxy.h"
#include "notificationstore.h"
#include "pushservers.h"
#include "storethread.h"
#include "subscription.h"
#include "systemwatcher.h"

#include <QPointer>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QWebSocket>
#include <QWebSocketServer>
#include <QUrlQuery>
#include <QtTest>

using namespace traybeat;
using namespace std::chrono_literals;

namespace {
// Collects what a subscription shows, and counts how often each id was shown.
struct Shown
{
    QStringList ids;
    int doubled = 0;
    void follow(Subscription &subscription)
    {
        QObject::connect(&subscription, &Subscription::notificationsArrived, &subscription,
                         [this](const NotificationList &fresh) { add(fresh); });
    }
    void add(const NotificationList &fresh)
    {
        for (const Notification &notification : fresh) {
            if (ids.contains(notification.id))
                ++doubled;
            ids << notification.id;
        }
    }
};
} // namespace

class tst_Subscription : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void newSubscriptionStartsFromNow();
    void halfOpenLinkWhileServerKeepsPublishing();
    void serverRestartWithMessagesPublishedBeforeReconnect();
    void thousandMessagesAcrossReconnects();
    void cursorSurvivesRestartOfTheClient();
    void malformedFramesAreReportedAndSkipped();
    void tokenGoesInAHeaderAndAWrongOneFails();
    void batchTheStoreRefusesIsFetchedAgain_data() { addStoreThreadRows(); }
    void batchTheStoreRefusesIsFetchedAgain();
    void wakingFromSleepReopensTheLinkAndCatchesUp();
    void slotActingOnASignalLeavesAConsistentState_data();
    void slotActingOnASignalLeavesAConsistentState();
    void textBatchTheStoreRefusesIsKeptAndStoredLater_data() { addStoreThreadRows(); }
    void textBatchTheStoreRefusesIsKeptAndStoredLater();
    void flappingNetworkReconnectsAtMostOncePerSpacing();
    void burstDeliveredInOneTurnIsStoredInOrderSliceBySlice();
    void largerSlicesStoreABurstInFewerTransactions();
    void framesStillQueuedAreStoredOnStopAndQuit_data();
    void framesStillQueuedAreStoredOnStopAndQuit();
    void framesStillQueuedAreInTheResumeCursor_data() { addStoreThreadRows(); }
    void framesStillQueuedAreInTheResumeCursor();
    void burstOverARealSocketIsStoredInOrder_data() { addStoreThreadRows(); }
    void burstOverARealSocketIsStoredInOrder();
    void refusedSliceDropsTheNewerQueuedFramesForTheResume_data() { addStoreThreadRows(); }
    void refusedSliceDropsTheNewerQueuedFramesForTheResume();
    void refusedTextSliceKeepsTheNewerQueuedFramesBehindIt_data() { addStoreThreadRows(); }
    void refusedTextSliceKeepsTheNewerQueuedFramesBehindIt();
    void storeThreadStoresSlicesWhileTheNextAreParsed();

private:
    // The rows of a test run twice: the store on this thread (the tray app), and on a store
    // thread while this one parses (`listen`).
    static void addStoreThreadRows()
    {
        QTest::addColumn<bool>("storeThread");
        QTest::newRow("store on this thread") << false;
        QTest::newRow("store thread") << true;
    }
    // Gives the subscription a store thread on the test's store file if the row asks for one.
    bool storeAsTheRowSays(Subscription &subscription)
    {
        QFETCH(bool, storeThread);
        if (!storeThread)
            return true;
        m_storeThread = std::make_unique<StoreThread>();
        if (!m_storeThread->open(m_dir->filePath(QStringLiteral("client.db"))))
            return false;
        subscription.storeOn(m_storeThread.get());
        return true;
    }

    // An ntfy message event as the server sends it.
    static QString ntfyFrame(int number)
    {
        return QStringLiteral(R"({"event":"message","id":"m%1","time":1700000000,"topic":"alerts","message":"burst %1"})")
            .arg(number, 5, 10, QLatin1Char('0'));
    }
    static QString ntfyId(int number)
    {
        return QStringLiteral("m%1").arg(number, 5, 10, QLatin1Char('0'));
    }
    static QStringList ntfyIds(int count)
    {
        QStringList ids;
        for (int i = 0; i < count; ++i)
            ids << ntfyId(i);
        return ids;
    }
    // Hands `count` frames to the subscription the way its connection does, all in this one
    // event-loop turn (as QWebSocket does with everything one socket read brought).
    static void deliverFrames(Subscription &subscription, int count)
    {
        for (int i = 0; i < count; ++i)
            emit subscription.connection()->textMessageReceived(ntfyFrame(i));
    }

    SubscriptionConfig configFor(quint16 port) const
    {
        SubscriptionConfig config;
        config.name = QStringLiteral("test");
        config.server = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port));
        config.protocol = QStringLiteral("ntfy");
        config.topics = {QStringLiteral("alerts")};
        config.connection.heartbeatInterval = 60ms;
        config.connection.heartbeatTimeout = 80ms;
        config.connection.connectTimeout = 500ms;
        config.connection.backoff = {20ms, 150ms, 10s};
        return config;
    }
    std::unique_ptr<PushServer> startServer(quint16 port = 0, const QString &token = {})
    {
        return test::startPushServer(m_dir->filePath(QStringLiteral("server.db")), port, token);
    }
    void publish(PushServer &server, int from, int count)
    {
        for (int i = from; i < from + count; ++i)
            QVERIFY(server.publish(QStringLiteral("alerts"), QStringLiteral("message %1").arg(i)));
    }

    // A second connection to the file makes every insert fail, as a full disk would.
    bool sabotageStore()
    {
        QSqlDatabase saboteur =
            QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("saboteur"));
        saboteur.setDatabaseName(m_dir->filePath(QStringLiteral("client.db")));
        if (!saboteur.open())
            return false;
        QSqlQuery query(saboteur);
        return query.exec(QStringLiteral("CREATE TRIGGER refuse BEFORE INSERT ON notifications "
                                         "BEGIN SELECT RAISE(ABORT, 'disk full'); END"));
    }
    // Every insert does some counting first, as a slow disk would make it wait.
    bool slowDownStore()
    {
        const QString name = QStringLiteral("slowdown");
        const auto removed = qScopeGuard([&] { QSqlDatabase::removeDatabase(name); });
        QSqlDatabase connection = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        connection.setDatabaseName(m_dir->filePath(QStringLiteral("client.db")));
        QSqlQuery query(connection);
        const QString countTo3000 = QStringLiteral(
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000)"
            " SELECT count(*) FROM c");
        return connection.open() &&
               query.exec(QStringLiteral("CREATE TRIGGER slow BEFORE INSERT ON notifications"
                                         " BEGIN SELECT (%1); END")
                              .arg(countTo3000));
    }
    bool repairStore()
    {
        bool repaired = false;
        {
            QSqlDatabase saboteur = QSqlDatabase::database(QStringLiteral("saboteur"));
            QSqlQuery query(saboteur);
            repaired = query.exec(QStringLiteral("DROP TRIGGER refuse"));
            saboteur.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("saboteur"));
        return repaired;
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<NotificationStore> m_store;
    std::unique_ptr<StoreThread> m_storeThread; // outlives the test's subscription
};

void tst_Subscription::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_store = std::make_unique<NotificationStore>();
    QVERIFY(m_store->open(m_dir->filePath(QStringLiteral("client.db"))));
}

void tst_Subscription::cleanup()
{
    m_storeThread.reset();
    m_store.reset();
    m_dir.reset();
}

void tst_Subscription::newSubscriptionStartsFromNow()
{
    auto server = startServer();
    publish(*server, 0, 3); // before the subscription existed: not for it
    Subscription subscription(configFor(server->port()), m_store.get());
    QVERIFY2(subscription.isValid(), qPrintable(subscription.errorString()));
    Shown shown;
    shown.follow(subscription);
    subscription.start();
    QTRY_COMPARE(subscription.connection()->state(), ConnectionState::Connected);
    publish(*server, 3, 2);
    QTRY_COMPARE(shown.ids.size(), 2);
    QCOMPARE(m_store->count(), 2);
    QCOMPARE(m_store->cursor(QStringLiteral("test")), shown.ids.last());
}

// The origin's bug: the path dies silently and the server keeps writing into the dead socket.
// Those messages must arrive after recovery, through the resume cursor.
void tst_Subscription::halfOpenLinkWhileServerKeepsPublishing()
{
    auto server = startServer();
    BlackholeProxy proxy(server->port());
    QVERIFY(proxy.listen());
    Subscription subscription(configFor(proxy.port()), m_store.get());
    Shown shown;
    shown.follow(subscription);
    subscription.start();
    QTRY_COMPARE(subscription.connection()->state(), ConnectionState::Connected);
    publish(*server, 0, 10);
    QTRY_COMPARE(shown.ids.size(), 10);

    proxy.setBlackholed(true);
    publish(*server, 10, 20); // the server still has a live-looking subscriber: into the void
    QCOMPARE(server->subscriberCount(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(subscription.connection()->state(), ConnectionState::Reconnecting,
                              2000);
    QCOMPARE(shown.ids.size(), 10);

    proxy.setBlackholed(false);
    QTRY_COMPARE_WITH_TIMEOUT(shown.ids.size(), 30, 5000);
    QCOMPARE(shown.doubled, 0);
    QCOMPARE(m_store->count(), 30);
}

void tst_Subscription::serverRestartWithMessagesPublishedBeforeReconnect()
{
    auto server = startServer();
    const quint16 serverPort = server->port();
    BlackholeProxy proxy(serverPort);
    QVERIFY(proxy.listen());
    const quint16 proxyPort = proxy.port();
    Subscription subscription(configFor(proxyPort), m_store.get());
    Shown shown;
    shown.follow(subscription);
    subscription.start();
    QTRY_COMPARE(subscription.connection()->state(), ConnectionState::Connected);
    publish(*server, 0, 5);
    QTRY_COMPARE(shown.ids.size(), 5);

    proxy.close();  // the path is gone: connections dropped, new ones refused
    server.reset(); // the server process is gone
    QTRY_COMPARE(subscription.connection()->state(), ConnectionState::Reconnecting);
    server = startServer(serverPort); // back, on the same database
    QVERIFY(server->isListening());
    publish(*server, 5, 7); // published before the client is back
    QVERIFY(proxy.listen(proxyPort));
    QTRY_COMPARE_WITH_TIMEOUT(shown.ids.size(), 12, 5000);
    QCOMPARE(shown.doubled, 0);
    QTRY_COMPARE(subscription.connection()->state(), ConnectionState::Connected);
    publish(*server, 12, 1); // and live delivery goes on
    QTRY_COMPARE(shown.ids.size(), 13);
    QCOMPARE(shown.doubled, 0);
}

void tst_Subscription::thousandMessagesAcrossReconnects()
{
    auto server = startServer();
    BlackholeProxy proxy(server->port());
    QVERIFY(proxy.listen());
    Subscription subscription(configFor(proxy.port()), m_store.get());
    Shown shown;
    shown.follow(subscription);
    subscription.start();
    QTRY_COMPARE(subscription.connection()->state(), ConnectionState::Connected);
    for (int batch = 0; batch < 10; ++batch) {
        publish(*server, batch * 100, 100);
        if (batch % 3 == 1)
            proxy.dropConnections(); // RST mid-stream, with frames in flight
        QCoreApplication::processEvents();
    }
    QTRY_COMPARE_WITH_TIMEOUT(shown.ids.size(), 1000, 10000);
    QCOMPARE(shown.doubled, 0);
    QCOMPARE(m_store->count(), 1000);
    QSet<QString> distinct(shown.ids.cbegin(), shown.ids.cend());
    QCOMPARE(distinct.size(), 1000);
}

void tst_Subscription::cursorSurvivesRestartOfTheClient()
{
    auto server = startServer();
    Shown shown;
    {
        Subscription subscription(configFor(server->port()), m_store.get());
        shown.follow(subscription);
        subscription.start();
        QTRY_COMPARE(subscription.connection()->state(), ConnectionState::Connected);
        publish(*server, 0, 4);
        QTRY_COMPARE(shown.ids.size(), 4);
    }
    publish(*server, 4, 6);                          // while the client is not running
    m_store = std::make_unique<NotificationStore>(); // a new process opens the same file
    QVERIFY(m_store->open(m_dir->filePath(QStringLiteral("client.db"))));
    Subscription subscription(configFor(server->port()), m_store.get());
    shown.follow(subscription);
    subscription.start();
    QTRY_COMPARE(shown.ids.size(), 10);
    QCOMPARE(shown.doubled, 0);
}

void tst_Subscription::malformedFramesAreReportedAndSkipped()
{
    SubscriptionConfig config = configFor(1);
    Subscription subscription(config, m_store.get());
    QSignalSpy errors(&subscription, &Subscription::errorOccurred);
    QSignalSpy arrived(&subscription, &Subscription::notificationsArrived);
    // Frames go in the way the connection hands them over.
    emit subscription.connection()->textMessageReceived(QStringLiteral("not json"));
    emit subscription.connection()->textMessageReceived(QStringLiteral("[1,2]"));
    emit subscription.connection()->textMessageReceived(QStringLiteral("{\"event\":\"message\"}"));
    emit subscription.connection()->textMessageReceived(QString(300 * 1024, QLatin1Char('x')));
    emit subscription.connection()->textMessageReceived(
        QStringLiteral("{\"event\":\"keepalive\"}"));
    emit subscription.connection()->textMessageReceived(QStringLiteral(
        "{\"event\":\"message\",\"id\":\"ok1\",\"title\":\"<b>t</b>\",\"message\":\"m\"}"));
    QTRY_COMPARE(arrived.size(), 1); // frames are parsed in the next event-loop turn
    QCOMPARE(errors.size(), 4);
    const auto fresh = arrived.at(0).at(0).value<NotificationList>();
    QCOMPARE(fresh.size(), 1);
    QCOMPARE(fresh.at(0).title, QStringLiteral("<b>t</b>")); // kept literally, shown as plain text
}

void tst_Subscription::tokenGoesInAHeaderAndAWrongOneFails()
{
    auto server = startServer(0, QStringLiteral("s3cret"));
    SubscriptionConfig config = configFor(server->port());
    config.token = QStringLiteral("s3cret");
    Subscription good(config, m_store.get());
    QVERIFY(!good.connection()->config().insecure);
    good.start();
    QTRY_COMPARE(good.connection()->state(), ConnectionState::Connected);
    QVERIFY(server->publish(QStringLiteral("alerts"), QStringLiteral("for the right token")));
    QTRY_COMPARE(m_store->count(), 1);

    config.name = QStringLiteral("wrong");
    config.token = QStringLiteral("guess");
    Subscription wrong(config, m_store.get());
    wrong.start();
    QTRY_COMPARE(wrong.connection()->state(), ConnectionState::Failed); // permanent: no retry loop
    QVERIFY2(wrong.connection()->stateReason().contains(QStringLiteral("401")),
             qPrintable(wrong.connection()->stateReason()));
    QVERIFY(!wrong.connection()->stateReason().contains(QStringLiteral("guess")));
}

// The store refuses a batch (disk full, database locked): nothing may be lost. The link is
// dropped, the cursor has not moved, and the resume brings the batch back once writes work.
void tst_Subscription::batchTheStoreRefusesIsFetchedAgain()
{
    auto server = startServer();
    Subscription subscription(configFor(server->port()), m_store.get());
    QVERIFY(storeAsTheRowSays(subscription));
    Shown shown;
    shown.follow(subscription);
    QSignalSpy errors(&subscription, &Subscription::errorOccurred);
    subscription.start();
    QTRY_COMPARE(subscription.connection()->state(), ConnectionState::Connected);
    publish(*server, 0, 5);
    QTRY_COMPARE(shown.ids.size(), 5);

    QVERIFY(sabotageStore());
    publish(*server, 5, 3);
    QTRY_VERIFY(!errors.isEmpty());
    QVERIFY(errors.last().at(0).toString().contains(QStringLiteral("could not be stored")));
    QCOMPARE(shown.ids.size(), 5);
    QVERIFY(repairStore());
    QTRY_COMPARE_WITH_TIMEOUT(shown.ids.size(), 8, 5000);
    QCOMPARE(shown.doubled, 0);
    QCOMPARE(m_store->count(), 8);
}

// After a sleep the link only looks alive. The watcher's wake-up reopens it at once (no
// heartbeat wait), and what was published meanwhile arrives through the cursor.
void tst_Subscription::wakingFromSleepReopensTheLinkAndCatchesUp()
{
    auto server = startServer();
    BlackholeProxy proxy(server->port());
    QVERIFY(proxy.listen());
    SubscriptionConfig config = configFor(proxy.port());
    config.connection.heartbeatInterval = 10min; // only the wake-up can notice the dead link
    Subscription subscription(config, m_store.get());
    SystemWatcher watcher;
    subscription.watch(&watcher);
    Shown shown;
    shown.follow(subscription);
    subscription.start();
    QTRY_COMPARE(subscription.connection()->state(), ConnectionState::Connected);
    publish(*server, 0, 2);
    QTRY_COMPARE(shown.ids.size(), 2);

    proxy.setBlackholed(true); // the laptop's lid closes: the path is gone, nobody says so
    publish(*server, 2, 3);
    proxy.setBlackholed(false); // the lid opens: new connections work, the old one is dead
    emit watcher.resumedFromSleep(std::chrono::hours(8));
    QTRY_COMPARE_WITH_TIMEOUT(shown.ids.size(), 5, 5000);
    QCOMPARE(shown.doubled, 0);
    QCOMPARE(proxy.acceptedCount(), 2);
}

void tst_Subscription::slotActingOnASignalLeavesAConsistentState_data()
{
    QTest::addColumn<QString>("trigger");
    QTest::addColumn<QString>("action");
    QTest::addColumn<bool>("storeThread");
    const QStringList triggers{
        QStringLiteral("notificationsArrived"), QStringLiteral("stateChanged(connecting)"),
        QStringLiteral("stateChanged(connected)"), QStringLiteral("stateChanged(reconnecting)"),
        QStringLiteral("errorOccurred")};
    for (const QString &trigger : triggers) {
        for (const char *action : {"stop", "reconnectNow", "delete"})
            QTest::addRow("%s: %s", qPrintable(trigger), action)
                << trigger << QString::fromLatin1(action) << false;
    }
    for (const char *action : {"stop", "reconnectNow", "delete"})
        QTest::addRow("notificationsArrived, store thread: %s", action)
            << QStringLiteral("notificationsArrived") << QString::fromLatin1(action) << true;
}

// A slot that stops, reconnects or deletes the subscription in the middle of one of its
// signals leaves it consistent: stopped is stopped, one reconnectNow is one new connection,
// deleted closes the link and nothing follows.
void tst_Subscription::slotActingOnASignalLeavesAConsistentState()
{
    QFETCH(QString, trigger);
    QFETCH(QString, action);
    auto server = startServer();
    BlackholeProxy proxy(server->port());
    QVERIFY(proxy.listen());
    SubscriptionConfig config = configFor(proxy.port());
    config.connection.heartbeatInterval = 200ms; // no reconnect of a loaded machine's own
    config.connection.heartbeatTimeout = 1s;
    config.connection.backoff = {150ms, 150ms, 10s};
    QPointer<Subscription> subscription = new Subscription(config, m_store.get());
    QVERIFY(storeAsTheRowSays(*subscription));

    bool fired = false;
    int connectionsAtAction = -1;
    auto act = [&] {
        if (fired)
            return;
        fired = true;
        connectionsAtAction = proxy.acceptedCount();
        if (action == QLatin1String("stop"))
            subscription->stop();
        else if (action == QLatin1String("reconnectNow"))
            subscription->reconnectNow();
        else
            delete subscription.data();
    };
    QObject context;
    if (trigger.startsWith(QLatin1String("stateChanged("))) {
        const QString wanted = trigger.mid(13).chopped(1);
        connect(subscription, &Subscription::stateChanged, &context,
                [&act, wanted](ConnectionState state) {
                    if (connectionStateName(state) == wanted)
                        act();
                });
    } else if (trigger == QLatin1String("notificationsArrived")) {
        connect(subscription, &Subscription::notificationsArrived, &context, act);
    } else {
        connect(subscription, &Subscription::errorOccurred, &context, act);
    }

    subscription->start();
    QTRY_VERIFY(fired || server->subscriberCount() == 1);
    if (!fired) {
        if (trigger == QLatin1String("notificationsArrived"))
            publish(*server, 0, 1);
        else if (trigger != QLatin1String("stateChanged(connected)"))
            proxy.dropConnections();
    }
    QTRY_VERIFY(fired);

    QSignalSpy accepted(&proxy, &BlackholeProxy::accepted);
    if (action == QLatin1String("stop")) {
        QCOMPARE(subscription->connection()->state(), ConnectionState::Disconnected);
        QVERIFY(!subscription->connection()->isRunning());
        for (const QTimer *timer : subscription->findChildren<QTimer *>())
            QVERIFY2(!timer->isActive(), "a timer kept running after stop()");
        QVERIFY(!accepted.wait(350)); // twice the backoff
        QCOMPARE(proxy.acceptedCount(), connectionsAtAction);
    } else if (action == QLatin1String("reconnectNow")) {
        QTRY_COMPARE(proxy.acceptedCount(), connectionsAtAction + 1);
        QTRY_COMPARE(subscription->connection()->state(), ConnectionState::Connected);
        QVERIFY(!subscription->connection()->nextAttemptAt().isValid());
        QVERIFY(!accepted.wait(350));
        QCOMPARE(proxy.acceptedCount(), connectionsAtAction + 1);
    } else {
        QVERIFY(subscription.isNull());
        QTRY_COMPARE(proxy.openCount(), 0);
        QVERIFY(!accepted.wait(350));
        QCOMPARE(proxy.acceptedCount(), connectionsAtAction);
    }
    delete subscription.data();
}

// The text dialect cannot fetch anything again: a batch the store refuses must wait in memory
// and go into the store with the next one, not be dropped with the link.
void tst_Subscription::textBatchTheStoreRefusesIsKeptAndStoredLater()
{
    QWebSocketServer textServer(QStringLiteral("text"), QWebSocketServer::NonSecureMode);
    QVERIFY(textServer.listen(QHostAddress::LocalHost));
    QList<QWebSocket *> clients;
    connect(&textServer, &QWebSocketServer::newConnection, this, [&] {
        while (QWebSocket *client = textServer.nextPendingConnection())
            clients.append(client);
    });
    SubscriptionConfig config = configFor(textServer.serverPort());
    config.protocol = QStringLiteral("text");
    config.topics.clear();
    config.connection.heartbeatInterval = 200ms;
    config.connection.heartbeatTimeout = 1s;
    Subscription subscription(config, m_store.get());
    QVERIFY(storeAsTheRowSays(subscription));
    QVERIFY2(subscription.isValid(), qPrintable(subscription.errorString()));
    Shown shown;
    shown.follow(subscription);
    QSignalSpy errors(&subscription, &Subscription::errorOccurred);
    subscription.start();
    QTRY_COMPARE(clients.size(), 1);
    clients.first()->sendTextMessage(QStringLiteral("one"));
    QTRY_COMPARE(shown.ids.size(), 1);

    QVERIFY(sabotageStore());
    clients.first()->sendTextMessage(QStringLiteral("two"));
    clients.first()->sendTextMessage(QStringLiteral("three"));
    QTRY_VERIFY(!errors.isEmpty());
    QVERIFY2(errors.last().at(0).toString().contains(QStringLiteral("kept in memory")),
             qPrintable(errors.last().at(0).toString()));
    QCOMPARE(shown.ids.size(), 1);
    QVERIFY(repairStore());
    QVERIFY(!clients.isEmpty());
    clients.last()->sendTextMessage(QStringLiteral("four"));
    QTRY_COMPARE(shown.ids.size(), 4);
    QCOMPARE(shown.doubled, 0);
    QCOMPARE(m_store->count(), 4);
    QCOMPARE(clients.size(), 1); // the link was kept: a text server sends nothing twice
    qDeleteAll(clients);
}

// A flapping Wi-Fi says "the network is back" again and again: one immediate reconnect, the
// others leave the backoff alone.
void tst_Subscription::flappingNetworkReconnectsAtMostOncePerSpacing()
{
    auto server = startServer();
    BlackholeProxy proxy(server->port());
    QVERIFY(proxy.listen());
    const quint16 port = proxy.port();
    SubscriptionConfig config = configFor(port);
    config.connection.heartbeatInterval = 200ms;
    config.connection.heartbeatTimeout = 1s;
    config.connection.backoff = {30s, 60s, 30s}; // only an immediate reconnect comes back soon
    config.connection.immediateReconnectSpacing = 1s;
    Subscription subscription(config, m_store.get());
    // Clocks that never jump: this watcher only relays the injected network events.
    SystemWatcher watcher(std::chrono::hours(1), [] { return SystemWatcher::ClockReading{}; });
    subscription.watch(&watcher);
    subscription.start();
    QTRY_COMPARE(subscription.connection()->state(), ConnectionState::Connected);
    QVERIFY(!watcher.isWatchingNetwork()); // nobody needs the network's news while linked

    proxy.close(); // the Wi-Fi drops
    QTRY_COMPARE(subscription.connection()->state(), ConnectionState::Reconnecting);
    QVERIFY(watcher.isWatchingNetwork()); // from now on "the network is back" is heard
    QVERIFY(proxy.listen(port)); // and comes back, flapping
    for (int i = 0; i < 10; ++i)
        emit watcher.networkAvailable();
    QTRY_COMPARE(subscription.connection()->state(), ConnectionState::Connected);
    QCOMPARE(proxy.acceptedCount(), 2);
}

// Everything one socket read brought arrives in one turn; it is parsed and stored a slice per
// turn (the GUI gets its turns in between), in the order it came, and the cursor ends on the
// last message.
void tst_Subscription::burstDeliveredInOneTurnIsStoredInOrderSliceBySlice()
{
    Subscription subscription(configFor(1), m_store.get());
    Shown shown;
    shown.follow(subscription);
    QSignalSpy arrived(&subscription, &Subscription::notificationsArrived);
    const int burst = 3 * Subscription::sliceSize + 17;
    deliverFrames(subscription, burst);
    QCOMPARE(subscription.queuedFrames(), burst); // nothing parsed inside the delivering turn
    QCOMPARE(m_store->count(), 0);

    QVERIFY(arrived.wait(10000)); // the next turn: one slice
    QCOMPARE(arrived.first().first().value<NotificationList>().size(), Subscription::sliceSize);
    QCOMPARE(m_store->count(), Subscription::sliceSize);
    QTRY_COMPARE_WITH_TIMEOUT(shown.ids.size(), burst, 10000);
    QCOMPARE(arrived.size(), 4);
    QCOMPARE(shown.ids, ntfyIds(burst));
    QCOMPARE(shown.doubled, 0);
    QCOMPARE(subscription.queuedFrames(), 0);
    QCOMPARE(m_store->count(), burst);
    QCOMPARE(m_store->cursor(QStringLiteral("test")), ntfyId(burst - 1));
}

// `listen` takes slices of its own size: the same order and cursor, fewer transactions.
void tst_Subscription::largerSlicesStoreABurstInFewerTransactions()
{
    Subscription subscription(configFor(1), m_store.get());
    const int slice = 4 * Subscription::sliceSize;
    subscription.setSliceSize(slice);
    Shown shown;
    shown.follow(subscription);
    QSignalSpy arrived(&subscription, &Subscription::notificationsArrived);
    const int burst = 2 * slice + 5;
    deliverFrames(subscription, burst);

    QVERIFY(arrived.wait(10000));
    QCOMPARE(arrived.first().first().value<NotificationList>().size(), slice);
    QTRY_COMPARE_WITH_TIMEOUT(shown.ids.size(), burst, 10000);
    QCOMPARE(arrived.size(), 3);
    QCOMPARE(shown.ids, ntfyIds(burst));
    QCOMPARE(shown.doubled, 0);
    QCOMPARE(m_store->cursor(QStringLiteral("test")), ntfyId(burst - 1));
}

void tst_Subscription::framesStillQueuedAreStoredOnStopAndQuit_data()
{
    QTest::addColumn<bool>("quit");
    QTest::addColumn<bool>("storeThread");
    QTest::newRow("stop") << false << false;
    QTest::newRow("quit (the subscription deleted)") << true << false;
    QTest::newRow("stop, store thread") << false << true;
    QTest::newRow("quit, store thread") << true << true;
}

// A stop or the app quitting while a burst is still queued: nothing is lost.
void tst_Subscription::framesStillQueuedAreStoredOnStopAndQuit()
{
    QFETCH(bool, quit);
    auto subscription = std::make_unique<Subscription>(configFor(1), m_store.get());
    QVERIFY(storeAsTheRowSays(*subscription));
    Shown shown;
    shown.follow(*subscription);
    const int burst = 4 * Subscription::sliceSize + 3;
    deliverFrames(*subscription, burst);
    QCOMPARE(m_store->count(), 0);
    if (quit) {
        subscription.reset();
    } else {
        subscription->stop();
        QCOMPARE(subscription->queuedFrames(), 0);
        QCOMPARE(shown.ids, ntfyIds(burst));
    }
    QCOMPARE(m_store->count(), burst);
    QCOMPARE(m_store->cursor(QStringLiteral("test")), ntfyId(burst - 1));
}

// A new connection attempt resumes after everything received, queued frames included: the
// request of the second connection asks from the last of them.
void tst_Subscription::framesStillQueuedAreInTheResumeCursor()
{
    QWebSocketServer fakeNtfy(QStringLiteral("ntfy"), QWebSocketServer::NonSecureMode);
    QVERIFY(fakeNtfy.listen(QHostAddress::LocalHost));
    QList<QUrl> requests;
    connect(&fakeNtfy, &QWebSocketServer::newConnection, this, [&] {
        while (QWebSocket *client = fakeNtfy.nextPendingConnection()) {
            requests << client->requestUrl();
            client->setParent(&fakeNtfy);
        }
    });
    SubscriptionConfig config = configFor(fakeNtfy.serverPort());
    config.connection.heartbeatInterval = 10s; // the fake answers pings, but keep it quiet
    Subscription subscription(config, m_store.get());
    QVERIFY(storeAsTheRowSays(subscription));
    subscription.start();
    QTRY_COMPARE_WITH_TIMEOUT(requests.size(), 1, 10000);
    QTRY_COMPARE(subscription.connection()->state(), ConnectionState::Connected);

    const int burst = 2 * Subscription::sliceSize + 1;
    deliverFrames(subscription, burst);
    subscription.reconnectNow();
    QTRY_COMPARE_WITH_TIMEOUT(requests.size(), 2, 10000);
    QCOMPARE(QUrlQuery(requests.last()).queryItemValue(QStringLiteral("since")), ntfyId(burst - 1));
    QCOMPARE(m_store->count(), burst);
}

// The same over a real socket: a server that writes a burst at once; all of it arrives, in order.
void tst_Subscription::burstOverARealSocketIsStoredInOrder()
{
    QWebSocketServer fakeNtfy(QStringLiteral("ntfy"), QWebSocketServer::NonSecureMode);
    QVERIFY(fakeNtfy.listen(QHostAddress::LocalHost));
    QPointer<QWebSocket> client;
    connect(&fakeNtfy, &QWebSocketServer::newConnection, this, [&] {
        client = fakeNtfy.nextPendingConnection();
        client->setParent(&fakeNtfy);
    });
    SubscriptionConfig config = configFor(fakeNtfy.serverPort());
    config.connection.heartbeatInterval = 10s;
    Subscription subscription(config, m_store.get());
    QVERIFY(storeAsTheRowSays(subscription));
    Shown shown;
    shown.follow(subscription);
    subscription.start();
    QTRY_VERIFY_WITH_TIMEOUT(client, 10000);
    QTRY_COMPARE(subscription.connection()->state(), ConnectionState::Connected);
    const int burst = 3000;
    for (int i = 0; i < burst; ++i)
        client->sendTextMessage(ntfyFrame(i));
    client->flush();
    QTRY_COMPARE_WITH_TIMEOUT(shown.ids.size(), burst, 20000);
    QCOMPARE(shown.ids, ntfyIds(burst));
    QCOMPARE(m_store->count(), burst);
    QCOMPARE(m_store->cursor(QStringLiteral("test")), ntfyId(burst - 1));
}

// The store refuses a slice while more frames wait: those newer ones must not be stored either
// (the cursor would pass the refused ones); the resume fetches them all again.
void tst_Subscription::refusedSliceDropsTheNewerQueuedFramesForTheResume()
{
    Subscription subscription(configFor(1), m_store.get());
    QVERIFY(storeAsTheRowSays(subscription));
    QSignalSpy errors(&subscription, &Subscription::errorOccurred);
    QVERIFY(sabotageStore());
    deliverFrames(subscription, Subscription::sliceSize + 50);
    QTRY_VERIFY(!errors.isEmpty());
    QVERIFY2(errors.last().at(0).toString().contains(QStringLiteral("fetching them again")),
             qPrintable(errors.last().at(0).toString()));
    QCOMPARE(subscription.queuedFrames(), 0);
    QVERIFY(repairStore());
    QTest::qWait(50); // a few turns: nothing left that could be stored
    QCOMPARE(m_store->count(), 0);
    QVERIFY(m_store->cursor(QStringLiteral("test")).isEmpty());
}

// The text dialect cannot fetch again: frames still queued behind a refused slice wait in memory
// with it, in order, and are stored with the next message.
void tst_Subscription::refusedTextSliceKeepsTheNewerQueuedFramesBehindIt()
{
    SubscriptionConfig config = configFor(1);
    config.protocol = QStringLiteral("text");
    config.topics.clear();
    Subscription subscription(config, m_store.get());
    QVERIFY(storeAsTheRowSays(subscription));
    QVERIFY2(subscription.isValid(), qPrintable(subscription.errorString()));
    QStringList bodies;
    connect(&subscription, &Subscription::notificationsArrived, this,
            [&bodies](const NotificationList &fresh) {
                for (const Notification &notification : fresh)
                    bodies << notification.body;
            });
    QSignalSpy errors(&subscription, &Subscription::errorOccurred);
    QVERIFY(sabotageStore());
    const int burst = Subscription::sliceSize + 50;
    QStringList sent;
    for (int i = 0; i < burst; ++i) {
        sent << QStringLiteral("text %1").arg(i);
        emit subscription.connection()->textMessageReceived(sent.last());
    }
    QTRY_VERIFY(!errors.isEmpty());
    QVERIFY2(errors.last().at(0).toString().contains(QString::number(burst)),
             qPrintable(errors.last().at(0).toString())); // all of them kept
    QCOMPARE(subscription.queuedFrames(), 0);
    QVERIFY(repairStore());
    sent << QStringLiteral("the next one");
    emit subscription.connection()->textMessageReceived(sent.last());
    QTRY_COMPARE_WITH_TIMEOUT(bodies.size(), burst + 1, 10000);
    QCOMPARE(bodies, sent);
    QCOMPARE(m_store->count(), burst + 1);
}

// `listen` stores on a thread of its own while this one parses the next slice: every slice is in
// the store before it is announced, in order, and the store thread is never given more than
// `maximumSlicesInFlight` slices ahead of what was announced (a burst does not pile up in it).
void tst_Subscription::storeThreadStoresSlicesWhileTheNextAreParsed()
{
    QVERIFY(slowDownStore()); // the parsing would otherwise wait for nothing
    StoreThread storeThread; // outlives the subscription, which waits for it when it goes
    QVERIFY(storeThread.open(m_dir->filePath(QStringLiteral("client.db"))));
    Subscription subscription(configFor(1), m_store.get());
    subscription.storeOn(&storeThread);
    Shown shown;
    QList<int> storedAtAnnouncement;
    QList<qsizetype> queuedAtAnnouncement;
    connect(&subscription, &Subscription::notificationsArrived, this,
            [&](const NotificationList &fresh) {
                shown.add(fresh);
                storedAtAnnouncement << m_store->count();
                queuedAtAnnouncement << subscription.queuedFrames();
            });
    const int slice = Subscription::sliceSize;
    const int burst = 5 * slice + 17;
    deliverFrames(subscription, burst);

    QTRY_COMPARE_WITH_TIMEOUT(shown.ids.size(), burst, 10000);
    QCOMPARE(shown.ids, ntfyIds(burst));
    QCOMPARE(shown.doubled, 0);
    QCOMPARE(storedAtAnnouncement.size(), 6);
    for (int k = 0; k < storedAtAnnouncement.size(); ++k) {
        const int announced = qMin(burst, (k + 1) * slice);
        QVERIFY2(storedAtAnnouncement[k] >= announced, "announced before it was stored");
        const int given = qMin(burst, (k + Subscription::maximumSlicesInFlight) * slice);
        QVERIFY2(queuedAtAnnouncement[k] >= burst - given, "the store thread ran ahead");
    }
    QCOMPARE(m_store->count(), burst);
    QCOMPARE(m_store->cursor(QStringLiteral("test")), ntfyId(burst - 1));
}

QTEST_GUILESS_MAIN(tst_Subscription)
#include "tst_subscription.moc"
