#pragma once

#include "notificationstore.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>
#include <QTimer>
#include <optional>

namespace traybeat {

// The history as a table, newest first, for a view over a store that may hold 100,000 messages
// or more. Rows are never all loaded: the model keeps a few pages of `pageSize` rows around the
// part being looked at and asks the store for the rest on demand. When the store changes, new
// messages on top become row insertions and read/unread changes become dataChanged, so the
// view's selection and scroll position survive; anything else is a model reset.
// Every text cell is plain text straight from the server: never give it to a rich-text renderer.
class HistoryModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HistoryModel)
public:
    enum Column {
        TimeColumn,
        SubscriptionColumn,
        TopicColumn,
        TitleColumn,
        MessageColumn,
        ColumnCount
    };
    enum Role {
        NotificationRole = Qt::UserRole + 1, // QVariant<traybeat::Notification>
        SubscriptionRole,
        IdRole,
        ReadRole,
        PriorityRole,
    };
    static constexpr int pageSize = 200;

    // `store` must outlive the model.
    explicit HistoryModel(NotificationStore *store, QObject *parent = nullptr);
    ~HistoryModel() override;

    HistoryQuery query() const { return m_query; }
    // Narrows the rows (search text, one subscription, unread only): a model reset.
    void setQuery(const HistoryQuery &query);

    // Re-reads the store now (instead of after the short coalescing delay that follows the
    // store's changed()).
    void refresh();

    std::optional<Notification> notificationAt(int row) const;
    // The row of a message, looking first around `nearRow` (where it was before a change),
    // then at most `searchLimit` rows deep from the top (messages that someone asks for are
    // nearly always recent); -1 when not found.
    int rowOf(const QString &subscription, const QString &id, int nearRow = -1,
              int searchLimit = 5000) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    struct Key
    {
        QString subscription;
        QString id;
        friend bool operator==(const Key &a, const Key &b)
        {
            return a.subscription == b.subscription && a.id == b.id;
        }
    };

    const NotificationList &page(int pageIndex) const;
    int rowInPage(int pageIndex, const QString &subscription, const QString &id) const;
    // Asks the store itself, bypassing the cache: the cache may describe the previous state.
    std::optional<Key> storedKeyAt(int row) const;
    std::optional<Key> oldestStoredKey() const; // the last row, without an OFFSET walk
    bool isInsertionOnTop(int newCount) const;
    void resetTo(int newCount);
    void dropPages() const;
    QVariant displayText(const Notification &notification, int column) const;
    QString markdownCell(const Notification &notification) const;

    NotificationStore *m_store;
    HistoryQuery m_query;
    int m_rowCount = 0;
    // The first and last rows as the view last saw them: if both are still there, shifted by
    // exactly the number of new rows, the change was an insertion on top.
    std::optional<Key> m_firstKey;
    std::optional<Key> m_lastKey;
    // A small cache of pages (page index → rows), evicted oldest-used first.
    mutable QHash<int, NotificationList> m_pages;
    mutable QList<int> m_pageUse;                    // most recently used last
    mutable QHash<QString, QString> m_markdownCells; // "subscription\x1fid" → its text
    QTimer m_refreshTimer; // coalesces a burst of store changes into one refresh
};

} // namespace traybeat
