#include "mediafetcher.h"

#include "logging.h"
#include "urlpolicy.h"

#include <QBuffer>
#include <QFile>
#include <QFileInfo>
#include <QImageReader>
#include <QLocale>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QThread>
#include <algorithm>

#ifdef Q_OS_LINUX
#include <cerrno>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace traybeat {

namespace {

constexpr qint64 readBufferSize = 64 * 1024;

// How much nicer than the app a decoder thread runs (Linux: a thread's nice value is its own).
// QThread::LowestPriority changes nothing under Linux's normal scheduler, and IdlePriority
// (SCHED_IDLE) would starve decoding behind any busy process, a compiler for instance; at +10
// a decoder still gets about a tenth of a core the GUI thread wants, and any core nobody wants.
constexpr int decoderNiceness = 10;

// On two cores shared with other work, a decoder that takes the core the GUI thread was waiting
// for is a visible stall (bench_tray_burst): decoding may wait, the pop-ups may not.
void yieldToTheGuiThread()
{
#ifdef Q_OS_LINUX
    thread_local bool lowered = false;
    if (std::exchange(lowered, true))
        return;
    const auto thread = id_t(::syscall(SYS_gettid));
    errno = 0;
    const int current = ::getpriority(PRIO_PROCESS, thread);
    if (errno == 0)
        ::setpriority(PRIO_PROCESS, thread, std::min(current + decoderNiceness, 19));
#endif
}

// Raster formats only: no SVG (a document, not a picture) and none of the exotic ones.
const QByteArrayList &allowedFormats()
{
    static const QByteArrayList formats{"png", "jpeg", "jpg", "gif", "bmp", "webp"};
    return formats;
}

QString sizeText(qint64 bytes)
{
    // "2 MiB" for the cap, not "2.00 MiB".
    return QLocale().formattedDataSize(bytes, bytes % (1024 * 1024) == 0 ? 0 : 1);
}

} // namespace

QString MediaRequest::key() const
{
    return subscription + QChar(0x1f) + id + QChar(0x1f) +
           (kind == MediaCache::Kind::Icon ? QLatin1String("icon") : QLatin1String("image"));
}

struct MediaFetcher::Download
{
    MediaRequest request;
    QPointer<QNetworkReply> reply;
    QByteArray bytes;
    QTimer deadline;
};

MediaFetcher::MediaFetcher(QObject *parent) : MediaFetcher(Config(), parent) {}

MediaFetcher::MediaFetcher(const Config &config, QObject *parent)
    : QObject(parent), m_config(config)
{
    // Each redirect is checked in onRedirected: http/https only.
    m_network.setRedirectPolicy(QNetworkRequest::UserVerifiedRedirectPolicy);
    m_network.setCookieJar(nullptr);
    // Half the cores decode (one on a two-core machine): the GUI thread keeps one for itself.
    m_decoders.setMaxThreadCount(std::max(1, QThread::idealThreadCount() / 2));
}

MediaFetcher::~MediaFetcher()
{
    for (const auto &download : std::as_const(m_downloads)) {
        if (download->reply) {
            download->reply->disconnect(this);
            download->reply->abort();
        }
    }
    // A decoder posts its result to this object: wait for them, so that none posts to a
    // destroyed one (posted events still queued are dropped with the object).
    m_decoders.waitForDone();
}

bool MediaFetcher::looksLikeImage(const NotificationAttachment &attachment)
{
    if (!attachment.type.isEmpty())
        return attachment.isImage() && !attachment.type.contains(QLatin1String("svg"));
    // ntfy's attachments by URL often come without a type: judge by the file name.
    const QString name = attachment.name.isEmpty() ? attachment.url.fileName() : attachment.name;
    return allowedFormats().contains(QFileInfo(name).suffix().toLower().toLatin1());
}

bool MediaFetcher::isFetchableImage(const NotificationAttachment &attachment) const
{
    return isSafeToOpen(attachment.url) && looksLikeImage(attachment) &&
           (attachment.size < 0 || attachment.size <= m_config.maximumBytes);
}

void MediaFetcher::fetch(const MediaRequest &request)
{
    const QString key = request.key();
    if (m_pending.contains(key))
        return; // on its way: the same answer serves both
    if (!isSafeToOpen(request.url)) {
        failLater(key, tr("Only http and https addresses are fetched"));
        return;
    }
    m_pending.insert(key);
    const QString cached = m_cache.filePath(request.subscription, request.id, request.kind);
    if (!cached.isEmpty() && QFileInfo::exists(cached)) {
        decodeInBackground(request, {}, cached, {});
        return;
    }
    startOrQueue(request);
}

void MediaFetcher::startOrQueue(const MediaRequest &request)
{
    if (hasRoomToStart()) {
        download(request);
        return;
    }
    if (m_waiting.size() >= m_config.maximumWaiting) {
        failLater(request.key(), tr("Too many pictures are being fetched"));
        return;
    }
    m_waiting.enqueue(request);
}

void MediaFetcher::startNext()
{
    while (!m_waiting.isEmpty() && hasRoomToStart())
        download(m_waiting.dequeue());
}

void MediaFetcher::download(const MediaRequest &request)
{
    const QString key = request.key();
    QNetworkRequest networkRequest(request.url);
    networkRequest.setMaximumRedirectsAllowed(m_config.maximumRedirects);
    networkRequest.setAttribute(QNetworkRequest::CacheLoadControlAttribute,
                                QNetworkRequest::AlwaysNetwork);
    networkRequest.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
    networkRequest.setRawHeader("Accept",
                                "image/png, image/jpeg, image/gif, image/webp, image/bmp");

    auto download = std::make_shared<Download>();
    download->request = request;
    download->reply = m_network.get(networkRequest);
    download->reply->setReadBufferSize(readBufferSize);
    QNetworkReply *reply = download->reply;
    connect(reply, &QNetworkReply::metaDataChanged, this, [this, key] { onMetaData(key); });
    connect(reply, &QNetworkReply::readyRead, this, [this, key] { onReadyRead(key); });
    connect(reply, &QNetworkReply::redirected, this,
            [this, key](const QUrl &target) { onRedirected(key, target); });
    connect(reply, &QNetworkReply::finished, this, [this, key] { onFinished(key); });
    download->deadline.setSingleShot(true);
    connect(&download->deadline, &QTimer::timeout, this, [this, key] {
        endDownload(key, tr("No answer within %1 s").arg(m_config.timeout.count() / 1000.0));
    });
    download->deadline.start(m_config.timeout);
    m_downloads.insert(key, download);
    ++m_downloadsStarted;
}

void MediaFetcher::onMetaData(const QString &key)
{
    const auto download = m_downloads.value(key);
    if (!download || !download->reply)
        return;
    QNetworkReply *reply = download->reply;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status >= 300 && status < 400)
        return; // a redirect: onRedirected decides
    if (status < 200 || status >= 300) {
        endDownload(key, tr("HTTP error %1").arg(status));
        return;
    }
    const QVariant length = reply->header(QNetworkRequest::ContentLengthHeader);
    if (length.isValid() && length.toLongLong() > m_config.maximumBytes) {
        endDownload(key, tr("Larger than %1").arg(sizeText(m_config.maximumBytes)));
        return;
    }
    // One allocation for the whole picture (the length is at most the cap here): growing the
    // buffer chunk by chunk copied it again and again on the GUI thread (bench_tray_burst).
    if (length.isValid() && length.toLongLong() > 0)
        download->bytes.reserve(qsizetype(length.toLongLong()) + 1);
    const QString type = reply->header(QNetworkRequest::ContentTypeHeader).toString();
    if (!type.isEmpty() && !type.startsWith(QLatin1String("image/"), Qt::CaseInsensitive))
        endDownload(key, tr("Not an image (%1)").arg(type.left(60)));
}

void MediaFetcher::onReadyRead(const QString &key)
{
    const auto download = m_downloads.value(key);
    if (!download || !download->reply)
        return;
    QNetworkReply *reply = download->reply;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status >= 300 && status < 400) {
        reply->skip(reply->bytesAvailable()); // a redirect's own body
        return;
    }
    // One byte past the cap is enough to know: the server's Content-Length is not trusted. Only
    // what is there is asked for, read straight into the buffer (no chunk allocated and copied).
    QByteArray &bytes = download->bytes;
    const qint64 room = m_config.maximumBytes - bytes.size();
    const qint64 wanted = std::min(reply->bytesAvailable(), room + 1);
    const qsizetype before = bytes.size();
    bytes.resize(before + qsizetype(wanted));
    const qint64 got = reply->read(bytes.data() + before, wanted);
    bytes.resize(before + qsizetype(std::max<qint64>(got, 0)));
    if (download->bytes.size() > m_config.maximumBytes)
        endDownload(key, tr("Larger than %1").arg(sizeText(m_config.maximumBytes)));
}

void MediaFetcher::onRedirected(const QString &key, const QUrl &target)
{
    const auto download = m_downloads.value(key);
    if (!download || !download->reply)
        return;
    if (!isSafeToOpen(target)) {
        qCWarning(lcUi).noquote() << "media: refusing a redirect to" << redactedUrl(target);
        endDownload(key, tr("Refused a redirect to an address that is not http or https"));
        return;
    }
    emit download->reply->redirectAllowed();
}

void MediaFetcher::onFinished(const QString &key)
{
    const auto download = m_downloads.value(key);
    if (!download || !download->reply)
        return;
    QNetworkReply *reply = download->reply;
    if (reply->error() != QNetworkReply::NoError) {
        endDownload(key, reply->errorString().left(200));
        return;
    }
    onReadyRead(key); // whatever is left in the buffer
    if (!m_downloads.contains(key))
        return; // over the cap
    const MediaRequest request = download->request;
    const QByteArray bytes = download->bytes;
    endDownload(key, {});
    decodeInBackground(request, bytes, {},
                       m_cache.filePath(request.subscription, request.id, request.kind));
}

void MediaFetcher::endDownload(const QString &key, const QString &error)
{
    const auto download = m_downloads.take(key);
    if (!download)
        return;
    download->deadline.stop();
    if (QNetworkReply *reply = download->reply) {
        reply->disconnect(this);
        if (reply->isRunning())
            reply->abort();
        reply->deleteLater();
    }
    startNext();
    if (!error.isEmpty()) {
        qCInfo(lcUi).noquote() << "media: not shown:" << redactedUrl(download->request.url) << "—"
                               << error;
        m_pending.remove(key);
        emit failed(key, error);
    }
}

void MediaFetcher::decodeInBackground(const MediaRequest &request, const QByteArray &bytes,
                                      const QString &readPath, const QString &savePath)
{
    const QString key = request.key();
    const QSize bound = boundFor(request.kind);
    const qint64 maximumPixels = m_config.maximumPixels;
    const qint64 maximumBytes = m_config.maximumBytes;
    ++m_decoding;
    m_decoders.start([this, key, bytes, readPath, savePath, bound, maximumPixels, maximumBytes] {
        yieldToTheGuiThread();
        QByteArray data = bytes;
        if (!readPath.isEmpty()) {
            QFile file(readPath);
            if (file.open(QIODevice::ReadOnly))
                data = file.read(maximumBytes + 1);
        }
        Decoded result = data.size() > maximumBytes
                             ? Decoded{{}, tr("Larger than %1").arg(sizeText(maximumBytes))}
                             : decode(data, bound, maximumPixels);
        if (result.image.isNull() && !readPath.isEmpty())
            QFile::remove(readPath); // a damaged cache file: fetched again next time
        else if (!result.image.isNull() && !savePath.isEmpty())
            MediaCache::write(savePath, data);
        QMetaObject::invokeMethod(
            this, [this, key, result] { onDecoded(key, result); }, Qt::QueuedConnection);
    });
}

MediaFetcher::Decoded MediaFetcher::decode(const QByteArray &bytes, QSize bound,
                                           qint64 maximumPixels)
{
    QBuffer buffer;
    buffer.setData(bytes);
    buffer.open(QIODevice::ReadOnly);
    QImageReader reader(&buffer);
    reader.setDecideFormatFromContent(true); // the bytes say what they are, not the server
    if (!allowedFormats().contains(reader.format().toLower()))
        return {{}, tr("Not an image")};
    const QSize size = reader.size();
    if (!size.isValid() || qint64(size.width()) * size.height() > maximumPixels)
        return {{},
                tr("The image is too large (%1 × %2 pixels)").arg(size.width()).arg(size.height())};
    if (size.width() > bound.width() || size.height() > bound.height())
        reader.setScaledSize(size.scaled(bound, Qt::KeepAspectRatio));
    QImage image = reader.read();
    if (image.isNull())
        return {{}, tr("Cannot read the image: %1").arg(reader.errorString())};
    return {image, {}};
}

bool MediaFetcher::hasRoomToStart() const
{
    // A picture being decoded still holds its bytes: it counts until it is done, so a decoder
    // slower than the network (it runs at a lower priority) cannot pile up downloaded pictures.
    return runningCount() + m_decoding < m_config.maximumRunning;
}

void MediaFetcher::onDecoded(const QString &key, const Decoded &decoded)
{
    --m_decoding;
    startNext();
    m_pending.remove(key);
    if (decoded.image.isNull())
        emit failed(key, decoded.error);
    else
        emit ready(key, decoded.image);
}

void MediaFetcher::failLater(const QString &key, const QString &reason)
{
    // Asynchronous like a real fetch, so views handle one path only.
    QMetaObject::invokeMethod(
        this,
        [this, key, reason] {
            m_pending.remove(key);
            emit failed(key, reason);
        },
        Qt::QueuedConnection);
}

QSize MediaFetcher::boundFor(MediaCache::Kind kind) const
{
    return kind == MediaCache::Kind::Icon ? m_config.iconSize : m_config.imageSize;
}

} // namespace traybeat
