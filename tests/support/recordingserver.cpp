#include "recordingserver.h"

#include <QTcpSocket>
#include <algorithm>

RecordingServer::RecordingServer()
{
    if (!m_server.listen(QHostAddress::LocalHost, 0))
        qWarning("RecordingServer: cannot listen: %s", qPrintable(m_server.errorString()));
    connect(&m_server, &QTcpServer::newConnection, this, [this] {
        while (QTcpSocket *socket = m_server.nextPendingConnection()) {
            socket->setParent(this);
            connect(socket, &QTcpSocket::readyRead, this, [this, socket] { read(socket); });
        }
    });
}

QUrl RecordingServer::url(const QString &path) const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_server.serverPort()).arg(path));
}

int RecordingServer::hits(const QByteArray &path) const
{
    return int(
        std::count_if(requests.cbegin(), requests.cend(),
                      [&path](const RecordedRequest &request) { return request.path == path; }));
}

void RecordingServer::read(QTcpSocket *socket)
{
    QByteArray &buffer = m_buffers[socket];
    buffer += socket->readAll();
    const qsizetype headEnd = buffer.indexOf("\r\n\r\n");
    if (headEnd < 0)
        return;
    RecordedRequest request;
    const QList<QByteArray> lines = buffer.left(headEnd).split('\n');
    const QList<QByteArray> requestLine = lines.first().trimmed().split(' ');
    request.method = requestLine.value(0);
    request.path = requestLine.value(1);
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const qsizetype colon = lines[i].indexOf(':');
        if (colon > 0)
            request.headers.insert(lines[i].left(colon).trimmed().toLower(),
                                   lines[i].mid(colon + 1).trimmed());
    }
    const qsizetype length = request.headers.value("content-length").toLongLong();
    if (buffer.size() < headEnd + 4 + length)
        return; // the body is still coming
    request.body = buffer.mid(headEnd + 4, length);
    m_buffers.remove(socket);
    requests.append(request);
    const QByteArray answer = respond(request);
    if (!answer.isEmpty()) {
        socket->write(answer);
        socket->disconnectFromHost();
    }
}
