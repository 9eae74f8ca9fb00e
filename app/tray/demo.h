#pragma once

#include "notification.h"
#include "subscriptionconfig.h"

#include <QColor>
#include <QObject>
#include <QTemporaryDir>
#include <QTimer>
#include <memory>

namespace traybeat {

class PushServer;
class DemoPictureServer;

// `traybeat --demo`: the reference push server, embedded on 127.0.0.1 (a free port) with its
// database in a temporary folder, and a "Demo" subscription to it that is never saved to the
// person's settings. Once the link is up it publishes a few varied samples over the first
// seconds (priorities, a click URL, markup that must stay literal, a message with buttons, tags
// and a picture), then one every ten seconds.
class Demo final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Demo)
public:
    explicit Demo(QObject *parent = nullptr);
    ~Demo() override;

    static QString subscriptionName() { return QStringLiteral("Demo"); }
    static QString topic() { return QStringLiteral("demo"); }

    // Starts the server. False + a readable reason on failure.
    bool start(QString *errorMessage);
    SubscriptionConfig subscription() const;
    // The colour of the garage door in the demo's camera picture: the end-to-end test looks for
    // it on screen to see the thumbnail.
    static QColor pictureMarkerColor() { return QColor(0xd6, 0x8a, 0x12); }

    // Starts the samples (once; later calls do nothing).
    void startPublishing();
    bool isPublishing() const { return m_publishing; }

signals:
    // A sample with action buttons. The demo server does not carry actions (ntfy's publishing
    // API for them is not implemented yet), so this one is handed to the app directly; its
    // "Close it" button posts to the demo server, whose answer then arrives as a message.
    void actionSample(const traybeat::Notification &notification);

private:
    Notification localSample(const QString &kind) const;
    Notification makeActionSample() const;
    // Markdown, with the links and the image a server may send: rendered, the unsafe ones inert.
    Notification makeMarkdownSample() const;

    void publishNext();

    QTemporaryDir m_directory;
    std::unique_ptr<PushServer> m_server;
    std::unique_ptr<DemoPictureServer> m_pictures; // the action sample's attachment
    QTimer m_timer;
    int m_next = 0;
    bool m_publishing = false;
};

} // namespace traybeat
