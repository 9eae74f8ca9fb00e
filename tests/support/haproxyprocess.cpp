#include "haproxyprocess.h"

#include <QElapsedTimer>
#include <QFile>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>

namespace {
quint16 freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}
} // namespace

HaproxyProcess::~HaproxyProcess()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.kill();
        m_process.waitForFinished(5000);
    }
}

QString HaproxyProcess::configuration() const
{
    QString servers;
    for (int i = 0; i < m_backends.size(); ++i)
        servers += QStringLiteral("    server s%1 127.0.0.1:%2 check\n").arg(i).arg(m_backends[i]);
    return QStringLiteral("global\n"
                          "    maxconn 4096\n"
                          "defaults\n"
                          "    mode http\n"
                          "    timeout connect 2s\n"
                          "    timeout client 60s\n"
                          "    timeout server 60s\n"
                          "    timeout tunnel 1h\n"
                          "    retries 3\n"
                          "    option redispatch 1\n"
                          "frontend push\n"
                          "    bind 127.0.0.1:%1\n"
                          "    default_backend serve\n"
                          "backend serve\n"
                          "    balance roundrobin\n"
                          "    option httpchk GET /v1/health\n"
                          "    default-server inter 200ms fall 1 rise 1\n"
                          // The tests must know which instance holds a subscription: the
                          // first while it is up, then round robin like everything else.
                          "    use-server s0 if { path_end /ws } { srv_is_up(serve/s0) }\n")
               .arg(m_port) +
           servers;
}

bool HaproxyProcess::start(const QList<quint16> &backendPorts, QString *errorMessage)
{
    const QString binary = QStandardPaths::findExecutable(
        QStringLiteral("haproxy"), {QStringLiteral("/usr/sbin"), QStringLiteral("/usr/bin")});
    if (binary.isEmpty()) {
        *errorMessage = QStringLiteral("haproxy is not installed (scripts/dev installs it)");
        return false;
    }
    m_backends = backendPorts;
    m_port = freePort();
    const QString path = m_dir.filePath(QStringLiteral("haproxy.cfg"));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(configuration().toUtf8()) < 0) {
        *errorMessage = QStringLiteral("cannot write %1").arg(path);
        return false;
    }
    file.close();
    m_process.setProcessChannelMode(QProcess::MergedChannels);
    // -db: foreground, no daemon; -W would add a master process we do not need.
    m_process.start(binary, {QStringLiteral("-db"), QStringLiteral("-f"), path});
    if (!m_process.waitForStarted(10000)) {
        *errorMessage = QStringLiteral("cannot start haproxy: ") + m_process.errorString();
        return false;
    }
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < 20000 && m_process.state() == QProcess::Running) {
        QTcpSocket probe;
        probe.connectToHost(QHostAddress::LocalHost, m_port);
        if (probe.waitForConnected(200))
            return true;
        m_process.waitForFinished(100);
    }
    *errorMessage =
        QStringLiteral("haproxy did not listen: ") + QString::fromLocal8Bit(m_process.readAll());
    return false;
}
