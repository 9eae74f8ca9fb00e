#include "systemwatcher.h"

#include "logging.h"

#include <QNetworkInformation>
#include <algorithm>
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

SystemWatcher::SystemWatcher(std::chrono::milliseconds checkInterval, QObject *parent)
    : SystemWatcher(checkInterval, &SystemWatcher::systemClocks, parent)
{
}

SystemWatcher::SystemWatcher(std::chrono::milliseconds checkInterval, ClockSource clocks,
                             QObject *parent)
    : QObject(parent), m_clocks(std::move(clocks)), m_checkTimer(this)
{
    const ClockReading first = m_clocks();
    m_lastMonotonic = first.monotonic;
    m_lastBoottime = first.boottime;
    if (!startBootClockTimer(checkInterval)) {
        connect(&m_checkTimer, &QTimer::timeout, this, &SystemWatcher::check);
        m_checkTimer.start(checkInterval);
    }

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

SystemWatcher::~SystemWatcher()
{
    delete m_bootTimer; // before its descriptor is closed
    if (m_bootTimerFd >= 0)
        ::close(m_bootTimerFd);
}

bool SystemWatcher::startBootClockTimer(std::chrono::milliseconds interval)
{
    m_bootTimerFd = ::timerfd_create(CLOCK_BOOTTIME, TFD_NONBLOCK | TFD_CLOEXEC);
    if (m_bootTimerFd < 0)
        return false;
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(interval);
    const auto nanoseconds = std::chrono::nanoseconds(interval - seconds);
    itimerspec spec{};
    spec.it_interval.tv_sec = spec.it_value.tv_sec = time_t(seconds.count());
    spec.it_interval.tv_nsec = spec.it_value.tv_nsec = long(nanoseconds.count());
    if (::timerfd_settime(m_bootTimerFd, 0, &spec, nullptr) != 0) {
        ::close(m_bootTimerFd);
        m_bootTimerFd = -1;
        return false;
    }
    m_bootTimer = new QSocketNotifier(m_bootTimerFd, QSocketNotifier::Read, this);
    connect(m_bootTimer, &QSocketNotifier::activated, this, &SystemWatcher::onBootClockTimer);
    return true;
}

void SystemWatcher::onBootClockTimer()
{
    quint64 expirations = 0; // must be read, or the descriptor stays readable
    if (::read(m_bootTimerFd, &expirations, sizeof expirations) != sizeof expirations)
        return;
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
