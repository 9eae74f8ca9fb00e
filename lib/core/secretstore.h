#pragma once

#include <QCoreApplication>
#include <QObject>
#include <QPointer>
#include <QQueue>
#include <QTimer>
#include <chrono>
#include <functional>

namespace QKeychain {
class Job;
}

namespace traybeat {

// Keeps secrets (subscription tokens) in the desktop's keyring — the Secret Service
// (gnome-keyring, KeePassXC, ...) or KWallet — through QtKeychain. Entries are found by
// `secret-tool lookup server traybeat user KEY`.
//
// Every request is answered asynchronously, through the event loop (never from inside the
// call), and at the latest after timeout(): the GUI thread never waits for the keyring. Requests
// run one at a time (QtKeychain runs its jobs one after another anyway, so a timer started with
// our job measures our job). The first answer decides availability: a keyring that answers (a
// secret, or "no such entry") is available; an error or no answer in time makes it unavailable
// for the rest of the session, and every later request fails at once with the same reason, so
// callers fall back to their plain-text file.
class SecretStore final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SecretStore)
public:
    enum class Availability { Unknown, Available, Unavailable };

    struct Result
    {
        bool ok = false;       // read: found; write/remove: done
        bool notFound = false; // read/remove: the keyring answered, but has no such entry
        QString secret;        // read only
        QString error;         // why not, when neither ok nor notFound
    };
    using Callback = std::function<void(const Result &)>;

    explicit SecretStore(QObject *parent = nullptr);
    ~SecretStore() override;

    // How long one request may take before the keyring is given up for the session. The default
    // leaves time to type the keyring's password into a prompt.
    void setTimeout(std::chrono::milliseconds timeout);
    std::chrono::milliseconds timeout() const { return m_timeout; }

    Availability availability() const { return m_availability; }
    // Why the keyring is unavailable, in a sentence fragment ("no keyring service on the session
    // bus", "the desktop keyring did not answer within 15s").
    QString unavailableReason() const { return m_unavailableReason; }

    // `done` runs later, from the event loop (in the store's thread), unless `context` is gone.
    void read(const QString &key, QObject *context, Callback done);
    void write(const QString &key, const QString &secret, QObject *context, Callback done);
    void remove(const QString &key, QObject *context, Callback done);

signals:
    void availabilityChanged();

private:
    enum class Kind { Read, Write, Remove };
    struct Request
    {
        Kind kind;
        QString key;
        QString secret;
        QPointer<QObject> context;
        Callback done;
    };

    void enqueue(Request request);
    void runNext();
    void onJobFinished(QKeychain::Job *job);
    void onTimeout();
    void finish(const Result &result);
    void setUnavailable(const QString &reason);

    std::chrono::milliseconds m_timeout;
    Availability m_availability = Availability::Unknown;
    QString m_unavailableReason;
    QQueue<Request> m_queue;
    // The job in flight. Not our child: QtKeychain's callbacks into libsecret hold a pointer to
    // it, so it must live until it finishes (it deletes itself then), even after we gave up.
    QKeychain::Job *m_job = nullptr;
    QTimer m_timer;
};

} // namespace traybeat
