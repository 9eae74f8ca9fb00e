#include "demopictureserver.h"

#include "demo.h"

#include <QBuffer>
#include <QImage>
#include <QLinearGradient>
#include <QPainter>
#include <QTcpSocket>
#include <QTimer>
#include <memory>

namespace traybeat {

namespace {

constexpr qint64 requestLimit = 8 * 1024;
constexpr int connectionTimeoutMs = 5000;
constexpr int maximumConnections = 8;

} // namespace

DemoPictureServer::DemoPictureServer(QObject *parent) : QTcpServer(parent), m_png(drawPicture())
{
    setMaxPendingConnections(maximumConnections);
    connect(this, &QTcpServer::newConnection, this, &DemoPictureServer::answer);
}

bool DemoPictureServer::start(QString *errorMessage)
{
    if (listen(QHostAddress::LocalHost, 0))
        return true;
    if (errorMessage)
        *errorMessage = errorString();
    return false;
}

QUrl DemoPictureServer::url() const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1/garage-camera.png").arg(serverPort()));
}

void DemoPictureServer::answer()
{
    while (QTcpSocket *socket = nextPendingConnection()) {
        socket->setParent(this);
        // Freed with the lambda, that is with the socket.
        auto head = std::make_shared<QByteArray>();
        QTimer::singleShot(connectionTimeoutMs, socket, &QTcpSocket::abort);
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        connect(socket, &QTcpSocket::readyRead, socket, [this, socket, head] {
            *head += socket->read(requestLimit - head->size());
            if (!head->contains("\r\n\r\n") && head->size() < requestLimit)
                return;
            socket->write("HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: " +
                          QByteArray::number(m_png.size()) + "\r\nConnection: close\r\n\r\n" +
                          m_png);
            socket->disconnectFromHost();
        });
    }
}

QByteArray DemoPictureServer::drawPicture()
{
    // A garage at dusk: sky, a wall, the door (in the marker colour, solid: the end-to-end test
    // counts its pixels), its panels.
    QImage image(320, 180, QImage::Format_RGB32);
    QPainter painter(&image);
    QLinearGradient sky(0, 0, 0, 180);
    sky.setColorAt(0, QColor(0x1c, 0x2b, 0x4a));
    sky.setColorAt(1, QColor(0x5a, 0x6f, 0x94));
    painter.fillRect(image.rect(), sky);
    painter.fillRect(QRect(60, 50, 200, 130), QColor(0xe8, 0xe2, 0xd6));
    painter.fillRect(QRect(90, 80, 140, 100), Demo::pictureMarkerColor());
    for (int y = 100; y < 180; y += 20)
        painter.fillRect(QRect(90, y, 140, 2), QColor(0x8a, 0x55, 0x08));
    painter.end();
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return bytes;
}

} // namespace traybeat
