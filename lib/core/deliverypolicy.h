#pragma once

#include "appsettings.h"

#include <QTime>
#include <chrono>
#include <optional>

namespace traybeat {

// Decides, for one arriving message, whether it may interrupt the person with a pop-up, and for
// how long the pop-up stays. Everything is stored regardless; this only gates the interruption.
// Pure: the clock comes in as an argument, so the rules are table-tested (midnight included).
class DeliveryPolicy
{
public:
    DeliveryPolicy() = default;
    DeliveryPolicy(bool doNotDisturb, const QuietHours &quietHours, const PopupSettings &popups,
                   bool urgentBreaksDoNotDisturb = true);

    // Do not disturb is the person's explicit "not now"; quiet hours are a schedule. Urgent
    // messages (priority 5) break through either when its setting allows it — by default, as
    // GNOME's and KDE's do-not-disturb let critical notifications through.
    bool shouldPopUp(int priority, QTime now) const;

    // How long a pop-up of `priority` stays: longer for more important messages; std::nullopt
    // for urgent ones, which stay until closed.
    std::optional<std::chrono::milliseconds> dismissAfter(int priority) const;

    // True when `now` lies in [from, to); a span whose `to` is earlier than `from` crosses
    // midnight. An empty span (from == to) never matches.
    static bool isQuietTime(const QuietHours &quietHours, QTime now);

    static constexpr int urgentPriority = 5;
    // Below this a pop-up is gone before it can be read.
    static constexpr std::chrono::milliseconds minimumDuration{2000};

private:
    bool m_doNotDisturb = false;
    bool m_urgentBreaksDoNotDisturb = true;
    QuietHours m_quietHours;
    PopupSettings m_popups;
};

} // namespace traybeat
