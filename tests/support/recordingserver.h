#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QObject>
#include <QTcpServer>
#include <QUrl>
#include <functional>

class QTcpSocket;

struct RecordedRequest
{
    QByteArray method;
    QByteArray path;
    QHash<QByteArray, QByteArray> headers; // lower-case names
    QByteArray body;
};

// A tiny HTTP/1.1 server on 127.0.0.1 (a free port) that records each request (method, path,
// headers, body) and answers what `respond` returns for it: raw bytes, written at once, then the
// connection is closed; empty: it stays silent (a server that never answers).
class RecordingServer final : public QObject
{
public:
    RecordingServer();

    bool isListening() const { return m_server.isListening(); }
    QUrl url(const QString &path = QStringLiteral("/hook")) const;
    // How many requests asked for `path`.
    int hits(const QByteArray &path) const;

    std::function<QByteArray(const RecordedRequest &)> respond = [](const RecordedRequest &) {
        return QByteArrayLiteral("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    };
    QList<RecordedRequest> requests;

private:
    void read(QTcpSocket *socket);

    QTcpServer m_server;
    QHash<QTcpSocket *, QByteArray> m_buffers;
};
