#include "deliverypolicy.h"

#include <algorithm>

namespace traybeat {

DeliveryPolicy::DeliveryPolicy(bool doNotDisturb, const QuietHours &quietHours,
                               const PopupSettings &popups, bool urgentBreaksDoNotDisturb)
    : m_doNotDisturb(doNotDisturb), m_urgentBreaksDoNotDisturb(urgentBreaksDoNotDisturb),
      m_quietHours(quietHours), m_popups(popups)
{
}

bool DeliveryPolicy::shouldPopUp(int priority, QTime now) const
{
    if (m_doNotDisturb)
        return priority >= urgentPriority && m_urgentBreaksDoNotDisturb;
    if (m_quietHours.enabled && isQuietTime(m_quietHours, now))
        return priority >= urgentPriority && m_quietHours.urgentBreaksThrough;
    return true;
}

std::optional<std::chrono::milliseconds> DeliveryPolicy::dismissAfter(int priority) const
{
    using std::chrono::milliseconds;
    if (priority >= urgentPriority)
        return std::nullopt;
    // Multipliers in quarters of the configured (default-priority) duration.
    int quarters = 4;
    if (priority <= 1)
        quarters = 2;
    else if (priority == 2)
        quarters = 3;
    else if (priority == 4)
        quarters = 8;
    const milliseconds duration{m_popups.duration.count() * quarters / 4};
    return std::max(duration, minimumDuration);
}

bool DeliveryPolicy::isQuietTime(const QuietHours &quietHours, QTime now)
{
    const QTime from = quietHours.from;
    const QTime to = quietHours.to;
    if (!from.isValid() || !to.isValid() || !now.isValid() || from == to)
        return false;
    if (from < to)
        return now >= from && now < to;
    return now >= from || now < to; // crosses midnight
}

} // namespace traybeat
