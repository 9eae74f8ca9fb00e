#pragma once

#include <QList>
#include <QProcess>
#include <QTemporaryDir>

// HAProxy (Debian's haproxy) in front of serve instances, as README "Running several instances"
// configures it: HTTP mode (WebSockets pass through), round robin, a health check on
// /v1/health every 200 ms, a failed connection retried on the other instance; WebSocket
// subscriptions go to the first instance while it is up, so a test knows which one to kill. Runs in the
// foreground as a child process, its configuration in a temporary folder; killed in the
// destructor. Missing haproxy is a failure (CI installs it through scripts/dev).
class HaproxyProcess final
{
public:
    HaproxyProcess() = default;
    ~HaproxyProcess();
    Q_DISABLE_COPY_MOVE(HaproxyProcess)

    bool start(const QList<quint16> &backendPorts, QString *errorMessage);
    quint16 port() const { return m_port; }
    // The configuration it runs with (the README shows the same).
    QString configuration() const;

private:
    QTemporaryDir m_dir;
    QProcess m_process;
    QList<quint16> m_backends;
    quint16 m_port = 0;
};
