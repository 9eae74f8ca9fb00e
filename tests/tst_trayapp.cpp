#include "notificationstore.h"
#include "popupwidget.h"
#include "pushserver.h"
#include "trayapp.h"

#include <QApplication>
#include <QLabel>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace traybeat;
using namespace std::chrono_literals;

// The tray app wired together, against a real push server on 127.0.0.1: messages become
// pop-ups, do-not-disturb keeps them away (but stores them), the tray follows the link state,
// and a subscription added in the settings connects without a restart.
class tst_TrayApp : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void messagesPopUp();
    void doNotDisturbStoresWithoutPopUps();
    void subscriptionAddedLive();
    void demo();
    void quitsCleanlyWithSeveralConnectedSubscriptions();
    void longOutageAndItsEndAreToldOnce();

private:
    static QList<PopupWidget *> popups()
    {
        QList<PopupWidget *> result;
        const QWidgetList windows = QApplication::topLevelWidgets();
        for (QWidget *window : windows) {
            auto *popup = qobject_cast<PopupWidget *>(window);
            if (popup && popup->isVisible())
                result << popup;
        }
        return result;
    }
    static QStringList popupTitles()
    {
        QStringList titles;
        const QList<PopupWidget *> shown = popups();
        for (const PopupWidget *popup : shown)
            titles << popup->findChild<QLabel *>(QStringLiteral("title"))->text();
        return titles;
    }
    SubscriptionConfig subscription(const QString &name, const QString &topic) const
    {
        SubscriptionConfig config;
        config.name = name;
        config.server = m_server->url();
        config.protocol = QStringLiteral("ntfy");
        config.topics = {topic};
        return config;
    }
    int storedCount(const QString &subscription) const
    {
        NotificationStore store;
        if (!store.open(m_state->filePath(QStringLiteral("notifications.db"))))
            return -1;
        HistoryQuery query;
        query.subscription = subscription;
        return store.count(query);
    }
    void startApp(TrayApp &app)
    {
        QString error;
        QVERIFY2(app.start(&error), qPrintable(error));
    }

    std::unique_ptr<QTemporaryDir> m_state;
    std::unique_ptr<PushServer> m_server;
};

void tst_TrayApp::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true); // the settings go to a test folder
}

void tst_TrayApp::init()
{
    QSettings(QStringLiteral("traybeat"), QStringLiteral("traybeat")).clear();
    m_state = std::make_unique<QTemporaryDir>();
    QVERIFY(m_state->isValid());
    m_server = std::make_unique<PushServer>(PushServerOptions{});
    QString error;
    QVERIFY2(m_server->listen(&error), qPrintable(error));
    const QWidgetList windows = QApplication::topLevelWidgets();
    for (QWidget *window : windows)
        window->close();
}

void tst_TrayApp::messagesPopUp()
{
    TrayApp app({false, m_state->path()});
    app.settings()->setSubscriptions({subscription(QStringLiteral("alerts"), QStringLiteral("a"))});
    startApp(app);
    QTRY_COMPARE_WITH_TIMEOUT(app.trayController()->aggregateState(), ConnectionState::Connected,
                              15000);
    QVERIFY(
        m_server->publish(QStringLiteral("a"), QStringLiteral("body"), QStringLiteral("<b>x</b>")));
    QTRY_COMPARE_WITH_TIMEOUT(popupTitles(), QStringList{QStringLiteral("<b>x</b>")}, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(app.trayController()->unreadCount(), 1, 5000);
    QVERIFY(app.trayController()->iconKey().endsWith(QStringLiteral("+unread")));
    QVERIFY(app.trayController()->toolTip().contains(QStringLiteral("alerts: connected")));
}

void tst_TrayApp::doNotDisturbStoresWithoutPopUps()
{
    TrayApp app({false, m_state->path()});
    app.settings()->setSubscriptions({subscription(QStringLiteral("alerts"), QStringLiteral("a"))});
    app.settings()->setDoNotDisturb(true);
    startApp(app);
    QTRY_COMPARE_WITH_TIMEOUT(app.trayController()->aggregateState(), ConnectionState::Connected,
                              15000);
    QVERIFY(app.trayController()->iconKey().contains(QStringLiteral("+dnd")));
    for (int priority = 1; priority <= 5; ++priority)
        QVERIFY(m_server->publish(QStringLiteral("a"), QStringLiteral("quiet"), {}, priority));
    QTRY_COMPARE_WITH_TIMEOUT(storedCount(QStringLiteral("alerts")), 5, 10000);
    // Pop-ups are decided in the same turn that stores the messages: none came with them.
    QCOMPARE(popups().size(), 0);

    app.settings()->setDoNotDisturb(false); // applied live
    QVERIFY(m_server->publish(QStringLiteral("a"), QStringLiteral("loud")));
    QTRY_COMPARE_WITH_TIMEOUT(popups().size(), 1, 10000);
}

void tst_TrayApp::subscriptionAddedLive()
{
    TrayApp app({false, m_state->path()});
    app.settings()->setSubscriptions({subscription(QStringLiteral("one"), QStringLiteral("t1"))});
    startApp(app);
    QTRY_COMPARE_WITH_TIMEOUT(app.trayController()->aggregateState(), ConnectionState::Connected,
                              15000);
    app.settings()->setSubscriptions({subscription(QStringLiteral("one"), QStringLiteral("t1")),
                                      subscription(QStringLiteral("two"), QStringLiteral("t2"))});
    QTRY_COMPARE_WITH_TIMEOUT(app.trayController()->statuses().size(), 2, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(app.trayController()->aggregateState(), ConnectionState::Connected,
                              15000);
    QVERIFY(m_server->publish(QStringLiteral("t2"), QStringLiteral("hello"),
                              QStringLiteral("from two")));
    QTRY_VERIFY_WITH_TIMEOUT(popupTitles().contains(QStringLiteral("from two")), 10000);

    app.settings()->setSubscriptions({subscription(QStringLiteral("two"), QStringLiteral("t2"))});
    QTRY_COMPARE_WITH_TIMEOUT(app.trayController()->statuses().size(), 1, 5000);
    QCOMPARE(app.trayController()->statuses().first().name, QStringLiteral("two"));
}

void tst_TrayApp::demo()
{
    TrayApp app({true, m_state->path()});
    startApp(app);
    QCOMPARE(app.trayController()->statuses().size(), 1);
    QCOMPARE(app.trayController()->statuses().first().name, QStringLiteral("Demo"));
    // The demo subscription is not written to the person's settings.
    QVERIFY(app.settings()->subscriptions().isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(popupTitles().contains(QStringLiteral("👋 Welcome to traybeat")),
                             15000);
    QTRY_VERIFY_WITH_TIMEOUT(popupTitles().contains(QStringLiteral("<b>HTML</b> stays literal")),
                             15000);
}

// Quit with links up: each stopping link reports its state while the app is being torn down.
void tst_TrayApp::quitsCleanlyWithSeveralConnectedSubscriptions()
{
    auto app = std::make_unique<TrayApp>(TrayOptions{true, m_state->path()});
    app->settings()->setSubscriptions({subscription(QStringLiteral("one"), QStringLiteral("t1")),
                                       subscription(QStringLiteral("two"), QStringLiteral("t2"))});
    startApp(*app);
    QTRY_COMPARE_WITH_TIMEOUT(app->trayController()->statuses().size(), 3, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(app->trayController()->aggregateState(), ConnectionState::Connected,
                              15000);
    app.reset(); // crashed here when a stopping link's report walked the list being destroyed
    QTRY_COMPARE(m_server->subscriberCount(), 0); // and every link was closed
}

// The person hears of a long outage once, as a pop-up, and of its end with the number of
// messages the catch-up brought (a real server that goes away and comes back on its database).
void tst_TrayApp::longOutageAndItsEndAreToldOnce()
{
    PushServerOptions options;
    options.databasePath = m_state->filePath(QStringLiteral("server.db"));
    m_server = std::make_unique<PushServer>(options);
    QString error;
    QVERIFY2(m_server->listen(&error), qPrintable(error));
    options.port = m_server->port();
    TrayApp app({false, m_state->path()});
    SubscriptionConfig config = subscription(QStringLiteral("alerts"), QStringLiteral("a"));
    config.connection.backoff.floor = 100ms; // back soon after the server is
    config.connection.backoff.cap = 1s;
    app.settings()->setSubscriptions({config});
    app.settings()->setOutageNoticeDelay(1s);
    PopupSettings lasting = app.settings()->popups();
    lasting.duration = 1h; // every pop-up stays, so they can be counted at the end
    app.settings()->setPopups(lasting);
    startApp(app);
    QTRY_COMPARE_WITH_TIMEOUT(app.trayController()->aggregateState(), ConnectionState::Connected,
                              15000);

    m_server.reset();
    const auto outageNotices = [] {
        const QStringList titles = popupTitles();
        return std::count_if(titles.cbegin(), titles.cend(), [](const QString &title) {
            return title.startsWith(QStringLiteral("Not connected to alerts since "));
        });
    };
    QTRY_COMPARE_WITH_TIMEOUT(outageNotices(), 1, 15000);
    m_server = std::make_unique<PushServer>(options);
    QVERIFY2(m_server->listen(&error), qPrintable(error));
    QVERIFY(m_server->publish(QStringLiteral("a"), QStringLiteral("one"), QStringLiteral("m1")));
    QVERIFY(m_server->publish(QStringLiteral("a"), QStringLiteral("two"), QStringLiteral("m2")));
    QTRY_VERIFY_WITH_TIMEOUT(popupTitles().join('|').simplified().contains(QStringLiteral(
                                 "Reconnected to alerts; 2 notifications arrived that were sent "
                                 "while offline")),
                             30000);
    QCOMPARE(outageNotices(), 1);
}

QTEST_MAIN(tst_TrayApp)
#include "tst_trayapp.moc"
