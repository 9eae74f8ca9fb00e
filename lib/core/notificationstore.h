#pragma once

#include "notification.h"

#include <QObject>
#include <memory>
#include <optional>

namespace traybeat {

// What the history window asks for: newest first, optionally narrowed.
struct HistoryQuery
{
    QString subscription; // empty: all subscriptions
    QString text; // empty: no text filter; else a case-insensitive substring of title, body,
                  // topic or tags
    bool unreadOnly = false;
    int minimumPriority = 1; // 1: all; 4: high and urgent; 5: urgent only
};

// Keeps every notification the client has accepted, per subscription, in one SQLite file (WAL):
// deduplicates by (subscription, message id), remembers each subscription's cursor (the id of
// the last message stored) so a reconnect or a restart resumes where it stopped, and pages the
// history for the UI. Writes are batched in transactions with prepared statements: the client
// must keep up with 20,000 messages/s.
class NotificationStore final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(NotificationStore)
public:
    explicit NotificationStore(QObject *parent = nullptr);
    ~NotificationStore() override;

    // Opens (creating if needed) the database file. False + a readable reason on failure
    // (folder not writable, file not a database, ...).
    bool open(const QString &filePath, QString *errorMessage = nullptr);
    bool isOpen() const;
    QString filePath() const;

    // Stores the messages in one transaction. Returns those that were new, in the given order;
    // a message whose (subscription, id) is already stored, or repeats within the batch, is
    // left out. Advances the subscription's cursor to the last new message. `*ok` false: the
    // batch could not be stored (disk full, database locked…): nothing was kept, cursors did not
    // move, and the caller must get the messages again.
    NotificationList add(const NotificationList &notifications, bool *ok = nullptr);
    // The same, taking the messages: when stored, the new ones are moved into the list returned
    // (a burst copies no message); when `*ok` is false they are left as they were.
    NotificationList add(NotificationList &&notifications, bool *ok = nullptr);

    // The id of the last message stored for `subscription`; empty if none yet.
    QString cursor(const QString &subscription) const;
    // Sets the cursor explicitly (e.g. a new subscription starts "from now").
    void setCursor(const QString &subscription, const QString &id);

    int count(const HistoryQuery &query = {}) const;
    int unreadCount(const QString &subscription = {}) const;
    // Newest first; `offset` rows skipped, at most `limit` returned.
    NotificationList history(const HistoryQuery &query, int offset, int limit) const;
    std::optional<Notification> notification(const QString &subscription, const QString &id) const;
    // The oldest stored message the query matches: the last row of `history`, found without
    // walking past all the others (an OFFSET of count - 1 would).
    std::optional<Notification> oldest(const HistoryQuery &query) const;

    void markRead(const QString &subscription, const QString &id);
    void markUnread(const QString &subscription, const QString &id);
    void markAllRead(const QString &subscription = {});
    // Deletes one message from the history (its id is not fetched again: the cursor stays).
    void remove(const QString &subscription, const QString &id);
    // Deletes the history (of one subscription, or all); cursors are kept so nothing is
    // fetched again.
    void clear(const QString &subscription = {});
    // Forgets a removed subscription entirely, cursor included.
    void removeSubscription(const QString &subscription);

signals:
    // Emitted after add() stored at least one new message, and after read/clear changes,
    // so views can refresh.
    void changed();

private:
    // Runs an UPDATE or DELETE; changed() when it touched a row.
    void modifyAndTell(const QString &sql, const QVariantList &values);

    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace traybeat
