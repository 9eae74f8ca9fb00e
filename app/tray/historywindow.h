#pragma once

#include "notification.h"
#include "notificationstore.h"

#include <QTimer>
#include <QUrl>
#include <QWidget>
#include <optional>

class QCheckBox;
class QComboBox;
class QLabel;
class QLayout;
class QLineEdit;
class QMenu;
class QModelIndex;
class QPlainTextEdit;
class QPushButton;
class QStackedWidget;
class QTableView;
class QTextBrowser;

namespace traybeat {

class ActionBar;
class AttachmentView;
class MediaFetcher;
class ActionRunner;
class HistoryModel;
class MarkdownDocument;
class NotificationStore;

// The notification history: every stored message, newest first, with search (titles, messages,
// topics, tags), subscription, unread and priority filters, read/unread state and a detail pane
// that shows the selected message in full (what the filters hide is never shown there). It is
// also the main window when there is no system tray. Server text is shown as plain text only,
// markdown rendered inert (MarkdownDocument).
//
// Reading means opening: a message becomes read when it is clicked, opened (double click,
// Enter) or shown from a pop-up; moving the selection with the keyboard or a right click shows
// it in the detail pane without marking it read.
class HistoryWindow final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HistoryWindow)
public:
    // `store` must outlive the window.
    explicit HistoryWindow(NotificationStore *store, QWidget *parent = nullptr);
    ~HistoryWindow() override;

    // The configured subscriptions, for the filter ("All" comes first by itself).
    void setSubscriptionNames(const QStringList &names);

    HistoryModel *model() const { return m_model; }
    // The context menu while it is open (tests drive it with the keyboard), else null.
    QMenu *contextMenu() const { return m_contextMenu; }
    // Runs the http actions of the detail pane's buttons; null: shown disabled. Must outlive
    // the window or be reset to null.
    void setActionRunner(ActionRunner *runner);
    // Fetches the attachment's image for the detail pane (null: shown as a file). Must outlive it.
    void setMediaFetcher(MediaFetcher *fetcher);
    AttachmentView *attachmentView() const { return m_attachment; }

public slots:
    // Brings the window forward and selects that message (clearing the filters if they hide it).
    void showNotification(const QString &subscription, const QString &id);
    // Narrows the list to one subscription (empty: all), e.g. after a click on a summary pop-up
    // "37 new notifications from alerts". An unknown name shows all.
    void setSubscriptionFilter(const QString &subscription);
    // Re-reads the store now; it also does so by itself shortly after the store changes.
    void refresh();

protected:
    void keyPressEvent(QKeyEvent *event) override;

private:
    struct Selected
    {
        QString subscription;
        QString id;
    };

    void buildUi();
    // Parts of buildUi, in the order the widgets are created (which is the tab order).
    QLayout *buildFilterRow(); // search, subscription, unread and priority filters, mark all read
    void buildTable();
    QWidget *buildEmptyState(); // what the list shows when nothing matches
    QStackedWidget *buildDetailPane();
    QLayout *buildStatusRow(); // counts, clear
    void connectUi();
    void applyFilter();
    void onCurrentRowChanged(const QModelIndex &current);
    void onModelAboutToBeReset();
    void onModelReset();
    bool selectRow(int row);
    void scrollToLater(const QModelIndex &index);
    void showDetails(const std::optional<Notification> &notification);
    void addActionBar();
    void addAttachmentView();
    void showActions(const Notification &notification);
    void openUrl(const QUrl &url);
    void openLink();
    void openSelected(); // marks it read and opens its link, if it has one
    void markSelectedRead();
    void showContextMenu(const QPoint &position);
    void copySelected();
    void toggleSelectedRead();
    void deleteSelected();
    std::optional<Notification> selectedNotification() const;
    HistoryQuery wantedQuery() const;
    void markAllRead();
    void clearHistory();
    void updateState();
    void bringForward();
    QString currentSubscriptionFilter() const;
    static QString countText(int count);

    NotificationStore *m_store;
    HistoryModel *m_model;

    QLineEdit *m_search = nullptr;
    QComboBox *m_subscriptionFilter = nullptr;
    QCheckBox *m_unreadOnly = nullptr;
    QComboBox *m_priorityFilter = nullptr;
    QPushButton *m_markAllRead = nullptr;
    QPushButton *m_openLink = nullptr;
    QPushButton *m_clear = nullptr;
    QStackedWidget *m_listStack = nullptr;
    QTableView *m_table = nullptr;
    QLabel *m_emptyLabel = nullptr;
    QLabel *m_emptyHint = nullptr;
    QStackedWidget *m_detailStack = nullptr;
    QLabel *m_detailTitle = nullptr;
    QLabel *m_detailMeta = nullptr;
    QLabel *m_detailLink = nullptr;
    QPlainTextEdit *m_detailBody = nullptr;
    QTextBrowser *m_detailMarkdown = nullptr;       // instead of m_detailBody for text/markdown
    MarkdownDocument *m_markdownDocument = nullptr; // what m_detailMarkdown shows, owned here
    ActionBar *m_actionBar = nullptr;
    AttachmentView *m_attachment = nullptr;
    QLabel *m_status = nullptr;
    QMenu *m_contextMenu = nullptr;

    QTimer m_searchTimer; // debounces typing in the search box
    std::optional<Selected> m_selected;
    QUrl m_selectedUrl;
    int m_scrollBeforeReset = 0;
    int m_rowBeforeReset = -1;        // where to look first for the selected message after a reset
    bool m_scrollToSelection = false; // after a filter change, not after a store refresh
};

} // namespace traybeat
