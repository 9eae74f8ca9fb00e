#include "trayicons.h"

#include <QPainter>
#include <QSvgRenderer>

namespace traybeat {

namespace {

void paintSvg(QPainter &painter, const QString &path, const QRectF &target)
{
    QSvgRenderer renderer(path);
    renderer.render(&painter, target);
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

QString TrayIcons::statePath(ConnectionState state)
{
    return QStringLiteral(":/icons/traybeat-%1.svg").arg(stateName(state));
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
    QPixmap result(pixels, pixels);
    result.fill(Qt::transparent);
    QPainter painter(&result);
    painter.setRenderHint(QPainter::Antialiasing);
    const QRectF target(0, 0, pixels, pixels);
    paintSvg(painter, statePath(state), target);
    if (doNotDisturb)
        paintSvg(painter, QStringLiteral(":/icons/badge-dnd.svg"), target);
    if (unread)
        paintSvg(painter, QStringLiteral(":/icons/badge-unread.svg"), target);
    painter.end();
    result.setDevicePixelRatio(devicePixelRatio);
    return result;
}

QIcon TrayIcons::icon(ConnectionState state, bool doNotDisturb, bool unread)
{
    QIcon icon;
    // The sizes tray hosts ask for; QIcon picks the nearest instead of scaling one bitmap.
    for (const int size : {16, 20, 22, 24, 32, 48, 64})
        icon.addPixmap(pixmap(state, doNotDisturb, unread, size));
    return icon;
}

QIcon TrayIcons::applicationIcon()
{
    return QIcon(QStringLiteral(":/icons/traybeat.svg"));
}

} // namespace traybeat
