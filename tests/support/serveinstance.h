#pragma once

#include <QProcess>
#include <QStringList>
#include <QUrl>

// `traybeat serve` of this build as a child process, for the tests and benchmarks that need
// real separate instances (several on one PostgreSQL database, one killed with SIGKILL).
// Environment entries (PGPASSWORD=...) are added to the child's, never put on its command line.
// An empty `database` passes no --db (the extra arguments name it, e.g. --db-url-file).
// Ended (SIGTERM, then SIGKILL) in the destructor; what it wrote to stderr is shown then.
class ServeInstance final
{
public:
    ServeInstance(const QString &binary, const QString &database,
                  const QStringList &environment = {});
    ~ServeInstance();
    Q_DISABLE_COPY_MOVE(ServeInstance)

    // Starts it on 127.0.0.1:`port` (0: a free one) and waits for its "listening on" line.
    bool start(QString *errorMessage, quint16 port = 0, const QStringList &extraArguments = {});
    void kill(); // SIGKILL, as a crash or the OOM killer would
    bool isRunning() const { return m_process.state() != QProcess::NotRunning; }
    quint16 port() const { return m_port; }
    QUrl url() const;
    qint64 pid() const { return m_process.processId(); }
    QByteArray standardError() { return m_process.readAllStandardError(); }

private:
    QString m_binary;
    QString m_database;
    QStringList m_environment;
    QProcess m_process;
    quint16 m_port = 0;
};
