#include "mediafetcher.h"
#include "recordingserver.h"
#include "testimages.h"

#include <QDir>
#include <QFile>
#include <QGuiApplication>
#include <QImage>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace traybeat;
using namespace std::chrono_literals;

namespace {

QByteArray png(QSize size)
{
    return solidPng(size, QColor(0x20, 0xa0, 0x60));
}

QByteArray redirectTo(const QByteArray &location)
{
    return "HTTP/1.1 302 Found\r\nLocation: " + location + "\r\nContent-Length: 0\r\n\r\n";
}

MediaRequest imageRequest(const QUrl &url, const QString &id = QStringLiteral("m1"))
{
    return {QStringLiteral("Home"), id, MediaCache::Kind::Image, url};
}

// The fetcher's one answer for `key`: the image, or a null image and the reason.
struct Answer
{
    QImage image;
    QString reason;
    bool arrived = false;
};

Answer waitForAnswer(MediaFetcher &fetcher, const QString &key, int timeoutMs = 10000)
{
    Answer result;
    QObject context;
    QObject::connect(&fetcher, &MediaFetcher::ready, &context,
                     [&](const QString &k, const QImage &image) {
                         if (k == key)
                             result = {image, {}, true};
                     });
    QObject::connect(&fetcher, &MediaFetcher::failed, &context,
                     [&](const QString &k, const QString &reason) {
                         if (k == key)
                             result = {{}, reason, true};
                     });
    QTest::qWaitFor([&result] { return result.arrived; }, timeoutMs);
    return result;
}

} // namespace

// The fetch policy for attachment images and icons, against a real HTTP server on 127.0.0.1:
// what is fetched and what is refused (size, scheme, type, time), the cache, the bounds.
class tst_MediaFetcher : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void fetchesAnImageAndCachesIt();
    void scalesLargeImagesDown();
    void defaultsFollowThePolicy();
    void refusesImagesOverTheCap_data();
    void refusesImagesOverTheCap();
    void followsRedirectToHttp();
    void refusesRedirectToOtherSchemes_data();
    void refusesRedirectToOtherSchemes();
    void timesOut();
    void refusesWhatIsNotAnImage_data();
    void refusesWhatIsNotAnImage();
    void refusesTooManyPixels();
    void fetchesOnlyHttp();
    void secondFetchIsACacheHit();
    void sameRequestTwiceIsOneDownload();
    void boundsConcurrentDownloads();
    void whatIsFetchedAsAPicture_data();
    void whatIsFetchedAsAPicture();
    void cacheNamesRoundTrip();
    void cacheRemovesFilesOfDeletedMessages();

private:
    std::unique_ptr<QTemporaryDir> m_state;
    MediaCache cache() const { return MediaCache(m_state->filePath(QStringLiteral("media"))); }
};

void tst_MediaFetcher::init()
{
    m_state = std::make_unique<QTemporaryDir>();
    QVERIFY(m_state->isValid());
    QVERIFY(cache().prepare(nullptr));
}

void tst_MediaFetcher::fetchesAnImageAndCachesIt()
{
    RecordingServer server;
    QVERIFY(server.isListening());
    server.respond = [](const RecordedRequest &) {
        return httpAnswer("image/png", png({200, 100}));
    };
    MediaFetcher fetcher;
    fetcher.setCache(cache());
    const MediaRequest request = imageRequest(server.url(QStringLiteral("/good.png")));
    fetcher.fetch(request);
    const Answer got = waitForAnswer(fetcher, request.key());
    QVERIFY2(got.arrived, "no answer from the fetcher");
    QVERIFY2(!got.image.isNull(), qPrintable(got.reason));
    QCOMPARE(got.image.size(), QSize(200, 100));
    QCOMPARE(server.hits("/good.png"), 1);
    const QString cached =
        cache().filePath(QStringLiteral("Home"), QStringLiteral("m1"), MediaCache::Kind::Image);
    QTRY_VERIFY(QFile::exists(cached));
    // The owner's alone (0600), as every file of the state, whatever the umask.
    const QFile::Permissions others = QFile::ReadGroup | QFile::WriteGroup | QFile::ExeGroup |
                                      QFile::ReadOther | QFile::WriteOther | QFile::ExeOther;
    QCOMPARE(QFile::permissions(cached) & others, QFile::Permissions());
}

void tst_MediaFetcher::scalesLargeImagesDown()
{
    RecordingServer server;
    server.respond = [](const RecordedRequest &) {
        return httpAnswer("image/png", png({2000, 1000}));
    };
    MediaFetcher fetcher;
    const MediaRequest request = imageRequest(server.url(QStringLiteral("/big.png")));
    fetcher.fetch(request);
    const Answer got = waitForAnswer(fetcher, request.key());
    QVERIFY2(got.arrived, "no answer from the fetcher");
    QVERIFY2(!got.image.isNull(), qPrintable(got.reason));
    QCOMPARE(got.image.size(), QSize(480, 240)); // within Config::imageSize, same aspect
}

void tst_MediaFetcher::defaultsFollowThePolicy()
{
    const MediaFetcher::Config config;
    QCOMPARE(config.maximumBytes, 2 * 1024 * 1024);
    QCOMPARE(config.timeout, 15000ms);
    QCOMPARE(config.maximumRunning, 4);
    QVERIFY(config.maximumRedirects > 0 && config.maximumRedirects <= 10);
}

void tst_MediaFetcher::refusesImagesOverTheCap_data()
{
    QTest::addColumn<bool>("withLength");
    QTest::newRow("Content-Length over the cap") << true;
    QTest::newRow("no Content-Length, counted while reading") << false;
}

void tst_MediaFetcher::refusesImagesOverTheCap()
{
    QFETCH(bool, withLength);
    RecordingServer server;
    // A real PNG followed by padding: 3 MiB, over the default cap of 2 MiB.
    QByteArray body = png({10, 10});
    body += QByteArray(3 * 1024 * 1024, '\0');
    server.respond = [&](const RecordedRequest &) {
        return httpAnswer("image/png", body, withLength);
    };
    MediaFetcher fetcher;
    fetcher.setCache(cache());
    const MediaRequest request = imageRequest(server.url(QStringLiteral("/huge.png")));
    fetcher.fetch(request);
    const Answer got = waitForAnswer(fetcher, request.key());
    QVERIFY2(got.arrived, "no answer from the fetcher");
    QVERIFY(got.image.isNull());
    QVERIFY2(got.reason.startsWith(QLatin1String("Larger than")), qPrintable(got.reason));
    QCOMPARE(fetcher.runningCount(), 0);
    QVERIFY(QDir(cache().directory()).isEmpty());
}

void tst_MediaFetcher::followsRedirectToHttp()
{
    RecordingServer server;
    const QByteArray target = server.url(QStringLiteral("/good.png")).toEncoded();
    server.respond = [&](const RecordedRequest &request) {
        return request.path == "/moved" ? redirectTo(target) : httpAnswer("image/png", png({8, 8}));
    };
    MediaFetcher fetcher;
    const MediaRequest request = imageRequest(server.url(QStringLiteral("/moved")));
    fetcher.fetch(request);
    const Answer got = waitForAnswer(fetcher, request.key());
    QVERIFY2(got.arrived, "no answer from the fetcher");
    QVERIFY2(!got.image.isNull(), qPrintable(got.reason));
    QCOMPARE(server.hits("/good.png"), 1);
}

void tst_MediaFetcher::refusesRedirectToOtherSchemes_data()
{
    QTest::addColumn<QByteArray>("location");
    QTest::newRow("file") << QByteArray("file:///etc/passwd");
    QTest::newRow("data") << QByteArray("data:image/png;base64,iVBORw0KGgo=");
    QTest::newRow("ftp") << QByteArray("ftp://127.0.0.1/image.png");
}

void tst_MediaFetcher::refusesRedirectToOtherSchemes()
{
    QFETCH(QByteArray, location);
    RecordingServer server;
    server.respond = [&](const RecordedRequest &) { return redirectTo(location); };
    MediaFetcher fetcher;
    const MediaRequest request = imageRequest(server.url(QStringLiteral("/moved")));
    fetcher.fetch(request);
    const Answer got = waitForAnswer(fetcher, request.key());
    QVERIFY2(got.arrived, "no answer from the fetcher");
    QVERIFY(got.image.isNull());
    // Qt itself refuses some schemes before asking (an "insecure redirect"); either way, nothing
    // but the one request to our server was made and no picture came of it.
    QVERIFY2(!got.reason.isEmpty(), qPrintable(got.reason));
    QCOMPARE(server.requests.size(), 1);
}

void tst_MediaFetcher::timesOut()
{
    RecordingServer server;
    server.respond = [](const RecordedRequest &) { return QByteArray(); }; // never answers
    MediaFetcher::Config config;
    config.timeout = 300ms;
    MediaFetcher fetcher(config);
    const MediaRequest request = imageRequest(server.url(QStringLiteral("/slow.png")));
    fetcher.fetch(request);
    const Answer got = waitForAnswer(fetcher, request.key());
    QVERIFY2(got.arrived, "no answer from the fetcher");
    QVERIFY(got.image.isNull());
    QVERIFY2(got.reason.startsWith(QLatin1String("No answer within")), qPrintable(got.reason));
    QCOMPARE(fetcher.runningCount(), 0);
}

void tst_MediaFetcher::refusesWhatIsNotAnImage_data()
{
    QTest::addColumn<QByteArray>("type");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("reason");
    QTest::newRow("HTML by its type") << QByteArray("text/html") << QByteArray("<html></html>")
                                      << QStringLiteral("Not an image (text/html)");
    QTest::newRow("HTML called a PNG")
        << QByteArray("image/png") << QByteArray("<html></html>") << QStringLiteral("Not an image");
    QByteArray svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"/>";
    QTest::newRow("SVG") << QByteArray("image/svg+xml") << svg << QStringLiteral("Not an image");
}

void tst_MediaFetcher::refusesWhatIsNotAnImage()
{
    QFETCH(QByteArray, type);
    QFETCH(QByteArray, body);
    QFETCH(QString, reason);
    RecordingServer server;
    server.respond = [&](const RecordedRequest &) { return httpAnswer(type, body); };
    MediaFetcher fetcher;
    const MediaRequest request = imageRequest(server.url(QStringLiteral("/thing.png")));
    fetcher.fetch(request);
    const Answer got = waitForAnswer(fetcher, request.key());
    QVERIFY2(got.arrived, "no answer from the fetcher");
    QVERIFY(got.image.isNull());
    QCOMPARE(got.reason, reason);
}

void tst_MediaFetcher::refusesTooManyPixels()
{
    RecordingServer server;
    server.respond = [](const RecordedRequest &) {
        return httpAnswer("image/png", png({100, 100}));
    };
    MediaFetcher::Config config;
    config.maximumPixels = 5000;
    MediaFetcher fetcher(config);
    const MediaRequest request = imageRequest(server.url(QStringLiteral("/wide.png")));
    fetcher.fetch(request);
    const Answer got = waitForAnswer(fetcher, request.key());
    QVERIFY2(got.arrived, "no answer from the fetcher");
    QVERIFY(got.image.isNull());
    QVERIFY2(got.reason.contains(QLatin1String("too large")), qPrintable(got.reason));
}

void tst_MediaFetcher::fetchesOnlyHttp()
{
    MediaFetcher fetcher;
    const MediaRequest request = imageRequest(QUrl(QStringLiteral("file:///etc/hostname")));
    fetcher.fetch(request);
    QCOMPARE(fetcher.runningCount(), 0);
    const Answer got = waitForAnswer(fetcher, request.key());
    QVERIFY2(got.arrived, "no answer from the fetcher");
    QVERIFY(got.image.isNull());
    QCOMPARE(fetcher.downloadCount(), 0);
}

void tst_MediaFetcher::secondFetchIsACacheHit()
{
    RecordingServer server;
    server.respond = [](const RecordedRequest &) { return httpAnswer("image/png", png({40, 30})); };
    const MediaRequest request = imageRequest(server.url(QStringLiteral("/good.png")));
    {
        MediaFetcher first;
        first.setCache(cache());
        first.fetch(request);
        const Answer got = waitForAnswer(first, request.key());
        QVERIFY2(!got.image.isNull(), qPrintable(got.reason));
    }
    MediaFetcher second; // as after a restart
    second.setCache(cache());
    second.fetch(request);
    const Answer got = waitForAnswer(second, request.key());
    QVERIFY2(got.arrived, "no answer from the fetcher");
    QCOMPARE(got.image.size(), QSize(40, 30));
    QCOMPARE(second.downloadCount(), 0);
    QCOMPARE(server.hits("/good.png"), 1);
}

void tst_MediaFetcher::sameRequestTwiceIsOneDownload()
{
    RecordingServer server;
    server.respond = [](const RecordedRequest &) { return httpAnswer("image/png", png({4, 4})); };
    MediaFetcher fetcher;
    const MediaRequest request = imageRequest(server.url(QStringLiteral("/good.png")));
    fetcher.fetch(request);
    fetcher.fetch(request);
    const Answer got = waitForAnswer(fetcher, request.key());
    QVERIFY2(!got.image.isNull(), qPrintable(got.reason));
    QCOMPARE(fetcher.downloadCount(), 1);
}

void tst_MediaFetcher::boundsConcurrentDownloads()
{
    RecordingServer server;
    server.respond = [](const RecordedRequest &) { return QByteArray(); }; // all hang
    MediaFetcher::Config config;
    config.maximumRunning = 2;
    config.maximumWaiting = 2;
    config.timeout = 200ms;
    MediaFetcher fetcher(config);
    QSignalSpy failed(&fetcher, &MediaFetcher::failed);
    for (int i = 0; i < 5; ++i)
        fetcher.fetch(imageRequest(server.url(QStringLiteral("/slow.png")), QString::number(i)));
    QCOMPARE(fetcher.runningCount(), 2);
    // The fifth found the queue full; the others each time out in turn, two at a time.
    QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 5, 10000);
    QCOMPARE(fetcher.downloadCount(), 4);
    QVERIFY(std::any_of(failed.cbegin(), failed.cend(), [](const QList<QVariant> &arguments) {
        return arguments.at(1).toString() == QLatin1String("Too many pictures are being fetched");
    }));
}

void tst_MediaFetcher::whatIsFetchedAsAPicture_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("type");
    QTest::addColumn<qint64>("size");
    QTest::addColumn<bool>("fetched");
    const QString http = QStringLiteral("https://example.org/files/");
    QTest::newRow("png by type") << http + "a"
                                 << ""
                                 << "image/png" << qint64(1000) << true;
    QTest::newRow("jpeg by name") << http + "a"
                                  << "photo.JPG"
                                  << "" << qint64(-1) << true;
    QTest::newRow("by the URL's file") << http + "cat.webp"
                                       << ""
                                       << "" << qint64(-1) << true;
    QTest::newRow("svg") << http + "a.svg"
                         << ""
                         << "image/svg+xml" << qint64(10) << false;
    QTest::newRow("pdf") << http + "doc.pdf"
                         << "doc.pdf"
                         << "application/pdf" << qint64(10) << false;
    QTest::newRow("no type, no name") << http << ""
                                      << "" << qint64(-1) << false;
    QTest::newRow("over the cap") << http + "big.png"
                                  << ""
                                  << "image/png" << qint64(3 * 1024 * 1024) << false;
    QTest::newRow("not http") << "ftp://example.org/a.png"
                              << ""
                              << "image/png" << qint64(1) << false;
}

void tst_MediaFetcher::whatIsFetchedAsAPicture()
{
    QFETCH(QString, url);
    QFETCH(QString, name);
    QFETCH(QString, type);
    QFETCH(qint64, size);
    QFETCH(bool, fetched);
    NotificationAttachment attachment;
    attachment.url = QUrl(url);
    attachment.name = name;
    attachment.type = type;
    attachment.size = size;
    QCOMPARE(MediaFetcher().isFetchableImage(attachment), fetched);
}

void tst_MediaFetcher::cacheNamesRoundTrip()
{
    const QString subscription = QStringLiteral("Home / 家");
    const QString id = QStringLiteral("a.b/c");
    const QString name = MediaCache::fileName(subscription, id, MediaCache::Kind::Icon);
    QVERIFY(!name.contains(QLatin1Char('/')));
    const auto owner = MediaCache::ownerOf(name);
    QVERIFY(owner);
    QCOMPARE(owner->subscription, subscription);
    QCOMPARE(owner->id, id);
    QCOMPARE(owner->kind, MediaCache::Kind::Icon);
    QVERIFY(!MediaCache::ownerOf(QStringLiteral("notes.txt")));
    QVERIFY(!MediaCache::ownerOf(QStringLiteral("a.b.c.image")));
    // Too long for a file name: not cached (fetched again when shown again).
    QVERIFY(cache()
                .filePath(subscription, QString(300, QLatin1Char('x')), MediaCache::Kind::Image)
                .isEmpty());
}

void tst_MediaFetcher::cacheRemovesFilesOfDeletedMessages()
{
    const MediaCache media = cache();
    const QString kept =
        media.filePath(QStringLiteral("Home"), QStringLiteral("kept"), MediaCache::Kind::Image);
    const QString keptIcon =
        media.filePath(QStringLiteral("Home"), QStringLiteral("kept"), MediaCache::Kind::Icon);
    const QString gone =
        media.filePath(QStringLiteral("Home"), QStringLiteral("gone"), MediaCache::Kind::Image);
    const QString junk = QDir(media.directory()).filePath(QStringLiteral("x.image.tmp1234"));
    for (const QString &path : {kept, keptIcon, gone, junk})
        QVERIFY(MediaCache::write(path, "bytes"));
    const int removed = media.removeOrphans([](const QString &subscription, const QString &id) {
        return subscription == QLatin1String("Home") && id == QLatin1String("kept");
    });
    QCOMPARE(removed, 2);
    QVERIFY(QFile::exists(kept));
    QVERIFY(QFile::exists(keptIcon));
    QVERIFY(!QFile::exists(gone));
    QVERIFY(!QFile::exists(junk));
}

QTEST_GUILESS_MAIN(tst_MediaFetcher)
#include "tst_mediafetcher.moc"
