#include "logindwatcher.h"

#include "logging.h"

#include <QDBusConnectionInterface>

namespace traybeat {

namespace {
const QString logindService = QStringLiteral("org.freedesktop.login1");
const QString logindPath = QStringLiteral("/org/freedesktop/login1");
const QString managerInterface = QStringLiteral("org.freedesktop.login1.Manager");
} // namespace

LogindWatcher::LogindWatcher(QObject *parent) : LogindWatcher(QDBusConnection::systemBus(), parent)
{
}

LogindWatcher::LogindWatcher(const QDBusConnection &bus, QObject *parent)
    : QObject(parent), m_bus(bus)
{
    if (!m_bus.isConnected()) {
        qCInfo(lcConnection) << "no system bus: sleep is noticed through the clocks only";
        return;
    }
    QDBusConnectionInterface *busInterface = m_bus.interface();
    if (!busInterface || !busInterface->isServiceRegistered(logindService).value()) {
        qCInfo(lcConnection) << "no logind on the system bus: sleep is noticed through the "
                                "clocks only";
        return;
    }
    m_active =
        m_bus.connect(logindService, logindPath, managerInterface,
                      QStringLiteral("PrepareForSleep"), this, SLOT(onPrepareForSleep(bool)));
    if (!m_active)
        qCWarning(lcConnection) << "cannot listen to logind:" << m_bus.lastError().message();
}

LogindWatcher::~LogindWatcher() = default;

void LogindWatcher::onPrepareForSleep(bool sleeping)
{
    qCInfo(lcConnection) << (sleeping ? "logind: the machine goes to sleep"
                                      : "logind: the machine woke up");
    if (sleeping)
        emit aboutToSleep(); // the links are left alone: the resume replaces them anyway
    else
        emit resumed();
}

} // namespace traybeat
