#include "storethread.h"

#include "notificationstore.h"

#ifdef Q_OS_LINUX
#include <pthread.h>
#endif

namespace traybeat {

StoreThread::StoreThread(QObject *parent) : QObject(parent) {}

StoreThread::~StoreThread()
{
    if (!m_thread.joinable())
        return;
    {
        const std::lock_guard lock(m_mutex);
        m_quit = true;
    }
    m_sliceGiven.notify_one();
    m_thread.join();
}

bool StoreThread::open(const QString &filePath, QString *errorMessage)
{
    Q_ASSERT(!m_thread.joinable());
    // The connection belongs to the thread that opens it (QSqlDatabase): the worker opens it,
    // and says how that went before it takes slices.
    std::promise<QString> opened;
    std::future<QString> openError = opened.get_future();
    m_thread = std::thread([this, filePath, &opened] { run(filePath, &opened); });
    const QString error = openError.get();
    if (error.isEmpty())
        return true;
    m_thread.join();
    if (errorMessage)
        *errorMessage = error;
    return false;
}

void StoreThread::add(NotificationList slice)
{
    Q_ASSERT(isOpen());
    ++m_inFlight;
    {
        const std::lock_guard lock(m_mutex);
        m_slices.push_back(std::move(slice));
    }
    m_sliceGiven.notify_one();
}

std::optional<StoreThread::Result> StoreThread::takeResult()
{
    const std::lock_guard lock(m_mutex);
    if (m_results.empty())
        return std::nullopt;
    Result result = std::move(m_results.front());
    m_results.pop_front();
    --m_inFlight;
    return result;
}

StoreThread::Result StoreThread::waitForResult()
{
    Q_ASSERT(m_inFlight > 0);
    std::unique_lock lock(m_mutex);
    m_resultPushed.wait(lock, [this] { return !m_results.empty(); });
    Result result = std::move(m_results.front());
    m_results.pop_front();
    --m_inFlight;
    return result;
}

void StoreThread::acceptAgain()
{
    const std::lock_guard lock(m_mutex);
    m_refusing = false;
}

void StoreThread::run(const QString &filePath, std::promise<QString> *opened)
{
#ifdef Q_OS_LINUX
    pthread_setname_np(pthread_self(), "traybeat-store"); // as top, perf and gdb show it
#endif
    NotificationStore store; // created, used and destroyed on this thread, as QSqlDatabase needs
    QString error;
    const bool isOpen = store.open(filePath, &error); // a failure always says why
    opened->set_value(isOpen ? QString() : error);    // gone once the opener has read it
    if (!isOpen)
        return;
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_sliceGiven.wait(lock, [this] { return m_quit || !m_slices.empty(); });
        if (m_slices.empty())
            return; // told to quit, and everything given is stored
        NotificationList slice = std::move(m_slices.front());
        m_slices.pop_front();
        Result result;
        if (m_refusing) {
            result.messages = std::move(slice);
        } else {
            lock.unlock();
            NotificationList fresh = store.add(std::move(slice), &result.stored);
            // add() moved the new messages out when it stored them, left the slice whole if not
            result.messages = result.stored ? std::move(fresh) : std::move(slice);
            lock.lock();
            m_refusing = !result.stored;
        }
        const bool wasEmpty = m_results.empty();
        m_results.push_back(std::move(result));
        m_resultPushed.notify_all();
        if (wasEmpty) { // a caller taking results takes all that are there
            lock.unlock();
            emit resultReady();
            lock.lock();
        }
    }
}

} // namespace traybeat
