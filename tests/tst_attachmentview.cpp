#include "actionbar.h"
#include "attachmentview.h"
#include "historywindow.h"
#include "mediafetcher.h"
#include "notificationstore.h"
#include "popupwidget.h"
#include "recordingserver.h"
#include "remoteimagelabel.h"
#include "testimages.h"

#include <QApplication>
#include <QImage>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace traybeat;
using namespace std::chrono_literals;

namespace {

const QColor thumbnailColor(0x12, 0x9a, 0xd6);

QByteArray pngAnswer(QSize size)
{
    return httpAnswer("image/png", solidPng(size, thumbnailColor));
}

Notification messageWith(const QUrl &attachmentUrl, const QString &id = QStringLiteral("m1"))
{
    Notification notification;
    notification.id = id;
    notification.subscription = QStringLiteral("Home");
    notification.topic = QStringLiteral("garage");
    notification.title = QStringLiteral("Garage door open");
    notification.body = QStringLiteral("Open for 15 minutes.");
    notification.time = QDateTime::currentDateTimeUtc();
    notification.attachment.url = attachmentUrl;
    notification.attachment.name = attachmentUrl.fileName();
    return notification;
}

QPushButton *openLink(const AttachmentView *view)
{
    return view->findChild<QPushButton *>(QStringLiteral("attachmentOpen"));
}

} // namespace

// How a message's attachment and icon look on the pop-up and in the history, against a real
// HTTP server on 127.0.0.1: the pop-up does not wait for them, an image becomes a thumbnail when
// it arrives, anything else (or an image that could not be fetched) a name, a size and "Open".
class tst_AttachmentView : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void popupShowsTheThumbnailWhenItArrives();
    void popupShowsTheIconBesideTheTitle();
    void failedFetchShowsTheTextAndTheFile();
    void otherFilesAreNotDownloaded();
    void secondShowIsACacheHit();
    void historyDetailShowsTheImage();

private:
    std::unique_ptr<QTemporaryDir> m_state;
    std::unique_ptr<RecordingServer> m_server;
};

void tst_AttachmentView::init()
{
    m_state = std::make_unique<QTemporaryDir>();
    m_server = std::make_unique<RecordingServer>();
    QVERIFY(m_server->isListening());
    m_server->respond = [](const RecordedRequest &request) {
        return request.path == "/slow.png" ? QByteArray() : pngAnswer({300, 150});
    };
}

void tst_AttachmentView::popupShowsTheThumbnailWhenItArrives()
{
    MediaFetcher fetcher;
    PopupWidget popup;
    popup.setMediaFetcher(&fetcher);
    popup.setNotification(messageWith(m_server->url(QStringLiteral("/camera.png"))));
    popup.show();
    const int textOnly = popup.height();
    // Shown at once, with its text; the picture comes later.
    QVERIFY(popup.isVisible());
    QVERIFY(popup.iconLabel()->isHidden());
    RemoteImageLabel *thumbnail = popup.attachmentView()->thumbnail();
    QVERIFY(!thumbnail->hasImage());
    QTRY_VERIFY_WITH_TIMEOUT(thumbnail->hasImage(), 10000);
    QVERIFY(thumbnail->isVisible());
    QCOMPARE(thumbnail->pixmap().toImage().pixelColor(10, 10), thumbnailColor);
    QVERIFY(thumbnail->width() <= PopupWidget::popupWidth);
    QVERIFY(popup.height() > textOnly + 100); // it grew to hold it
    QVERIFY(!popup.attachmentView()->isShowingFile());
}

void tst_AttachmentView::popupShowsTheIconBesideTheTitle()
{
    MediaFetcher fetcher;
    PopupWidget popup;
    popup.setMediaFetcher(&fetcher);
    Notification notification = messageWith({});
    notification.icon = m_server->url(QStringLiteral("/icon.png"));
    popup.setNotification(notification);
    popup.show();
    QTRY_VERIFY_WITH_TIMEOUT(popup.iconLabel()->hasImage(), 10000);
    QVERIFY(popup.iconLabel()->isVisible());
    QVERIFY(popup.iconLabel()->width() <= 32 && popup.iconLabel()->height() <= 32);
    const QLabel *title = popup.findChild<QLabel *>(QStringLiteral("title"));
    QVERIFY(popup.iconLabel()->geometry().right() < title->geometry().left());
    QVERIFY(popup.attachmentView()->isHidden()); // no attachment
}

void tst_AttachmentView::failedFetchShowsTheTextAndTheFile()
{
    MediaFetcher::Config config;
    config.timeout = 300ms;
    MediaFetcher fetcher(config);
    PopupWidget popup;
    popup.setMediaFetcher(&fetcher);
    QSignalSpy urls(&popup, &PopupWidget::urlRequested);
    const QUrl slow = m_server->url(QStringLiteral("/slow.png"));
    popup.setNotification(messageWith(slow));
    popup.show();
    QCOMPARE(popup.findChild<QLabel *>(QStringLiteral("title"))->text(),
             QStringLiteral("Garage door open"));
    QTRY_VERIFY_WITH_TIMEOUT(popup.attachmentView()->isShowingFile(), 10000);
    QVERIFY(!popup.attachmentView()->thumbnail()->hasImage());
    QVERIFY(popup.findChild<QLabel *>(QStringLiteral("body"))->isVisible());
    QVERIFY(popup.attachmentView()->isVisible());
    openLink(popup.attachmentView())->click();
    QCOMPARE(urls.size(), 1);
    QCOMPARE(urls.first().first().toUrl(), slow);
}

void tst_AttachmentView::otherFilesAreNotDownloaded()
{
    MediaFetcher fetcher;
    PopupWidget popup;
    popup.setMediaFetcher(&fetcher);
    QSignalSpy urls(&popup, &PopupWidget::urlRequested);
    Notification notification = messageWith(m_server->url(QStringLiteral("/report.pdf")));
    notification.attachment.type = QStringLiteral("application/pdf");
    notification.attachment.size = 1536 * 1024;
    popup.setNotification(notification);
    popup.show();
    AttachmentView *view = popup.attachmentView();
    QVERIFY(view->isShowingFile());
    QVERIFY(view->isVisible());
    const QString text = view->findChild<QLabel *>(QStringLiteral("attachmentName"))->text();
    QVERIFY2(text.contains(QLatin1String("report.pdf")), qPrintable(text));
    QVERIFY2(text.contains(QLatin1String("1.5 MiB")), qPrintable(text));
    QVERIFY(openLink(view)->isVisible());
    openLink(view)->click();
    QCOMPARE(urls.size(), 1);
    QCOMPARE(urls.first().first().toUrl(), notification.attachment.url);
    QTest::qWait(200); // nothing may reach the server, even a little later
    QCOMPARE(m_server->requests.size(), 0);
    QCOMPARE(fetcher.downloadCount(), 0);

    // A file whose link is not http/https: its name, no "Open".
    notification.attachment.url = QUrl(QStringLiteral("file:///etc/passwd"));
    popup.setNotification(notification);
    QVERIFY(view->isShowingFile());
    QVERIFY(openLink(view)->isHidden());
}

void tst_AttachmentView::secondShowIsACacheHit()
{
    MediaFetcher fetcher;
    const MediaCache cache(m_state->filePath(QStringLiteral("media")));
    QVERIFY(cache.prepare(nullptr));
    fetcher.setCache(cache);
    const Notification notification = messageWith(m_server->url(QStringLiteral("/camera.png")));
    for (int shown = 0; shown < 2; ++shown) {
        PopupWidget popup;
        popup.setMediaFetcher(&fetcher);
        popup.setNotification(notification);
        popup.show();
        QTRY_VERIFY_WITH_TIMEOUT(popup.attachmentView()->thumbnail()->hasImage(), 10000);
    }
    QCOMPARE(m_server->hits("/camera.png"), 1);
    QCOMPARE(fetcher.downloadCount(), 1);
}

void tst_AttachmentView::historyDetailShowsTheImage()
{
    NotificationStore store;
    QVERIFY(store.open(m_state->filePath(QStringLiteral("h.db"))));
    MediaFetcher fetcher;
    HistoryWindow window(&store);
    window.setMediaFetcher(&fetcher);
    window.show();
    const Notification withImage = messageWith(m_server->url(QStringLiteral("/camera.png")));
    Notification withFile =
        messageWith(m_server->url(QStringLiteral("/notes.txt")), QStringLiteral("m2"));
    store.add({withImage, withFile});
    window.showNotification(withImage.subscription, withImage.id);
    AttachmentView *view = window.attachmentView();
    QTRY_VERIFY_WITH_TIMEOUT(view->thumbnail()->hasImage(), 10000);
    QVERIFY(view->thumbnail()->isVisible());
    QCOMPARE(view->thumbnail()->pixmap().size(), QSize(300, 150));

    window.showNotification(withFile.subscription, withFile.id);
    QVERIFY(!view->thumbnail()->hasImage());
    QVERIFY(view->isShowingFile());
    QCOMPARE(m_server->hits("/notes.txt"), 0);
}

QTEST_MAIN(tst_AttachmentView)
#include "tst_attachmentview.moc"
