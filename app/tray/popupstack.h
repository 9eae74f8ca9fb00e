#pragma once

#include "actionrunner.h"
#include "appsettings.h"
#include "deliverypolicy.h"
#include "mediafetcher.h"
#include "notification.h"
#include "popupthrottle.h"

#include <QElapsedTimer>
#include <QList>
#include <QMap>
#include <QObject>
#include <QPointer>
#include <QRect>
#include <QTimer>
#include <chrono>

class QScreen;

namespace traybeat {

class NotificationStore;
class PopupWidget;

// Places pop-ups in a corner of the screen's available area (never under a panel), newest next
// to the corner, and keeps bursts in check: what the throttle will not show individually is
// counted in one summary pop-up ("37 new notifications from Demo"), and the cards beside it
// are the burst's newest messages. A summary of one message is that message's card. Messages
// given here have already passed do-not-disturb and quiet hours; everything is in the store
// whatever happens. A click on a card marks its message read and opens its link (saying so on
// the card when no browser could), or the history at it.
class PopupStack final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PopupStack)
public:
    explicit PopupStack(QObject *parent = nullptr);
    ~PopupStack() override;

    void setCorner(PopupCorner corner);
    PopupCorner corner() const { return m_corner; }
    // Gives the dismiss times by priority.
    void setPolicy(const DeliveryPolicy &policy) { m_policy = policy; }
    void setThrottle(const PopupThrottle::Config &config) { m_throttle = PopupThrottle(config); }
    // Null: the primary screen.
    void setScreen(QScreen *screen);
    // Global rectangle to keep clear, e.g. the tray icon: without a window manager the
    // available geometry does not leave out the panel it sits in.
    void setReservedArea(const QRect &area);
    // Runs the http actions of the pop-ups' buttons (null: shown disabled); must outlive them.
    void setActionRunner(ActionRunner *runner) { m_runner = runner; }
    // Fetches the pop-ups' thumbnails and icons (null: none shown); must outlive them.
    void setMediaFetcher(MediaFetcher *fetcher) { m_media = fetcher; }
    // While a burst is folded, the cards beside the summary and its count change at most once
    // per `interval` (the first fold at once, the rest of the burst at the end of each
    // interval): laying out cards for every stored slice was most of the GUI thread's work in a
    // burst (bench_tray_burst). Zero (the default): at once, every time.
    void setCardUpdateInterval(std::chrono::milliseconds interval);

    void present(const NotificationList &notifications);
    void closeAll();
    // Closes the cards whose message is read now (read in the history, "Mark All Read"), and
    // the summary once nothing of its subscriptions is unread.
    void closeRead(const NotificationStore &store);

    // Newest first; the summary, if any, comes first (a summary of one message, which shows
    // as that message's card, last: it is the oldest).
    QList<PopupWidget *> popups() const;
    PopupWidget *summary() const { return m_summary; }
    int foldedCount() const { return m_foldedTotal; }

    static constexpr int margin = 12; // from the edges of the available area
    static constexpr int spacing = 8; // between pop-ups

signals:
    // Open the history; `id` empty: just bring it forward (at `subscription`, if not empty).
    void historyRequested(const QString &subscription, const QString &id);
    // A card was clicked (or a link in it), or an action marked `clear` succeeded: the
    // message is done with.
    void readRequested(const QString &subscription, const QString &id);

private:
    void showIndividual(const Notification &notification);
    void showNewest(const NotificationList &folded);
    void fold(const NotificationList &folded);
    // Shows what fold() kept waiting; false if nothing was.
    bool applyWaitingCards();
    // Applies them if the interval since the last update is over, else (re)arms the timer for
    // its end; true if applied.
    bool applyOrWait();
    void countFolded(const Notification &notification);
    void updateSummary();
    void onActivated(PopupWidget *popup);
    void readAndOpen(PopupWidget *popup, const QUrl &url);
    static bool isReplaceable(const PopupWidget *popup);
    void onCloseRequested(PopupWidget *popup);
    void onClearRequested(PopupWidget *popup);
    PopupWidget *oldestReplaceable() const;
    void remove(PopupWidget *popup);
    bool detach(PopupWidget *popup); // forgets and deletes it, without relayout
    void relayout();
    QRect availableArea() const;
    PopupWidget *createPopup();

    PopupCorner m_corner = PopupCorner::TopRight;
    DeliveryPolicy m_policy;
    PopupThrottle m_throttle;
    QElapsedTimer m_clock; // the throttle's time base
    QPointer<QScreen> m_screen;
    QRect m_reservedArea;
    QPointer<ActionRunner> m_runner;
    QPointer<MediaFetcher> m_media;

    QList<PopupWidget *> m_individual; // oldest first
    PopupWidget *m_summary = nullptr;
    QMap<QString, int> m_foldedBySubscription;
    int m_foldedTotal = 0;
    int m_foldedTopPriority = 0;
    Notification m_firstFolded; // what a summary of one shows

    std::chrono::milliseconds m_cardInterval{0};
    NotificationList m_waitingCards; // folded, newest last, not on the cards yet
    QElapsedTimer m_sinceCardUpdate;
    QTimer m_cardTimer;
};

} // namespace traybeat
