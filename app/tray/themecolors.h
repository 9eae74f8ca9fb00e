#pragma once

#include <QColor>

namespace traybeat {

// Colours of our own (priority accents, error text) on whatever the desktop's palette is,
// light or dark: WCAG 2 contrast, and a colour moved towards black or white until it reaches
// the contrast asked for.
namespace ThemeColors {

// 1 (same) … 21 (black on white).
double contrastRatio(const QColor &a, const QColor &b);
// `color` itself when it already stands out from `background` by `minimumRatio`; otherwise
// the nearest lighter (dark backgrounds) or darker (light ones) shade that does.
QColor readableOn(const QColor &color, const QColor &background, double minimumRatio);
bool isDark(const QColor &background);

// Text needs 4.5:1, a coloured bar or icon 3:1 (WCAG 2.1, 1.4.3 and 1.4.11).
constexpr double textContrast = 4.5;
constexpr double graphicContrast = 3.0;

} // namespace ThemeColors

} // namespace traybeat
