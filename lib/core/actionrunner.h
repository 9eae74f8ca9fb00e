#pragma once

#include "notificationaction.h"

#include <QNetworkAccessManager>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <chrono>
#include <memory>
#include <unordered_map>

class QNetworkReply;

namespace traybeat {

// Sends the request of an `http` action (its method, headers and body) from the desktop, as
// ntfy's apps do, and says how it went. The URL came from a server: only http/https is
// requested, a redirect is followed only to http/https (never to file: or another scheme), every
// request has a deadline, the response body is read and dropped (only the status counts), and
// only a few requests run at once.
class ActionRunner final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ActionRunner)
public:
    struct Config
    {
        std::chrono::milliseconds timeout{15000}; // the whole request, redirects included
        int maximumRedirects = 5;
        int maximumRunning = 8; // more at once are refused, not queued
    };

    struct Outcome
    {
        bool succeeded = false;
        int httpStatus = 0; // 0: no HTTP answer (refused, network error, timeout)
        QString text;       // "Done", or why not; may quote the server's status line
    };

    explicit ActionRunner(QObject *parent = nullptr);
    explicit ActionRunner(const Config &config, QObject *parent = nullptr);
    ~ActionRunner() override;

    // Starts the request of an http action; returns its number, which `finished` carries. Every
    // run ends in exactly one `finished`, always later than this call returns (also when the
    // action is refused at once).
    quint64 run(const NotificationAction &action);
    int runningCount() const { return int(m_running.size()); }

signals:
    void finished(quint64 id, const traybeat::ActionRunner::Outcome &outcome);

private:
    struct Running
    {
        QPointer<QNetworkReply> reply;
        QTimer deadline;
    };

    void refuseLater(quint64 id, const QString &reason);
    void onRedirected(quint64 id, const QUrl &target);
    void onFinished(quint64 id);
    void finish(quint64 id, const Outcome &outcome);

    Config m_config;
    QNetworkAccessManager m_network;
    std::unordered_map<quint64, std::unique_ptr<Running>> m_running;
    quint64 m_nextId = 1;
};

} // namespace traybeat

Q_DECLARE_METATYPE(traybeat::ActionRunner::Outcome)
