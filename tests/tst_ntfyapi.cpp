// ntfy API compatibility (issue 9): the forms of ntfy's documentation sent as raw requests
// (what curl sends) to an in-process PushServer on 127.0.0.1 port 0, with its SQLite file in a
// temporary folder; the answers are checked field by field. Live subscribers on ws, json, sse
// and raw; since, filters, scheduled delivery (also across a restart), a database of the
// previous schema.

#include "ntfy.h"
#include "ntfyprotocol.h"
#include "pushclients.h"
#include "pushserver.h"

#include <QDateTime>
#include <QRegularExpression>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>
#include <memory>

using namespace traybeat;
using namespace traybeat::test;
using namespace std::chrono_literals;

namespace {

// A streamed subscription read off a raw socket (GET /<topics>/json|sse|raw): the decoded
// chunked body as it arrives.
class StreamClient final
{
public:
    StreamClient(quint16 port, const QByteArray &pathAndQuery, const Headers &headers = {})
    {
        m_socket.connectToHost(QHostAddress::LocalHost, port);
        QByteArray request = "GET " + pathAndQuery + " HTTP/1.1\r\nHost: x\r\n";
        for (const auto &[name, value] : headers)
            request += name + ": " + value + "\r\n";
        m_socket.write(request + "\r\n");
    }
    // The body so far, de-chunked.
    QByteArray body()
    {
        m_raw += m_socket.readAll();
        const qsizetype headEnd = m_raw.indexOf("\r\n\r\n");
        if (headEnd < 0)
            return {};
        m_head = m_raw.left(headEnd);
        QByteArray decoded;
        qsizetype offset = headEnd + 4;
        while (true) {
            const qsizetype lineEnd = m_raw.indexOf("\r\n", offset);
            if (lineEnd < 0)
                break;
            bool ok = false;
            const qsizetype size = m_raw.mid(offset, lineEnd - offset).toLongLong(&ok, 16);
            if (!ok || size == 0 || m_raw.size() < lineEnd + 2 + size + 2)
                break;
            decoded += m_raw.mid(lineEnd + 2, size);
            offset = lineEnd + 2 + size + 2;
        }
        return decoded;
    }
    QByteArray head()
    {
        body();
        return m_head;
    }
    // The JSON lines of a /json stream, or the data: lines of an /sse stream.
    QList<QJsonObject> events()
    {
        QList<QJsonObject> result;
        for (QByteArray line : body().split('\n')) {
            if (line.startsWith("data: "))
                line = line.mid(6);
            if (line.startsWith('{'))
                result.append(QJsonDocument::fromJson(line).object());
        }
        return result;
    }
    QStringList messages()
    {
        QStringList result;
        for (const QJsonObject &event : events()) {
            if (event.value(QStringLiteral("event")).toString() == QLatin1String("message"))
                result.append(event.value(QStringLiteral("message")).toString());
        }
        return result;
    }

private:
    QTcpSocket m_socket;
    QByteArray m_raw;
    QByteArray m_head;
};

QString field(const QJsonObject &object, const char *name)
{
    return object.value(QLatin1String(name)).toString();
}

} // namespace

class tst_NtfyApi final : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void jsonPublishCarriesEveryField();
    void publishForms_data();
    void publishForms();
    void publishRejects_data();
    void publishRejects();
    void actionsShortForm();
    void actionsJsonFormAndLimits();
    void cacheNoIsSentNotStored();
    void everyStreamGetsTheSameMessages();
    void sseResumesFromLastEventId();
    void since_data();
    void since();
    void filters_data();
    void filters();
    void filtersApplyToLiveStreams();
    void messageIdsRiseAndNeverRepeat();
    void naturalTimes_data();
    void naturalTimes();
    void delayForms_data();
    void delayForms();
    void scheduledMessageArrivesOnceAtItsTime();
    void scheduledMessageSurvivesRestart();
    void scheduledMessagesDueTogether();
    void streamSubscriberThatStopsReadingIsClosed();
    void databaseOfPreviousSchemaIsMigrated();
    void clientReadsEveryField();

private:
    void startServer(PushServerOptions options = {});
    HttpResult request(const QByteArray &method, const QString &pathAndQuery,
                       const QByteArray &body = {}, const Headers &headers = {});
    QJsonObject publish(const QString &topic, const QByteArray &body, const Headers &headers = {});

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<PushServer> m_server;
    QNetworkAccessManager m_network;
};

void tst_NtfyApi::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void tst_NtfyApi::cleanup()
{
    m_server.reset();
    m_dir.reset();
}

void tst_NtfyApi::startServer(PushServerOptions options)
{
    m_server.reset();
    options.databasePath = m_dir->filePath(QStringLiteral("server.db"));
    m_server = std::make_unique<PushServer>(options);
    QString error;
    QVERIFY2(m_server->listen(&error), qPrintable(error));
}

HttpResult tst_NtfyApi::request(const QByteArray &method, const QString &pathAndQuery,
                                const QByteArray &body, const Headers &headers)
{
    return httpRequest(m_network, m_server->url().resolved(QUrl(pathAndQuery)), method, body,
                       headers, 10000);
}

QJsonObject tst_NtfyApi::publish(const QString &topic, const QByteArray &body,
                                 const Headers &headers)
{
    const HttpResult result = request("POST", QLatin1Char('/') + topic, body, headers);
    if (result.status != 200)
        qWarning() << "publish failed:" << result.status << result.body;
    return result.json();
}

void tst_NtfyApi::jsonPublishCarriesEveryField()
{
    startServer();
    const qint64 before = QDateTime::currentSecsSinceEpoch();
    const QByteArray body = R"({"topic":"mytopic","message":"Disk space is low at 5.1 GB",
        "title":"Low disk space alert","tags":["warning","cd"],"priority":4,
        "attach":"https://filesrv.lan/space.jpg","filename":"diskspace.jpg",
        "click":"https://homecamera.lan/xasds1h2xsSsa/","icon":"https://ntfy.sh/static/img/ntfy.png",
        "markdown":true,
        "actions":[{"action":"view","label":"Admin panel","url":"https://filesrv.lan/admin"}]})";
    const HttpResult result =
        request("POST", QStringLiteral("/"), body, {{"Content-Type", "application/json"}});
    QCOMPARE(result.status, 200);
    const QJsonObject message = result.json();
    QCOMPARE(field(message, "topic"), QStringLiteral("mytopic"));
    QCOMPARE(field(message, "event"), QStringLiteral("message"));
    QCOMPARE(field(message, "message"), QStringLiteral("Disk space is low at 5.1 GB"));
    QCOMPARE(field(message, "title"), QStringLiteral("Low disk space alert"));
    QCOMPARE(message.value(QStringLiteral("tags")).toArray(),
             QJsonArray({QStringLiteral("warning"), QStringLiteral("cd")}));
    QCOMPARE(message.value(QStringLiteral("priority")).toInt(), 4);
    QCOMPARE(field(message, "click"), QStringLiteral("https://homecamera.lan/xasds1h2xsSsa/"));
    QCOMPARE(field(message, "icon"), QStringLiteral("https://ntfy.sh/static/img/ntfy.png"));
    QCOMPARE(field(message, "content_type"), QStringLiteral("text/markdown"));
    QCOMPARE(
        message.value(QStringLiteral("attachment")).toObject(),
        QJsonObject({{QStringLiteral("name"), QStringLiteral("diskspace.jpg")},
                     {QStringLiteral("url"), QStringLiteral("https://filesrv.lan/space.jpg")}}));
    const QJsonObject action = message.value(QStringLiteral("actions")).toArray().at(0).toObject();
    QCOMPARE(field(action, "action"), QStringLiteral("view"));
    QCOMPARE(field(action, "label"), QStringLiteral("Admin panel"));
    QCOMPARE(field(action, "url"), QStringLiteral("https://filesrv.lan/admin"));
    QCOMPARE(action.value(QStringLiteral("clear")).toBool(true), false);
    QCOMPARE(field(action, "id").size(), 10);
    const qint64 time = message.value(QStringLiteral("time")).toInteger();
    QVERIFY(time >= before && time <= QDateTime::currentSecsSinceEpoch());
    QCOMPARE(message.value(QStringLiteral("expires")).toInteger(), time + 12 * 3600);
    // Stored as sent: a poll answers the same object. PUT / works the same way.
    QCOMPARE(request("GET", QStringLiteral("/mytopic/json?poll=1")).lines(),
             QList<QJsonObject>{message});
    QCOMPARE(field(request("PUT", QStringLiteral("/"), R"({"topic":"mytopic"})").json(), "message"),
             QStringLiteral("triggered"));
}

void tst_NtfyApi::publishForms_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<Headers>("headers");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QJsonValue>("expected");
    const auto row = [](const char *name, const char *method, const char *path, const char *body,
                        const Headers &headers, const char *key, const QJsonValue &expected) {
        QTest::newRow(name) << QByteArray(method) << QString::fromUtf8(path) << QByteArray(body)
                            << headers << QString::fromLatin1(key) << expected;
    };
    const QJsonValue hi(QStringLiteral("hi there"));
    row("GET publish, message", "GET", "/t/publish?message=hi+there", "", {}, "message", hi);
    row("GET send, m", "GET", "/t/send?m=hi%20there", "", {}, "message", hi);
    row("POST trigger, no body", "POST", "/t/trigger", "", {}, "message",
        QStringLiteral("triggered"));
    row("PUT publish, body", "PUT", "/t/publish", "hi there", {}, "message", hi);
    row("message \\n escape", "GET", "/t/publish?m=a%5Cnb", "", {}, "message",
        QStringLiteral("a\nb"));
    row("body wins over m", "POST", "/t?m=param", "hi there", {}, "message", hi);
    row("body trimmed", "POST", "/t", "  hi there\n", {}, "message", hi);
    row("X-Message header", "POST", "/t", "", {{"X-Message", "hi there"}}, "message", hi);
    row("Title", "POST", "/t", "x", {{"Title", "T1"}}, "title", QStringLiteral("T1"));
    row("X-Title", "POST", "/t", "x", {{"X-Title", "T1"}}, "title", QStringLiteral("T1"));
    row("t header", "POST", "/t", "x", {{"t", "T1"}}, "title", QStringLiteral("T1"));
    row("t query", "POST", "/t?t=T1", "x", {}, "title", QStringLiteral("T1"));
    row("title query", "GET", "/t/publish?title=T1", "", {}, "title", QStringLiteral("T1"));
    row("Priority max", "POST", "/t", "x", {{"Priority", "max"}}, "priority", 5);
    row("X-Priority urgent", "POST", "/t", "x", {{"X-Priority", "urgent"}}, "priority", 5);
    row("prio header", "POST", "/t", "x", {{"prio", "low"}}, "priority", 2);
    row("p query", "POST", "/t?p=1", "x", {}, "priority", 1);
    row("prio query", "POST", "/t?prio=min", "x", {}, "priority", 1);
    row("priority default", "POST", "/t", "x", {{"Priority", "default"}}, "priority", 3);
    row("Tags", "POST", "/t", "x", {{"Tags", "a, b"}}, "tags",
        QJsonArray({QStringLiteral("a"), QStringLiteral("b")}));
    row("X-Tags", "POST", "/t", "x", {{"X-Tags", "a"}}, "tags", QJsonArray({QStringLiteral("a")}));
    row("Tag", "POST", "/t", "x", {{"Tag", "a"}}, "tags", QJsonArray({QStringLiteral("a")}));
    row("ta query", "POST", "/t?ta=a,b", "x", {}, "tags",
        QJsonArray({QStringLiteral("a"), QStringLiteral("b")}));
    row("Click", "POST", "/t", "x", {{"Click", "https://a.example/"}}, "click",
        QStringLiteral("https://a.example/"));
    row("click query", "GET", "/t/publish?click=https://a.example/", "", {}, "click",
        QStringLiteral("https://a.example/"));
    row("Icon", "POST", "/t", "x", {{"Icon", "https://a.example/i.png"}}, "icon",
        QStringLiteral("https://a.example/i.png"));
    row("Markdown yes", "POST", "/t", "x", {{"Markdown", "yes"}}, "content_type",
        QStringLiteral("text/markdown"));
    row("X-Markdown 1", "POST", "/t", "x", {{"X-Markdown", "1"}}, "content_type",
        QStringLiteral("text/markdown"));
    row("md query", "POST", "/t?md=true", "x", {}, "content_type", QStringLiteral("text/markdown"));
    row("Content-Type markdown", "POST", "/t", "x", {{"Content-Type", "text/markdown"}},
        "content_type", QStringLiteral("text/markdown"));
    row("plain text has none", "POST", "/t", "x", {{"Content-Type", "text/plain"}}, "content_type",
        QJsonValue(QJsonValue::Undefined));
    row("Attach names from URL", "POST", "/t", "x",
        {{"Attach", "https://a.example/files/report.pdf?x=1"}}, "attachment",
        QJsonObject(
            {{QStringLiteral("name"), QStringLiteral("report.pdf")},
             {QStringLiteral("url"), QStringLiteral("https://a.example/files/report.pdf?x=1")}}));
    // As ntfy (path.Base of the decoded path); no type or size: the URL is never fetched.
    row("Attach: a folder's name", "POST", "/t", "x", {{"Attach", "https://a.example/files/"}},
        "attachment",
        QJsonObject({{QStringLiteral("name"), QStringLiteral("files")},
                     {QStringLiteral("url"), QStringLiteral("https://a.example/files/")}}));
    row("Attach: no path", "POST", "/t", "x", {{"Attach", "https://a.example"}}, "attachment",
        QJsonObject({{QStringLiteral("name"), QStringLiteral("attachment")},
                     {QStringLiteral("url"), QStringLiteral("https://a.example")}}));
    row("Attach: decoded name", "POST", "/t", "x",
        {{"X-Attach", "https://a.example/my%20report.pdf"}}, "attachment",
        QJsonObject(
            {{QStringLiteral("name"), QStringLiteral("my report.pdf")},
             {QStringLiteral("url"), QStringLiteral("https://a.example/my%20report.pdf")}}));
    row("Filename overrides, header", "POST", "/t", "x",
        {{"Attach", "https://a.example/x.bin"}, {"Filename", "flower.jpg"}}, "attachment",
        QJsonObject({{QStringLiteral("name"), QStringLiteral("flower.jpg")},
                     {QStringLiteral("url"), QStringLiteral("https://a.example/x.bin")}}));
    row("a + f query, empty body", "GET", "/t/publish?a=https://a.example/x&f=doc.txt", "", {},
        "attachment",
        QJsonObject({{QStringLiteral("name"), QStringLiteral("doc.txt")},
                     {QStringLiteral("url"), QStringLiteral("https://a.example/x")}}));
    row("attachment message", "GET", "/t/publish?a=https://a.example/x&f=doc.txt", "", {},
        "message", QStringLiteral("You received a file: doc.txt"));
    row("Cache no: no expires", "POST", "/t", "x", {{"Cache", "no"}}, "expires",
        QJsonValue(QJsonValue::Undefined));
}

void tst_NtfyApi::publishForms()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(QByteArray, body);
    QFETCH(Headers, headers);
    QFETCH(QString, key);
    QFETCH(QJsonValue, expected);
    startServer();
    const HttpResult result = request(method, path, body, headers);
    QCOMPARE(result.status, 200);
    QCOMPARE(field(result.json(), "topic"), QStringLiteral("t"));
    QCOMPARE(result.json().value(key), expected);
}

void tst_NtfyApi::publishRejects_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<Headers>("headers");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("reason");
    const auto row = [](const char *name, const char *path, const QByteArray &body,
                        const Headers &headers, int code, const char *reason) {
        QTest::newRow(name) << QString::fromUtf8(path) << body << headers << code
                            << QString::fromUtf8(reason);
    };
    row("Email", "/t", "x", {{"Email", "a@b.example"}}, 40001, "not supported by this server");
    row("e query", "/t?e=a@b.example", "x", {}, 40001, "not supported by this server");
    row("Call", "/t", "x", {{"Call", "yes"}}, 40032, "not supported by this server");
    row("file upload", "/t", "file contents", {{"Filename", "a.txt"}}, 40014,
        "not supported by this server");
    row("binary body", "/t", QByteArray("\xff\xfe\x00\x01", 4), {}, 40014,
        "not supported by this server");
    row("priority 6", "/t", "x", {{"Priority", "6"}}, 40007, "invalid priority");
    row("priority word", "/t?p=loud", "x", {}, 40007, "invalid priority");
    row("icon not http", "/t", "x", {{"Icon", "file:///etc/passwd"}}, 40021, "icon URL");
    row("attach not http", "/t", "x", {{"Attach", "ftp://a/b"}}, 40013, "attachment URL");
    row("action type", "/t", "x", {{"Actions", "open, Label"}}, 40018, "cannot be 'open'");
    row("action without url", "/t", "x", {{"Actions", "view, Open"}}, 40018, "'url' is required");
    row("action without label", "/t", "x", {{"Actions", "broadcast"}}, 40018,
        "'label' is required");
    row("action body on GET", "/t", "x",
        {{"Actions", "http, Go, https://a.example/, method=GET, body=x"}}, 40018,
        "cannot be set if method is GET");
    row("action unknown key", "/t", "x", {{"Actions", "view, Go, https://a.example/, color=red"}},
        40018, "key 'color' unknown");
    row("action clear not bool", "/t", "x",
        {{"Actions", "view, Go, https://a.example/, clear=maybe"}}, 40018, "'clear'");
    row("action open quote", "/t", "x", {{"Actions", "view, \"Go, https://a.example/"}}, 40018,
        "unexpected end of input");
    row("four actions", "/t", "x",
        {{"Actions",
          "view, 1, https://a/; view, 2, https://a/; view, 3, https://a/; view, 4, https://a/"}},
        40018, "only 3 actions");
    row("delay unparsable", "/t", "x", {{"Delay", "soonish"}}, 40004, "unable to parse");
    row("delay: next friday", "/t", "x", {{"At", "next friday"}}, 40004, "tomorrow, 3pm");
    row("delay: 13pm", "/t", "x", {{"At", "13pm"}}, 40004, "unable to parse");
    row("delay: 10.30", "/t", "x", {{"At", "10.30"}}, 40004, "unable to parse");
    row("delay too small", "/t", "x", {{"Delay", "5s"}}, 40005, "too small");
    row("delay too large", "/t", "x", {{"In", "4d"}}, 40006, "too large");
    row("delay in the past", "/t", "x", {{"At", "1000000000"}}, 40005, "too small");
    row("delay without cache", "/t", "x", {{"Delay", "1h"}, {"Cache", "no"}}, 40002,
        "cannot disable cache");
    row("JSON body not JSON", "/", "hello", {}, 40017, "must be message JSON");
    row("JSON topic invalid", "/", R"({"topic":"a/b","message":"x"})", {}, 40009, "topic invalid");
    row("JSON priority string", "/", R"({"topic":"t","priority":"high"})", {}, 40017,
        "priority a number");
    row("JSON tags not a list", "/", R"({"topic":"t","tags":"a,b"})", {}, 40017, "tags a list");
}

void tst_NtfyApi::publishRejects()
{
    QFETCH(QString, path);
    QFETCH(QByteArray, body);
    QFETCH(Headers, headers);
    QFETCH(int, code);
    QFETCH(QString, reason);
    startServer();
    const HttpResult result = request("POST", path, body, headers);
    QCOMPARE(result.status, 400);
    QCOMPARE(result.json().value(QStringLiteral("http")).toInt(), 400);
    QCOMPARE(result.json().value(QStringLiteral("code")).toInt(), code);
    QVERIFY2(field(result.json(), "error").contains(reason), result.body.constData());
    QCOMPARE(request("GET", QStringLiteral("/t/json?poll=1&scheduled=1")).lines().size(), 0);
}

void tst_NtfyApi::actionsShortForm()
{
    startServer();
    // The examples of ntfy's documentation, with quoting, a method, a body, a header, clear.
    const QJsonObject message = publish(
        QStringLiteral("t"), "x",
        {{"Actions", "view, Open portal, https://home.nest.com/, clear=true; "
                     "http, \"Turn down, now\", https://api.nest.com/, method=put, "
                     "headers.Authorization=Bearer zAzsx1sk.., body='{\"temperature\": 65}'; "
                     "broadcast, Take picture, extras.cmd=pic, intent=io.x.CAMERA"}});
    const QJsonArray actions = message.value(QStringLiteral("actions")).toArray();
    QCOMPARE(actions.size(), 3);
    QJsonObject view = actions.at(0).toObject();
    QJsonObject http = actions.at(1).toObject();
    QJsonObject broadcast = actions.at(2).toObject();
    for (QJsonObject *action : {&view, &http, &broadcast}) {
        QCOMPARE(field(*action, "id").size(), 10);
        action->remove(QStringLiteral("id"));
    }
    QCOMPARE(view, QJsonObject({{QStringLiteral("action"), QStringLiteral("view")},
                                {QStringLiteral("label"), QStringLiteral("Open portal")},
                                {QStringLiteral("url"), QStringLiteral("https://home.nest.com/")},
                                {QStringLiteral("clear"), true}}));
    QCOMPARE(http, QJsonObject({{QStringLiteral("action"), QStringLiteral("http")},
                                {QStringLiteral("label"), QStringLiteral("Turn down, now")},
                                {QStringLiteral("url"), QStringLiteral("https://api.nest.com/")},
                                {QStringLiteral("method"), QStringLiteral("PUT")},
                                {QStringLiteral("headers"),
                                 QJsonObject({{QStringLiteral("Authorization"),
                                               QStringLiteral("Bearer zAzsx1sk..")}})},
                                {QStringLiteral("body"), QStringLiteral("{\"temperature\": 65}")},
                                {QStringLiteral("clear"), false}}));
    QCOMPARE(broadcast,
             QJsonObject({{QStringLiteral("action"), QStringLiteral("broadcast")},
                          {QStringLiteral("label"), QStringLiteral("Take picture")},
                          {QStringLiteral("extras"),
                           QJsonObject({{QStringLiteral("cmd"), QStringLiteral("pic")}})},
                          {QStringLiteral("intent"), QStringLiteral("io.x.CAMERA")},
                          {QStringLiteral("clear"), false}}));
    // Stored and served with them.
    QCOMPARE(request("GET", QStringLiteral("/t/json?poll=1"))
                 .lines()
                 .first()
                 .value(QStringLiteral("actions")),
             message.value(QStringLiteral("actions")));
}

void tst_NtfyApi::actionsJsonFormAndLimits()
{
    startServer();
    const QJsonObject message = publish(
        QStringLiteral("t"), "x",
        {{"Actions",
          R"([{"action":"copy","label":"Copy code","value":"123456"},)"
          R"({"action":"http","label":"Ping","url":"https://a.example/","method":"post"}])"}});
    const QJsonArray actions = message.value(QStringLiteral("actions")).toArray();
    QCOMPARE(actions.size(), 2);
    QCOMPARE(field(actions.at(0).toObject(), "value"), QStringLiteral("123456"));
    QCOMPARE(field(actions.at(1).toObject(), "method"), QStringLiteral("POST"));
    // The short form of copy: the third section is the value.
    const QJsonObject copy = publish(QStringLiteral("t"), "x", {{"Action", "copy, Copy, abc"}});
    QCOMPARE(field(copy.value(QStringLiteral("actions")).toArray().at(0).toObject(), "value"),
             QStringLiteral("abc"));
    const HttpResult bad = request("POST", QStringLiteral("/t"), "x",
                                   {{"Actions", R"([{"action":"view","label":7}])"}});
    QCOMPARE(bad.status, 400);
    QVERIFY(field(bad.json(), "error").contains(QStringLiteral("label")));
}

void tst_NtfyApi::cacheNoIsSentNotStored()
{
    startServer();
    StreamClient live(m_server->port(), "/t/json");
    QTRY_COMPARE(m_server->subscriberCount(), 1);
    publish(QStringLiteral("t"), "fleeting", {{"Cache", "no"}});
    publish(QStringLiteral("t"), "kept");
    QTRY_COMPARE(live.messages(),
                 (QStringList{QStringLiteral("fleeting"), QStringLiteral("kept")}));
    QCOMPARE(request("GET", QStringLiteral("/t/json?poll=1")).messages(),
             QStringList{QStringLiteral("kept")});
}

void tst_NtfyApi::everyStreamGetsTheSameMessages()
{
    startServer();
    WsClient ws(
        QUrl(m_server->url().toString().replace(QLatin1String("http"), QLatin1String("ws")) +
             QStringLiteral("/a,b/ws")));
    StreamClient json(m_server->port(), "/a,b/json");
    StreamClient sse(m_server->port(), "/a,b/sse");
    StreamClient raw(m_server->port(), "/a,b/raw");
    QTRY_COMPARE(m_server->subscriberCount(), 4);
    QStringList ids;
    const QList<QPair<QString, QByteArray>> publishes{{QStringLiteral("a"), "one"},
                                                      {QStringLiteral("b"), "two\nlines"},
                                                      {QStringLiteral("a"), "three"}};
    for (const auto &[topic, text] : publishes)
        ids.append(field(publish(topic, text), "id"));
    publish(QStringLiteral("c"), "not subscribed");
    const QStringList expected{QStringLiteral("one"), QStringLiteral("two\nlines"),
                               QStringLiteral("three")};
    QTRY_COMPARE(ws.messages(), expected);
    QTRY_COMPARE(json.messages(), expected);
    QTRY_COMPARE(sse.messages(), expected);
    QTRY_COMPARE(raw.body(), QByteArray("\none\ntwo lines\nthree\n")); // open is an empty line
    QVERIFY(json.head().contains("Content-Type: application/x-ndjson; charset=utf-8"));
    QVERIFY(raw.head().contains("Content-Type: text/plain; charset=utf-8"));
    QVERIFY(sse.head().contains("Content-Type: text/event-stream; charset=utf-8"));
    // SSE: open is a named event; each message carries its id for Last-Event-ID.
    const QByteArray sseBody = sse.body();
    QVERIFY2(sseBody.startsWith("event: open\ndata: {"), sseBody.constData());
    for (const QString &id : ids)
        QVERIFY(sseBody.contains("\nid: " + id.toUtf8() + "\ndata: {"));
    QCOMPARE(json.events().first().value(QStringLiteral("event")).toString(),
             QStringLiteral("open"));
    QCOMPARE(field(json.events().first(), "topic"), QStringLiteral("a,b"));
}

void tst_NtfyApi::sseResumesFromLastEventId()
{
    startServer();
    const QString first = field(publish(QStringLiteral("t"), "first"), "id");
    publish(QStringLiteral("t"), "second");
    StreamClient resumed(m_server->port(), "/t/sse", {{"Last-Event-ID", first.toUtf8()}});
    QTRY_COMPARE(resumed.messages(), QStringList{QStringLiteral("second")});
    publish(QStringLiteral("t"), "third");
    QTRY_COMPARE(resumed.messages(),
                 (QStringList{QStringLiteral("second"), QStringLiteral("third")}));
    // The poll forms answer too, in their format.
    QCOMPARE(request("GET", QStringLiteral("/t/raw?poll=1")).body,
             QByteArray("first\nsecond\nthird\n"));
    const QByteArray ssePoll = request("GET", QStringLiteral("/t/sse?poll=1&since=") + first).body;
    QCOMPARE(ssePoll.count("\ndata: {"), 2);
    QVERIFY(ssePoll.startsWith("id: "));
}

void tst_NtfyApi::since_data()
{
    QTest::addColumn<QString>("since");
    QTest::addColumn<QStringList>("expected");
    const QStringList all{QStringLiteral("m1"), QStringLiteral("m2"), QStringLiteral("m3")};
    QTest::newRow("absent on a poll: all") << QString() << all;
    QTest::newRow("none") << QStringLiteral("none") << QStringList();
    QTest::newRow("all") << QStringLiteral("all") << all;
    QTest::newRow("latest") << QStringLiteral("latest") << QStringList{QStringLiteral("m3")};
    QTest::newRow("id of m1") << QStringLiteral("{m1}")
                              << QStringList{QStringLiteral("m2"), QStringLiteral("m3")};
    QTest::newRow("unix time a minute ago") << QStringLiteral("{now-60}") << all;
    QTest::newRow("unix time ahead") << QStringLiteral("{now+60}") << QStringList();
    QTest::newRow("duration") << QStringLiteral("1h") << all;
    QTest::newRow("composite duration") << QStringLiteral("1h30m") << all;
}

void tst_NtfyApi::since()
{
    QFETCH(QString, since);
    QFETCH(QStringList, expected);
    startServer();
    publish(QStringLiteral("other"), "elsewhere");
    const QString m1 = field(publish(QStringLiteral("t"), "m1"), "id");
    publish(QStringLiteral("t"), "m2");
    publish(QStringLiteral("t"), "m3");
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    since.replace(QStringLiteral("{m1}"), m1)
        .replace(QStringLiteral("{now-60}"), QString::number(now - 60))
        .replace(QStringLiteral("{now+60}"), QString::number(now + 60));
    const QString query = since.isEmpty() ? QString() : QStringLiteral("&since=") + since;
    const HttpResult poll = request("GET", QStringLiteral("/t/json?poll=1") + query);
    QCOMPARE(poll.status, 200);
    QCOMPARE(poll.messages(), expected);
    // The same on a live stream (absent means none there), before anything new.
    if (!since.isEmpty()) {
        StreamClient stream(m_server->port(), "/t/json?si=" + since.toUtf8());
        QTRY_COMPARE(m_server->subscriberCount(), 1);
        publish(QStringLiteral("t"), "live");
        QTRY_COMPARE(stream.messages(), expected + QStringList{QStringLiteral("live")});
    }
}

void tst_NtfyApi::filters_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QStringList>("expected");
    QTest::newRow("message") << QStringLiteral("message=disk%20full")
                             << QStringList{QStringLiteral("disk full")};
    QTest::newRow("title") << QStringLiteral("title=Backup")
                           << QStringList{QStringLiteral("backup done")};
    QTest::newRow("priority names and numbers")
        << QStringLiteral("priority=high,1")
        << QStringList{QStringLiteral("disk full"), QStringLiteral("quiet")};
    QTest::newRow("priority default")
        << QStringLiteral("p=default") << QStringList{QStringLiteral("backup done")};
    QTest::newRow("tags: all must match")
        << QStringLiteral("tags=warning,disk") << QStringList{QStringLiteral("disk full")};
    QTest::newRow("one tag") << QStringLiteral("tags=warning")
                             << QStringList{QStringLiteral("disk full"), QStringLiteral("quiet")};
    QTest::newRow("combined") << QStringLiteral("tags=warning&prio=min")
                              << QStringList{QStringLiteral("quiet")};
    QTest::newRow("id") << QStringLiteral("id={quiet}") << QStringList{QStringLiteral("quiet")};
}

void tst_NtfyApi::filters()
{
    QFETCH(QString, query);
    QFETCH(QStringList, expected);
    startServer();
    publish(QStringLiteral("t"), "disk full", {{"Priority", "high"}, {"Tags", "warning,disk"}});
    publish(QStringLiteral("t"), "backup done", {{"Title", "Backup"}});
    const QString quiet = field(
        publish(QStringLiteral("t"), "quiet", {{"Priority", "1"}, {"Tags", "warning"}}), "id");
    query.replace(QStringLiteral("{quiet}"), quiet);
    QCOMPARE(request("GET", QStringLiteral("/t/json?poll=1&") + query).messages(), expected);
    QCOMPARE(request("GET", QStringLiteral("/t/json?poll=1&priority=loud")).status, 400);
}

void tst_NtfyApi::filtersApplyToLiveStreams()
{
    startServer();
    WsClient ws(
        QUrl(m_server->url().toString().replace(QLatin1String("http"), QLatin1String("ws")) +
             QStringLiteral("/t/ws?priority=4,5&tags=a")));
    StreamClient sse(m_server->port(), "/t/sse", {{"X-Priority", "4,5"}, {"X-Tags", "a"}});
    StreamClient raw(m_server->port(), "/t/raw?prio=high,urgent&ta=a");
    QTRY_COMPARE(m_server->subscriberCount(), 3);
    publish(QStringLiteral("t"), "low", {{"Tags", "a"}});
    publish(QStringLiteral("t"), "untagged", {{"Priority", "5"}});
    publish(QStringLiteral("t"), "wanted", {{"Priority", "4"}, {"Tags", "b,a"}});
    const QStringList wanted{QStringLiteral("wanted")};
    QTRY_COMPARE(ws.messages(), wanted);
    QTRY_COMPARE(sse.messages(), wanted);
    QTRY_COMPARE(raw.body(), QByteArray("\nwanted\n"));
}

// ntfy's natural delivery times, the documented subset, against a fixed "now": Wednesday
// 2 December 2026, 09:00 local time. An invalid expectation: refused.
// Rising ids keep the id indexes of both stores appending (docs/design.md, "Message ids");
// each must still be ntfy's shape and never read as a time or a duration in `since=`.
void tst_NtfyApi::messageIdsRiseAndNeverRepeat()
{
    static const QRegularExpression shape(QStringLiteral("^[0-9A-Za-z]{6}[A-Za-z][0-9A-Za-z]{5}$"));
    QString previous;
    for (int i = 0; i < 200000; ++i) {
        const QString id = ntfy::newMessageId();
        QVERIFY2(shape.match(id).hasMatch(), qPrintable(id));
        QVERIFY2(previous < id, qPrintable(previous + QLatin1String(" then ") + id));
        previous = id;
    }
    const QString random = ntfy::newRandomId(10);
    QVERIFY2(QRegularExpression(QStringLiteral("^[A-Za-z][0-9A-Za-z]{9}$")).match(random).hasMatch(),
             qPrintable(random));

    // Published messages carry such ids, in publish order, and `since=<id>` finds them.
    startServer();
    const QString first = field(publish(QStringLiteral("t"), "m1"), "id");
    const QString second = field(publish(QStringLiteral("t"), "m2"), "id");
    QVERIFY2(first < second, qPrintable(first + QLatin1String(" then ") + second));
    QVERIFY(shape.match(first).hasMatch());
    QCOMPARE(request("GET", QStringLiteral("/t/json?poll=1&since=") + first).messages(),
             QStringList{QStringLiteral("m2")});
}

void tst_NtfyApi::naturalTimes_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QDateTime>("expected");
    const QDate today(2026, 12, 2);
    const auto at = [&today](int days, int hour, int minute = 0) {
        return QDateTime(today.addDays(days), QTime(hour, minute));
    };
    const auto row = [](const char *text, const QDateTime &expected) {
        QTest::newRow(text) << QString::fromUtf8(text) << expected;
    };
    row("10am", at(0, 10));
    row("8am", at(1, 8)); // passed today: tomorrow, as ntfy
    row("10:30", at(0, 10, 30));
    row("3pm", at(0, 15));
    row("3 PM", at(0, 15));
    row("17:00", at(0, 17));
    row("at 10am", at(0, 10));
    row("noon", at(0, 12));
    row("midnight", at(1, 0));
    row("tomorrow, 10am", at(1, 10));
    row("tomorrow 3:30pm", at(1, 15, 30));
    row("Tomorrow at 9am", at(1, 9));
    row("tomorrow", at(1, 9));
    row("today 5pm", at(0, 17));
    row("Friday, 7am", at(2, 7));
    row("fri 7am", at(2, 7));
    row("wednesday 9am", at(7, 9)); // today's weekday: a week ahead
    row("monday", at(5, 9));
    row("2 days", at(2, 9));
    row("30 mins", at(0, 9, 30));
    row("1 hour", at(0, 10));
    row("90s", at(0, 9, 1).addSecs(30));
    for (const char *refused :
         {"next friday", "13pm", "0am", "25:00", "10:75", "10.30", "tomorrow tomorrow", "soonish",
          "in 2 weeks", "at", "", "friday 3", "10am tomorrow", "2 fortnights"})
        row(refused, QDateTime());
}

void tst_NtfyApi::naturalTimes()
{
    QFETCH(QString, text);
    QFETCH(QDateTime, expected);
    const qint64 now = QDateTime(QDate(2026, 12, 2), QTime(9, 0)).toMSecsSinceEpoch();
    const auto parsed = ntfy::parseFutureTime(text, now);
    if (!expected.isValid()) {
        QVERIFY2(!parsed,
                 qPrintable(QDateTime::fromMSecsSinceEpoch(parsed.value_or(0)).toString()));
        return;
    }
    QVERIFY(parsed);
    QCOMPARE(QDateTime::fromMSecsSinceEpoch(*parsed), expected);
}

void tst_NtfyApi::delayForms_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<qint64>("expectedOffset"); // seconds from now; -1: tomorrow 10:00 local
    QTest::newRow("Delay 30m") << QByteArray("Delay") << QByteArray("30m") << qint64(1800);
    QTest::newRow("X-Delay 1h") << QByteArray("X-Delay") << QByteArray("1h") << qint64(3600);
    QTest::newRow("In 2d") << QByteArray("In") << QByteArray("2d") << qint64(2 * 86400);
    QTest::newRow("in 1h30m") << QByteArray("in") << QByteArray("1h30m") << qint64(5400);
    QTest::newRow("At unix") << QByteArray("At") << QByteArray("{now+600}") << qint64(600);
    QTest::newRow("x-at natural") << QByteArray("X-At") << QByteArray("tomorrow, 10am")
                                  << qint64(-1);
    QTest::newRow("In 2 days") << QByteArray("In") << QByteArray("2 days") << qint64(2 * 86400);
    QTest::newRow("Delay 30 mins") << QByteArray("Delay") << QByteArray("30 mins") << qint64(1800);
}

void tst_NtfyApi::delayForms()
{
    QFETCH(QByteArray, header);
    QFETCH(QByteArray, value);
    QFETCH(qint64, expectedOffset);
    startServer();
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    value.replace("{now+600}", QByteArray::number(now + 600));
    const QJsonObject message = publish(QStringLiteral("t"), "later", {{header, value}});
    const qint64 time = message.value(QStringLiteral("time")).toInteger();
    const qint64 expected =
        expectedOffset >= 0
            ? now + expectedOffset
            : QDateTime(QDate::currentDate().addDays(1), QTime(10, 0)).toSecsSinceEpoch();
    QVERIFY2(qAbs(time - expected) <= 2, qPrintable(QString::number(time - expected)));
    // The query forms too.
    const QJsonObject viaQuery = request("GET", QStringLiteral("/t/publish?m=q&delay=30m")).json();
    QVERIFY(qAbs(viaQuery.value(QStringLiteral("time")).toInteger() - (now + 1800)) <= 2);
    // Not delivered yet: only visible with scheduled=1.
    QCOMPARE(request("GET", QStringLiteral("/t/json?poll=1")).lines().size(), 0);
    QCOMPARE(request("GET", QStringLiteral("/t/json?poll=1&scheduled=1")).lines().size(), 2);
}

void tst_NtfyApi::scheduledMessageArrivesOnceAtItsTime()
{
    PushServerOptions options;
    options.minDelay = 1s; // test-only: ntfy's 10 s minimum would make this test slow
    startServer(options);
    StreamClient json(m_server->port(), "/t/json");
    WsClient ws(
        QUrl(m_server->url().toString().replace(QLatin1String("http"), QLatin1String("ws")) +
             QStringLiteral("/t/ws")));
    QTRY_COMPARE(m_server->subscriberCount(), 2);
    const qint64 due = QDateTime::currentSecsSinceEpoch() + 3;
    const QJsonObject answer =
        publish(QStringLiteral("t"), "on time", {{"At", QByteArray::number(due)}});
    QCOMPARE(answer.value(QStringLiteral("time")).toInteger(), due);
    publish(QStringLiteral("t"), "right now");
    QTRY_COMPARE(json.messages(), QStringList{QStringLiteral("right now")});
    QCOMPARE(request("GET", QStringLiteral("/t/json?poll=1&scheduled=1")).messages().size(), 2);
    QTRY_COMPARE_WITH_TIMEOUT(json.messages().size(), 2, 15000);
    QVERIFY(QDateTime::currentMSecsSinceEpoch() >= due * 1000); // not before its time
    QCOMPARE(json.messages().last(), QStringLiteral("on time"));
    QCOMPARE(json.events().last(), answer);
    QTRY_COMPARE(ws.messages().size(), 2);
    QTest::qWait(1500); // once: no second delivery follows
    QCOMPARE(json.messages().size(), 2);
    QCOMPARE(ws.messages().size(), 2);
    // Delivered: in publish order after "right now", found by since=<id of right now>.
    QCOMPARE(request("GET", QStringLiteral("/t/json?poll=1")).messages(),
             (QStringList{QStringLiteral("right now"), QStringLiteral("on time")}));
}

void tst_NtfyApi::scheduledMessageSurvivesRestart()
{
    PushServerOptions options;
    options.minDelay = 1s;
    startServer(options);
    const qint64 due = QDateTime::currentSecsSinceEpoch() + 3;
    const QString id = field(
        publish(QStringLiteral("t"), "after restart", {{"X-At", QByteArray::number(due)}}), "id");
    m_server.reset(); // down before it is due
    startServer(options);
    StreamClient json(m_server->port(), "/t/json");
    QTRY_COMPARE_WITH_TIMEOUT(json.messages(), QStringList{QStringLiteral("after restart")}, 15000);
    QVERIFY(QDateTime::currentMSecsSinceEpoch() >= due * 1000);
    QCOMPARE(field(json.events().last(), "id"), id);
    // Down while it came due: delivered at the next start.
    const qint64 due2 = QDateTime::currentSecsSinceEpoch() + 2;
    publish(QStringLiteral("t"), "overdue", {{"At", QByteArray::number(due2)}});
    m_server.reset();
    QTest::qWait(int(due2 * 1000 - QDateTime::currentMSecsSinceEpoch()) + 200);
    startServer(options);
    QCOMPARE(request("GET", QStringLiteral("/t/json?poll=1")).messages(),
             (QStringList{QStringLiteral("after restart"), QStringLiteral("overdue")}));
}

void tst_NtfyApi::scheduledMessagesDueTogether()
{
    PushServerOptions options;
    options.minDelay = 1s;
    startServer(options);
    StreamClient raw(m_server->port(), "/t,u/raw");
    QTRY_COMPARE(m_server->subscriberCount(), 1);
    const QByteArray due = QByteArray::number(QDateTime::currentSecsSinceEpoch() + 2);
    for (const char *text : {"first", "second", "third"})
        publish(QLatin1String(text[0] == 's' ? "u" : "t"), text, {{"At", due}});
    QTRY_COMPARE_WITH_TIMEOUT(raw.body(), QByteArray("\nfirst\nsecond\nthird\n"), 15000);
    QTest::qWait(1200); // once each
    QCOMPARE(raw.body(), QByteArray("\nfirst\nsecond\nthird\n"));
    QCOMPARE(
        request("GET", QStringLiteral("/t,u/json?poll=1&scheduled=1")).messages(),
        (QStringList{QStringLiteral("first"), QStringLiteral("second"), QStringLiteral("third")}));
}

void tst_NtfyApi::streamSubscriberThatStopsReadingIsClosed()
{
    // The bounds of a WebSocket subscriber hold for a streamed one: past its backlog limit it
    // is ended, then cut off after the grace period, and its memory is freed.
    PushServerOptions options;
    options.subscriberBacklogLimit = 64 * 1024;
    options.closeGrace = 200ms;
    startServer(options);
    QTcpSocket reader;
    reader.setReadBufferSize(1); // takes (almost) nothing: the kernel's buffers fill
    reader.connectToHost(QHostAddress::LocalHost, m_server->port());
    reader.write("GET /t/json HTTP/1.1\r\nHost: x\r\n\r\n");
    QTRY_COMPARE(m_server->subscriberCount(), 1);
    const QString text(3000, QLatin1Char('x'));
    for (int i = 0; i < 20000 && m_server->subscriberCount() > 0; ++i) {
        QVERIFY(m_server->publish(QStringLiteral("t"), text));
        if (i % 100 == 0)
            QCoreApplication::processEvents();
    }
    QTRY_COMPARE(m_server->subscriberCount(), 0);
    // Everyone else is still served.
    StreamClient other(m_server->port(), "/t/json?since=latest");
    QTRY_COMPARE(other.messages().size(), 1);
}

void tst_NtfyApi::databaseOfPreviousSchemaIsMigrated()
{
    {
        // The schema before issue 9, with one row.
        QSqlDatabase database = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), "old");
        database.setDatabaseName(m_dir->filePath(QStringLiteral("server.db")));
        QVERIFY(database.open());
        QSqlQuery query(database);
        QVERIFY(query.exec(QStringLiteral(
            "CREATE TABLE messages (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, time_ms "
            "INTEGER NOT NULL, topic TEXT NOT NULL, title TEXT, message TEXT NOT NULL, priority "
            "INTEGER NOT NULL, tags TEXT, click TEXT)")));
        QVERIFY(query.exec(
            QStringLiteral("INSERT INTO messages (id, time_ms, topic, title, message, priority,"
                           " tags, click) VALUES ('oldMessage01', %1, 't', 'Old', 'kept', 4,"
                           " 'a,b', '')")
                .arg(QDateTime::currentMSecsSinceEpoch())));
        query = QSqlQuery();
        database.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("old"));
    startServer();
    publish(QStringLiteral("t"), "new", {{"Icon", "https://a.example/i.png"}});
    const QList<QJsonObject> lines = request("GET", QStringLiteral("/t/json?poll=1")).lines();
    QCOMPARE(lines.size(), 2);
    QCOMPARE(field(lines.at(0), "id"), QStringLiteral("oldMessage01"));
    QCOMPARE(field(lines.at(0), "title"), QStringLiteral("Old"));
    QCOMPARE(lines.at(0).value(QStringLiteral("tags")).toArray().size(), 2);
    QCOMPARE(field(lines.at(1), "icon"), QStringLiteral("https://a.example/i.png"));
    // Opened again (already migrated): nothing changes.
    startServer();
    QCOMPARE(request("GET", QStringLiteral("/t/json?poll=1")).lines(), lines);
}

void tst_NtfyApi::clientReadsEveryField()
{
    // What the server now sends, read by traybeat's own ntfy dialect.
    startServer();
    const QJsonObject sent = publish(
        QStringLiteral("t"), "**done**",
        {{"Title", "Build"},
         {"Priority", "high"},
         {"Tags", "ok,ci"},
         {"Markdown", "yes"},
         {"Click", "https://ci.example/1"},
         {"Icon", "https://ci.example/icon.png"},
         {"Attach", "https://ci.example/log.txt"},
         {"Actions", "view, Open, https://ci.example/1; http, Retry, https://ci.example/retry, "
                     "method=PUT, headers.X-Run=again, body=go, clear=true; copy, Copy id, 42"}});
    SubscriptionConfig config;
    config.name = QStringLiteral("s");
    config.server = m_server->url();
    config.topics = {QStringLiteral("t")};
    NtfyProtocol protocol(config);
    NotificationList received;
    connect(&protocol, &Protocol::received, this,
            [&received](const NotificationList &list) { received += list; });
    // Event types it does not know are skipped without complaint.
    QSignalSpy rejected(&protocol, &Protocol::frameRejected);
    protocol.handleTextFrame(
        QStringLiteral(R"({"id":"x1","time":1,"event":"poll_request","topic":"t","message":"?"})"));
    protocol.handleTextFrame(QString::fromUtf8(QJsonDocument(sent).toJson()));
    QCOMPARE(rejected.count(), 0);
    QCOMPARE(received.size(), 1);
    const Notification &notification = received.first();
    QCOMPARE(notification.id, field(sent, "id"));
    QCOMPARE(notification.title, QStringLiteral("Build"));
    QCOMPARE(notification.body, QStringLiteral("**done**"));
    QCOMPARE(notification.priority, 4);
    QCOMPARE(notification.tags, (QStringList{QStringLiteral("ok"), QStringLiteral("ci")}));
    QVERIFY(notification.isMarkdown());
    QCOMPARE(notification.url, QUrl(QStringLiteral("https://ci.example/1")));
    QCOMPARE(notification.icon, QUrl(QStringLiteral("https://ci.example/icon.png")));
    QCOMPARE(notification.attachment.name, QStringLiteral("log.txt"));
    QCOMPARE(notification.attachment.url, QUrl(QStringLiteral("https://ci.example/log.txt")));
    QCOMPARE(notification.time.toSecsSinceEpoch(), sent.value(QStringLiteral("time")).toInteger());
    QCOMPARE(notification.actions.size(), 3);
    const NotificationAction &retry = notification.actions.at(1);
    QCOMPARE(retry.type, NotificationAction::Type::Http);
    QCOMPARE(retry.method, QStringLiteral("PUT"));
    QCOMPARE(retry.body, QStringLiteral("go"));
    QVERIFY(retry.clear);
    QCOMPARE(retry.headers.size(), 1);
    QCOMPARE(retry.headers.first().second, QStringLiteral("again"));
    QCOMPARE(notification.actions.at(2).type, NotificationAction::Type::Copy);
    QCOMPARE(notification.actions.at(2).value, QStringLiteral("42"));
}

QTEST_MAIN(tst_NtfyApi)
#include "tst_ntfyapi.moc"
