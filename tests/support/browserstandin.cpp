#include "browserstandin.h"

#include <QDesktopServices>

BrowserStandIn::BrowserStandIn()
{
    QDesktopServices::setUrlHandler(QStringLiteral("http"), this, "open");
    QDesktopServices::setUrlHandler(QStringLiteral("https"), this, "open");
}

BrowserStandIn::~BrowserStandIn()
{
    QDesktopServices::unsetUrlHandler(QStringLiteral("http"));
    QDesktopServices::unsetUrlHandler(QStringLiteral("https"));
}

void BrowserStandIn::open(const QUrl &url)
{
    opened.append(url);
}
