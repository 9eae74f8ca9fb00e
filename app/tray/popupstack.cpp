#include "popupstack.h"

#include "actionbar.h"
#include "actionrunner.h"
#include "linkopener.h"
#include "notificationstore.h"
#include "popupwidget.h"
#include "urlpolicy.h"

#include <QGuiApplication>
#include <QScreen>
#include <algorithm>

namespace traybeat {

PopupStack::PopupStack(QObject *parent) : QObject(parent)
{
    m_clock.start();
    m_cardTimer.setSingleShot(true);
    connect(&m_cardTimer, &QTimer::timeout, this, [this] {
        if (applyWaitingCards())
            relayout();
    });
    // The panel may move or the screen change size under pop-ups that stay (urgent ones).
    connect(qGuiApp, &QGuiApplication::primaryScreenChanged, this, &PopupStack::relayout);
}

PopupStack::~PopupStack()
{
    qDeleteAll(m_individual);
    delete m_summary;
}

void PopupStack::setCorner(PopupCorner corner)
{
    if (corner == m_corner)
        return;
    m_corner = corner;
    relayout();
}

void PopupStack::setScreen(QScreen *screen)
{
    if (m_screen)
        disconnect(m_screen, nullptr, this, nullptr);
    m_screen = screen;
    if (m_screen)
        connect(m_screen, &QScreen::availableGeometryChanged, this, &PopupStack::relayout);
    relayout();
}

void PopupStack::present(const NotificationList &notifications)
{
    if (notifications.isEmpty())
        return;
    const std::chrono::milliseconds now{m_clock.elapsed()};
    NotificationList folded;
    for (const Notification &notification : notifications) {
        const bool canReplace = oldestReplaceable() != nullptr;
        const auto verdict = m_throttle.offer(now, m_individual.size(), canReplace);
        if (verdict != PopupThrottle::Verdict::Fold) {
            // Folded ones still waiting are older: on the cards first, so the order holds.
            applyWaitingCards();
            PopupWidget *oldest = oldestReplaceable();
            if (verdict == PopupThrottle::Verdict::ReplaceOldest && oldest)
                detach(oldest); // it is in the history
            showIndividual(notification);
            continue;
        }
        folded.append(notification);
    }
    if (!folded.isEmpty()) {
        fold(folded);
    } else if (m_summary) {
        // The burst goes on (more slowly): the summary stays its full time after the last one.
        m_summary->setDismissAfter(m_summary->dismissAfter());
    }
    relayout();
}

void PopupStack::fold(const NotificationList &folded)
{
    // Only the newest can reach a card: the older ones are counted now, in order.
    constexpr qsizetype maximumWaiting = 32; // more than there are cards
    m_waitingCards += folded;
    const qsizetype older = m_waitingCards.size() - maximumWaiting;
    for (qsizetype index = 0; index < older; ++index)
        countFolded(m_waitingCards[index]);
    if (older > 0)
        m_waitingCards.remove(0, older);
    applyOrWait();
}

void PopupStack::setCardUpdateInterval(std::chrono::milliseconds interval)
{
    m_cardInterval = interval;
    if (m_cardTimer.isActive() && applyOrWait())
        relayout();
}

bool PopupStack::applyOrWait()
{
    const auto sinceUpdate = std::chrono::milliseconds(
        m_sinceCardUpdate.isValid() ? m_sinceCardUpdate.elapsed() : m_cardInterval.count());
    if (sinceUpdate >= m_cardInterval)
        return applyWaitingCards();
    if (!m_waitingCards.isEmpty())
        m_cardTimer.start(m_cardInterval - sinceUpdate); // (re)armed for the interval's end
    return false;
}

// One summary update per call, not per message: a burst of 10,000 costs one relayout.
bool PopupStack::applyWaitingCards()
{
    m_cardTimer.stop();
    if (m_waitingCards.isEmpty())
        return false;
    showNewest(std::exchange(m_waitingCards, {}));
    updateSummary();
    m_sinceCardUpdate.start();
    return true;
}

// The newest of the folded messages take over the cards that may change (the oldest first),
// so the cards beside the summary are the newest messages, in order; what they showed before
// is counted in the summary with the older folded ones. Only as many cards are set as there
// are: a burst of 10,000 re-lays out a handful.
void PopupStack::showNewest(const NotificationList &folded)
{
    QList<PopupWidget *> cards;
    for (PopupWidget *popup : std::as_const(m_individual)) {
        if (isReplaceable(popup))
            cards.append(popup);
    }
    const qsizetype shown = std::min(cards.size(), folded.size());
    const qsizetype firstShown = folded.size() - shown;
    for (qsizetype index = 0; index < firstShown; ++index)
        countFolded(folded[index]);
    for (qsizetype index = 0; index < shown; ++index) {
        PopupWidget *card = cards[index];
        countFolded(card->notification());
        const Notification &newer = folded[firstShown + index];
        card->setNotification(newer);
        card->setDismissAfter(m_policy.dismissAfter(newer.priority));
        m_individual.removeOne(card);
        m_individual.append(card); // newest last
    }
}

void PopupStack::countFolded(const Notification &notification)
{
    if (m_foldedTotal == 0)
        m_firstFolded = notification;
    ++m_foldedBySubscription[notification.subscription];
    ++m_foldedTotal;
    m_foldedTopPriority = std::max(m_foldedTopPriority, notification.priority);
}

void PopupStack::showIndividual(const Notification &notification)
{
    PopupWidget *popup = createPopup();
    popup->setNotification(notification);
    popup->setDismissAfter(m_policy.dismissAfter(notification.priority));
    m_individual.append(popup);
}

PopupWidget *PopupStack::createPopup()
{
    auto *popup = new PopupWidget;
    popup->setActionRunner(m_runner);
    popup->setMediaFetcher(m_media);
    connect(popup, &PopupWidget::activated, this, [this, popup] { onActivated(popup); });
    connect(popup, &PopupWidget::closeRequested, this, [this, popup] { onCloseRequested(popup); });
    connect(popup, &PopupWidget::clearRequested, this, [this, popup] { onClearRequested(popup); });
    // A view action's button opens its URL and leaves the card (the message may have more
    // to do); a link in the text reads the message, as a click on the card does.
    connect(popup, &PopupWidget::urlRequested, this, [popup](const QUrl &url) {
        if (!openLink(url))
            popup->showOpenFailure();
    });
    connect(popup, &PopupWidget::linkActivated, this,
            [this, popup](const QUrl &url) { readAndOpen(popup, url); });
    connect(popup, &PopupWidget::heightChanged, this, &PopupStack::relayout);
    return popup;
}

void PopupStack::updateSummary()
{
    if (!m_summary)
        m_summary = createPopup();
    if (m_foldedTotal == 1) {
        // A summary of one message would hide what a card can show: it is that card.
        m_summary->setNotification(m_firstFolded);
        m_summary->setDismissAfter(m_policy.dismissAfter(m_firstFolded.priority));
        return;
    }
    const QStringList names = m_foldedBySubscription.keys();
    QString from;
    if (names.size() == 1)
        from = names.first();
    else if (names.size() <= 3)
        from = names.join(QStringLiteral(", "));
    else
        from = tr("%1 subscriptions").arg(names.size());
    const QString title = m_foldedTotal == 1
                              ? tr("1 new notification from %1").arg(from)
                              : tr("%1 new notifications from %2").arg(m_foldedTotal).arg(from);
    m_summary->setSummary(title,
                          tr("Too many to show one by one. Click to read them in the history."),
                          m_foldedTopPriority);
    // Each update restarts the countdown: the summary stays while the burst goes on, and an
    // urgent message inside it keeps it until closed.
    m_summary->setDismissAfter(m_policy.dismissAfter(m_foldedTopPriority));
}

// A click reads the message, with or without a link: the link opens in the browser, a card
// without one opens the history at it.
void PopupStack::onActivated(PopupWidget *popup)
{
    if (popup->isSummary()) {
        const QStringList names = m_foldedBySubscription.keys();
        emit historyRequested(names.size() == 1 ? names.first() : QString(), QString());
        remove(popup);
        return;
    }
    if (popup->opensLink()) {
        readAndOpen(popup, popup->notification().url);
        return;
    }
    const Notification notification = popup->notification();
    if (!notification.id.isEmpty())
        emit readRequested(notification.subscription, notification.id);
    emit historyRequested(notification.subscription, notification.id);
    remove(popup);
}

// The card goes once its link is open; when nothing could open it, the card says so and stays.
void PopupStack::readAndOpen(PopupWidget *popup, const QUrl &url)
{
    const Notification &notification = popup->notification();
    if (!notification.id.isEmpty())
        emit readRequested(notification.subscription, notification.id);
    if (openLink(url))
        remove(popup);
    else
        popup->showOpenFailure();
}

void PopupStack::onCloseRequested(PopupWidget *popup)
{
    remove(popup);
}

void PopupStack::onClearRequested(PopupWidget *popup)
{
    const Notification notification = popup->notification();
    remove(popup);
    if (!notification.id.isEmpty())
        emit readRequested(notification.subscription, notification.id);
}

// Urgent pop-ups stay until the person closes them; one whose action is running stays until it
// can show the outcome; the one under the pointer is being read.
bool PopupStack::isReplaceable(const PopupWidget *popup)
{
    return popup->notification().priority < DeliveryPolicy::urgentPriority &&
           !popup->actionBar()->isBusy() && !popup->underMouse();
}

PopupWidget *PopupStack::oldestReplaceable() const
{
    const auto it = std::find_if(m_individual.cbegin(), m_individual.cend(), isReplaceable);
    return it == m_individual.cend() ? nullptr : *it;
}

void PopupStack::remove(PopupWidget *popup)
{
    if (detach(popup))
        relayout();
}

bool PopupStack::detach(PopupWidget *popup)
{
    if (popup == m_summary) {
        m_summary = nullptr;
        m_foldedBySubscription.clear();
        m_foldedTotal = 0;
        m_foldedTopPriority = 0;
    } else if (!m_individual.removeOne(popup)) {
        return false;
    }
    popup->hide();
    // Later: this may run inside the pop-up's own signal.
    popup->deleteLater();
    return true;
}

void PopupStack::closeAll()
{
    applyWaitingCards(); // they were "on screen" too: closed with the rest
    const QList<PopupWidget *> all = popups();
    for (PopupWidget *popup : all)
        detach(popup);
}

void PopupStack::closeRead(const NotificationStore &store)
{
    if (applyWaitingCards())
        relayout();
    const QList<PopupWidget *> all = popups();
    bool closed = false;
    for (PopupWidget *popup : all) {
        bool read = false;
        if (popup->isSummary()) {
            const QStringList names = m_foldedBySubscription.keys();
            read = std::all_of(names.cbegin(), names.cend(), [&store](const QString &name) {
                return store.unreadCount(name) == 0;
            });
        } else if (const Notification &shown = popup->notification(); !shown.id.isEmpty()) {
            const auto stored = store.notification(shown.subscription, shown.id);
            read = stored && stored->read;
        }
        if (read)
            closed = detach(popup) || closed;
    }
    if (closed)
        relayout();
}

void PopupStack::setReservedArea(const QRect &area)
{
    if (area == m_reservedArea)
        return;
    m_reservedArea = area;
    relayout();
}

QList<PopupWidget *> PopupStack::popups() const
{
    QList<PopupWidget *> result;
    if (m_summary && m_summary->isSummary())
        result.append(m_summary);
    for (auto it = m_individual.crbegin(); it != m_individual.crend(); ++it)
        result.append(*it);
    // A summary of one message is that message's card, older than the cards it made room for.
    if (m_summary && !m_summary->isSummary())
        result.append(m_summary);
    return result;
}

QRect PopupStack::availableArea() const
{
    QScreen *screen = m_screen ? m_screen.data() : QGuiApplication::primaryScreen();
    if (!screen)
        return {};
    QRect area = screen->availableGeometry().adjusted(margin, margin, -margin, -margin);
    if (!m_reservedArea.isValid())
        return area;
    // Keep the column of pop-ups clear of the reserved area (the tray icon's panel), starting
    // beyond it on its side of the screen.
    const bool right = m_corner == PopupCorner::TopRight || m_corner == PopupCorner::BottomRight;
    const int x = right ? area.right() - PopupWidget::popupWidth + 1 : area.left();
    const QRect column(x, area.top(), PopupWidget::popupWidth, area.height());
    if (!column.intersects(m_reservedArea))
        return area;
    const bool top = m_corner == PopupCorner::TopRight || m_corner == PopupCorner::TopLeft;
    if (top && m_reservedArea.center().y() < area.center().y())
        area.setTop(std::max(area.top(), m_reservedArea.bottom() + 1 + spacing));
    else if (!top && m_reservedArea.center().y() > area.center().y())
        area.setBottom(std::min(area.bottom(), m_reservedArea.top() - 1 - spacing));
    return area;
}

void PopupStack::relayout()
{
    const QRect area = availableArea();
    if (area.isEmpty())
        return;
    const bool top = m_corner == PopupCorner::TopRight || m_corner == PopupCorner::TopLeft;
    const bool right = m_corner == PopupCorner::TopRight || m_corner == PopupCorner::BottomRight;
    int used = 0;
    QList<PopupWidget *> overflow;
    const QList<PopupWidget *> ordered = popups();
    for (PopupWidget *popup : ordered) {
        const QSize size = popup->size(); // fixed: width by design, height by its lines
        if (used + size.height() > area.height()) {
            overflow.append(popup); // older ones that no longer fit; they are in the history
            continue;
        }
        const int x = right ? area.right() - size.width() + 1 : area.left();
        const int y = top ? area.top() + used : area.bottom() - used - size.height() + 1;
        popup->move(x, y);
        if (!popup->isVisible())
            popup->show();
        used += size.height() + spacing;
    }
    for (PopupWidget *popup : overflow)
        detach(popup);
}

} // namespace traybeat
