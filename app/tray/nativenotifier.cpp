#include "nativenotifier.h"

#include "emojitags.h"
#include "logging.h"
#include "markdowndocument.h"
#include "notificationstore.h"
#include "urlpolicy.h"

#include <QClipboard>
#include <QDBusConnection>
#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QGuiApplication>
#include <QSystemTrayIcon>
#include <QTime>
#include <algorithm>

namespace traybeat {

namespace {

const QString service = QStringLiteral("org.freedesktop.Notifications");
const QString objectPath = QStringLiteral("/org/freedesktop/Notifications");
const QString interfaceName = QStringLiteral("org.freedesktop.Notifications");
const QString defaultAction = QStringLiteral("default");
const QString actionKeyPrefix = QStringLiteral("action-");
constexpr int labelLength = 40; // daemons lay buttons out in a row or a menu
constexpr int maximumTracked = 256;
constexpr std::chrono::milliseconds summaryLifetime{60000};

uchar urgency(int priority)
{
    if (priority >= DeliveryPolicy::urgentPriority)
        return 2; // critical
    return priority <= 2 ? 0 : 1;
}

} // namespace

NativeNotifier::NativeNotifier(QSystemTrayIcon *fallback, QObject *parent)
    : QObject(parent), m_fallback(fallback)
{
    m_clock.start();
    m_summaryReset.setSingleShot(true);
    m_summaryReset.setInterval(summaryLifetime);
    connect(&m_summaryReset, &QTimer::timeout, this, &NativeNotifier::resetSummary);
    if (m_fallback) {
        connect(m_fallback, &QSystemTrayIcon::messageClicked, this,
                [this] { open(m_fallbackTarget); });
    }

    QDBusConnection bus = QDBusConnection::sessionBus();
    if (!bus.isConnected())
        return;
    bus.connect(service, objectPath, interfaceName, QStringLiteral("ActionInvoked"), this,
                SLOT(onActionInvoked(uint, QString)));
    bus.connect(service, objectPath, interfaceName, QStringLiteral("NotificationClosed"), this,
                SLOT(onNotificationClosed(uint, uint)));
    const QDBusMessage capabilities = QDBusMessage::createMethodCall(
        service, objectPath, interfaceName, QStringLiteral("GetCapabilities"));
    auto *watcher = new QDBusPendingCallWatcher(bus.asyncCall(capabilities), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this,
            [this](QDBusPendingCallWatcher *call) {
                const QDBusPendingReply<QStringList> reply = *call;
                call->deleteLater();
                m_daemonHasActions =
                    !reply.isError() && reply.value().contains(QStringLiteral("actions"));
                emit capabilitiesKnown();
            });
}

void NativeNotifier::setActionRunner(ActionRunner *runner)
{
    if (m_runner)
        disconnect(m_runner, nullptr, this, nullptr);
    m_runner = runner;
    if (m_runner)
        connect(m_runner, &ActionRunner::finished, this, &NativeNotifier::onActionFinished);
}

NativeNotifier::~NativeNotifier() = default;

void NativeNotifier::present(const NotificationList &notifications)
{
    const std::chrono::milliseconds now{m_clock.elapsed()};
    bool folded = false;
    for (const Notification &notification : notifications) {
        // The daemon does not tell how many are on screen: only the rate limits here.
        if (m_throttle.offer(now, 0) == PopupThrottle::Verdict::Show) {
            const QString summary = EmojiTags::decoratedTitle(
                EmojiTags::split(notification.tags).emoji,
                notification.title.isEmpty() ? notification.subscription : notification.title);
            // Markdown goes as the text it renders to (escaped below like any body).
            const QString body = notification.isMarkdown()
                                     ? MarkdownDocument::plainText(notification.body)
                                     : notification.body;
            notify(summary, body, notification.priority,
                   {notification.subscription, notification.id, notification.url,
                    notification.actions, true},
                   false);
            continue;
        }
        ++m_folded;
        m_foldedTopPriority = std::max(m_foldedTopPriority, notification.priority);
        if (!m_foldedFrom.contains(notification.subscription))
            m_foldedFrom.append(notification.subscription);
        folded = true;
    }
    if (folded)
        sendSummary();
}

void NativeNotifier::sendSummary()
{
    if (m_summaryInFlight) {
        m_summaryDirty = true; // replaced once the daemon told us the id to replace
        return;
    }
    m_summaryReset.start();
    const QString from = m_foldedFrom.join(QStringLiteral(", "));
    const QString summary = m_folded == 1
                                ? tr("1 new notification from %1").arg(from)
                                : tr("%1 new notifications from %2").arg(m_folded).arg(from);
    const QString subscription = m_foldedFrom.size() == 1 ? m_foldedFrom.first() : QString();
    notify(summary, tr("Open the history to read them."), m_foldedTopPriority,
           {subscription, {}, {}, {}}, true);
}

void NativeNotifier::notify(const QString &summary, const QString &body, int priority,
                            const Target &target, bool isSummary)
{
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (!bus.isConnected()) {
        showFallback(summary, body, priority, target);
        return;
    }
    QVariantMap hints;
    hints.insert(QStringLiteral("urgency"), QVariant::fromValue(urgency(priority)));
    hints.insert(QStringLiteral("desktop-entry"), QStringLiteral("io.github.traybeat.Traybeat"));
    const auto dismissAfter = m_policy.dismissAfter(priority);
    const int timeout = dismissAfter ? static_cast<int>(dismissAfter->count()) : 0; // 0: never
    // The summary is plain text by the specification; the body may be read as markup (and
    // links made clickable), and server text must never be. Escaped always, not only when the
    // daemon lists "body-markup": dunst 1.9 reads markup without listing it. A daemon without
    // markup would show the entities; none of the common ones is like that.
    const QString safeBody = body.toHtmlEscaped();
    QDBusMessage call = QDBusMessage::createMethodCall(service, objectPath, interfaceName,
                                                       QStringLiteral("Notify"));
    call << QStringLiteral("traybeat") << (isSummary ? m_summaryId : 0u) << QString() << summary
         << safeBody << actionList(target) << hints << timeout;
    if (isSummary)
        m_summaryInFlight = true;
    auto *watcher = new QDBusPendingCallWatcher(bus.asyncCall(call), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this,
            [this, summary, body, priority, target, isSummary](QDBusPendingCallWatcher *call) {
                const QDBusPendingReply<uint> reply = *call;
                call->deleteLater();
                if (isSummary)
                    m_summaryInFlight = false;
                if (reply.isError()) {
                    qCWarning(lcUi).noquote() << "notification daemon:" << reply.error().message()
                                              << "- showing it in the tray instead";
                    showFallback(summary, body, priority, target);
                    return;
                }
                if (m_sent.size() >= maximumTracked)
                    m_sent.erase(m_sent.begin());
                m_sent.insert(reply.value(), target);
                if (!isSummary)
                    return;
                m_summaryId = reply.value();
                if (m_summaryDirty) {
                    m_summaryDirty = false;
                    sendSummary();
                }
            });
}

void NativeNotifier::showFallback(const QString &summary, const QString &body, int priority,
                                  const Target &target)
{
    if (!m_fallback || !QSystemTrayIcon::supportsMessages())
        return;
    m_fallbackTarget = target;
    const auto dismissAfter = m_policy.dismissAfter(priority);
    // Qt's balloon lays both texts out as plain text.
    m_fallback->showMessage(
        summary, body,
        priority >= DeliveryPolicy::urgentPriority ? QSystemTrayIcon::Warning
                                                   : QSystemTrayIcon::Information,
        dismissAfter ? static_cast<int>(dismissAfter->count()) : 24 * 3600 * 1000);
}

QStringList NativeNotifier::actionList(const Target &target) const
{
    QStringList actions{defaultAction, tr("Open")};
    if (!m_daemonHasActions)
        return actions;
    for (int index = 0; index < target.actions.size(); ++index) {
        const NotificationAction &action = target.actions[index];
        if (action.type == NotificationAction::Type::Broadcast ||
            (action.type == NotificationAction::Type::Http && !m_runner))
            continue; // nothing a desktop can do
        QString label = action.label.simplified();
        if (label.size() > labelLength)
            label = label.left(labelLength - 1) + QChar(0x2026);
        actions << actionKeyPrefix + QString::number(index) << label;
    }
    return actions;
}

void NativeNotifier::onActionInvoked(uint notificationId, const QString &actionKey)
{
    const auto it = m_sent.constFind(notificationId);
    if (it == m_sent.constEnd())
        return; // not ours, or forgotten
    if (!actionKey.startsWith(actionKeyPrefix)) {
        open(*it);
        return;
    }
    bool ok = false;
    const int index = actionKey.mid(actionKeyPrefix.size()).toInt(&ok);
    if (ok)
        runAction(*it, index);
}

void NativeNotifier::runAction(const Target &target, int index)
{
    if (index < 0 || index >= target.actions.size())
        return;
    const NotificationAction &action = target.actions[index];
    switch (action.type) {
    case NotificationAction::Type::View:
        if (isSafeToOpen(action.url))
            emit urlRequested(action.url);
        break;
    case NotificationAction::Type::Copy:
        QGuiApplication::clipboard()->setText(action.value);
        break;
    case NotificationAction::Type::Http:
        if (m_runner && m_pendingActions.size() < maximumTracked) {
            m_pendingActions.insert(m_runner->run(action), {target, action.label, action.clear});
        }
        return; // `clear` waits for the outcome
    case NotificationAction::Type::Broadcast:
        return;
    }
    if (action.clear && !target.id.isEmpty())
        emit readRequested(target.subscription, target.id);
}

void NativeNotifier::onActionFinished(quint64 id, const ActionRunner::Outcome &outcome)
{
    const auto it = m_pendingActions.find(id);
    if (it == m_pendingActions.end())
        return; // a pop-up's or the history's
    const PendingAction pending = *it;
    m_pendingActions.erase(it);
    // The daemon closed the message when its button was pressed: the outcome is a message too.
    notify(pending.label.simplified().left(labelLength), outcome.text, outcome.succeeded ? 2 : 4,
           {pending.target.subscription, pending.target.id, {}, {}}, false);
    if (outcome.succeeded && pending.clear && !pending.target.id.isEmpty())
        emit readRequested(pending.target.subscription, pending.target.id);
}

void NativeNotifier::onNotificationClosed(uint notificationId, uint reason)
{
    Q_UNUSED(reason)
    m_sent.remove(notificationId);
    if (notificationId == m_summaryId && m_summaryId != 0)
        resetSummary();
}

void NativeNotifier::open(const Target &target)
{
    if (!target.id.isEmpty())
        emit readRequested(target.subscription, target.id);
    if (isSafeToOpen(target.url))
        emit urlRequested(target.url);
    else
        emit historyRequested(target.subscription, target.id);
}

void NativeNotifier::closeRead(const NotificationStore &store)
{
    QList<uint> read;
    for (auto it = m_sent.cbegin(); it != m_sent.cend(); ++it) {
        if (!it->closeWhenRead)
            continue;
        const auto stored = store.notification(it->subscription, it->id);
        if (stored && stored->read)
            read.append(it.key());
    }
    QDBusConnection bus = QDBusConnection::sessionBus();
    for (const uint id : std::as_const(read)) {
        m_sent.remove(id);
        QDBusMessage call = QDBusMessage::createMethodCall(service, objectPath, interfaceName,
                                                           QStringLiteral("CloseNotification"));
        call << id;
        bus.asyncCall(call); // nothing to do with the answer: gone is gone
    }
}

void NativeNotifier::resetSummary()
{
    m_summaryReset.stop();
    m_summaryId = 0;
    m_folded = 0;
    m_foldedTopPriority = 0;
    m_foldedFrom.clear();
}

} // namespace traybeat
