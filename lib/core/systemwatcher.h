#pragma once

#include <QObject>
#include <QTimer>
#include <chrono>
#include <functional>

namespace traybeat {

// Tells connections when waiting out a backoff is pointless: the machine just woke from sleep
// (every link it had is surely dead, and the server kept publishing meanwhile) or the network
// came back. Sleep is seen as a gap between the boot-time clock (which runs during suspend) and
// the monotonic clock (which does not); the network through QNetworkInformation, when the
// platform has a backend (a headless box may have none: then only sleep is watched).
class SystemWatcher final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SystemWatcher)
public:
    // One reading of the two clocks. The default source reads CLOCK_MONOTONIC and
    // CLOCK_BOOTTIME; tests inject their own, so a sleep needs no real sleep.
    struct ClockReading
    {
        std::chrono::milliseconds monotonic{};
        std::chrono::milliseconds boottime{};
    };
    using ClockSource = std::function<ClockReading()>;
    static ClockReading systemClocks();

    explicit SystemWatcher(std::chrono::milliseconds checkInterval = std::chrono::seconds(5),
                           QObject *parent = nullptr);
    SystemWatcher(std::chrono::milliseconds checkInterval, ClockSource clocks,
                  QObject *parent = nullptr);

    bool hasNetworkInformation() const { return m_hasNetworkInformation; }

    // Pure rule, tested with tables: between two checks the monotonic clock advanced
    // `monotonic`, the boot-time clock `boottime`; a difference above `threshold` means the
    // machine was suspended for that long.
    static bool wasSuspended(std::chrono::milliseconds monotonic,
                             std::chrono::milliseconds boottime,
                             std::chrono::milliseconds threshold);

    // Reads the clocks and compares with the last reading; run by the timer every
    // `checkInterval`.
    void check();

signals:
    void resumedFromSleep(std::chrono::milliseconds slept);
    void networkAvailable();

private:
    void onReachabilityChanged();

    ClockSource m_clocks;
    QTimer m_checkTimer;
    std::chrono::milliseconds m_lastMonotonic{};
    std::chrono::milliseconds m_lastBoottime{};
    bool m_hasNetworkInformation = false;
    bool m_wasReachable = true;
};

} // namespace traybeat
