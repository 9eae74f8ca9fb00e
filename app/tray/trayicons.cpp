#include "trayicons.h"

#include <QImage>
#include <QImageReader>
#include <QPainter>
#include <algorithm>
#include <array>

namespace traybeat {

namespace {

// The sizes each icon was rendered at when the app was built (TRAYBEAT_TRAY_ICON_SIZES in
// app/CMakeLists.txt), as :/icons/<name>-<size>.png.
constexpr std::array renderedSizes{16, 20, 22, 24, 32, 48, 64};

QString renderedPath(const QString &name, int size)
{
    return QStringLiteral(":/icons/%1-%2.png").arg(name).arg(size);
}

// `name` at `pixels` square: its own rendering where there is one, else the next larger (or the
// largest) scaled smoothly. Read as a QImage (a QPixmap loaded from a file is kept in Qt's
// pixmap cache, whose upkeep timer wakes the app) by Qt's own PNG reader, told not to guess
// (guessing asks, and so loads, every image-format plugin).
QImage layer(const QString &name, int pixels)
{
    const auto larger = std::find_if(renderedSizes.begin(), renderedSizes.end(),
                                     [pixels](int size) { return size >= pixels; });
    const int size = larger == renderedSizes.end() ? renderedSizes.back() : *larger;
    QImageReader reader(renderedPath(name, size), "png");
    reader.setAutoDetectImageFormat(false);
    QImage image = reader.read();
    if (size != pixels)
        image = image.scaled(pixels, pixels, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
    return image.convertToFormat(QImage::Format_ARGB32_Premultiplied);
}

} // namespace

QString TrayIcons::stateName(ConnectionState state)
{
    switch (state) {
    case ConnectionState::Connected:
        return QStringLiteral("connected");
    case ConnectionState::Connecting:
    case ConnectionState::Reconnecting:
        return QStringLiteral("connecting");
    case ConnectionState::Failed:
        return QStringLiteral("failed");
    case ConnectionState::Disconnected:
        break;
    }
    return QStringLiteral("offline");
}

QString TrayIcons::key(ConnectionState state, bool doNotDisturb, bool unread)
{
    QString result = stateName(state);
    if (doNotDisturb)
        result += QLatin1String("+dnd");
    if (unread)
        result += QLatin1String("+unread");
    return result;
}

QPixmap TrayIcons::pixmap(ConnectionState state, bool doNotDisturb, bool unread, int size,
                          qreal devicePixelRatio)
{
    const int pixels = qRound(size * devicePixelRatio);
    QImage result = layer(QStringLiteral("traybeat-") + stateName(state), pixels);
    QPainter painter(&result);
    if (doNotDisturb)
        painter.drawImage(0, 0, layer(QStringLiteral("badge-dnd"), pixels));
    if (unread)
        painter.drawImage(0, 0, layer(QStringLiteral("badge-unread"), pixels));
    painter.end();
    QPixmap pixmap = QPixmap::fromImage(std::move(result));
    pixmap.setDevicePixelRatio(devicePixelRatio);
    return pixmap;
}

QIcon TrayIcons::icon(ConnectionState state, bool doNotDisturb, bool unread)
{
    QIcon icon;
    // The sizes tray hosts ask for; QIcon picks the nearest instead of scaling one bitmap.
    for (const int size : renderedSizes)
        icon.addPixmap(pixmap(state, doNotDisturb, unread, size));
    return icon;
}

QIcon TrayIcons::applicationIcon()
{
    QIcon icon;
    for (const int size : renderedSizes)
        icon.addPixmap(QPixmap::fromImage(layer(QStringLiteral("traybeat"), size)));
    return icon;
}

} // namespace traybeat
