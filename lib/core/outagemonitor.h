#pragma once

#include "connectionmanager.h"
#include "notification.h"

#include <QDateTime>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <chrono>

namespace traybeat {

class Subscription;

// Decides when a subscription's trouble is worth telling the person, so the tray app can say it
// once instead of on every retry: a link down for longer than `longOutage` (a blip is not news),
// a permanent failure (401/403, a refused certificate) at once but only once until the link
// works again, and the recovery after either, with how many notifications arrived in the
// catch-up that were sent while it was offline.
//
// No timer runs while the link is fine: a single shot is armed when the link goes down (for
// `longOutage`), and another when an announced outage ends (for `catchUpWindow`, the time the
// resume gets to deliver what was missed before the recovery is reported).
class OutageMonitor final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OutageMonitor)
public:
    struct Config
    {
        std::chrono::milliseconds longOutage = std::chrono::minutes(2);
        std::chrono::milliseconds catchUpWindow = std::chrono::seconds(5);
    };

    // Follows `subscription`, which must outlive this object or be destroyed with it.
    OutageMonitor(Subscription *subscription, const Config &config, QObject *parent = nullptr);
    ~OutageMonitor() override;

    void setConfig(const Config &config);
    const Config &config() const { return m_config; }
    // When the current outage began; invalid while the link is up (or stopped).
    QDateTime downSince() const { return m_downSince; }

signals:
    // The link has been down for longer than `longOutage`, since `since` (UTC).
    void longOutage(const QString &name, const QDateTime &since);
    // The link failed for good (it is still retried, rarely); said once per failure streak.
    void permanentFailure(const QString &name, const QString &reason);
    // An outage or failure that was announced is over; `missed` notifications published while
    // offline arrived within the catch-up window.
    void recovered(const QString &name, const QDateTime &since, int missed);

private:
    void onStateChanged(ConnectionState state, const QString &reason);
    void onNotificationsArrived(const NotificationList &fresh);
    void linkDown();
    void linkUp();
    void onLongOutage();
    void finishCatchUp();
    void reset();
    bool wasAnnounced() const { return m_outageAnnounced || m_failureAnnounced; }

    QPointer<Subscription> m_subscription;
    Config m_config;
    QTimer m_outageTimer;  // single shot, armed when the link goes down
    QTimer m_catchUpTimer; // single shot, armed when an announced outage ends
    QDateTime m_downSince;
    QDateTime m_upSince;     // when the link came back after an announced outage
    QDateTime m_reportSince; // the outage being reported on during the catch-up
    int m_missed = 0;
    bool m_outageAnnounced = false;
    bool m_failureAnnounced = false;
};

} // namespace traybeat
