#include "systemwatcher.h"

#include "logging.h"

#include <QNetworkInformation>
#include <algorithm>
#include <limits>
#include <utility>
#include <ctime>
#include <sys/timerfd.h>
#include <unistd.h>

namespace traybeat {

namespace {
std::chrono::milliseconds clockNow(clockid_t clock)
{
    timespec now{};
    clock_gettime(clock, &now);
    return std::chrono::seconds(now.tv_sec) + std::chrono::milliseconds(now.tv_nsec / 1000000);
}

bool isReachable(const QNetworkInformation *information)
{
    const auto reachability = information->reachability();
    return reachability == QNetworkInformation::Reachability::Online ||
           reachability == QNetworkInformation::Reachability::Site ||
           reachability == QNetworkInformation::Reachability::Local;
}
} // namespace

SystemWatcher::ClockReading SystemWatcher::systemClocks()
{
    return {clockNow(CLOCK_MONOTONIC), clockNow(CLOCK_BOOTTIME)};
}

SystemWatcher::SystemWatcher(std::chrono::milliseconds fallbackInterval, QObject *parent)
    : SystemWatcher(fallbackInterval, &SystemWatcher::systemClocks, SleepNotice::Kernel, parent)
{
}

SystemWatcher::SystemWatcher(std::chrono::milliseconds fallbackInterval, ClockSource clocks,
                             SleepNotice notice, QObject *parent)
    : QObject(parent), m_clocks(std::move(clocks)), m_checkTimer(this)
{
    const ClockReading first = m_clocks();
    m_lastMonotonic = first.monotonic;
    m_lastBoottime = first.boottime;
    if (notice == SleepNotice::Timer || !listenForClockChanges()) {
        connect(&m_checkTimer, &QTimer::timeout, this, &SystemWatcher::check);
        m_checkTimer.start(fallbackInterval);
    }
}

SystemWatcher::~SystemWatcher()
{
    delete m_clockChangeNotifier; // before its descriptor is closed
    if (m_clockChangeFd >= 0)
        ::close(m_clockChangeFd);
}

void SystemWatcher::watchNetwork()
{
    if (std::exchange(m_watchingNetwork, true))
        return;
    m_hasNetworkInformation =
        QNetworkInformation::loadDefaultBackend() &&
        QNetworkInformation::instance()->supports(QNetworkInformation::Feature::Reachability);
    if (!m_hasNetworkInformation) {
        qCDebug(lcConnection) << "no network information backend; watching for sleep only";
        return;
    }
    QNetworkInformation *information = QNetworkInformation::instance();
    m_wasReachable = isReachable(information);
    connect(information, &QNetworkInformation::reachabilityChanged, this,
            &SystemWatcher::onReachabilityChanged);
}

namespace {
// Arms `fd` (a CLOCK_REALTIME timerfd) to expire never but to be cancelled — become readable —
// when the clock is set, which includes every resume from suspend.
bool armForClockChanges(int fd)
{
    itimerspec never{};
    never.it_value.tv_sec = std::numeric_limits<time_t>::max();
    return ::timerfd_settime(fd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &never, nullptr) ==
           0;
}
} // namespace

bool SystemWatcher::listenForClockChanges()
{
    m_clockChangeFd = ::timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC);
    if (m_clockChangeFd < 0)
        return false;
    if (!armForClockChanges(m_clockChangeFd)) {
        ::close(m_clockChangeFd);
        m_clockChangeFd = -1;
        return false;
    }
    m_clockChangeNotifier = new QSocketNotifier(m_clockChangeFd, QSocketNotifier::Read, this);
    connect(m_clockChangeNotifier, &QSocketNotifier::activated, this,
            &SystemWatcher::onClockChanged);
    return true;
}

void SystemWatcher::onClockChanged()
{
    // The read fails with ECANCELED and so clears the notice; arming again keeps the next one
    // coming on every kernel (a clock set while awake only makes the check find no gap).
    quint64 expirations = 0;
    [[maybe_unused]] const auto ignored = ::read(m_clockChangeFd, &expirations, sizeof expirations);
    armForClockChanges(m_clockChangeFd);
    check();
}

bool SystemWatcher::wasSuspended(std::chrono::milliseconds monotonic,
                                 std::chrono::milliseconds boottime,
                                 std::chrono::milliseconds threshold)
{
    return boottime - monotonic > threshold;
}

SystemWatcher::ClockReading SystemWatcher::takeReading()
{
    const auto [monotonic, boottime] = m_clocks();
    const ClockReading advanced{monotonic - m_lastMonotonic, boottime - m_lastBoottime};
    m_lastMonotonic = monotonic;
    m_lastBoottime = boottime;
    return advanced;
}

void SystemWatcher::check()
{
    const auto [monotonic, boottime] = takeReading();
    // A second of slack: the two clocks are read one after the other on a busy machine.
    if (wasSuspended(monotonic, boottime, std::chrono::seconds(1))) {
        qCInfo(lcConnection) << "the machine slept for" << (boottime - monotonic).count() << "ms";
        emit resumedFromSleep(boottime - monotonic);
    }
}

void SystemWatcher::notifyResumed()
{
    const auto [monotonic, boottime] = takeReading();
    emit resumedFromSleep(std::max(boottime - monotonic, std::chrono::milliseconds(0)));
}

void SystemWatcher::onReachabilityChanged()
{
    const bool reachable = isReachable(QNetworkInformation::instance());
    if (reachable && !m_wasReachable)
        emit networkAvailable();
    m_wasReachable = reachable;
}

} // namespace traybeat
