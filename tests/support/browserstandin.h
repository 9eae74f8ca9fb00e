#pragma once

#include <QList>
#include <QObject>
#include <QUrl>

// Stands in for the desktop's web browser while it lives: QDesktopServices hands http and
// https links to it (and reports success), and it keeps them in the order they came.
class BrowserStandIn final : public QObject
{
    Q_OBJECT
public:
    BrowserStandIn();
    ~BrowserStandIn() override;

    QList<QUrl> opened;

public slots:
    void open(const QUrl &url);
};
