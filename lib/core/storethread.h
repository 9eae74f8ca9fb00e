#pragma once

#include "notification.h"

#include <QObject>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <optional>
#include <thread>

namespace traybeat {

// A NotificationStore on a thread of its own, for storing slices while the caller's thread
// parses and prints the next ones (`listen`; docs/design.md, "`listen` in a burst"). It opens
// its own connection to the store file; SQLite's WAL lets the caller keep another one for
// reading cursors. Slices are stored in the order given, each in one transaction, and their
// results come back in that order. Once a slice is refused, every later one is refused too,
// untried, until `acceptAgain()`: a slice stored after a refused one would move the cursor past
// messages that are not kept.
//
// Used from one thread (the one that created it); only `resultReady` is emitted from the
// worker thread.
class StoreThread final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StoreThread)
public:
    struct Result
    {
        bool stored = false;
        // Stored: the messages that were new, in order. Refused: the slice as it was given.
        NotificationList messages;
    };

    explicit StoreThread(QObject *parent = nullptr);
    // Stores what was given and not stored yet, then ends the thread.
    ~StoreThread() override;

    // Starts the thread and opens the store file on it. False + a readable reason on failure.
    bool open(const QString &filePath, QString *errorMessage = nullptr);
    bool isOpen() const { return m_thread.joinable(); }

    void add(NotificationList slice);
    // Slices given whose result has not been taken yet.
    int inFlight() const { return m_inFlight; }
    // The oldest result, if it is there yet.
    std::optional<Result> takeResult();
    // The oldest result, waiting for it; only while `inFlight() > 0`.
    Result waitForResult();
    // After a refusal, once every result up to it has been taken: the next slices are tried.
    void acceptAgain();

signals:
    // A result is ready to be taken (emitted on the worker thread; connect it queued).
    void resultReady();

private:
    void run(const QString &filePath, std::promise<QString> *opened);

    std::thread m_thread;
    std::mutex m_mutex; // guards everything below but m_inFlight
    std::condition_variable m_sliceGiven;
    std::condition_variable m_resultPushed;
    std::deque<NotificationList> m_slices;
    std::deque<Result> m_results;
    bool m_refusing = false;
    bool m_quit = false;
    int m_inFlight = 0; // the caller's thread only
};

} // namespace traybeat
