#pragma once

#include "mediacache.h"
#include "notificationattachment.h"

#include <QByteArray>
#include <QHash>
#include <QImage>
#include <QNetworkAccessManager>
#include <QObject>
#include <QPointer>
#include <QQueue>
#include <QSet>
#include <QSize>
#include <QThreadPool>
#include <QTimer>
#include <QUrl>
#include <chrono>
#include <memory>

class QNetworkReply;

namespace traybeat {

// One picture a view wants: a message's attachment image or its icon.
struct MediaRequest
{
    QString subscription;
    QString id;
    MediaCache::Kind kind = MediaCache::Kind::Image;
    QUrl url;

    // What `ready` and `failed` carry: the same for the same message and kind.
    QString key() const;
};

// Fetches the pictures of messages in the background — attachment images and icons, nothing
// else — and keeps them in the MediaCache. The URLs came from a server: only http/https, a
// redirect only to http/https (a bounded number of them), a size cap checked on Content-Length
// and again on the bytes read, a deadline, an image type (the Content-Type, then the bytes
// themselves), a bound on the pixels. Decoding (and the cache's disk reads and writes) runs on
// worker threads, never on the GUI thread. Connections follow the application's proxy settings
// (ProxyPolicy). A few fetches run at once; the rest wait in a bounded queue. Every fetch ends
// in exactly one `ready` or `failed`, later than fetch() returns; asking again for a picture
// that is on its way waits for the same answer.
class MediaFetcher final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MediaFetcher)
public:
    struct Config
    {
        std::chrono::milliseconds timeout{15000}; // the whole download, redirects included
        qint64 maximumBytes = 2 * 1024 * 1024;
        int maximumRedirects = 5;
        int maximumRunning = 4;            // downloads (and decodes of them) at once
        int maximumWaiting = 64;           // more are refused
        qint64 maximumPixels = 40'000'000; // what the image says it is, before decoding
        QSize imageSize{480, 360};         // decoded images fit in these
        QSize iconSize{64, 64};
    };

    explicit MediaFetcher(QObject *parent = nullptr);
    explicit MediaFetcher(const Config &config, QObject *parent = nullptr);
    ~MediaFetcher() override;

    const Config &config() const { return m_config; }
    // Where fetched pictures are kept; an empty folder: nothing is kept.
    void setCache(const MediaCache &cache) { m_cache = cache; }
    const MediaCache &cache() const { return m_cache; }

    void fetch(const MediaRequest &request);
    int runningCount() const { return int(m_downloads.size()); }
    // Downloads started since construction (cache hits are not): for tests and the bench.
    int downloadCount() const { return m_downloadsStarted; }

    // An attachment worth fetching as a picture: http/https, an image by its type (or, when the
    // server did not say, by its file name), and not larger than the cap when its size is known.
    bool isFetchableImage(const NotificationAttachment &attachment) const;
    static bool looksLikeImage(const NotificationAttachment &attachment);

signals:
    void ready(const QString &key, const QImage &image);
    void failed(const QString &key, const QString &reason);

private:
    struct Download;
    struct Decoded
    {
        QImage image;
        QString error;
    };

    void startOrQueue(const MediaRequest &request);
    void startNext();
    bool hasRoomToStart() const;
    void download(const MediaRequest &request);
    void onMetaData(const QString &key);
    void onReadyRead(const QString &key);
    void onRedirected(const QString &key, const QUrl &target);
    void onFinished(const QString &key);
    void endDownload(const QString &key, const QString &error);
    void decodeInBackground(const MediaRequest &request, const QByteArray &bytes,
                            const QString &readPath, const QString &savePath);
    void onDecoded(const QString &key, const Decoded &decoded);
    void failLater(const QString &key, const QString &reason);
    QSize boundFor(MediaCache::Kind kind) const;
    static Decoded decode(const QByteArray &bytes, QSize bound, qint64 maximumPixels);

    Config m_config;
    MediaCache m_cache;
    QNetworkAccessManager m_network;
    QHash<QString, std::shared_ptr<Download>> m_downloads; // by key
    QQueue<MediaRequest> m_waiting;
    QSet<QString> m_pending; // every key asked for and not answered yet
    QThreadPool m_decoders;  // decoding and the cache's files: never the GUI thread
    int m_downloadsStarted = 0;
    int m_decoding = 0; // handed to the decoders, not answered yet
};

} // namespace traybeat
