#include "secretstore.h"

#include "duration.h"

#include <QFileInfo>
#include <qt6keychain/keychain.h>

namespace traybeat {

namespace {

using namespace std::chrono_literals;

// The keyring entries' "server" attribute (QtKeychain's service name).
const QString serviceName = QStringLiteral("traybeat");
constexpr auto defaultTimeout = 15s;

// Without a session bus address GDBus (under libsecret) would autolaunch a bus of its own when
// $DISPLAY is set, a process nobody stops; no bus means no keyring anyway.
bool hasSessionBus()
{
    if (!qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS"))
        return true;
    const QString runtime = qEnvironmentVariable("XDG_RUNTIME_DIR");
    return !runtime.isEmpty() && QFileInfo(runtime + QStringLiteral("/bus")).exists();
}

} // namespace

SecretStore::SecretStore(QObject *parent) : QObject(parent), m_timeout(defaultTimeout)
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &SecretStore::onTimeout);
}

SecretStore::~SecretStore()
{
    // A job still in flight finishes (and deletes itself) without us.
    if (m_job)
        m_job->disconnect(this);
}

void SecretStore::setTimeout(std::chrono::milliseconds timeout)
{
    m_timeout = timeout;
}

void SecretStore::read(const QString &key, QObject *context, Callback done)
{
    enqueue({Kind::Read, key, {}, context, std::move(done)});
}

void SecretStore::write(const QString &key, const QString &secret, QObject *context, Callback done)
{
    enqueue({Kind::Write, key, secret, context, std::move(done)});
}

void SecretStore::remove(const QString &key, QObject *context, Callback done)
{
    enqueue({Kind::Remove, key, {}, context, std::move(done)});
}

void SecretStore::enqueue(Request request)
{
    m_queue.enqueue(std::move(request));
    // Started from the event loop, so that an answer never arrives inside the caller's call.
    if (!m_job && m_queue.size() == 1)
        QTimer::singleShot(0, this, &SecretStore::runNext);
}

void SecretStore::runNext()
{
    if (m_job || m_queue.isEmpty())
        return;
    if (m_availability == Availability::Unknown && !hasSessionBus())
        setUnavailable(tr("no D-Bus session bus"));
#ifdef TRAYBEAT_SANITIZED
    // Under ASan's runtime (gcc 12, glibc 2.36) the tray app's gettext lock has a reader count
    // gone negative before we start, so the first writer — GLib's bindtextdomain, called inside
    // libsecret — waits forever. The sanitizer builds therefore keep tokens in the file.
    if (m_availability == Availability::Unknown)
        setUnavailable(QStringLiteral("the desktop keyring is not used in sanitizer builds"));
#endif
    if (m_availability == Availability::Unavailable) {
        finish({false, false, {}, m_unavailableReason});
        return;
    }
    const Request &request = m_queue.head();
    QKeychain::Job *job = nullptr;
    switch (request.kind) {
    case Kind::Read:
        job = new QKeychain::ReadPasswordJob(serviceName);
        break;
    case Kind::Write: {
        auto *writeJob = new QKeychain::WritePasswordJob(serviceName);
        writeJob->setTextData(request.secret);
        job = writeJob;
        break;
    }
    case Kind::Remove:
        job = new QKeychain::DeletePasswordJob(serviceName);
        break;
    }
    job->setKey(request.key);
    job->setAutoDelete(true);
    job->setInsecureFallback(false); // the fallback is ours: traybeat.conf, and the user is told
    connect(job, &QKeychain::Job::finished, this, &SecretStore::onJobFinished);
    m_job = job;
    m_timer.start(m_timeout);
    job->start();
}

void SecretStore::onJobFinished(QKeychain::Job *job)
{
    if (job != m_job)
        return;
    m_timer.stop();
    m_job = nullptr;
    Result result;
    switch (job->error()) {
    case QKeychain::NoError:
        result.ok = true;
        if (auto *readJob = qobject_cast<QKeychain::ReadPasswordJob *>(job))
            result.secret = readJob->textData();
        break;
    case QKeychain::EntryNotFound:
        result.notFound = true;
        break;
    default:
        result.error = job->errorString();
        break;
    }
    if (result.ok || result.notFound) {
        if (m_availability != Availability::Available) {
            m_availability = Availability::Available;
            emit availabilityChanged();
        }
    } else {
        // Locked and the prompt refused, no service, a broken backend: the file it is, for
        // this session.
        setUnavailable(result.error);
    }
    finish(result);
}

void SecretStore::onTimeout()
{
    if (!m_job)
        return;
    // Abandoned, not deleted: libsecret may still call back into it (see m_job).
    m_job->disconnect(this);
    m_job = nullptr;
    const QString reason =
        tr("the desktop keyring did not answer within %1").arg(formatDuration(m_timeout));
    setUnavailable(reason);
    finish({false, false, {}, reason});
}

void SecretStore::setUnavailable(const QString &reason)
{
    if (m_availability == Availability::Unavailable)
        return;
    m_availability = Availability::Unavailable;
    m_unavailableReason = reason;
    emit availabilityChanged();
}

// Answers the request at the head of the queue, then starts the next one.
void SecretStore::finish(const Result &result)
{
    const Request request = m_queue.dequeue();
    if (!m_queue.isEmpty())
        QTimer::singleShot(0, this, &SecretStore::runNext);
    // The callback may destroy this store: nothing touches members after it.
    if (request.context && request.done)
        request.done(result);
}

} // namespace traybeat
