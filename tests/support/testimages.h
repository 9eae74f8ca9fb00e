#pragma once

#include <QBuffer>
#include <QByteArray>
#include <QColor>
#include <QImage>

// Pictures for the tests' HTTP servers (and the tray burst bench): an image as PNG bytes, and a
// raw HTTP answer carrying a body. Header-only: QImage needs QtGui, which the support library
// does not link.

inline QByteArray encodedPng(const QImage &image)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return bytes;
}

inline QByteArray solidPng(QSize size, const QColor &color)
{
    QImage image(size, QImage::Format_RGB32);
    image.fill(color);
    return encodedPng(image);
}

// `withLength` false: no Content-Length, the body ends when the connection closes.
inline QByteArray httpAnswer(const QByteArray &type, const QByteArray &body, bool withLength = true)
{
    QByteArray head = "HTTP/1.1 200 OK\r\nContent-Type: " + type + "\r\nConnection: close\r\n";
    if (withLength)
        head += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    return head + "\r\n" + body;
}
