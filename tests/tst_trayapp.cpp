#include "actionbar.h"
#include "attachmentview.h"
#include "authstore.h"
#include "historywindow.h"
#include "mediacache.h"
#include "notificationstore.h"
#include "popupwidget.h"
#include "pushclients.h"
#include "pushserver.h"
#include "recordingserver.h"
#include "remoteimagelabel.h"
#include "testimages.h"
#include "trayapp.h"

#include <QApplication>
#include <QDir>
#include <QMessageBox>
#include <QPushButton>
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
    void signsInWithUserAndPassword();
    void quietHoursAndMarkAllReadInTheTray();
    void longOutageAndItsEndAreToldOnce();
    void urgentPopupClosesWhenReadInTheHistory();
    void richMessageShowsButtonsThumbnailAndTags();

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
    for (int priority = 1; priority <= 4; ++priority)
        QVERIFY(m_server->publish(QStringLiteral("a"), QStringLiteral("quiet"), {}, priority));
    QTRY_COMPARE_WITH_TIMEOUT(storedCount(QStringLiteral("alerts")), 4, 10000);
    // Pop-ups are decided in the same turn that stores the messages: none came with them.
    QCOMPARE(popups().size(), 0);
    // Urgent breaks through (the default, as GNOME's and KDE's do not disturb) ...
    QVERIFY(m_server->publish(QStringLiteral("a"), QStringLiteral("urgent"), {}, 5));
    QTRY_COMPARE_WITH_TIMEOUT(popups().size(), 1, 10000);
    // ... unless that is switched off.
    app.settings()->setUrgentBreaksDoNotDisturb(false);
    QVERIFY(m_server->publish(QStringLiteral("a"), QStringLiteral("urgent, held"), {}, 5));
    QTRY_COMPARE_WITH_TIMEOUT(storedCount(QStringLiteral("alerts")), 6, 10000);
    QCOMPARE(popups().size(), 1);
    for (PopupWidget *popup : popups())
        popup->close();
    QTRY_COMPARE(popups().size(), 0);

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

// End to end with Basic auth: a real `traybeat serve --auth-file` (its user made with the auth
// store, the only way in with --default-access deny-all); the right password receives a message,
// a wrong one ends in `failed` (401) instead of a reconnect loop.
void tst_TrayApp::signsInWithUserAndPassword()
{
    const QString authFile = m_state->filePath(QStringLiteral("auth.db"));
    {
        AuthStore store;
        QString error;
        QVERIFY2(store.open(authFile, &error), qPrintable(error));
        QVERIFY(
            store.addUser(QStringLiteral("phil"), QStringLiteral("correct horse"), false, &error));
        QVERIFY(store.grant(QStringLiteral("phil"), QStringLiteral("private"),
                            Permission::ReadWrite, &error));
    }
    QProcess serve;
    serve.start(QStringLiteral(TRAYBEAT_BINARY),
                {QStringLiteral("serve"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                 QStringLiteral("--db"), m_state->filePath(QStringLiteral("server.db")),
                 QStringLiteral("--auth-file"), authFile, QStringLiteral("--default-access"),
                 QStringLiteral("deny-all")});
    QVERIFY(serve.waitForStarted());
    QByteArray output;
    const QUrl base = test::serveAddress(serve, &output);
    QVERIFY2(base.isValid(), output.constData());

    SubscriptionConfig good;
    good.name = QStringLiteral("signed in");
    good.server = base;
    good.topics = {QStringLiteral("private")};
    good.user = QStringLiteral("phil");
    good.password = QStringLiteral("correct horse");
    SubscriptionConfig wrong = good;
    wrong.name = QStringLiteral("wrong password");
    wrong.password = QStringLiteral("incorrect horse");
    {
        TrayApp app({false, m_state->path()});
        app.settings()->setSubscriptions({good, wrong});
        startApp(app);
        const auto stateOf = [&app](const QString &name) {
            for (const LinkStatus &status : app.trayController()->statuses()) {
                if (status.name == name)
                    return status.state;
            }
            return ConnectionState::Disconnected;
        };
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(good.name), ConnectionState::Connected, 15000);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(wrong.name), ConnectionState::Failed, 15000);

        QNetworkAccessManager network;
        const test::Headers basicAuth{
            {"Authorization", "Basic " + QByteArray("phil:correct horse").toBase64()}};
        QCOMPARE(test::httpRequest(network, base.resolved(QUrl(QStringLiteral("/private"))), "POST",
                                   "for phil", basicAuth, 10000)
                     .status,
                 200);
        QTRY_COMPARE_WITH_TIMEOUT(storedCount(good.name), 1, 10000);
        QCOMPARE(storedCount(wrong.name), 0);
        // The reason says why, and never quotes the password.
        for (const LinkStatus &status : app.trayController()->statuses())
            QVERIFY(!status.reason.contains(QStringLiteral("horse")));
    }
    serve.terminate();
    QVERIFY(serve.waitForFinished(10000));
}

// Quiet hours in force show in the tray (and hold a pop-up back); "Mark all read" in the menu
// marks the store's messages read, and the unread badge follows.
void tst_TrayApp::quietHoursAndMarkAllReadInTheTray()
{
    TrayApp app({false, m_state->path()});
    app.settings()->setSubscriptions({subscription(QStringLiteral("alerts"), QStringLiteral("a"))});
    QuietHours quiet;
    quiet.enabled = true;
    quiet.from = QTime::currentTime().addSecs(-3600);
    quiet.to = QTime::currentTime().addSecs(3600);
    app.settings()->setQuietHours(quiet);
    startApp(app);
    QTRY_COMPARE_WITH_TIMEOUT(app.trayController()->aggregateState(), ConnectionState::Connected,
                              15000);
    QVERIFY2(app.trayController()->iconKey().contains(QStringLiteral("+quiet")),
             qPrintable(app.trayController()->iconKey()));
    QVERIFY(app.trayController()->quietHoursActive());
    QVERIFY(m_server->publish(QStringLiteral("a"), QStringLiteral("held"), QStringLiteral("T")));
    QTRY_COMPARE_WITH_TIMEOUT(app.trayController()->unreadCount(), 1, 10000);
    QCOMPARE(popups().size(), 0);

    emit app.trayController()->markAllReadRequested();
    QTRY_COMPARE_WITH_TIMEOUT(app.trayController()->unreadCount(), 0, 10000);
    QVERIFY(!app.trayController()->iconKey().contains(QStringLiteral("+unread")));

    quiet.enabled = false;
    app.settings()->setQuietHours(quiet); // applied live
    QVERIFY(!app.trayController()->quietHoursActive());
    QVERIFY(!app.trayController()->iconKey().contains(QStringLiteral("+quiet")));
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

// An urgent pop-up stays until closed — or until its message is read, here in the history.
void tst_TrayApp::urgentPopupClosesWhenReadInTheHistory()
{
    TrayApp app({false, m_state->path()});
    app.settings()->setSubscriptions({subscription(QStringLiteral("alerts"), QStringLiteral("a"))});
    startApp(app);
    QTRY_COMPARE_WITH_TIMEOUT(app.trayController()->aggregateState(), ConnectionState::Connected,
                              15000);
    QVERIFY(
        m_server->publish(QStringLiteral("a"), QStringLiteral("disk"), QStringLiteral("Full"), 5));
    QTRY_COMPARE_WITH_TIMEOUT(popupTitles(), QStringList{QStringLiteral("Full")}, 10000);
    const Notification shown = popups().first()->notification();
    QVERIFY(!popups().first()->dismissAfter().has_value()); // urgent: no countdown

    app.activate(); // the history window is made when first opened
    HistoryWindow *history = nullptr;
    for (QWidget *window : QApplication::topLevelWidgets()) {
        if (auto *found = qobject_cast<HistoryWindow *>(window))
            history = found;
    }
    QVERIFY(history);
    history->showNotification(shown.subscription, shown.id); // opened there: read
    QTRY_COMPARE_WITH_TIMEOUT(popups().size(), 0, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(app.trayController()->unreadCount(), 0, 10000);
}

// A message as Home Assistant sends it — two actions, an image attachment (served here on
// 127.0.0.1), tags — published over ntfy's HTTP API: its pop-up shows the two buttons, the emoji
// and the thumbnail, which is cached in the state folder; when the history is cleared, the cached
// picture goes too.
void tst_TrayApp::richMessageShowsButtonsThumbnailAndTags()
{
    RecordingServer pictures;
    QVERIFY(pictures.isListening());
    pictures.respond = [](const RecordedRequest &) {
        return httpAnswer("image/png", solidPng({200, 120}, QColor(0xd6, 0x8a, 0x12)));
    };
    TrayApp app({false, m_state->path()});
    app.settings()->setSubscriptions({subscription(QStringLiteral("Home"), QStringLiteral("garage"))});
    startApp(app);
    QTRY_COMPARE_WITH_TIMEOUT(app.trayController()->aggregateState(), ConnectionState::Connected,
                              10000);

    QNetworkAccessManager network;
    QUrl publish = m_server->url();
    publish.setPath(QStringLiteral("/garage"));
    const QByteArray closeUrl = publish.toEncoded();
    const test::HttpResult published = test::httpRequest(
        network, publish, "POST", "Open for 15 minutes.",
        {{"Title", "Garage door open"},
         {"Tags", "warning,garage"},
         {"Actions", "http, Close it, " + closeUrl +
                         ", body=closed; view, Open camera, https://example.org/camera"},
         {"Attach", pictures.url(QStringLiteral("/snapshot.png")).toEncoded()}});
    QVERIFY2(published.status == 200, published.body.constData());

    QTRY_COMPARE_WITH_TIMEOUT(popups().size(), 1, 10000);
    PopupWidget *popup = popups().first();
    QCOMPARE(popup->findChild<QLabel *>(QStringLiteral("title"))->text(),
             QString::fromUtf8("\xe2\x9a\xa0\xef\xb8\x8f Garage door open"));
    QStringList buttons;
    for (const QPushButton *button : popup->actionBar()->buttons()) {
        if (button->isVisible())
            buttons << button->text();
    }
    QCOMPARE(buttons, (QStringList{QStringLiteral("Close it"), QStringLiteral("Open camera")}));
    QTRY_VERIFY_WITH_TIMEOUT(popup->attachmentView()->thumbnail()->hasImage(), 10000);
    QVERIFY(popup->attachmentView()->thumbnail()->isVisible());
    QCOMPARE(popup->attachmentView()->thumbnail()->pixmap().toImage().pixelColor(5, 5),
             QColor(0xd6, 0x8a, 0x12));

    const QDir media(m_state->filePath(QStringLiteral("media")));
    QTRY_COMPARE(media.entryList(QDir::Files).size(), 1);
    const auto owner = MediaCache::ownerOf(media.entryList(QDir::Files).first());
    QVERIFY(owner);
    QCOMPARE(owner->id, popup->notification().id);

    // Clear History (confirmed): the message goes, and its picture with it.
    app.activate();
    QWidget *history = nullptr;
    QTRY_VERIFY((history = [] {
        for (QWidget *window : QApplication::topLevelWidgets()) {
            if (window->isVisible() && window->findChild<QPushButton *>(QStringLiteral("clearButton")))
                return window;
        }
        return static_cast<QWidget *>(nullptr);
    }()));
    QPushButton *clear = history->findChild<QPushButton *>(QStringLiteral("clearButton"));
    QTRY_VERIFY(clear->isEnabled());
    // The confirmation is a modal box (exec): answered from inside its own event loop.
    QTimer confirm;
    confirm.setInterval(50ms);
    connect(&confirm, &QTimer::timeout, this, [] {
        auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
        for (QAbstractButton *button : box ? box->buttons() : QList<QAbstractButton *>()) {
            if (box->buttonRole(button) == QMessageBox::DestructiveRole)
                button->click();
        }
    });
    confirm.start();
    clear->click();
    confirm.stop();
    QCOMPARE(storedCount(QStringLiteral("Home")), 0);
    QTRY_COMPARE_WITH_TIMEOUT(media.entryList(QDir::Files).size(), 0, 10000);
}

QTEST_MAIN(tst_TrayApp)
#include "tst_trayapp.moc"
