#pragma once

#include "notification.h"

#include <QPointer>
#include <QWidget>

class QLabel;
class QPushButton;

namespace traybeat {

class MediaFetcher;
class RemoteImageLabel;

// A message's attachment, as the pop-up and the history's detail pane show it: an image as a
// thumbnail, fetched in the background (the message is shown without it until it arrives); any
// other file — and an image that could not be fetched — as its name, its size and an "Open" link
// (http/https only; whoever listens to urlRequested opens it). Only pictures are downloaded.
class AttachmentView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AttachmentView)
public:
    explicit AttachmentView(const QSize &thumbnailSize, QWidget *parent = nullptr);

    // Null: no picture is fetched; images are shown as files. Must outlive the view or be null.
    void setFetcher(MediaFetcher *fetcher);
    // The width the file's line may take; its name is elided to fit.
    void setAvailableWidth(int width);
    // Shows the notification's attachment; hides the view when it has none.
    void setNotification(const Notification &notification);

    RemoteImageLabel *thumbnail() const { return m_thumbnail; }
    bool isShowingFile() const { return !m_fileLine->isHidden(); }
    QString fileText() const;

signals:
    void urlRequested(const QUrl &url); // "Open"; http/https only
    void contentChanged();              // a thumbnail arrived or a line appeared: new height

private:
    void showAsFile();
    void updateVisibility();

    NotificationAttachment m_attachment;
    QPointer<MediaFetcher> m_fetcher;
    RemoteImageLabel *m_thumbnail;
    QWidget *m_fileLine;
    QLabel *m_fileName;
    QPushButton *m_openLink;
    int m_availableWidth = 320;
};

} // namespace traybeat
