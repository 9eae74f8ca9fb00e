// Build-time tool: renders an SVG icon to square PNGs, for the hicolor theme's fixed sizes and
// for the tray icons built into the app (which then needs no SVG renderer at run time), so the
// build needs nothing beyond the Qt Svg module.
//   traybeat_rendericon INPUT.svg SIZE OUTPUT.png
//   traybeat_rendericon INPUT.svg SIZE,SIZE,... OUTPUT-{size}.png   ({size} becomes each size)
#include <QGuiApplication>
#include <QImage>
#include <QPainter>
#include <QSvgRenderer>

#include <cstdio>
#include <optional>

namespace {

constexpr auto usage = "usage: traybeat_rendericon INPUT.svg SIZE[,SIZE...] OUTPUT.png "
                       "(with several sizes OUTPUT names {size})\n";

std::optional<QList<int>> parseSizes(const QString &text)
{
    QList<int> sizes;
    for (const QString &part : text.split(QLatin1Char(','))) {
        bool isNumber = false;
        const int size = part.toInt(&isNumber);
        if (!isNumber || size < 1 || size > 1024)
            return std::nullopt;
        sizes.append(size);
    }
    return sizes;
}

bool render(QSvgRenderer &renderer, int size, const QString &output)
{
    QImage image(size, size, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::transparent);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    renderer.render(&painter);
    painter.end();
    if (image.save(output, "PNG"))
        return true;
    std::fprintf(stderr, "traybeat_rendericon: cannot write %s\n", qPrintable(output));
    return false;
}

} // namespace

int main(int argc, char **argv)
{
    // No display at build time: the offscreen platform is enough for raster painting.
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(argc, argv);
    const QStringList arguments = QGuiApplication::arguments();
    const auto sizes = parseSizes(arguments.value(2));
    const QString output = arguments.value(3);
    const QString placeholder = QStringLiteral("{size}");
    if (arguments.size() != 4 || !sizes || (sizes->size() > 1 && !output.contains(placeholder))) {
        std::fputs(usage, stderr);
        return 2;
    }
    QSvgRenderer renderer(arguments.at(1));
    if (!renderer.isValid()) {
        std::fprintf(stderr, "traybeat_rendericon: cannot read %s\n", qPrintable(arguments.at(1)));
        return 1;
    }
    for (const int size : *sizes) {
        if (!render(renderer, size, QString(output).replace(placeholder, QString::number(size))))
            return 1;
    }
    return 0;
}
