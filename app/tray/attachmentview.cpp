#include "attachmentview.h"

#include "mediafetcher.h"
#include "remoteimagelabel.h"
#include "urlpolicy.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QVBoxLayout>
#include <algorithm>

namespace traybeat {

AttachmentView::AttachmentView(const QSize &thumbnailSize, QWidget *parent)
    : QWidget(parent), m_thumbnail(new RemoteImageLabel(thumbnailSize, this)),
      m_fileLine(new QWidget(this)), m_fileName(new QLabel(m_fileLine)),
      m_openLink(new QPushButton(tr("Open"), m_fileLine))
{
    setObjectName(QStringLiteral("attachment"));
    m_thumbnail->setObjectName(QStringLiteral("thumbnail"));
    m_fileName->setObjectName(QStringLiteral("attachmentName"));
    m_fileName->setTextFormat(Qt::PlainText); // the name came from the server
    m_fileName->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_openLink->setObjectName(QStringLiteral("attachmentOpen"));
    // A link's look (flat, the palette's link colour, a hand), a button's keyboard and reader.
    m_openLink->setFlat(true);
    m_openLink->setCursor(Qt::PointingHandCursor);
    m_openLink->setAutoDefault(false);
    QPalette linkColours = m_openLink->palette();
    linkColours.setColor(QPalette::ButtonText, linkColours.color(QPalette::Link));
    m_openLink->setPalette(linkColours);
    m_openLink->setAccessibleName(tr("Open the attachment"));

    auto *line = new QHBoxLayout(m_fileLine);
    line->setContentsMargins(0, 0, 0, 0);
    line->setSpacing(8);
    line->addWidget(m_fileName, 1);
    line->addWidget(m_openLink);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 2, 0, 2);
    layout->setSpacing(2);
    layout->addWidget(m_thumbnail);
    layout->addWidget(m_fileLine);

    connect(m_openLink, &QPushButton::clicked, this, [this] {
        if (isSafeToOpen(m_attachment.url))
            emit urlRequested(m_attachment.url);
    });
    connect(m_thumbnail, &RemoteImageLabel::imageChanged, this, [this] {
        updateVisibility();
        emit contentChanged();
    });
    // The text is shown without the picture; the file can still be opened.
    connect(m_thumbnail, &RemoteImageLabel::failed, this, &AttachmentView::showAsFile);
    m_fileLine->hide();
    hide();
}

void AttachmentView::setFetcher(MediaFetcher *fetcher)
{
    m_fetcher = fetcher;
    m_thumbnail->setFetcher(fetcher);
}

void AttachmentView::setAvailableWidth(int width)
{
    m_availableWidth = width;
}

void AttachmentView::setNotification(const Notification &notification)
{
    m_attachment = notification.attachment;
    m_fileLine->hide();
    const bool picture =
        m_fetcher && !m_attachment.isEmpty() && m_fetcher->isFetchableImage(m_attachment);
    MediaRequest request;
    if (picture)
        request = {notification.subscription, notification.id, MediaCache::Kind::Image,
                   m_attachment.url};
    m_thumbnail->setRequest(request);
    if (!picture && !m_attachment.isEmpty())
        showAsFile();
    updateVisibility();
}

QString AttachmentView::fileText() const
{
    QString name = m_attachment.name;
    if (name.isEmpty())
        name = m_attachment.url.fileName();
    if (name.isEmpty())
        name = tr("Attachment");
    if (m_attachment.size >= 0)
        return tr("%1 · %2").arg(name, QLocale().formattedDataSize(m_attachment.size, 1));
    return name;
}

void AttachmentView::showAsFile()
{
    const QString text = fileText();
    const int linkWidth = m_openLink->sizeHint().width() + 8;
    m_fileName->setText(m_fileName->fontMetrics().elidedText(
        text, Qt::ElideMiddle, std::max(m_availableWidth - linkWidth, 60)));
    m_fileName->setToolTip(text);
    m_openLink->setVisible(isSafeToOpen(m_attachment.url));
    m_fileLine->show();
    updateVisibility();
    emit contentChanged();
}

void AttachmentView::updateVisibility()
{
    setVisible(m_thumbnail->hasImage() || !m_fileLine->isHidden());
}

} // namespace traybeat
