#include "themecolors.h"

#include <cmath>

namespace traybeat::ThemeColors {

namespace {

double linear(double channel)
{
    return channel <= 0.03928 ? channel / 12.92 : std::pow((channel + 0.055) / 1.055, 2.4);
}

double luminance(const QColor &color)
{
    const QColor rgb = color.toRgb();
    return 0.2126 * linear(rgb.redF()) + 0.7152 * linear(rgb.greenF()) +
           0.0722 * linear(rgb.blueF());
}

} // namespace

double contrastRatio(const QColor &a, const QColor &b)
{
    const double first = luminance(a);
    const double second = luminance(b);
    return (std::max(first, second) + 0.05) / (std::min(first, second) + 0.05);
}

bool isDark(const QColor &background)
{
    return luminance(background) < 0.18; // darker than a mid grey
}

QColor readableOn(const QColor &color, const QColor &background, double minimumRatio)
{
    const QColor target = isDark(background) ? QColor(Qt::white) : QColor(Qt::black);
    QColor shade = color.toRgb();
    // Mix towards black or white in steps of 5 %: at most 20, and black or white always
    // reaches 4.5:1 against a background that is dark or light enough to be called so.
    for (int step = 1; step <= 20 && contrastRatio(shade, background) < minimumRatio; ++step) {
        const double share = step / 20.0;
        shade = QColor::fromRgbF(float(color.redF() + (target.redF() - color.redF()) * share),
                                 float(color.greenF() + (target.greenF() - color.greenF()) * share),
                                 float(color.blueF() + (target.blueF() - color.blueF()) * share));
    }
    return shade;
}

} // namespace traybeat::ThemeColors
