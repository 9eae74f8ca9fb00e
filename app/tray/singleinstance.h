#pragma once

#include <QLocalServer>
#include <QObject>
#include <QString>
#include <chrono>
#include <memory>

class QLockFile;

namespace traybeat {

// Makes sure one person runs one tray client per settings location: the first launch takes a
// lock and listens on a local socket; a later launch finds the lock taken, asks the running one
// (over the socket) to bring its window forward, and exits. The key folds in the user and the
// settings and state locations, so a test with its own XDG_CONFIG_HOME is a separate instance.
class SingleInstance final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SingleInstance)
public:
    enum class Role { Primary, Secondary };

    explicit SingleInstance(const QString &key, QObject *parent = nullptr);
    ~SingleInstance() override;

    // The lock and socket paths derived from the key (in the user's runtime folder).
    QString serverName() const { return m_serverName; }

    // Primary: this process holds the lock and listens. Secondary: another one runs.
    // On a failure to listen, Primary all the same (better two clients than none), with a warning.
    Role claim();
    // As a secondary: asks the primary to come forward. False if it did not answer in time.
    bool activatePrimary(std::chrono::milliseconds timeout);

    // The key for the user's default settings: user, settings folder, state folder.
    static QString defaultKey(const QString &stateDirectory);

signals:
    void activationRequested();

private:
    void onNewConnection();

    QString m_serverName;
    std::unique_ptr<QLockFile> m_lock;
    QLocalServer m_server;
};

} // namespace traybeat
