#include "modes.h"

#include "cli/commandline.h"
#include "ntfy.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QUrl>

#include <cstdio>

namespace traybeat::modes {

namespace {
using commandline::Text;
const QString mode = QStringLiteral("publish");

// The server's own words when it sent an ntfy-style error body, else Qt's description.
QString replyError(QNetworkReply *reply, const QByteArray &body)
{
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QJsonObject object = QJsonDocument::fromJson(body).object();
    const QString text = object.value(QStringLiteral("error")).toString();
    if (status > 0 && !text.isEmpty())
        return QStringLiteral("%1 (HTTP %2)").arg(text).arg(status);
    if (status > 0)
        return QStringLiteral("HTTP %1: %2")
            .arg(status)
            .arg(QString::fromUtf8(body.trimmed().left(200)));
    return reply->errorString();
}
void addOptions(QCommandLineParser &parser)
{
    parser.setApplicationDescription(
        Text::tr("Publishes one message to a topic on a traybeat or ntfy server."));
    parser.addOptions({
        {QStringLiteral("server"), Text::tr("Server URL (default http://127.0.0.1:8080)."),
         QStringLiteral("URL"), QStringLiteral("http://127.0.0.1:8080")},
        {QStringLiteral("title"), Text::tr("Message title."), QStringLiteral("T")},
        {QStringLiteral("priority"), Text::tr("1-5 or min, low, default, high, urgent."),
         QStringLiteral("P")},
        {QStringLiteral("click"), Text::tr("URL opened when the notification is clicked."),
         QStringLiteral("URL")},
        {QStringLiteral("tags"), Text::tr("Comma-separated tags."), QStringLiteral("a,b")},
    });
    parser.addOptions(commandline::tokenOptions(Text::tr("Bearer token for the server")));
    parser.addPositionalArgument(QStringLiteral("TOPIC"), Text::tr("Topic to publish to."));
    parser.addPositionalArgument(QStringLiteral("MESSAGE"), Text::tr("Message body."));
}

// The arguments' one-line complaint, or empty when TOPIC, --server, --priority and --click
// are usable.
QString argumentError(const QCommandLineParser &parser)
{
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 2)
        return Text::tr("expected TOPIC and MESSAGE (got %n argument(s))", nullptr,
                        int(positional.size()));
    if (!ntfy::isValidTopic(positional[0]))
        return Text::tr("invalid topic \"%1\": use 1-64 characters of A-Z, a-z, 0-9, _ and -")
            .arg(positional[0]);
    const QUrl server(parser.value(QStringLiteral("server")), QUrl::StrictMode);
    if (!server.isValid() || server.host().isEmpty() ||
        (server.scheme() != QLatin1String("http") && server.scheme() != QLatin1String("https")))
        return Text::tr("--server: \"%1\" is not an http(s) URL")
            .arg(parser.value(QStringLiteral("server")));
    const QString priority = parser.value(QStringLiteral("priority"));
    if (parser.isSet(QStringLiteral("priority")) && !ntfy::parsePriority(priority))
        return Text::tr("--priority: \"%1\" is not 1-5 or min, low, default, high, urgent")
            .arg(priority);
    const QString click = parser.value(QStringLiteral("click"));
    if (!click.isEmpty() && !QUrl(click, QUrl::StrictMode).isValid())
        return Text::tr("--click: \"%1\" is not a URL").arg(click);
    return {};
}

QNetworkRequest buildRequest(const QCommandLineParser &parser, const QString &token)
{
    QUrl server(parser.value(QStringLiteral("server")), QUrl::StrictMode);
    QString path = server.path();
    if (!path.endsWith(QLatin1Char('/')))
        path += QLatin1Char('/');
    server.setPath(path + parser.positionalArguments().first());
    QNetworkRequest request(server);
    request.setHeader(QNetworkRequest::ContentTypeHeader,
                      QByteArrayLiteral("text/plain; charset=utf-8"));
    request.setTransferTimeout(30 * 1000); // ms; the chrono overload is Qt 6.7+
    const auto setHeader = [&](const char *option, const QByteArray &header) {
        if (parser.isSet(QLatin1String(option)))
            request.setRawHeader(header, parser.value(QLatin1String(option)).toUtf8());
    };
    setHeader("title", "Title");
    setHeader("priority", "Priority");
    setHeader("click", "Click");
    setHeader("tags", "Tags");
    if (!token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + token.toUtf8());
    return request;
}

// Posts `body` and prints the server's answer; the exit status of `traybeat publish`.
int post(QCoreApplication &app, const QNetworkRequest &request, const QByteArray &body)
{
    QNetworkAccessManager network;
    int status = 1;
    QNetworkReply *reply = network.post(request, body);
    QObject::connect(reply, &QNetworkReply::finished, &app, [&] {
        const QByteArray answer = reply->readAll();
        if (reply->error() == QNetworkReply::NoError) {
            std::fputs(answer.endsWith('\n') ? answer.constData() : (answer + '\n').constData(),
                       stdout);
            std::fflush(stdout);
            status = 0;
        } else {
            std::fprintf(stderr, "traybeat publish: %s\n", qPrintable(replyError(reply, answer)));
            std::fflush(stderr);
        }
        reply->deleteLater();
        app.quit();
    });
    app.exec();
    return status;
}
} // namespace

int runPublish(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("traybeat"));
    commandline::chooseLanguage(app);

    QCommandLineParser parser;
    addOptions(parser);
    if (const auto done = commandline::parse(parser, QCoreApplication::arguments(), mode))
        return *done;
    if (const QString error = argumentError(parser); !error.isEmpty())
        return commandline::fail(mode, error);
    QString error;
    const auto token = commandline::readToken(parser, &error);
    if (!token)
        return commandline::fail(mode, error);
    return post(app, buildRequest(parser, *token), parser.positionalArguments()[1].toUtf8());
}

} // namespace traybeat::modes
