#include "popupstack.h"

#include "actionbar.h"
#include "actionrunner.h"
#include "popupwidget.h"
#include "urlpolicy.h"

#include <QGuiApplication>
#include <QScreen>
#include <algorithm>

namespace traybeat {

PopupStack::PopupStack(QObject *parent) : QObject(parent)
{
    m_clock.start();
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
    bool folded = false;
    for (const Notification &notification : notifications) {
        PopupWidget *replaceable = oldestReplaceable();
        switch (m_throttle.offer(now, m_individual.size(), replaceable != nullptr)) {
        case PopupThrottle::Verdict::ReplaceOldest:
            detach(replaceable); // it is in the history
            [[fallthrough]];
        case PopupThrottle::Verdict::Show:
            showIndividual(notification);
            continue;
        case PopupThrottle::Verdict::Fold:
            break;
        }
        ++m_foldedBySubscription[notification.subscription];
        ++m_foldedTotal;
        m_foldedTopPriority = std::max(m_foldedTopPriority, notification.priority);
        folded = true;
    }
    // One summary update per batch, not per message: a burst of 10,000 costs one relayout.
    if (folded)
        updateSummary();
    relayout();
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
    connect(popup, &PopupWidget::urlRequested, this, &PopupStack::urlRequested);
    connect(popup, &PopupWidget::heightChanged, this, &PopupStack::relayout);
    return popup;
}

void PopupStack::updateSummary()
{
    if (!m_summary)
        m_summary = createPopup();
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

void PopupStack::onActivated(PopupWidget *popup)
{
    if (popup == m_summary) {
        const QStringList names = m_foldedBySubscription.keys();
        emit historyRequested(names.size() == 1 ? names.first() : QString(), QString());
    } else {
        const Notification &notification = popup->notification();
        if (isSafeToOpen(notification.url))
            emit urlRequested(notification.url);
        else
            emit historyRequested(notification.subscription, notification.id);
    }
    remove(popup);
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

PopupWidget *PopupStack::oldestReplaceable() const
{
    // Urgent pop-ups stay until the person closes them; one whose action is running stays
    // until it can show the outcome.
    const auto it =
        std::find_if(m_individual.cbegin(), m_individual.cend(), [](PopupWidget *popup) {
            return popup->notification().priority < DeliveryPolicy::urgentPriority &&
                   !popup->actionBar()->isBusy();
        });
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
    const QList<PopupWidget *> all = popups();
    for (PopupWidget *popup : all)
        detach(popup);
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
    if (m_summary)
        result.append(m_summary);
    for (auto it = m_individual.crbegin(); it != m_individual.crend(); ++it)
        result.append(*it);
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
