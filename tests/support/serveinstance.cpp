#include "serveinstance.h"

#include <QElapsedTimer>
#include <QRegularExpression>

ServeInstance::ServeInstance(const QString &binary, const QString &database,
                             const QStringList &environment)
    : m_binary(binary), m_database(database), m_environment(environment)
{
}

ServeInstance::~ServeInstance()
{
    if (isRunning()) {
        m_process.terminate();
        if (!m_process.waitForFinished(10000))
            m_process.kill();
        m_process.waitForFinished(5000);
    }
    const QByteArray errors = m_process.readAllStandardError();
    if (!errors.isEmpty())
        qInfo("serve on port %d said: %s", m_port, errors.right(3000).constData());
}

bool ServeInstance::start(QString *errorMessage, quint16 port, const QStringList &extraArguments)
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (const QString &entry : m_environment)
        environment.insert(entry.section(QLatin1Char('='), 0, 0),
                           entry.section(QLatin1Char('='), 1));
    m_process.setProcessEnvironment(environment);
    QStringList arguments{QStringLiteral("serve"),
                          QStringLiteral("--listen=127.0.0.1:%1").arg(port)};
    if (!m_database.isEmpty())
        arguments += {QStringLiteral("--db"), m_database};
    m_process.start(m_binary, arguments + extraArguments);
    if (!m_process.waitForStarted(10000)) {
        *errorMessage =
            QStringLiteral("cannot start %1: %2").arg(m_binary, m_process.errorString());
        return false;
    }
    QElapsedTimer timer;
    timer.start();
    while (!m_process.canReadLine() && isRunning() && timer.elapsed() < 30000)
        m_process.waitForReadyRead(100);
    const QString line = QString::fromUtf8(m_process.readLine());
    const auto match =
        QRegularExpression(QStringLiteral("listening on http://127\\.0\\.0\\.1:(\\d+)"))
            .match(line);
    if (!match.hasMatch()) {
        *errorMessage = QStringLiteral("serve did not start: %1 %2")
                            .arg(line, QString::fromLocal8Bit(m_process.readAllStandardError()));
        return false;
    }
    m_port = quint16(match.captured(1).toUInt());
    return true;
}

void ServeInstance::kill()
{
    m_process.kill();
    m_process.waitForFinished(10000);
}

QUrl ServeInstance::url() const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_port));
}
