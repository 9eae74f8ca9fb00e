#include "singleinstance.h"

#include "logging.h"

#include <QCryptographicHash>
#include <QDeadlineTimer>
#include <QDir>
#include <QLocalSocket>
#include <QLockFile>
#include <QStandardPaths>
#include <QThread>

#include <unistd.h>

namespace traybeat {

namespace {

const QByteArray activateCommand = QByteArrayLiteral("activate\n");

QString runtimeDirectory()
{
    // Per user and private (0700) where the platform has one; the temp folder otherwise.
    QString directory = QStandardPaths::writableLocation(QStandardPaths::RuntimeLocation);
    if (directory.isEmpty() || !QDir().mkpath(directory))
        directory = QDir::tempPath();
    return directory;
}

} // namespace

SingleInstance::SingleInstance(const QString &key, QObject *parent) : QObject(parent)
{
    const QByteArray hash =
        QCryptographicHash::hash(key.toUtf8(), QCryptographicHash::Sha256).toHex().left(16);
    m_serverName = runtimeDirectory() +
                   QStringLiteral("/traybeat-%1-%2").arg(::getuid()).arg(QString::fromLatin1(hash));
    m_server.setSocketOptions(QLocalServer::UserAccessOption);
    connect(&m_server, &QLocalServer::newConnection, this, &SingleInstance::onNewConnection);
}

SingleInstance::~SingleInstance() = default;

QString SingleInstance::defaultKey(const QString &stateDirectory)
{
    return QStringLiteral("%1\n%2\n%3")
        .arg(::getuid())
        .arg(QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation),
             QDir(stateDirectory).absolutePath());
}

SingleInstance::Role SingleInstance::claim()
{
    // The lock, not the socket, decides: two launches at once could otherwise both find no
    // server and both listen. QLockFile also recognises a lock left by a crashed process.
    m_lock = std::make_unique<QLockFile>(m_serverName + QStringLiteral(".lock"));
    m_lock->setStaleLockTime(0); // held for the process's life: stale only if its owner is gone
    if (!m_lock->tryLock(0)) {
        if (m_lock->error() == QLockFile::LockFailedError)
            return Role::Secondary;
        qCWarning(lcUi).noquote() << "single instance: cannot create the lock" << m_lock->fileName()
                                  << "- running anyway";
    }
    QLocalServer::removeServer(m_serverName); // a socket file left by a crashed process
    if (!m_server.listen(m_serverName)) {
        qCWarning(lcUi).noquote() << "single instance: cannot listen on" << m_serverName << ":"
                                  << m_server.errorString();
    }
    return Role::Primary;
}

bool SingleInstance::activatePrimary(std::chrono::milliseconds timeout)
{
    // The primary may have just taken the lock and not be listening yet: retry until the
    // deadline.
    const QDeadlineTimer deadline(timeout);
    while (!deadline.hasExpired()) {
        QLocalSocket socket;
        socket.connectToServer(m_serverName);
        if (socket.waitForConnected(int(std::max<qint64>(1, deadline.remainingTime())))) {
            socket.write(activateCommand);
            if (!socket.waitForBytesWritten(int(std::max<qint64>(1, deadline.remainingTime()))))
                return false;
            socket.disconnectFromServer();
            return true;
        }
        QThread::msleep(50);
    }
    return false;
}

void SingleInstance::onNewConnection()
{
    while (QLocalSocket *socket = m_server.nextPendingConnection()) {
        connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
        connect(socket, &QLocalSocket::readyRead, this, [this, socket] {
            while (socket->canReadLine()) {
                if (socket->readLine() == activateCommand)
                    emit activationRequested();
            }
            // Anything longer than a command is not one of ours.
            if (socket->bytesAvailable() > 64)
                socket->abort();
        });
    }
}

} // namespace traybeat
