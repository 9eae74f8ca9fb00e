// `traybeat listen` as a process, the way scripts and the benchmarks drive it.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QUrlQuery>
#include <QWebSocket>
#include <QWebSocketServer>
#include <QtTest>

class tst_Listen : public QObject
{
    Q_OBJECT
private slots:
    void badArgumentsExitWithStatusTwo_data();
    void badArgumentsExitWithStatusTwo();
    void printsStateAndMessagesAsJsonLines();
    void printsWhatAMessageCarries();
    void terminatesCleanlyOnSigterm();
    void burstIsStoredPrintedInOrderAndResumedAfter();

private:
    static QStringList listenToNtfy(quint16 port, const QString &stateDir)
    {
        return {
            QStringLiteral("listen"),        QStringLiteral("--server=ws://127.0.0.1:%1").arg(port),
            QStringLiteral("--topic=burst"), QStringLiteral("--heartbeat-interval=10s"),
            QStringLiteral("--state-dir"),   stateDir};
    }
    static bool hasState(const QList<QJsonObject> &events, const QString &state)
    {
        return std::any_of(events.cbegin(), events.cend(), [&state](const QJsonObject &event) {
            return event.value(QLatin1String("state")).toString() == state;
        });
    }
    static QStringList messageIds(const QList<QJsonObject> &events)
    {
        QStringList ids;
        for (const QJsonObject &event : events) {
            if (event.value(QLatin1String("event")) == QLatin1String("message"))
                ids << event.value(QLatin1String("id")).toString();
        }
        return ids;
    }
    // The ids in listen's store and its cursor, read through a connection of the test's own.
    static std::pair<QStringList, QString> storedIdsAndCursor(const QString &stateDir)
    {
        std::pair<QStringList, QString> result;
        {
            QSqlDatabase db =
                QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("inspect"));
            db.setDatabaseName(QDir(stateDir).filePath(QStringLiteral("notifications.db")));
            if (db.open()) {
                QSqlQuery query(db);
                query.exec(QStringLiteral("SELECT id FROM notifications ORDER BY received_seq"));
                while (query.next())
                    result.first << query.value(0).toString();
                query.exec(QStringLiteral("SELECT id FROM cursors"));
                if (query.next())
                    result.second = query.value(0).toString();
            }
        }
        QSqlDatabase::removeDatabase(QStringLiteral("inspect"));
        return result;
    }

    // Reads complete JSON lines from the process as they come.
    static QList<QJsonObject> readEvents(QProcess &process, QByteArray &buffer)
    {
        buffer += process.readAllStandardOutput();
        QList<QJsonObject> events;
        int newline;
        while ((newline = buffer.indexOf('\n')) >= 0) {
            const QByteArray line = buffer.left(newline);
            buffer.remove(0, newline + 1);
            QJsonParseError error;
            const QJsonDocument document = QJsonDocument::fromJson(line, &error);
            if (error.error != QJsonParseError::NoError || !document.isObject())
                qWarning() << "not a JSON line:" << line;
            else
                events << document.object();
        }
        return events;
    }
};

void tst_Listen::badArgumentsExitWithStatusTwo_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("reason");
    const QString server = QStringLiteral("--server=ws://127.0.0.1:9/");
    QTest::newRow("no server") << QStringList{QStringLiteral("--protocol=text")}
                               << "--server is required";
    QTest::newRow("unparsable url")
        << QStringList{QStringLiteral("--server=http://exa mple")} << "not a URL";
    QTest::newRow("no scheme") << QStringList{QStringLiteral("--server=example.org")}
                               << "not a URL";
    QTest::newRow("ftp url") << QStringList{QStringLiteral("--server=ftp://example.org/"),
                                            QStringLiteral("--topic=a")}
                             << "must start with http://";
    QTest::newRow("unknown protocol")
        << QStringList{server, QStringLiteral("--protocol=mqtt")} << "Unknown protocol \"mqtt\"";
    QTest::newRow("bad duration") << QStringList{server, QStringLiteral("--protocol=text"),
                                                 QStringLiteral("--heartbeat-interval=5x")}
                                  << "\"5x\" is not a duration";
    QTest::newRow("bare number") << QStringList{server, QStringLiteral("--protocol=text"),
                                                QStringLiteral("--reconnect-min=5")}
                                 << "\"5\" is not a duration";
    QTest::newRow("bad heartbeat") << QStringList{server, QStringLiteral("--protocol=text"),
                                                  QStringLiteral("--heartbeat=pong")}
                                   << "not a heartbeat mode";
    QTest::newRow("ntfy without topic") << QStringList{server} << "at least one topic";
    QTest::newRow("bad topic") << QStringList{server, QStringLiteral("--topic=a/b")}
                               << "\"a/b\" is not valid";
    QTest::newRow("unknown option")
        << QStringList{server, QStringLiteral("--frobnicate")} << "Unknown option";
    QTest::newRow("stray argument")
        << QStringList{server, QStringLiteral("--protocol=text"), QStringLiteral("extra")}
        << "unexpected argument \"extra\"";
    QTest::newRow("min above max")
        << QStringList{server, QStringLiteral("--protocol=text"),
                       QStringLiteral("--reconnect-min=2m"), QStringLiteral("--reconnect-max=1m")}
        << "must not be shorter";
    // ntfy sends a keepalive every 45 s: a passive link that gives up sooner drops every
    // quiet, healthy link.
    QTest::newRow("passive under the ntfy keepalive")
        << QStringList{server, QStringLiteral("--topic=a"), QStringLiteral("--heartbeat=passive"),
                       QStringLiteral("--heartbeat-interval=25s"),
                       QStringLiteral("--heartbeat-timeout=10s")}
        << "ntfy servers send a keepalive only every 45s";
    QTest::newRow("passive exactly at the ntfy keepalive")
        << QStringList{server, QStringLiteral("--topic=a"), QStringLiteral("--heartbeat=passive"),
                       QStringLiteral("--heartbeat-interval=25s")}
        << "interval + timeout is 45s";
    QTest::newRow("user without a password or a terminal")
        << QStringList{server, QStringLiteral("--topic=a"), QStringLiteral("--user=phil")}
        << "set TRAYBEAT_PASSWORD";
}

void tst_Listen::badArgumentsExitWithStatusTwo()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, reason);
    QTemporaryDir stateDir;
    QProcess process;
    process.start(
        QStringLiteral(TRAYBEAT_BINARY),
        QStringList{QStringLiteral("listen"), QStringLiteral("--state-dir"), stateDir.path()} +
            arguments);
    QVERIFY(process.waitForFinished(10000));
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 2);
    const QString stderrText = QString::fromUtf8(process.readAllStandardError());
    QCOMPARE(stderrText.count(QLatin1Char('\n')), 1); // one line
    QVERIFY2(stderrText.startsWith(QStringLiteral("traybeat listen: ")), qPrintable(stderrText));
    QVERIFY2(stderrText.contains(reason), qPrintable(stderrText));
    QVERIFY(process.readAllStandardOutput().isEmpty());
}

void tst_Listen::printsStateAndMessagesAsJsonLines()
{
    QWebSocketServer server(QStringLiteral("text"), QWebSocketServer::NonSecureMode);
    QVERIFY(server.listen(QHostAddress::LocalHost));
    QList<QWebSocket *> clients;
    int heartbeats = 0;
    connect(&server, &QWebSocketServer::newConnection, this, [&] {
        QWebSocket *client = server.nextPendingConnection();
        client->setParent(&server); // it comes without a parent: ours to delete
        clients << client;
        connect(client, &QWebSocket::textMessageReceived, client,
                [&heartbeats, client](const QString &text) {
                    if (text == QLatin1String("HeartBeat")) {
                        ++heartbeats;
                        client->sendTextMessage(text); // the origin's server echoes it
                    }
                });
    });

    QTemporaryDir stateDir;
    QProcess process;
    process.start(QStringLiteral(TRAYBEAT_BINARY),
                  {QStringLiteral("listen"), QStringLiteral("--protocol=text"),
                   QStringLiteral("--server=ws://127.0.0.1:%1/").arg(server.serverPort()),
                   QStringLiteral("--heartbeat-interval=50ms"),
                   QStringLiteral("--heartbeat-timeout=500ms"), QStringLiteral("--state-dir"),
                   stateDir.path()});
    QVERIFY(process.waitForStarted());
    QByteArray buffer;
    QList<QJsonObject> events;
    QTRY_VERIFY_WITH_TIMEOUT((events += readEvents(process, buffer),
                              std::any_of(events.cbegin(), events.cend(),
                                          [](const QJsonObject &event) {
                                              return event.value(QLatin1String("state")) ==
                                                     QLatin1String("connected");
                                          })),
                             10000);
    QCOMPARE(events.first().value(QLatin1String("event")).toString(), QStringLiteral("state"));
    QCOMPARE(events.first().value(QLatin1String("state")).toString(), QStringLiteral("connecting"));
    QVERIFY(events.first().value(QLatin1String("time")).toDouble() > 1.7e12); // ms since the epoch

    QTRY_VERIFY(heartbeats >= 3); // echoed heartbeats went by...
    clients.first()->sendTextMessage(QStringLiteral("plain <b>text</b>"));
    clients.first()->sendTextMessage(
        QStringLiteral("{\"id\":\"m-2\",\"title\":\"Deploy\",\"message\":\"done\","
                       "\"priority\":5,\"url\":\"https://example.org/x\"}"));
    QList<QJsonObject> messages;
    QTRY_VERIFY_WITH_TIMEOUT(
        (events += readEvents(process, buffer), messages.clear(),
         std::copy_if(events.cbegin(), events.cend(), std::back_inserter(messages),
                      [](const QJsonObject &event) {
                          return event.value(QLatin1String("event")) == QLatin1String("message");
                      }),
         messages.size() == 2),
        5000);
    // ...and none of them became a message.
    QCOMPARE(messages.at(0).value(QLatin1String("body")).toString(),
             QStringLiteral("plain <b>text</b>"));
    QCOMPARE(messages.at(1).value(QLatin1String("id")).toString(), QStringLiteral("m-2"));
    QCOMPARE(messages.at(1).value(QLatin1String("title")).toString(), QStringLiteral("Deploy"));
    QCOMPARE(messages.at(1).value(QLatin1String("body")).toString(), QStringLiteral("done"));
    QCOMPARE(messages.at(1).value(QLatin1String("priority")).toInt(), 5);
    QCOMPARE(messages.at(1).value(QLatin1String("url")).toString(),
             QStringLiteral("https://example.org/x"));

    process.terminate();
    QVERIFY(process.waitForFinished(5000));
}

// An ntfy message with buttons, an attachment, an icon and markdown: listen prints them in
// ntfy's shapes, and leaves out what is unusable (a button that would send a request to file:).
void tst_Listen::printsWhatAMessageCarries()
{
    QWebSocketServer server(QStringLiteral("ntfy"), QWebSocketServer::NonSecureMode);
    QVERIFY(server.listen(QHostAddress::LocalHost));
    connect(&server, &QWebSocketServer::newConnection, this, [&server] {
        QWebSocket *client = server.nextPendingConnection();
        client->setParent(&server); // it comes without a parent: ours to delete
        client->sendTextMessage(
            QStringLiteral(R"({"id":"rich-1","event":"message","time":1764160000,
            "topic":"garage","message":"Garage **open**","tags":["warning","door"],
            "actions":[{"action":"view","label":"Camera","url":"https://cam.example/live"},
                       {"action":"http","label":"Close it","url":"https://api.example/door",
                        "method":"PUT","body":"close","clear":true},
                       {"action":"http","label":"Sneaky","url":"file:///etc/passwd"}],
            "attachment":{"name":"snap.jpg","type":"image/jpeg","size":2048,
                          "url":"https://cam.example/snap.jpg"},
            "icon":"https://cam.example/icon.png","content_type":"text/markdown"})"));
    });
    QTemporaryDir stateDir;
    QProcess process;
    process.start(QStringLiteral(TRAYBEAT_BINARY),
                  {QStringLiteral("listen"), QStringLiteral("--protocol=ntfy"),
                   QStringLiteral("--server=ws://127.0.0.1:%1").arg(server.serverPort()),
                   QStringLiteral("--topic=garage"), QStringLiteral("--state-dir"),
                   stateDir.path()});
    QVERIFY(process.waitForStarted());
    QByteArray buffer;
    QList<QJsonObject> events;
    const auto message = [&events] {
        return std::find_if(events.cbegin(), events.cend(), [](const QJsonObject &event) {
            return event.value(QLatin1String("event")) == QLatin1String("message");
        });
    };
    QTRY_VERIFY_WITH_TIMEOUT((events += readEvents(process, buffer), message() != events.cend()),
                             10000);
    const QJsonObject printed = *message();
    QCOMPARE(printed.value(QLatin1String("tags")).toArray(),
             QJsonArray({QStringLiteral("warning"), QStringLiteral("door")}));
    const QJsonArray actions = printed.value(QLatin1String("actions")).toArray();
    QCOMPARE(actions.size(), 2);
    QCOMPARE(actions.at(0).toObject().value(QLatin1String("label")).toString(),
             QStringLiteral("Camera"));
    const QJsonObject close = actions.at(1).toObject();
    QCOMPARE(close.value(QLatin1String("action")).toString(), QStringLiteral("http"));
    QCOMPARE(close.value(QLatin1String("method")).toString(), QStringLiteral("PUT"));
    QCOMPARE(close.value(QLatin1String("clear")).toBool(), true);
    const QJsonObject attachment = printed.value(QLatin1String("attachment")).toObject();
    QCOMPARE(attachment.value(QLatin1String("name")).toString(), QStringLiteral("snap.jpg"));
    QCOMPARE(attachment.value(QLatin1String("size")).toInteger(), 2048);
    QCOMPARE(printed.value(QLatin1String("icon")).toString(),
             QStringLiteral("https://cam.example/icon.png"));
    QCOMPARE(printed.value(QLatin1String("content_type")).toString(),
             QStringLiteral("text/markdown"));
    process.terminate();
    QVERIFY(process.waitForFinished(5000));
}

void tst_Listen::terminatesCleanlyOnSigterm()
{
    QTemporaryDir stateDir;
    QProcess process;
    process.start(QStringLiteral(TRAYBEAT_BINARY),
                  {QStringLiteral("listen"), QStringLiteral("--protocol=text"),
                   QStringLiteral("--server=ws://127.0.0.1:9/"), QStringLiteral("--state-dir"),
                   stateDir.path()});
    QVERIFY(process.waitForStarted());
    QByteArray buffer;
    QList<QJsonObject> events;
    QTRY_VERIFY_WITH_TIMEOUT((events += readEvents(process, buffer), !events.isEmpty()), 10000);
    process.terminate();
    QVERIFY(process.waitForFinished(5000));
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 0);
    events += readEvents(process, buffer);
    QCOMPARE(events.last().value(QLatin1String("state")).toString(),
             QStringLiteral("disconnected"));
}

// A burst of several of listen's slices (it stores on a thread of its own while it parses and
// prints): every message printed once, in order, and in the store; a second listen resumes
// after the last one.
void tst_Listen::burstIsStoredPrintedInOrderAndResumedAfter()
{
    QWebSocketServer server(QStringLiteral("ntfy"), QWebSocketServer::NonSecureMode);
    QVERIFY(server.listen(QHostAddress::LocalHost));
    QList<QUrl> requests;
    QPointer<QWebSocket> client;
    connect(&server, &QWebSocketServer::newConnection, this, [&] {
        client = server.nextPendingConnection();
        client->setParent(&server);
        requests << client->requestUrl();
    });
    QTemporaryDir stateDir;
    QProcess process;
    process.start(QStringLiteral(TRAYBEAT_BINARY),
                  listenToNtfy(server.serverPort(), stateDir.path()));
    QVERIFY(process.waitForStarted());
    QByteArray buffer;
    QList<QJsonObject> events;
    QTRY_VERIFY_WITH_TIMEOUT(
        (events += readEvents(process, buffer), hasState(events, QStringLiteral("connected"))),
        10000);
    QVERIFY(client);
    const int burst = 5500; // two full slices of 2,000 and part of a third
    QStringList sent;
    for (int i = 0; i < burst; ++i) {
        sent << QStringLiteral("b%1").arg(i, 5, 10, QLatin1Char('0'));
        client->sendTextMessage(
            QStringLiteral(
                R"({"id":"%1","time":1700000000,"event":"message","topic":"burst","message":"burst %1"})")
                .arg(sent.last()));
    }
    client->flush();
    QTRY_COMPARE_WITH_TIMEOUT((events += readEvents(process, buffer), messageIds(events).size()),
                              burst, 30000);
    QCOMPARE(messageIds(events), sent);
    process.terminate();
    QVERIFY(process.waitForFinished(10000));
    QCOMPARE(process.exitCode(), 0);
    const auto [stored, cursor] = storedIdsAndCursor(stateDir.path());
    QCOMPARE(stored, sent);
    QCOMPARE(cursor, sent.last());

    process.start(QStringLiteral(TRAYBEAT_BINARY),
                  listenToNtfy(server.serverPort(), stateDir.path()));
    QVERIFY(process.waitForStarted());
    QTRY_COMPARE_WITH_TIMEOUT(requests.size(), 2, 10000);
    QCOMPARE(QUrlQuery(requests.last()).queryItemValue(QStringLiteral("since")), sent.last());
    process.terminate();
    QVERIFY(process.waitForFinished(10000));
}

QTEST_GUILESS_MAIN(tst_Listen)
#include "tst_listen.moc"
