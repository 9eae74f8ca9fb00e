#pragma once

#include "mediafetcher.h"

#include <QLabel>
#include <QPointer>

namespace traybeat {

// A picture fetched for a message (its attachment image, its icon), shown when it arrives: hidden
// until then, and hidden for good when the fetch fails, so the text is never held up by it.
// Scaled down to fit its maximum size, never up.
class RemoteImageLabel final : public QLabel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RemoteImageLabel)
public:
    explicit RemoteImageLabel(const QSize &maximumSize, QWidget *parent = nullptr);

    // Null: nothing is ever fetched. The fetcher must outlive the label or be null.
    void setFetcher(MediaFetcher *fetcher);
    // Asks for the picture (an empty URL: none) and hides the one shown until it arrives.
    void setRequest(const MediaRequest &request);
    bool hasImage() const { return m_hasImage; }
    bool isWaiting() const { return m_waiting; }

signals:
    void imageChanged(); // shown or gone: the layout's height may change
    void failed(const QString &reason);

private:
    void onReady(const QString &key, const QImage &image);
    void onFailed(const QString &key, const QString &reason);
    void setImage(const QImage &image);

    QPointer<MediaFetcher> m_fetcher;
    QSize m_maximumSize;
    QString m_key;
    bool m_hasImage = false;
    bool m_waiting = false;
};

} // namespace traybeat
