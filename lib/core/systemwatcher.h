#pragma once

#include <QObject>
#include <QSocketNotifier>
#include <QTimer>
#include <chrono>
#include <functional>

namespace traybeat {

// Tells connections when waiting out a backoff is pointless: the machine just woke from sleep
// (every link it had is surely dead, and the server kept publishing meanwhile) or the network
// came back. Sleep is seen as a gap between the boot-time clock (which runs during suspend) and
// the monotonic clock (which does not); the network through QNetworkInformation, when the
// platform has a backend (a headless box may have none: then only sleep is watched).
//
// Nothing here wakes an idle app up. The clocks are compared when the kernel says the wall
// clock jumped — a timerfd on CLOCK_REALTIME with TFD_TIMER_CANCEL_ON_SET becomes readable on
// every resume from suspend (the kernel treats a resume as a clock change) and on every time a
// clock is set — so a sleep is seen the moment the machine wakes, with no timer running
// meanwhile. Where there is no such timerfd, a QTimer compares them every `fallbackInterval`.
// The network-information backend is loaded only once a link is lost (watchNetwork()): while
// every link is up nobody needs its news, and it costs an idle client ~2 MB (a plugin, GIO or
// D-Bus); see docs/design.md, "Data flow".
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

    // How a sleep is noticed: Kernel where the clock-change timerfd exists (falling back to
    // Timer where it does not); tests ask for Timer to drive the fallback.
    enum class SleepNotice { Kernel, Timer };

    explicit SystemWatcher(std::chrono::milliseconds fallbackInterval = std::chrono::seconds(30),
                           QObject *parent = nullptr);
    SystemWatcher(std::chrono::milliseconds fallbackInterval, ClockSource clocks,
                  SleepNotice notice = SleepNotice::Kernel, QObject *parent = nullptr);
    ~SystemWatcher() override;

    // Starts following the network's reachability, once (later calls do nothing): from then on
    // networkAvailable() says when it comes back. Subscription calls it when its link is lost.
    void watchNetwork();
    bool isWatchingNetwork() const { return m_watchingNetwork; }
    // Set by watchNetwork(): the platform has a backend that reports reachability.
    bool hasNetworkInformation() const { return m_hasNetworkInformation; }
    // True when the kernel's clock-change notice drives the checks (Linux), false on the timer.
    bool hearsClockChanges() const { return m_clockChangeNotifier != nullptr; }

    // Pure rule, tested with tables: between two checks the monotonic clock advanced
    // `monotonic`, the boot-time clock `boottime`; a difference above `threshold` means the
    // machine was suspended for that long.
    static bool wasSuspended(std::chrono::milliseconds monotonic,
                             std::chrono::milliseconds boottime,
                             std::chrono::milliseconds threshold);

    // Reads the clocks and compares with the last reading; run when the kernel says a clock
    // jumped, or by the fallback timer.
    void check();
    // Someone who knows (logind) says the machine just woke: reported like a sleep the clocks
    // showed, and the clocks are read anew, so the same sleep is not reported twice.
    void notifyResumed();

signals:
    void resumedFromSleep(std::chrono::milliseconds slept);
    void networkAvailable();

private:
    void onReachabilityChanged();
    bool listenForClockChanges();
    void onClockChanged();
    // How far each clock advanced since the last reading; takes a new reading.
    ClockReading takeReading();

    ClockSource m_clocks;
    QTimer m_checkTimer; // the fallback when the kernel cannot tell
    int m_clockChangeFd = -1;
    QSocketNotifier *m_clockChangeNotifier = nullptr;
    std::chrono::milliseconds m_lastMonotonic{};
    std::chrono::milliseconds m_lastBoottime{};
    bool m_watchingNetwork = false;
    bool m_hasNetworkInformation = false;
    bool m_wasReachable = true;
};

} // namespace traybeat
