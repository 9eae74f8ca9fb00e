#pragma once

#include <chrono>
#include <deque>

namespace traybeat {

// Keeps a burst from burying the desktop in pop-ups: a message gets its own pop-up only while
// fewer than `maximumVisible` are on screen and fewer than `rate` were shown in the last
// `window`; anything beyond folds into one summary ("37 new notifications from Demo").
// Pure: time comes in as a steady-clock reading, so the rules are table-tested.
class PopupThrottle
{
public:
    enum class Verdict { Show, Fold };

    struct Config
    {
        int maximumVisible = 5; // the summary's place included
        int rate = 3;           // individual pop-ups per window
        std::chrono::milliseconds window{1000};
    };

    PopupThrottle() = default;
    explicit PopupThrottle(Config config) : m_config(config) {}

    const Config &config() const { return m_config; }

    // `individualVisible`: individual pop-ups on screen now (not the summary). Records a Show.
    Verdict offer(std::chrono::milliseconds now, int individualVisible);

private:
    Config m_config;
    std::deque<std::chrono::milliseconds> m_shown; // times of the Shows inside the window
};

} // namespace traybeat
