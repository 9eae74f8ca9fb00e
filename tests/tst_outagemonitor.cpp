// When a subscription's trouble becomes news: a real PushServer (ntfy dialect) on 127.0.0.1 that
// goes away and comes back behind a BlackholeProxy, a Subscription with a real store, and the
// OutageMonitor with short durations. A long outage is said once, its end once with the number
// of messages published meanwhile; a blip says nothing; a permanent failure is said once, not
// on each of its retries.
#include "blackholeproxy.h"
#include "notificationstore.h"
#include "outagemonitor.h"
#include "pushservers.h"
#include "subscription.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace traybeat;
using namespace std::chrono_literals;

class tst_OutageMonitor : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void longOutageIsSaidOnceAndItsEndWithTheMissedCount();
    void shortOutageSaysNothing();
    void permanentFailureIsSaidOnceAcrossRetries();
    void stoppingSaysNothing();

private:
    static constexpr auto longOutage = 400ms;
    // The catch-up window is generous: a sanitized build on a loaded machine is slow to store.
    static OutageMonitor::Config monitorConfig() { return {longOutage, 3s}; }

    SubscriptionConfig configFor(quint16 port) const
    {
        SubscriptionConfig config;
        config.name = QStringLiteral("alerts@test");
        config.server = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port));
        config.protocol = QStringLiteral("ntfy");
        config.topics = {QStringLiteral("alerts")};
        config.connection.heartbeatInterval = 100ms;
        config.connection.heartbeatTimeout = 200ms;
        config.connection.connectTimeout = 1s;
        config.connection.backoff = {20ms, 100ms, 10s};
        return config;
    }
    std::unique_ptr<PushServer> startServer(quint16 port = 0, const QString &token = {})
    {
        return test::startPushServer(m_dir->filePath(QStringLiteral("server.db")), port, token);
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<NotificationStore> m_store;
};

void tst_OutageMonitor::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_store = std::make_unique<NotificationStore>();
    QVERIFY(m_store->open(m_dir->filePath(QStringLiteral("client.db"))));
}

void tst_OutageMonitor::cleanup()
{
    m_store.reset();
    m_dir.reset();
}

void tst_OutageMonitor::longOutageIsSaidOnceAndItsEndWithTheMissedCount()
{
    auto server = startServer();
    const quint16 serverPort = server->port();
    BlackholeProxy proxy(serverPort);
    QVERIFY(proxy.listen());
    const quint16 proxyPort = proxy.port();
    Subscription subscription(configFor(proxyPort), m_store.get());
    OutageMonitor monitor(&subscription, monitorConfig());
    QSignalSpy outages(&monitor, &OutageMonitor::longOutage);
    QSignalSpy recoveries(&monitor, &OutageMonitor::recovered);
    subscription.start();
    QTRY_COMPARE_WITH_TIMEOUT(subscription.connection()->state(), ConnectionState::Connected,
                              10000);
    QVERIFY(server->publish(QStringLiteral("alerts"), QStringLiteral("before")));
    QTRY_COMPARE_WITH_TIMEOUT(m_store->count(), 1, 10000);

    const QDateTime wentAway = QDateTime::currentDateTimeUtc();
    proxy.close();  // the path is gone
    server.reset(); // and so is the server
    QVERIFY(outages.wait(10000));
    QCOMPARE(outages.size(), 1);
    QCOMPARE(outages.at(0).at(0).toString(), QStringLiteral("alerts@test"));
    const QDateTime since = outages.at(0).at(1).toDateTime();
    QVERIFY(since >= wentAway.addSecs(-1));
    QVERIFY(!outages.wait(int(3 * longOutage.count()))); // the retries go on, silently

    server = startServer(serverPort); // back, on the same database, and published meanwhile
    for (int i = 0; i < 3; ++i)
        QVERIFY(server->publish(QStringLiteral("alerts"), QStringLiteral("missed %1").arg(i)));
    QVERIFY(proxy.listen(proxyPort));
    QVERIFY(recoveries.wait(10000));
    QCOMPARE(recoveries.at(0).at(0).toString(), QStringLiteral("alerts@test"));
    QCOMPARE(recoveries.at(0).at(1).toDateTime(), since);
    QCOMPARE(recoveries.at(0).at(2).toInt(), 3);
    QCOMPARE(m_store->count(), 4);
    QCOMPARE(outages.size(), 1);
    QVERIFY(!monitor.downSince().isValid());
}

void tst_OutageMonitor::shortOutageSaysNothing()
{
    auto server = startServer();
    BlackholeProxy proxy(server->port());
    QVERIFY(proxy.listen());
    Subscription subscription(configFor(proxy.port()), m_store.get());
    // Long enough that a loaded machine reconnects well within it.
    OutageMonitor monitor(&subscription, {5s, 200ms});
    QSignalSpy outages(&monitor, &OutageMonitor::longOutage);
    QSignalSpy recoveries(&monitor, &OutageMonitor::recovered);
    subscription.start();
    QTRY_COMPARE_WITH_TIMEOUT(subscription.connection()->state(), ConnectionState::Connected,
                              10000);
    QSignalSpy states(&subscription, &Subscription::stateChanged);
    proxy.dropConnections(); // a blip: the server is still there
    QTRY_VERIFY_WITH_TIMEOUT(states.size() >= 2, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(subscription.connection()->state(), ConnectionState::Connected,
                              10000);
    QVERIFY(!outages.wait(400));
    QCOMPARE(outages.size(), 0);
    QCOMPARE(recoveries.size(), 0);
}

void tst_OutageMonitor::permanentFailureIsSaidOnceAcrossRetries()
{
    auto server = startServer(0, QStringLiteral("s3cret"));
    SubscriptionConfig config = configFor(server->port());
    config.token = QStringLiteral("guess");
    config.connection.permanentFailureRetry = 150ms;
    Subscription subscription(config, m_store.get());
    OutageMonitor monitor(&subscription, monitorConfig());
    QSignalSpy failures(&monitor, &OutageMonitor::permanentFailure);
    QSignalSpy outages(&monitor, &OutageMonitor::longOutage);
    QSignalSpy states(&subscription, &Subscription::stateChanged);
    subscription.start();
    QVERIFY(failures.wait(10000));
    QCOMPARE(failures.at(0).at(0).toString(), QStringLiteral("alerts@test"));
    QVERIFY2(failures.at(0).at(1).toString().contains(QStringLiteral("401")),
             qPrintable(failures.at(0).at(1).toString()));

    // Three more rare retries, each landing in `failed` again: not one more word.
    const auto failedCount = [&states] {
        return std::count_if(states.cbegin(), states.cend(), [](const QList<QVariant> &change) {
            return change.at(0).value<ConnectionState>() == ConnectionState::Failed;
        });
    };
    QTRY_VERIFY_WITH_TIMEOUT(failedCount() >= 4, 10000);
    QCOMPARE(failures.size(), 1);
    QCOMPARE(outages.size(), 0); // the failure was the news; no "down for a while" on top
}

void tst_OutageMonitor::stoppingSaysNothing()
{
    auto server = startServer();
    Subscription subscription(configFor(server->port()), m_store.get());
    OutageMonitor monitor(&subscription, monitorConfig());
    QSignalSpy outages(&monitor, &OutageMonitor::longOutage);
    subscription.start();
    QTRY_COMPARE_WITH_TIMEOUT(subscription.connection()->state(), ConnectionState::Connected,
                              10000);
    subscription.stop();
    server.reset();
    QVERIFY(!outages.wait(int(3 * longOutage.count())));
    QVERIFY(!monitor.downSince().isValid());
}

QTEST_GUILESS_MAIN(tst_OutageMonitor)
#include "tst_outagemonitor.moc"
