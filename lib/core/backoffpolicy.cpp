#include "backoffpolicy.h"

#include <algorithm>

namespace traybeat {

std::chrono::milliseconds BackoffPolicy::maximumDelay() const
{
    using std::chrono::milliseconds;
    const std::int64_t floor = std::max<std::int64_t>(0, m_config.floor.count());
    const std::int64_t cap = std::max<std::int64_t>(floor, m_config.cap.count());
    // floor * 2^n without overflow: stop doubling once past the cap.
    std::int64_t window = std::max<std::int64_t>(floor, 1);
    for (int i = 0; i < m_failures && window < cap; ++i)
        window *= 2;
    return milliseconds(floor + std::min(window, cap - floor));
}

std::chrono::milliseconds BackoffPolicy::nextDelay(double unitRandom)
{
    const std::int64_t floor = std::max<std::int64_t>(0, m_config.floor.count());
    const std::int64_t jitterRange = maximumDelay().count() - floor;
    const double clamped = std::clamp(unitRandom, 0.0, 1.0);
    ++m_failures;
    return std::chrono::milliseconds(floor + static_cast<std::int64_t>(clamped * jitterRange));
}

void BackoffPolicy::linkWasUp(std::chrono::milliseconds upTime)
{
    if (upTime >= m_config.stabilityWindow)
        m_failures = 0;
}

} // namespace traybeat
