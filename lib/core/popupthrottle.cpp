#include "popupthrottle.h"

namespace traybeat {

PopupThrottle::Verdict PopupThrottle::offer(std::chrono::milliseconds now, int individualVisible,
                                            bool canReplace)
{
    while (!m_shown.empty() && now - m_shown.front() >= m_config.window)
        m_shown.pop_front();
    if (static_cast<int>(m_shown.size()) >= m_config.rate)
        return Verdict::Fold;
    const bool full = individualVisible >= m_config.maximumVisible - 1;
    if (full && !canReplace)
        return Verdict::Fold;
    m_shown.push_back(now);
    return full ? Verdict::ReplaceOldest : Verdict::Show;
}

} // namespace traybeat
