#pragma once

#include <QString>
#include <chrono>
#include <optional>

namespace traybeat {

// Parses the command line's durations: an integer with a unit, e.g. "250ms", "5s", "2m", "12h",
// "1d". A bare number is refused (the unit must be said); so are negatives, fractions and
// overflows. Returns std::nullopt on anything else.
std::optional<std::chrono::milliseconds> parseDuration(const QString &text);

// The inverse, for messages and settings: the largest unit that divides evenly ("1500ms", "2m").
QString formatDuration(std::chrono::milliseconds duration);

// For people, in their language: the two largest units, "35 s", "1 min 15 s", "2 h 5 min",
// "500 ms". Not meant to be parsed back.
QString describeDuration(std::chrono::milliseconds duration);

} // namespace traybeat
