#include "notification.h"

#include <QJsonDocument>
#include <QTest>

using namespace traybeat;

// ntfy's "actions" and "attachment" as a server sends them: what is kept, and what is refused
// with which reason (the rest of the message is always kept).
class tst_NotificationAction : public QObject
{
    Q_OBJECT
private slots:
    void parse_data();
    void parse();
    void atMostThree();
    void jsonRoundTrip();
    void attachment_data();
    void attachment();
};

namespace {
QJsonObject object(const char *json)
{
    return QJsonDocument::fromJson(QByteArray(json)).object();
}
} // namespace

void tst_NotificationAction::parse_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("refusal"); // empty: accepted

    QTest::newRow("view")
        << QByteArray(
               R"({"action":"view","label":"Open portal","url":"https://home.example/","clear":true})")
        << QString();
    QTest::newRow("view, other scheme kept (never opened)")
        << QByteArray(R"({"action":"view","label":"Call","url":"tel:123"})") << QString();
    QTest::newRow("http with headers and body")
        << QByteArray(R"({"action":"http","label":"Close door","url":"https://api.example/door",)"
                      R"("method":"PUT","headers":{"Authorization":"Bearer x"},"body":"{}"})")
        << QString();
    QTest::newRow("copy") << QByteArray(R"({"action":"copy","label":"Copy code","value":"123456"})")
                          << QString();
    QTest::newRow("broadcast")
        << QByteArray(
               R"({"action":"broadcast","label":"Take picture","intent":"io.heckel.ntfy.USER_ACTION"})")
        << QString();
    QTest::newRow("unknown type") << QByteArray(R"({"action":"launch","label":"x"})")
                                  << QStringLiteral("unknown action type \"launch\"");
    QTest::newRow("no label") << QByteArray(R"({"action":"view","url":"https://a.example/"})")
                              << QStringLiteral("an action without a label");
    QTest::newRow("label of spaces")
        << QByteArray(R"({"action":"view","label":"   ","url":"https://a.example/"})")
        << QStringLiteral("an action without a label");
    QTest::newRow("view without url") << QByteArray(R"({"action":"view","label":"Open"})")
                                      << QStringLiteral("a view action needs a URL");
    QTest::newRow("http to file:")
        << QByteArray(R"({"action":"http","label":"Go","url":"file:///etc/passwd"})")
        << QStringLiteral("an http action needs an http or https URL");
    QTest::newRow("http bad method")
        << QByteArray(
               R"({"action":"http","label":"Go","url":"https://a.example/","method":"GET /x"})")
        << QStringLiteral("\"GET /x\" is not an HTTP method");
    QTest::newRow("header injection")
        << QByteArray(R"({"action":"http","label":"Go","url":"https://a.example/",)"
                      R"("headers":{"X-A":"v\r\nX-Injected: 1"}})")
        << QStringLiteral("the header \"X-A\" is not a valid HTTP header");
    QTest::newRow("copy without value")
        << QByteArray(R"({"action":"copy","label":"Copy"})")
        << QStringLiteral("a copy action needs a value of at most 65536 characters");
}

void tst_NotificationAction::parse()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, refusal);
    QString error;
    const auto action =
        NotificationAction::fromJson(QJsonDocument::fromJson(json).object(), &error);
    QCOMPARE(error, refusal);
    QCOMPARE(action.has_value(), refusal.isEmpty());
}

void tst_NotificationAction::atMostThree()
{
    QJsonArray four;
    for (int i = 0; i < 4; ++i)
        four.append(QJsonObject{{QStringLiteral("action"), QStringLiteral("copy")},
                                {QStringLiteral("label"), QStringLiteral("Copy %1").arg(i)},
                                {QStringLiteral("value"), QString::number(i)}});
    four.prepend(object(R"({"action":"nope","label":"x"})"));
    QStringList problems;
    const QList<NotificationAction> actions = NotificationAction::listFromJson(four, &problems);
    QCOMPARE(actions.size(), 3);
    QCOMPARE(actions.first().label, QStringLiteral("Copy 0")); // the refused one took no place
    QCOMPARE(problems.size(), 2);
    QCOMPARE(problems.last(), QStringLiteral("more than 3 actions; the rest are not shown"));
}

void tst_NotificationAction::jsonRoundTrip()
{
    const QJsonObject json = object(
        R"({"action":"http","label":"Close","url":"https://api.example/door","method":"PUT",)"
        R"("headers":{"X-Key":"v"},"body":"b","clear":true})");
    const auto action = NotificationAction::fromJson(json, nullptr);
    QVERIFY(action);
    QCOMPARE(action->toJson(), json);
    QCOMPARE(NotificationAction::fromJson(action->toJson(), nullptr), action);
}

void tst_NotificationAction::attachment_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<bool>("accepted");
    QTest::addColumn<QString>("name");
    QTest::addColumn<qint64>("size");

    QTest::newRow("full")
        << QByteArray(
               R"({"name":"flower.jpg","type":"image/jpeg","size":15398,"expires":1643935085,)"
               R"("url":"https://ntfy.example/file/abc.jpg"})")
        << true << QStringLiteral("flower.jpg") << qint64(15398);
    QTest::newRow("name from url") << QByteArray(R"({"url":"https://a.example/x/report.pdf"})")
                                   << true << QStringLiteral("report.pdf") << qint64(-1);
    QTest::newRow("negative size is unknown")
        << QByteArray(R"({"url":"https://a.example/f","size":-5})") << true << QStringLiteral("f")
        << qint64(-1);
    QTest::newRow("file: url") << QByteArray(R"({"url":"file:///etc/shadow"})") << false
                               << QString() << qint64(-1);
    QTest::newRow("no url") << QByteArray(R"({"name":"x"})") << false << QString() << qint64(-1);
}

void tst_NotificationAction::attachment()
{
    QFETCH(QByteArray, json);
    QFETCH(bool, accepted);
    QFETCH(QString, name);
    QFETCH(qint64, size);
    QString error;
    const auto parsed =
        NotificationAttachment::fromJson(QJsonDocument::fromJson(json).object(), &error);
    QCOMPARE(parsed.has_value(), accepted);
    if (!accepted) {
        QCOMPARE(error, QStringLiteral("an attachment without an http or https URL"));
        return;
    }
    QCOMPARE(parsed->name, name);
    QCOMPARE(parsed->size, size);
}

QTEST_GUILESS_MAIN(tst_NotificationAction)
#include "tst_notificationaction.moc"
