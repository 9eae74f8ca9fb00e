// e2e_windowcolor WINDOW-ID RRGGBB: prints how many pixels of an X window (id in decimal or 0x
// hex) have exactly that colour, as the screen shows them. The end-to-end test uses it to see a
// pop-up's thumbnail with nothing but Qt (no xwd, no ImageMagick).
#include <QGuiApplication>
#include <QImage>
#include <QPixmap>
#include <QScreen>
#include <cstdio>

int main(int argc, char **argv)
{
    QGuiApplication app(argc, argv);
    const QStringList arguments = QGuiApplication::arguments();
    bool ok = false;
    const WId window = arguments.value(1).toULongLong(&ok, 0);
    const QColor color(QLatin1Char('#') + arguments.value(2));
    if (arguments.size() != 3 || !ok || !color.isValid()) {
        std::fprintf(stderr, "usage: e2e_windowcolor WINDOW-ID RRGGBB\n");
        return 2;
    }
    const QImage image = QGuiApplication::primaryScreen()->grabWindow(window).toImage();
    if (image.isNull()) {
        std::fprintf(stderr, "e2e_windowcolor: cannot grab window %s\n", argv[1]);
        return 1;
    }
    long count = 0;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x)
            count += (image.pixel(x, y) & 0xffffff) == (color.rgb() & 0xffffff);
    }
    std::printf("%ld\n", count);
    return 0;
}
