#include "historywindow.h"

#include "actionbar.h"
#include "attachmentview.h"
#include "emojitags.h"
#include "historymodel.h"
#include "linkopener.h"
#include "logging.h"
#include "markdowndocument.h"
#include "notificationstore.h"
#include "urlpolicy.h"

#include <QAbstractItemView>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QShortcut>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QTextBrowser>
#include <QVBoxLayout>
#include <utility>

namespace traybeat {

namespace {

using namespace std::chrono_literals;

constexpr auto searchDelay = 250ms; // every keystroke would otherwise scan the whole history

QLabel *plainTextLabel(QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setTextFormat(Qt::PlainText); // server text: never rich text
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->setWordWrap(true);
    return label;
}

bool isFiltered(const HistoryQuery &query)
{
    return !query.text.isEmpty() || !query.subscription.isEmpty() || query.unreadOnly ||
           query.minimumPriority > 1;
}

} // namespace

HistoryWindow::HistoryWindow(NotificationStore *store, QWidget *parent)
    : QWidget(parent, Qt::Window), m_store(store), m_model(new HistoryModel(store, this))
{
    setWindowTitle(tr("Notification History"));
    buildUi();
    addActionBar();
    addAttachmentView();
    connectUi();
    updateState();
    resize(960, 640);
}

HistoryWindow::~HistoryWindow() = default;

void HistoryWindow::buildUi()
{
    QLayout *filterRow = buildFilterRow();
    buildTable();
    QWidget *emptyState = buildEmptyState();
    m_listStack = new QStackedWidget(this);
    m_listStack->addWidget(m_table);
    m_listStack->addWidget(emptyState);
    m_detailStack = buildDetailPane();

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_listStack);
    splitter->addWidget(m_detailStack);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    splitter->setSizes({380, 200}); // the list is what people scan; the detail pane reads one
    splitter->setChildrenCollapsible(false);

    QLayout *statusRow = buildStatusRow();
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(filterRow);
    layout->addWidget(splitter, 1);
    layout->addLayout(statusRow);
}

QLayout *HistoryWindow::buildFilterRow()
{
    m_search = new QLineEdit(this);
    m_search->setObjectName(QStringLiteral("searchEdit"));
    m_search->setPlaceholderText(tr("Search titles, messages, topics and tags"));
    m_search->setClearButtonEnabled(true);
    m_search->setAccessibleName(tr("Search"));
    m_search->setAccessibleDescription(tr("Filters the history as you type (Ctrl+F)"));

    m_subscriptionFilter = new QComboBox(this);
    m_subscriptionFilter->setObjectName(QStringLiteral("subscriptionFilter"));
    m_subscriptionFilter->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_subscriptionFilter->addItem(tr("All subscriptions"), QString());
    m_subscriptionFilter->setAccessibleName(tr("Subscription"));

    m_priorityFilter = new QComboBox(this);
    m_priorityFilter->setObjectName(QStringLiteral("priorityFilter"));
    m_priorityFilter->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_priorityFilter->addItem(tr("All priorities"), 1);
    m_priorityFilter->addItem(tr("High and urgent"), 4);
    m_priorityFilter->addItem(tr("Urgent only"), 5);
    m_priorityFilter->setAccessibleName(tr("Priority"));

    m_unreadOnly = new QCheckBox(tr("&Unread only"), this);
    m_unreadOnly->setObjectName(QStringLiteral("unreadOnlyFilter"));

    m_markAllRead = new QPushButton(tr("&Mark All Read"), this);
    m_markAllRead->setObjectName(QStringLiteral("markAllReadButton"));

    auto *filterRow = new QHBoxLayout;
    filterRow->addWidget(m_search, 1);
    filterRow->addWidget(m_subscriptionFilter);
    filterRow->addWidget(m_priorityFilter);
    filterRow->addWidget(m_unreadOnly);
    filterRow->addWidget(m_markAllRead);
    return filterRow;
}

void HistoryWindow::buildTable()
{
    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("historyTable"));
    m_table->setAccessibleName(tr("Notifications"));
    m_table->setAccessibleDescription(
        tr("Newest first. Enter opens the message and its link; the context menu key offers "
           "more."));
    // Tab leaves the list for the next control instead of walking its cells.
    m_table->setTabKeyNavigation(false);
    m_table->setContextMenuPolicy(Qt::CustomContextMenu);
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setShowGrid(false);
    m_table->setWordWrap(false);
    m_table->setAlternatingRowColors(true);
    m_table->setTextElideMode(Qt::ElideRight);
    m_table->verticalHeader()->hide();
    // Per pixel: per item leaves the last row half hidden when scrolled to the end.
    m_table->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    // Fixed row height: the view never measures 100,000 rows.
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 10);
    QHeaderView *header = m_table->horizontalHeader();
    header->setHighlightSections(false);
    header->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    header->setStretchLastSection(true);
    const QString sampleTime =
        QLocale().toString(QDateTime(QDate(2025, 12, 28), QTime(23, 59)), QLocale::ShortFormat);
    m_table->setColumnWidth(HistoryModel::TimeColumn,
                            fontMetrics().horizontalAdvance(sampleTime) + 24);
    m_table->setColumnWidth(HistoryModel::SubscriptionColumn, 130);
    m_table->setColumnWidth(HistoryModel::TopicColumn, 110);
    m_table->setColumnWidth(HistoryModel::TitleColumn, 260);
}

QWidget *HistoryWindow::buildEmptyState()
{
    m_emptyLabel = new QLabel(this);
    m_emptyLabel->setObjectName(QStringLiteral("emptyLabel"));
    m_emptyLabel->setAlignment(Qt::AlignHCenter | Qt::AlignBottom);
    m_emptyLabel->setForegroundRole(QPalette::PlaceholderText);
    QFont emptyFont = m_emptyLabel->font();
    emptyFont.setPointSizeF(emptyFont.pointSizeF() * 1.4);
    m_emptyLabel->setFont(emptyFont);
    m_emptyHint = new QLabel(this);
    m_emptyHint->setObjectName(QStringLiteral("emptyHint"));
    m_emptyHint->setAlignment(Qt::AlignHCenter | Qt::AlignTop);
    m_emptyHint->setWordWrap(true);
    m_emptyHint->setForegroundRole(QPalette::PlaceholderText);
    auto *emptyState = new QWidget(this);
    auto *emptyLayout = new QVBoxLayout(emptyState);
    emptyLayout->addStretch(2);
    emptyLayout->addWidget(m_emptyLabel);
    emptyLayout->addSpacing(4);
    emptyLayout->addWidget(m_emptyHint);
    emptyLayout->addStretch(3);
    return emptyState;
}

QStackedWidget *HistoryWindow::buildDetailPane()
{
    m_detailTitle = plainTextLabel(this);
    m_detailTitle->setObjectName(QStringLiteral("detailTitle"));
    m_detailTitle->setAccessibleName(tr("Title"));
    QFont titleFont = m_detailTitle->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.15);
    m_detailTitle->setFont(titleFont);
    m_detailMeta = plainTextLabel(this);
    m_detailMeta->setObjectName(QStringLiteral("detailMeta"));
    m_detailMeta->setForegroundRole(QPalette::PlaceholderText);
    m_detailMeta->setAccessibleName(tr("Details"));
    m_detailBody = new QPlainTextEdit(this);
    m_detailBody->setObjectName(QStringLiteral("detailBody"));
    m_detailBody->setReadOnly(true);
    m_detailBody->setTabChangesFocus(true);
    m_detailBody->setAccessibleName(tr("Message"));
    m_detailMarkdown = new QTextBrowser(this);
    m_detailMarkdown->setObjectName(QStringLiteral("detailMarkdown"));
    m_detailMarkdown->setOpenLinks(false); // only through openUrl: http/https, or nothing
    m_detailMarkdown->setOpenExternalLinks(false);
    m_detailMarkdown->setTabChangesFocus(true);
    m_detailMarkdown->setAccessibleName(tr("Message"));
    m_detailMarkdown->hide();
    m_detailLink = plainTextLabel(this);
    m_detailLink->setObjectName(QStringLiteral("detailLink"));
    m_detailLink->setWordWrap(false);
    m_detailLink->setAccessibleName(tr("Link"));
    m_openLink = new QPushButton(tr("&Open Link"), this);
    m_openLink->setObjectName(QStringLiteral("openLinkButton"));

    auto *linkRow = new QHBoxLayout;
    linkRow->addWidget(m_detailLink, 1);
    linkRow->addWidget(m_openLink);

    auto *details = new QWidget(this);
    auto *detailLayout = new QVBoxLayout(details);
    detailLayout->setContentsMargins(0, 6, 0, 0);
    detailLayout->addWidget(m_detailTitle);
    detailLayout->addWidget(m_detailMeta);
    detailLayout->addWidget(m_detailBody, 1);
    detailLayout->addWidget(m_detailMarkdown, 1);
    detailLayout->addLayout(linkRow);

    auto *noSelection = new QLabel(tr("Select a notification to read it in full."), this);
    noSelection->setAlignment(Qt::AlignCenter);
    noSelection->setForegroundRole(QPalette::PlaceholderText);

    auto *detailStack = new QStackedWidget(this);
    detailStack->addWidget(noSelection);
    detailStack->addWidget(details);
    return detailStack;
}

QLayout *HistoryWindow::buildStatusRow()
{
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("statusLabel"));
    m_status->setAccessibleName(tr("Count"));
    m_clear = new QPushButton(tr("C&lear…"), this);
    m_clear->setObjectName(QStringLiteral("clearButton"));

    auto *statusRow = new QHBoxLayout;
    statusRow->addWidget(m_status, 1);
    statusRow->addWidget(m_clear);
    return statusRow;
}

void HistoryWindow::connectUi()
{
    m_searchTimer.setSingleShot(true);
    m_searchTimer.setInterval(searchDelay);
    connect(&m_searchTimer, &QTimer::timeout, this, &HistoryWindow::applyFilter);
    connect(m_search, &QLineEdit::textChanged, &m_searchTimer, qOverload<>(&QTimer::start));
    connect(m_search, &QLineEdit::returnPressed, this, &HistoryWindow::applyFilter);
    connect(m_subscriptionFilter, &QComboBox::currentIndexChanged, this,
            &HistoryWindow::applyFilter);
    connect(m_priorityFilter, &QComboBox::currentIndexChanged, this, &HistoryWindow::applyFilter);
    connect(m_unreadOnly, &QCheckBox::toggled, this, &HistoryWindow::applyFilter);
    connect(m_detailMarkdown, &QTextBrowser::anchorClicked, this, &HistoryWindow::openUrl);
    connect(m_markAllRead, &QPushButton::clicked, this, &HistoryWindow::markAllRead);
    connect(m_openLink, &QPushButton::clicked, this, &HistoryWindow::openLink);
    connect(m_clear, &QPushButton::clicked, this, &HistoryWindow::clearHistory);
    // Not `activated`: styles that activate on a single click would open links on selection.
    // A click (left button: `clicked` is not emitted for the others) reads the message.
    connect(m_table, &QTableView::doubleClicked, this, &HistoryWindow::openSelected);
    connect(m_table, &QTableView::clicked, this, &HistoryWindow::markSelectedRead);
    connect(m_table, &QTableView::customContextMenuRequested, this,
            &HistoryWindow::showContextMenu);
    // Keyboards without a context menu key: Shift+F10, as in GTK and Windows.
    auto *menuShortcut = new QShortcut(QKeySequence(Qt::SHIFT | Qt::Key_F10), m_table, nullptr,
                                       nullptr, Qt::WidgetShortcut);
    connect(menuShortcut, &QShortcut::activated, this,
            [this] { showContextMenu(m_table->visualRect(m_table->currentIndex()).center()); });
    for (const QKeySequence &key : {QKeySequence(Qt::Key_Return), QKeySequence(Qt::Key_Enter)}) {
        auto *openShortcut = new QShortcut(key, m_table, nullptr, nullptr, Qt::WidgetShortcut);
        connect(openShortcut, &QShortcut::activated, this, &HistoryWindow::openSelected);
    }
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &HistoryWindow::onCurrentRowChanged);

    connect(m_model, &HistoryModel::modelAboutToBeReset, this,
            &HistoryWindow::onModelAboutToBeReset);
    connect(m_model, &HistoryModel::modelReset, this, &HistoryWindow::onModelReset);
    connect(m_model, &HistoryModel::rowsInserted, this, &HistoryWindow::updateState);
    connect(m_model, &HistoryModel::dataChanged, this, &HistoryWindow::updateState);

    auto *findShortcut = new QShortcut(QKeySequence::Find, this);
    connect(findShortcut, &QShortcut::activated, this, [this] {
        m_search->setFocus();
        m_search->selectAll();
    });
}

// Escape first clears a search, then closes the window, as in most desktop viewers. A key
// press, not a QShortcut: the Escape that closes an open drop-down must stay with it, and a
// drop-down closes itself while its shortcut override is still going on, which let a window
// shortcut fire for the same key (on X11; tst_historywindow sends it the same way).
void HistoryWindow::keyPressEvent(QKeyEvent *event)
{
    if (!event->matches(QKeySequence::Cancel)) {
        QWidget::keyPressEvent(event);
        return;
    }
    if (!m_search->text().isEmpty())
        m_search->clear();
    else
        close();
}

void HistoryWindow::setSubscriptionNames(const QStringList &names)
{
    const QString current = currentSubscriptionFilter();
    {
        const QSignalBlocker blocker(m_subscriptionFilter);
        while (m_subscriptionFilter->count() > 1)
            m_subscriptionFilter->removeItem(1);
        for (const QString &name : names)
            m_subscriptionFilter->addItem(name, name);
        const int index = m_subscriptionFilter->findData(current);
        m_subscriptionFilter->setCurrentIndex(std::max(index, 0));
    }
    if (currentSubscriptionFilter() != current)
        applyFilter();
}

void HistoryWindow::setSubscriptionFilter(const QString &subscription)
{
    // The signal of the combo box applies the filter.
    m_subscriptionFilter->setCurrentIndex(
        std::max(m_subscriptionFilter->findData(subscription), 0));
}

QString HistoryWindow::currentSubscriptionFilter() const
{
    return m_subscriptionFilter->currentData().toString();
}

HistoryQuery HistoryWindow::wantedQuery() const
{
    HistoryQuery query;
    query.subscription = currentSubscriptionFilter();
    query.text = m_search->text().trimmed();
    query.unreadOnly = m_unreadOnly->isChecked();
    query.minimumPriority = m_priorityFilter->currentData().toInt();
    return query;
}

void HistoryWindow::applyFilter()
{
    m_searchTimer.stop();
    const HistoryQuery query = wantedQuery();
    const HistoryQuery current = m_model->query();
    if (query.subscription == current.subscription && query.text == current.text &&
        query.unreadOnly == current.unreadOnly && query.minimumPriority == current.minimumPriority)
        return;
    m_scrollToSelection = true;
    m_model->setQuery(query);
    m_scrollToSelection = false;
}

void HistoryWindow::refresh()
{
    m_model->refresh();
    updateState();
}

void HistoryWindow::bringForward()
{
    if (isMinimized())
        setWindowState((windowState() & ~Qt::WindowMinimized) | Qt::WindowActive);
    show();
    raise();
    activateWindow();
}

void HistoryWindow::showNotification(const QString &subscription, const QString &id)
{
    bringForward();
    m_model->refresh(); // the message may have been stored a moment ago
    int row = m_model->rowOf(subscription, id);
    const HistoryQuery query = m_model->query();
    if (row < 0 && isFiltered(query)) {
        // The filters hide it: show everything rather than an unexplained miss.
        const QSignalBlocker searchBlocker(m_search);
        const QSignalBlocker filterBlocker(m_subscriptionFilter);
        const QSignalBlocker unreadBlocker(m_unreadOnly);
        const QSignalBlocker priorityBlocker(m_priorityFilter);
        m_search->clear();
        m_subscriptionFilter->setCurrentIndex(0);
        m_unreadOnly->setChecked(false);
        m_priorityFilter->setCurrentIndex(0);
        applyFilter();
        row = m_model->rowOf(subscription, id);
    }
    if (row >= 0 && selectRow(row)) {
        scrollToLater(m_model->index(row, 0));
        m_table->setFocus();
        m_store->markRead(subscription, id); // opened from a pop-up: read
        return;
    }
    // Deeper than the model looks: show it in the detail pane all the same.
    m_table->clearSelection();
    const auto notification = m_store->notification(subscription, id);
    if (!notification) {
        qCWarning(lcUi) << "history: no stored message" << id << "in" << subscription;
        return;
    }
    m_selected = Selected{subscription, id};
    showDetails(notification);
    m_store->markRead(subscription, id);
}

bool HistoryWindow::selectRow(int row)
{
    const QModelIndex index = m_model->index(row, 0);
    if (!index.isValid())
        return false;
    m_table->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect |
                                                          QItemSelectionModel::Rows);
    return true;
}

void HistoryWindow::scrollToLater(const QModelIndex &index)
{
    // After a reset the view lays its rows out later; scrolling now would use the old extent.
    const QPersistentModelIndex target(index);
    QTimer::singleShot(0, m_table, [this, target] {
        if (target.isValid())
            m_table->scrollTo(target, QAbstractItemView::PositionAtCenter);
    });
}

void HistoryWindow::onCurrentRowChanged(const QModelIndex &current)
{
    if (!current.isValid()) {
        m_selected.reset();
        showDetails(std::nullopt);
        return;
    }
    const auto notification = m_model->notificationAt(current.row());
    if (!notification)
        return;
    // Shown, not read: only opening reads (see the class comment).
    m_selected = Selected{notification->subscription, notification->id};
    showDetails(notification);
}

void HistoryWindow::onModelAboutToBeReset()
{
    m_scrollBeforeReset = m_table->verticalScrollBar()->value();
    m_rowBeforeReset = m_table->currentIndex().row();
}

void HistoryWindow::onModelReset()
{
    // A reset clears the view's selection without a signal; find the message again.
    const int row = m_selected
                        ? m_model->rowOf(m_selected->subscription, m_selected->id, m_rowBeforeReset)
                        : -1;
    if (row >= 0) {
        selectRow(row);
        if (m_scrollToSelection)
            scrollToLater(m_model->index(row, 0));
    } else if (m_selected && !m_scrollToSelection &&
               m_store->notification(m_selected->subscription, m_selected->id)) {
        // Still stored, and the filters did not change: it left the list because it was just
        // read ("unread only"), or it lies deeper than the list looks. Keep it readable.
    } else {
        // Deleted, or hidden by a filter just chosen: the pane shows only what the list shows.
        m_selected.reset();
        showDetails(std::nullopt);
    }
    // A store refresh keeps the place; a new filter starts at its selection, else at the top.
    const int scrollValue = m_scrollToSelection ? 0 : m_scrollBeforeReset;
    if (!m_scrollToSelection || row < 0) {
        QTimer::singleShot(0, m_table, [this, scrollValue] {
            m_table->verticalScrollBar()->setValue(scrollValue);
        });
    }
    updateState();
}

void HistoryWindow::showDetails(const std::optional<Notification> &notification)
{
    if (!notification) {
        m_selectedUrl.clear();
        m_detailStack->setCurrentIndex(0);
        updateState();
        return;
    }
    const QLocale locale;
    const EmojiTags tags = EmojiTags::split(notification->tags);
    m_detailTitle->setText(EmojiTags::decoratedTitle(
        tags.emoji, notification->title.isEmpty() ? tr("(no title)") : notification->title));
    QStringList meta;
    meta << notification->subscription;
    if (!notification->topic.isEmpty())
        meta << tr("topic %1").arg(notification->topic);
    if (notification->time.isValid())
        meta << locale.toString(notification->time.toLocalTime(), QLocale::LongFormat);
    meta << tr("priority %1").arg(Notification::priorityName(notification->priority));
    if (!tags.otherTags.isEmpty())
        meta << tr("tags: %1").arg(tags.otherTags.join(QStringLiteral(", ")));
    m_detailMeta->setText(meta.join(QStringLiteral("  ·  ")));
    const bool markdown = notification->isMarkdown();
    if (markdown) {
        auto *document = new MarkdownDocument(notification->body, m_detailMarkdown);
        m_detailMarkdown->setDocument(document);
        delete std::exchange(m_markdownDocument, document); // not before: it was in use
        m_detailBody->clear();
    } else {
        m_detailBody->setPlainText(notification->body);
    }
    m_detailBody->setVisible(!markdown);
    m_detailMarkdown->setVisible(markdown);
    m_selectedUrl = notification->url;
    m_detailLink->setText(notification->url.isEmpty() ? QString()
                                                      : notification->url.toDisplayString());
    m_detailLink->setVisible(!notification->url.isEmpty());
    m_openLink->setVisible(!notification->url.isEmpty());
    showActions(*notification);
    m_attachment->setNotification(*notification);
    m_detailStack->setCurrentIndex(1);
    updateState();
}

void HistoryWindow::addActionBar()
{
    // Under the message's text, in the detail pane's column.
    m_actionBar = new ActionBar(this);
    auto *column = qobject_cast<QBoxLayout *>(m_detailBody->parentWidget()->layout());
    Q_ASSERT(column);
    column->insertWidget(column->indexOf(m_detailBody) + 1, m_actionBar);
    connect(m_actionBar, &ActionBar::urlRequested, this, &HistoryWindow::openUrl);
}

void HistoryWindow::addAttachmentView()
{
    // Between the message's text and its buttons, as on the pop-up.
    m_attachment = new AttachmentView(QSize(480, 320), this);
    auto *column = qobject_cast<QBoxLayout *>(m_detailBody->parentWidget()->layout());
    Q_ASSERT(column);
    column->insertWidget(column->indexOf(m_detailBody) + 1, m_attachment);
    m_attachment->setAvailableWidth(480);
    connect(m_attachment, &AttachmentView::urlRequested, this, &HistoryWindow::openUrl);
}

void HistoryWindow::setMediaFetcher(MediaFetcher *fetcher)
{
    m_attachment->setFetcher(fetcher);
}

void HistoryWindow::setActionRunner(ActionRunner *runner)
{
    m_actionBar->setRunner(runner);
}

void HistoryWindow::showActions(const Notification &notification)
{
    // A running request keeps going (the runner owns it); its outcome belongs to the message
    // it was shown with, so a newly shown message starts with a clean bar.
    m_actionBar->setAvailableWidth(std::clamp(m_detailBody->width(), 360, 720));
    m_actionBar->setActions(notification.actions);
}

void HistoryWindow::openUrl(const QUrl &url)
{
    if (!traybeat::openLink(url) && isSafeToOpen(url))
        m_status->setText(tr("Could not open the link: no web browser was found."));
}

void HistoryWindow::openLink()
{
    if (!m_selectedUrl.isEmpty())
        openUrl(m_selectedUrl);
}

void HistoryWindow::openSelected()
{
    markSelectedRead();
    openLink();
}

void HistoryWindow::markSelectedRead()
{
    if (m_selected)
        m_store->markRead(m_selected->subscription, m_selected->id);
}

std::optional<Notification> HistoryWindow::selectedNotification() const
{
    if (!m_selected)
        return std::nullopt;
    return m_store->notification(m_selected->subscription, m_selected->id);
}

void HistoryWindow::toggleSelectedRead()
{
    const auto notification = selectedNotification();
    if (!notification)
        return;
    if (notification->read)
        m_store->markUnread(notification->subscription, notification->id);
    else
        m_store->markRead(notification->subscription, notification->id);
    m_model->refresh();
}

void HistoryWindow::deleteSelected()
{
    const auto notification = selectedNotification();
    if (!notification)
        return;
    m_store->remove(notification->subscription, notification->id);
    m_model->refresh();
}

// The selected message's commands, for the context menu key and a right click.
void HistoryWindow::showContextMenu(const QPoint &position)
{
    QMenu menu(this);
    QAction *open = menu.addAction(tr("&Open Link"), this, &HistoryWindow::openLink);
    open->setEnabled(isSafeToOpen(m_selectedUrl));
    QAction *copy = menu.addAction(tr("&Copy Text"), this, &HistoryWindow::copySelected);
    copy->setEnabled(m_selected.has_value());
    menu.addSeparator();
    const auto selected = selectedNotification();
    QAction *toggleRead =
        menu.addAction(selected && !selected->read ? tr("Mark &Read") : tr("Mark &Unread"), this,
                       &HistoryWindow::toggleSelectedRead);
    toggleRead->setEnabled(selected.has_value());
    QAction *markAll = menu.addAction(tr("&Mark All Read"), this, &HistoryWindow::markAllRead);
    markAll->setEnabled(m_markAllRead->isEnabled());
    menu.addSeparator();
    QAction *remove = menu.addAction(tr("&Delete"), this, &HistoryWindow::deleteSelected);
    remove->setEnabled(selected.has_value());
    m_contextMenu = &menu; // tests drive it with the keyboard
    // The context menu key gives the viewport's position of the current row, a click its own.
    menu.exec(m_table->viewport()->mapToGlobal(position));
    m_contextMenu = nullptr;
}

void HistoryWindow::copySelected()
{
    const auto notification = selectedNotification();
    if (!notification)
        return;
    QStringList parts;
    if (!notification->title.isEmpty())
        parts << notification->title;
    parts << notification->body;
    QGuiApplication::clipboard()->setText(parts.join(QLatin1Char('\n')));
}

void HistoryWindow::markAllRead()
{
    m_store->markAllRead(currentSubscriptionFilter());
    m_model->refresh();
}

void HistoryWindow::clearHistory()
{
    const QString subscription = currentSubscriptionFilter();
    const int count = m_store->count(HistoryQuery{subscription, {}, false});
    const QString question =
        subscription.isEmpty()
            ? tr("Delete all %1 from the history?").arg(countText(count))
            : tr("Delete all %1 of “%2” from the history?").arg(countText(count), subscription);
    QMessageBox box(QMessageBox::Question, tr("Clear History"), question, QMessageBox::Cancel,
                    this);
    box.setTextFormat(Qt::PlainText); // the subscription name is the user's text
    box.setInformativeText(tr("This cannot be undone."));
    QPushButton *deleteButton = box.addButton(tr("Delete"), QMessageBox::DestructiveRole);
    box.setDefaultButton(QMessageBox::Cancel);
    box.exec();
    if (box.clickedButton() != deleteButton)
        return;
    m_store->clear(subscription);
    m_model->refresh();
}

QString HistoryWindow::countText(int count)
{
    const QString number = QLocale().toString(count);
    return count == 1 ? tr("1 notification") : tr("%1 notifications").arg(number);
}

void HistoryWindow::updateState()
{
    const HistoryQuery query = m_model->query();
    const bool filtered = isFiltered(query);
    const int rows = m_model->rowCount();
    const bool empty = rows == 0;
    if (empty) {
        m_emptyLabel->setText(filtered ? tr("No matching notifications")
                                       : tr("No notifications yet"));
        m_emptyHint->setText(filtered ? tr("Try another search or subscription.")
                                      : tr("Messages from your subscriptions will appear "
                                           "here."));
        m_listStack->setCurrentIndex(1);
    } else {
        m_listStack->setCurrentIndex(0);
    }
    // With nothing to select, the detail pane would only be an empty box.
    m_detailStack->setVisible(!empty || m_detailStack->currentIndex() == 1);

    const int unread = m_store->unreadCount(query.subscription);
    QString status =
        query.text.isEmpty() ? countText(rows) : tr("%1 matching").arg(QLocale().toString(rows));
    if (unread > 0)
        status += QStringLiteral(" · ") + tr("%1 unread").arg(QLocale().toString(unread));
    m_status->setText(status);
    m_markAllRead->setEnabled(unread > 0);
    m_clear->setEnabled(
        rows > 0 ||
        (!query.text.isEmpty() && m_store->count(HistoryQuery{query.subscription, {}, false}) > 0));
    m_openLink->setEnabled(isSafeToOpen(m_selectedUrl));
}

} // namespace traybeat
