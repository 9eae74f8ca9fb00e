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
// The clocks are compared on a timer that runs on CLOCK_BOOTTIME (a timerfd): it keeps counting
// through a suspend, so after a sleep longer than what was left of the interval it fires the
// moment the machine wakes. That lets the interval be long (30 s: an idle app wakes up rarely)
// and still see a real sleep at once. Where no timerfd exists, a QTimer does the same, later.
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

    explicit SystemWatcher(std::chrono::milliseconds checkInterval = std::chrono::seconds(30),
                           QObject *parent = nullptr);
    SystemWatcher(std::chrono::milliseconds checkInterval, ClockSource clocks,
                  QObject *parent = nullptr);
    ~SystemWatcher() override;

    bool hasNetworkInformation() const { return m_hasNetworkInformation; }
    // True when the checks run on a boot-time timer (Linux), false on the QTimer fallback.
    bool isOnBootClock() const { return m_bootTimer != nullptr; }

    // Pure rule, tested with tables: between two checks the monotonic clock advanced
    // `monotonic`, the boot-time clock `boottime`; a difference above `threshold` means the
    // machine was suspended for that long.
    static bool wasSuspended(std::chrono::milliseconds monotonic,
                             std::chrono::milliseconds boottime,
                             std::chrono::milliseconds threshold);

    // Reads the clocks and compares with the last reading; run by the timer every
    // `checkInterval`.
    void check();
    // Someone who knows (logind) says the machine just woke: reported like a sleep the clocks
    // showed, and the clocks are read anew, so the same sleep is not reported twice.
    void notifyResumed();

signals:
    void resumedFromSleep(std::chrono::milliseconds slept);
    void networkAvailable();

private:
    void onReachabilityChanged();
    bool startBootClockTimer(std::chrono::milliseconds interval);
    void onBootClockTimer();
    // How far each clock advanced since the last reading; takes a new reading.
    ClockReading takeReading();

    ClockSource m_clocks;
    QTimer m_checkTimer; // the fallback when there is no boot-time timer
    int m_bootTimerFd = -1;
    QSocketNotifier *m_bootTimer = nullptr;
    std::chrono::milliseconds m_lastMonotonic{};
    std::chrono::milliseconds m_lastBoottime{};
    bool m_hasNetworkInformation = false;
    bool m_wasReachable = true;
};

} // namespace traybeat
