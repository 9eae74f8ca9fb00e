#pragma once

#include <QByteArray>
#include <QTcpServer>
#include <QUrl>

namespace traybeat {

// The demo's picture: a camera snapshot drawn in memory, served on 127.0.0.1 (a free port) so
// that the demo's message with an attachment is fetched like any other. Answers every request
// with the same PNG; reads at most a few KiB of a request and gives a connection a few seconds.
class DemoPictureServer final : public QTcpServer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DemoPictureServer)
public:
    explicit DemoPictureServer(QObject *parent = nullptr);

    bool start(QString *errorMessage);
    QUrl url() const; // of the picture
    qint64 size() const { return m_png.size(); }

private:
    void answer();
    static QByteArray drawPicture();

    QByteArray m_png;
};

} // namespace traybeat
