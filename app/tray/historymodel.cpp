#include "historymodel.h"

#include "emojitags.h"
#include "markdowndocument.h"

#include <QColor>
#include <QFont>
#include <QIcon>
#include <QLocale>
#include <QPainter>
#include <QPixmap>

namespace traybeat {

namespace {

using namespace std::chrono_literals;

// A few screens' worth of rows either side of the visible part; a view of 100,000 rows touches
// only the pages it shows.
constexpr int maximumCachedPages = 12;
// A long body is shown in full in the detail pane; a table cell only needs its beginning.
constexpr int maximumCellText = 400;
// Rendered markdown cells kept: a few screens' worth; painting asks for a cell again and again.
constexpr int maximumMarkdownCells = 2000;
// Long enough to fold a burst of thousands of stored messages into a few refreshes, short
// enough to feel immediate.
constexpr auto refreshDelay = 150ms;

QIcon priorityIcon(int priority)
{
    static const auto paint = [](const QColor &color) {
        QPixmap pixmap(16, 16);
        pixmap.fill(Qt::transparent);
        QPainter painter(&pixmap);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setPen(Qt::NoPen);
        painter.setBrush(color);
        painter.drawEllipse(QRectF(3.5, 3.5, 9, 9));
        return QIcon(pixmap);
    };
    static const QIcon high = paint(QColor(0xe6, 0x7e, 0x22));
    static const QIcon urgent = paint(QColor(0xd6, 0x30, 0x31));
    // Every row gets an icon, a blank one for ordinary priorities, so that titles line up.
    static const QIcon none = paint(Qt::transparent);
    if (priority >= 5)
        return urgent;
    return priority == 4 ? high : none;
}

QString cellText(const QString &text)
{
    // One line per cell; the text itself stays exactly as the server sent it otherwise.
    QString line = text.simplified();
    if (line.size() > maximumCellText)
        line = line.left(maximumCellText) + QChar(0x2026);
    return line;
}

QString shortTime(const QDateTime &time)
{
    if (!time.isValid())
        return {};
    const QDateTime local = time.toLocalTime();
    const QLocale locale;
    if (local.date() == QDate::currentDate())
        return locale.toString(local.time(), QLocale::ShortFormat);
    return locale.toString(local, QLocale::ShortFormat);
}

} // namespace

HistoryModel::HistoryModel(NotificationStore *store, QObject *parent)
    : QAbstractTableModel(parent), m_store(store)
{
    m_refreshTimer.setSingleShot(true);
    m_refreshTimer.setInterval(refreshDelay);
    connect(&m_refreshTimer, &QTimer::timeout, this, &HistoryModel::refresh);
    connect(m_store, &NotificationStore::changed, this, [this] {
        // Not restarted on every change: a steady stream must still show up now and then.
        if (!m_refreshTimer.isActive())
            m_refreshTimer.start();
    });
    resetTo(m_store->count(m_query));
}

HistoryModel::~HistoryModel() = default;

void HistoryModel::setQuery(const HistoryQuery &query)
{
    m_query = query;
    m_refreshTimer.stop();
    resetTo(m_store->count(m_query));
}

void HistoryModel::refresh()
{
    m_refreshTimer.stop();
    const int newCount = m_store->count(m_query);
    const int oldCount = m_rowCount;
    if (!isInsertionOnTop(newCount)) {
        resetTo(newCount);
        return;
    }
    if (newCount > oldCount) {
        beginInsertRows({}, 0, newCount - oldCount - 1);
        m_rowCount = newCount;
        dropPages();
        endInsertRows();
        if (const auto first = storedKeyAt(0))
            m_firstKey = first;
        if (oldCount == 0)
            m_lastKey = oldestStoredKey();
    } else {
        dropPages();
    }
    // The rows that were there already may have been read meanwhile.
    const int oldRowsStart = newCount - oldCount;
    if (oldCount > 0)
        emit dataChanged(index(oldRowsStart, 0), index(newCount - 1, ColumnCount - 1),
                         {Qt::FontRole, ReadRole, NotificationRole});
}

bool HistoryModel::isInsertionOnTop(int newCount) const
{
    const int added = newCount - m_rowCount;
    if (added < 0)
        return false;
    if (m_rowCount == 0)
        return true;
    return storedKeyAt(added) == m_firstKey && oldestStoredKey() == m_lastKey;
}

void HistoryModel::resetTo(int newCount)
{
    beginResetModel();
    m_rowCount = newCount;
    dropPages();
    endResetModel();
    m_firstKey = newCount > 0 ? storedKeyAt(0) : std::nullopt;
    m_lastKey = newCount > 0 ? oldestStoredKey() : std::nullopt;
}

std::optional<HistoryModel::Key> HistoryModel::storedKeyAt(int row) const
{
    const NotificationList rows = m_store->history(m_query, row, 1);
    if (rows.isEmpty())
        return std::nullopt;
    return Key{rows.first().subscription, rows.first().id};
}

std::optional<HistoryModel::Key> HistoryModel::oldestStoredKey() const
{
    const auto oldest = m_store->oldest(m_query);
    if (!oldest)
        return std::nullopt;
    return Key{oldest->subscription, oldest->id};
}

void HistoryModel::dropPages() const
{
    m_pages.clear();
    m_pageUse.clear();
}

// The text markdown renders to (its markup is no help in one line), rendered once.
QString HistoryModel::markdownCell(const Notification &notification) const
{
    const QString key = notification.subscription + QChar(0x1f) + notification.id;
    auto it = m_markdownCells.constFind(key);
    if (it != m_markdownCells.cend())
        return *it;
    if (m_markdownCells.size() >= maximumMarkdownCells)
        m_markdownCells.clear();
    // Markup takes room: more source than the cell shows, but not a whole long message.
    const QString text =
        cellText(MarkdownDocument::plainText(notification.body.left(maximumCellText * 4)));
    m_markdownCells.insert(key, text);
    return text;
}

const NotificationList &HistoryModel::page(int pageIndex) const
{
    auto it = m_pages.find(pageIndex);
    if (it != m_pages.end()) {
        if (m_pageUse.last() != pageIndex) {
            m_pageUse.removeOne(pageIndex);
            m_pageUse.append(pageIndex);
        }
        return it.value();
    }
    if (m_pages.size() >= maximumCachedPages)
        m_pages.remove(m_pageUse.takeFirst());
    m_pageUse.append(pageIndex);
    return *m_pages.insert(pageIndex, m_store->history(m_query, pageIndex * pageSize, pageSize));
}

std::optional<Notification> HistoryModel::notificationAt(int row) const
{
    if (row < 0 || row >= m_rowCount)
        return std::nullopt;
    const NotificationList &rows = page(row / pageSize);
    const int offset = row % pageSize;
    // The store may have shrunk since the count was taken; the next refresh fixes the count.
    if (offset >= rows.size())
        return std::nullopt;
    return rows.at(offset);
}

int HistoryModel::rowInPage(int pageIndex, const QString &subscription, const QString &id) const
{
    const NotificationList &notifications = page(pageIndex);
    for (int offset = 0; offset < notifications.size(); ++offset) {
        const Notification &notification = notifications.at(offset);
        if (notification.id == id && notification.subscription == subscription)
            return pageIndex * pageSize + offset;
    }
    return -1;
}

int HistoryModel::rowOf(const QString &subscription, const QString &id, int nearRow,
                        int searchLimit) const
{
    const int pageCount = (m_rowCount + pageSize - 1) / pageSize;
    QList<int> nearPages;
    if (nearRow >= 0) {
        const int nearPage = std::min(nearRow / pageSize, pageCount - 1);
        for (int pageIndex : {nearPage, nearPage - 1, nearPage + 1}) {
            if (pageIndex < 0 || pageIndex >= pageCount)
                continue;
            nearPages.append(pageIndex);
            const int row = rowInPage(pageIndex, subscription, id);
            if (row >= 0)
                return row;
        }
    }
    const int rows = std::min(m_rowCount, searchLimit);
    for (int pageIndex = 0; pageIndex * pageSize < rows; ++pageIndex) {
        if (nearPages.contains(pageIndex))
            continue;
        const int row = rowInPage(pageIndex, subscription, id);
        if (row >= 0)
            return row;
    }
    return -1;
}

int HistoryModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_rowCount;
}

int HistoryModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant HistoryModel::displayText(const Notification &notification, int column) const
{
    switch (column) {
    case TimeColumn:
        return shortTime(notification.time);
    case SubscriptionColumn:
        return cellText(notification.subscription);
    case TopicColumn:
        return cellText(notification.topic);
    case TitleColumn:
        // Emoji tags lead the title here too, as on the pop-up.
        return cellText(EmojiTags::decoratedTitle(EmojiTags::split(notification.tags).emoji,
                                                  notification.title));
    case MessageColumn:
        return notification.isMarkdown() ? markdownCell(notification) : cellText(notification.body);
    default:
        return {};
    }
}

QVariant HistoryModel::data(const QModelIndex &index, int role) const
{
    // An invalid index (e.g. one past the end) is simply nothing; an index of another model
    // is a bug that checkIndex() reports.
    if (!index.isValid() ||
        !checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const auto notification = notificationAt(index.row());
    if (!notification)
        return {};
    switch (role) {
    case Qt::DisplayRole:
        return displayText(*notification, index.column());
    case Qt::ToolTipRole:
        // Only our own text gets a tooltip: a tooltip renders anything that looks like HTML.
        if (index.column() == TimeColumn && notification->time.isValid())
            return QLocale().toString(notification->time.toLocalTime(), QLocale::LongFormat);
        return {};
    case Qt::FontRole:
        if (!notification->read) {
            QFont font;
            font.setBold(true);
            return font;
        }
        return {};
    case Qt::DecorationRole:
        if (index.column() == TitleColumn)
            return priorityIcon(notification->priority);
        return {};
    case NotificationRole:
        return QVariant::fromValue(*notification);
    case SubscriptionRole:
        return notification->subscription;
    case IdRole:
        return notification->id;
    case ReadRole:
        return notification->read;
    case PriorityRole:
        return notification->priority;
    default:
        return {};
    }
}

QVariant HistoryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case TimeColumn:
        return tr("Time");
    case SubscriptionColumn:
        return tr("Subscription");
    case TopicColumn:
        return tr("Topic");
    case TitleColumn:
        return tr("Title");
    case MessageColumn:
        return tr("Message");
    default:
        return {};
    }
}

} // namespace traybeat
