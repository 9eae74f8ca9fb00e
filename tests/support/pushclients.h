#pragma once

// What the server suites use to talk to a push server as its clients do: an HTTP request with
// its answer (QNetworkAccessManager, waited for with the event loop running, since the server
// runs in the test's thread) and a WebSocket subscriber that records every event.

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QProcess>
#include <QSignalSpy>
#include <QWebSocket>

namespace traybeat::test {

struct HttpResult
{
    int status = 0;
    QByteArray body;
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
    QList<QJsonObject> lines() const
    {
        QList<QJsonObject> result;
        for (const QByteArray &line : body.split('\n')) {
            if (!line.isEmpty())
                result.append(QJsonDocument::fromJson(line).object());
        }
        return result;
    }
    // The `message` of each line of a poll.
    QStringList messages() const
    {
        QStringList result;
        for (const QJsonObject &line : lines())
            result.append(line.value(QStringLiteral("message")).toString());
        return result;
    }
};

using Headers = QList<QPair<QByteArray, QByteArray>>;

inline HttpResult httpRequest(QNetworkAccessManager &network, const QUrl &url,
                              const QByteArray &method, const QByteArray &body = {},
                              const Headers &headers = {}, int timeoutMs = 5000)
{
    QNetworkRequest request(url);
    for (const auto &header : headers)
        request.setRawHeader(header.first, header.second);
    QNetworkReply *reply = network.sendCustomRequest(request, method, body);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    if (!reply->isFinished())
        finished.wait(timeoutMs);
    HttpResult result;
    result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    result.body = reply->readAll();
    reply->deleteLater();
    return result;
}

// The address a `traybeat serve` process listens on, from its "listening on http://…" line;
// invalid when that line did not come within `timeoutMs`. What it printed is added to `output`.
inline QUrl serveAddress(QProcess &serve, QByteArray *output, int timeoutMs = 10000)
{
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < timeoutMs) {
        serve.waitForReadyRead(100);
        *output += serve.readAllStandardOutput();
        const qsizetype start = output->indexOf("http://");
        const qsizetype end = start < 0 ? -1 : output->indexOf('\n', start);
        if (end > start)
            return QUrl(QString::fromLatin1(output->mid(start, end - start)));
    }
    return {};
}

// A real WebSocket client that records every frame it receives, parsed.
class WsClient final
{
public:
    explicit WsClient(const QUrl &url, const QByteArray &token = {})
    {
        QObject::connect(&m_socket, &QWebSocket::textMessageReceived, &m_socket,
                         [this](const QString &text) {
                             events.append(QJsonDocument::fromJson(text.toUtf8()).object());
                         });
        QNetworkRequest request(url);
        if (!token.isEmpty())
            request.setRawHeader("Authorization", "Bearer " + token);
        m_socket.open(request);
    }
    QWebSocket &socket() { return m_socket; }
    bool waitConnected()
    {
        if (m_socket.state() == QAbstractSocket::ConnectedState)
            return true;
        QSignalSpy spy(&m_socket, &QWebSocket::connected);
        return spy.wait(5000);
    }
    // Events of kind `event` (message, open, keepalive) received so far.
    QList<QJsonObject> of(const QString &event) const
    {
        QList<QJsonObject> result;
        for (const QJsonObject &object : events) {
            if (object.value(QStringLiteral("event")).toString() == event)
                result.append(object);
        }
        return result;
    }
    QStringList messages() const
    {
        QStringList result;
        for (const QJsonObject &object : of(QStringLiteral("message")))
            result.append(object.value(QStringLiteral("message")).toString());
        return result;
    }
    QList<QJsonObject> events;

private:
    QWebSocket m_socket;
};

} // namespace traybeat::test
