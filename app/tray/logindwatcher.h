#pragma once

#include <QDBusConnection>
#include <QObject>

namespace traybeat {

// Hears logind announce sleep and wake-up (PrepareForSleep on org.freedesktop.login1.Manager,
// system bus): on waking every link is surely dead, so the app reconnects at once instead of
// waiting for a heartbeat to go unanswered. Where there is no system bus or no logind
// (containers, minimal systems, some test machines) it says so in one log line and stays
// inactive; SystemWatcher's clock comparison notices a sleep there, as it also does here.
class LogindWatcher final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LogindWatcher)
public:
    // Listens on the system bus.
    explicit LogindWatcher(QObject *parent = nullptr);
    // Listens on `bus` (tests: a bus of their own, or one that is not there).
    explicit LogindWatcher(const QDBusConnection &bus, QObject *parent = nullptr);
    ~LogindWatcher() override;

    // Listening, and logind was there when this object was made.
    bool isActive() const { return m_active; }

signals:
    void aboutToSleep();
    void resumed();

private slots:
    // Qt DBus delivers bus signals only to slots named by signature (no member-pointer form).
    void onPrepareForSleep(bool sleeping);

private:
    QDBusConnection m_bus;
    bool m_active = false;
};

} // namespace traybeat
