#pragma once

#include <chrono>
#include <cstdint>

namespace traybeat {

// Pure arithmetic of the reconnect delay: capped exponential backoff with full jitter above a
// floor, so that thousands of clients hitting a restarted server spread out instead of
// arriving in lock-step:
//     delay(n) = floor + random(0, min(cap - floor, floor * 2^n))        n = failures so far
// The failure count is reset only once a link has stayed up for the stability window, so a
// server that accepts and immediately drops connections still backs off.
// No Qt event loop here: the randomness comes in as a number in [0, 1), which tests pin.
struct BackoffConfig
{
    std::chrono::milliseconds floor{1000};
    std::chrono::milliseconds cap{60000};
    std::chrono::milliseconds stabilityWindow{30000};
};

class BackoffPolicy
{
public:
    using Config = BackoffConfig;

    explicit BackoffPolicy(Config config = {}) : m_config(config) {}

    const Config &config() const { return m_config; }
    void setConfig(Config config) { m_config = config; }

    // The upper end of the jitter range for the next attempt (floor + window).
    std::chrono::milliseconds maximumDelay() const;
    // The delay before the next attempt, with `unitRandom` in [0, 1); counts one failure.
    std::chrono::milliseconds nextDelay(double unitRandom);
    // The link came up and stayed for `upTime`: forget the failures if that was long enough.
    void linkWasUp(std::chrono::milliseconds upTime);
    void reset() { m_failures = 0; }
    int failures() const { return m_failures; }

private:
    Config m_config;
    int m_failures = 0;
};

} // namespace traybeat
