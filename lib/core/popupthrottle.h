#pragma once

#include <chrono>
#include <deque>

namespace traybeat {

// Keeps a burst from burying the desktop in pop-ups. A message gets its own pop-up while fewer
// than `rate` were shown in the last `window`; anything beyond folds into one summary ("37 new
// notifications from Demo"). The screen holds at most `maximumVisible` pop-ups, one place kept
// for that summary: when it is full and the rate is calm, the newest message takes the place
// of the oldest pop-up that may go (the stack knows which: not an urgent one) rather than
// vanishing into a summary. Pure: time comes in as a steady-clock reading, so the rules are
// table-tested.
class PopupThrottle
{
public:
    enum class Verdict {
        Show,          // there is room
        ReplaceOldest, // full: dismiss the oldest replaceable pop-up, then show this one
        Fold,          // count it in the summary
    };

    struct Config
    {
        int maximumVisible = 5; // the summary's place included
        int rate = 3;           // individual pop-ups per window
        std::chrono::milliseconds window{1000};
    };

    PopupThrottle() = default;
    explicit PopupThrottle(Config config) : m_config(config) {}

    const Config &config() const { return m_config; }

    // `individualVisible`: individual pop-ups on screen now (not the summary); `canReplace`:
    // whether one of them may be dismissed early to make room. Records what it shows.
    Verdict offer(std::chrono::milliseconds now, int individualVisible, bool canReplace = true);

private:
    Config m_config;
    std::deque<std::chrono::milliseconds> m_shown; // times of the Shows inside the window
};

} // namespace traybeat
