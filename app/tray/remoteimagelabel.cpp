#include "remoteimagelabel.h"

namespace traybeat {

RemoteImageLabel::RemoteImageLabel(const QSize &maximumSize, QWidget *parent)
    : QLabel(parent), m_maximumSize(maximumSize)
{
    setAlignment(Qt::AlignLeft | Qt::AlignTop);
    setTextFormat(Qt::PlainText); // only ever a picture; never text to interpret
    setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);
    hide();
}

void RemoteImageLabel::setFetcher(MediaFetcher *fetcher)
{
    if (m_fetcher)
        m_fetcher->disconnect(this);
    m_fetcher = fetcher;
    if (!fetcher)
        return;
    connect(fetcher, &MediaFetcher::ready, this, &RemoteImageLabel::onReady);
    connect(fetcher, &MediaFetcher::failed, this, &RemoteImageLabel::onFailed);
}

void RemoteImageLabel::setRequest(const MediaRequest &request)
{
    // The same picture again (a view refreshed by a store change): keep it, do not blink.
    if (!request.url.isEmpty() && request.key() == m_key && (m_hasImage || m_waiting))
        return;
    const bool had = m_hasImage;
    setImage({});
    m_key.clear();
    m_waiting = false;
    if (m_fetcher && !request.url.isEmpty()) {
        m_key = request.key();
        m_waiting = true;
        m_fetcher->fetch(request); // answers later, never from inside this call
    }
    if (had)
        emit imageChanged();
}

void RemoteImageLabel::onReady(const QString &key, const QImage &image)
{
    if (key != m_key || !m_waiting)
        return;
    m_waiting = false;
    setImage(image);
    emit imageChanged();
}

void RemoteImageLabel::onFailed(const QString &key, const QString &reason)
{
    if (key != m_key || !m_waiting)
        return;
    m_waiting = false;
    setToolTip(reason);
    emit failed(reason);
}

void RemoteImageLabel::setImage(const QImage &image)
{
    m_hasImage = !image.isNull();
    if (!m_hasImage) {
        QLabel::clear();
        setToolTip({});
        hide();
        return;
    }
    const QImage fitted =
        image.width() > m_maximumSize.width() || image.height() > m_maximumSize.height()
            ? image.scaled(m_maximumSize, Qt::KeepAspectRatio, Qt::SmoothTransformation)
            : image;
    setPixmap(QPixmap::fromImage(fitted));
    setFixedSize(fitted.size());
    show();
}

} // namespace traybeat
