#include "actionrunner.h"
#include "recordingserver.h"

#include <QElapsedTimer>
#include <QHash>
#include <QPointer>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <functional>

using namespace traybeat;
using namespace std::chrono_literals;

namespace {

NotificationAction httpAction(const QUrl &url, const QString &method = QStringLiteral("POST"),
                              const QString &body = {})
{
    NotificationAction action;
    action.type = NotificationAction::Type::Http;
    action.label = QStringLiteral("Do it");
    action.url = url;
    action.method = method;
    action.body = body;
    return action;
}

ActionRunner::Outcome waitForOutcome(QSignalSpy &spy, quint64 id)
{
    if (spy.isEmpty() && !spy.wait(5000))
        return {false, -1, QStringLiteral("no finished signal")};
    const QList<QVariant> arguments = spy.takeFirst();
    if (arguments.at(0).toULongLong() != id)
        return {false, -1, QStringLiteral("finished for another id")};
    return arguments.at(1).value<ActionRunner::Outcome>();
}

} // namespace

class tst_ActionRunner : public QObject
{
    Q_OBJECT
private slots:
    void sendsMethodHeadersAndBody_data();
    void sendsMethodHeadersAndBody();
    void httpErrorsCarryTheStatus_data();
    void httpErrorsCarryTheStatus();
    void followsRedirectToHttp();
    void refusesRedirectToOtherSchemes_data();
    void refusesRedirectToOtherSchemes();
    void refusesNonWebUrls();
    void slowServerTimesOut();
    void bodyIsNotKept();
    void networkErrorIsReported();
    void runningRequestsAreCapped();
};

void tst_ActionRunner::sendsMethodHeadersAndBody_data()
{
    QTest::addColumn<QString>("method");
    QTest::addColumn<QString>("body");
    QTest::newRow("POST with body") << "POST"
                                    << "garage=close";
    QTest::newRow("PUT with unicode body") << "PUT" << QStringLiteral("Tür zu ✓");
    QTest::newRow("GET without body") << "GET"
                                      << "";
    QTest::newRow("DELETE") << "DELETE"
                            << "";
}

void tst_ActionRunner::sendsMethodHeadersAndBody()
{
    QFETCH(QString, method);
    QFETCH(QString, body);
    RecordingServer server;
    ActionRunner runner;
    QSignalSpy spy(&runner, &ActionRunner::finished);
    NotificationAction action =
        httpAction(server.url(QStringLiteral("/api/garage?x=1")), method, body);
    action.headers = {{QStringLiteral("Authorization"), QStringLiteral("Bearer abc")},
                      {QStringLiteral("X-Custom"), QStringLiteral("yes")}};
    const quint64 id = runner.run(action);

    const ActionRunner::Outcome outcome = waitForOutcome(spy, id);
    QVERIFY2(outcome.succeeded, qPrintable(outcome.text));
    QCOMPARE(outcome.httpStatus, 200);
    QCOMPARE(outcome.text, QStringLiteral("Done"));
    QCOMPARE(server.requests.size(), 1);
    const RecordedRequest &request = server.requests.first();
    QCOMPARE(request.method, method.toLatin1());
    QCOMPARE(request.path, QByteArray("/api/garage?x=1"));
    QCOMPARE(request.headers.value("authorization"), QByteArray("Bearer abc"));
    QCOMPARE(request.headers.value("x-custom"), QByteArray("yes"));
    QCOMPARE(request.body, body.toUtf8());
    QCOMPARE(runner.runningCount(), 0);
}

void tst_ActionRunner::httpErrorsCarryTheStatus_data()
{
    QTest::addColumn<QByteArray>("statusLine");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("text");
    QTest::newRow("404") << QByteArray("404 Not Found") << 404 << "HTTP error 404 Not Found";
    QTest::newRow("403") << QByteArray("403 Forbidden") << 403 << "HTTP error 403 Forbidden";
    QTest::newRow("500") << QByteArray("500 Internal Server Error") << 500
                         << "HTTP error 500 Internal Server Error";
    QTest::newRow("503 markup stays text")
        << QByteArray("503 <b>down</b>") << 503 << "HTTP error 503 <b>down</b>";
}

void tst_ActionRunner::httpErrorsCarryTheStatus()
{
    QFETCH(QByteArray, statusLine);
    QFETCH(int, status);
    QFETCH(QString, text);
    RecordingServer server;
    server.respond = [statusLine](const RecordedRequest &) {
        return "HTTP/1.1 " + statusLine + "\r\nContent-Length: 4\r\n\r\nnope";
    };
    ActionRunner runner;
    QSignalSpy spy(&runner, &ActionRunner::finished);
    const ActionRunner::Outcome outcome = waitForOutcome(spy, runner.run(httpAction(server.url())));
    QVERIFY(!outcome.succeeded);
    QCOMPARE(outcome.httpStatus, status);
    QCOMPARE(outcome.text, text);
}

void tst_ActionRunner::followsRedirectToHttp()
{
    RecordingServer server;
    const QUrl target = server.url(QStringLiteral("/moved"));
    server.respond = [target](const RecordedRequest &request) {
        if (request.path == "/moved")
            return QByteArrayLiteral("HTTP/1.1 204 No Content\r\n\r\n");
        return "HTTP/1.1 307 Temporary Redirect\r\nLocation: " + target.toEncoded() +
               "\r\nContent-Length: 0\r\n\r\n";
    };
    ActionRunner runner;
    QSignalSpy spy(&runner, &ActionRunner::finished);
    const ActionRunner::Outcome outcome =
        waitForOutcome(spy, runner.run(httpAction(server.url(), QStringLiteral("POST"), "x")));
    QVERIFY2(outcome.succeeded, qPrintable(outcome.text));
    QCOMPARE(outcome.httpStatus, 204);
    QCOMPARE(server.requests.size(), 2);
    QCOMPARE(server.requests.at(1).path, QByteArray("/moved"));
}

void tst_ActionRunner::refusesRedirectToOtherSchemes_data()
{
    QTest::addColumn<QByteArray>("location");
    QTest::newRow("file") << QByteArray("file:///etc/passwd");
    QTest::newRow("ftp") << QByteArray("ftp://127.0.0.1/x");
    QTest::newRow("data") << QByteArray("data:text/plain,hello");
}

void tst_ActionRunner::refusesRedirectToOtherSchemes()
{
    QFETCH(QByteArray, location);
    RecordingServer server;
    server.respond = [location](const RecordedRequest &) {
        return "HTTP/1.1 302 Found\r\nLocation: " + location + "\r\nContent-Length: 0\r\n\r\n";
    };
    ActionRunner runner;
    QSignalSpy spy(&runner, &ActionRunner::finished);
    const ActionRunner::Outcome outcome = waitForOutcome(spy, runner.run(httpAction(server.url())));
    QVERIFY(!outcome.succeeded);
    QVERIFY2(outcome.httpStatus == 0 || outcome.httpStatus == 302, qPrintable(outcome.text));
    QVERIFY(!outcome.text.isEmpty());
    QVERIFY(outcome.text != QStringLiteral("Done"));
    QCOMPARE(server.requests.size(), 1);
    QCOMPARE(runner.runningCount(), 0);
}

void tst_ActionRunner::refusesNonWebUrls()
{
    ActionRunner runner;
    QSignalSpy spy(&runner, &ActionRunner::finished);
    NotificationAction action = httpAction(QUrl(QStringLiteral("file:///etc/passwd")));
    const quint64 id = runner.run(action);
    QVERIFY(spy.isEmpty()); // never from inside run()
    const ActionRunner::Outcome refused = waitForOutcome(spy, id);
    QVERIFY(!refused.succeeded);
    QCOMPARE(refused.text, QStringLiteral("Only http and https addresses are requested"));

    NotificationAction view = httpAction(QUrl(QStringLiteral("https://example.org")));
    view.type = NotificationAction::Type::View;
    QVERIFY(!waitForOutcome(spy, runner.run(view)).succeeded);
}

void tst_ActionRunner::slowServerTimesOut()
{
    RecordingServer server;
    server.respond = [](const RecordedRequest &) { return QByteArray(); }; // never answers
    ActionRunner::Config config;
    config.timeout = 200ms;
    ActionRunner runner(config);
    QSignalSpy spy(&runner, &ActionRunner::finished);
    QElapsedTimer clock;
    clock.start();
    const ActionRunner::Outcome outcome = waitForOutcome(spy, runner.run(httpAction(server.url())));
    QVERIFY(!outcome.succeeded);
    QCOMPARE(outcome.httpStatus, 0);
    QCOMPARE(outcome.text, QStringLiteral("No answer within 0.2 s"));
    QVERIFY(clock.elapsed() >= 190);
    QVERIFY(clock.elapsed() < 3000);
    QCOMPARE(runner.runningCount(), 0);
}

void tst_ActionRunner::bodyIsNotKept()
{
    RecordingServer server;
    server.respond = [](const RecordedRequest &) {
        const QByteArray body(4 * 1024 * 1024, 'x');
        return "HTTP/1.1 200 OK\r\nContent-Length: " + QByteArray::number(body.size()) +
               "\r\n\r\n" + body;
    };
    ActionRunner runner;
    QSignalSpy spy(&runner, &ActionRunner::finished);
    const ActionRunner::Outcome outcome = waitForOutcome(spy, runner.run(httpAction(server.url())));
    QVERIFY2(outcome.succeeded, qPrintable(outcome.text));
}

void tst_ActionRunner::networkErrorIsReported()
{
    quint16 closedPort = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        closedPort = probe.serverPort();
    }
    ActionRunner runner;
    QSignalSpy spy(&runner, &ActionRunner::finished);
    const ActionRunner::Outcome outcome = waitForOutcome(
        spy, runner.run(httpAction(QUrl(QStringLiteral("http://127.0.0.1:%1/").arg(closedPort)))));
    QVERIFY(!outcome.succeeded);
    QCOMPARE(outcome.httpStatus, 0);
    QVERIFY2(outcome.text.contains(QStringLiteral("refused"), Qt::CaseInsensitive),
             qPrintable(outcome.text));
}

void tst_ActionRunner::runningRequestsAreCapped()
{
    RecordingServer server;
    server.respond = [](const RecordedRequest &) { return QByteArray(); };
    ActionRunner::Config config;
    config.maximumRunning = 1;
    config.timeout = 300ms;
    ActionRunner runner(config);
    QSignalSpy spy(&runner, &ActionRunner::finished);
    const quint64 first = runner.run(httpAction(server.url()));
    const quint64 second = runner.run(httpAction(server.url()));
    QCOMPARE(runner.runningCount(), 1);
    QVERIFY(spy.wait(2000));
    QCOMPARE(spy.first().at(0).toULongLong(), second); // refused at once, before the timeout
    QVERIFY(!spy.first().at(1).value<ActionRunner::Outcome>().succeeded);
    spy.clear();
    const ActionRunner::Outcome timedOut = waitForOutcome(spy, first);
    QVERIFY(!timedOut.succeeded);
}

QTEST_GUILESS_MAIN(tst_ActionRunner)
#include "tst_actionrunner.moc"
