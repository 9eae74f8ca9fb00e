#include "actionbar.h"

#include "actionrunner.h"
#include "urlpolicy.h"

#include <QClipboard>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QStyle>
#include <QVBoxLayout>
#include <algorithm>

namespace traybeat {

namespace {

constexpr int buttonSpacing = 6;
constexpr int statusLength = 300; // an error text is a line, not a page

QString toolTipText(const QString &text)
{
    // Tool tips guess rich text; escaped inside a paragraph, server text stays literal.
    return QStringLiteral("<p>%1</p>").arg(text.toHtmlEscaped());
}

} // namespace

ActionBar::ActionBar(QWidget *parent) : QWidget(parent), m_status(new QLabel(this))
{
    setObjectName(QStringLiteral("actionBar"));
    m_status->setObjectName(QStringLiteral("actionStatus"));
    m_status->setTextFormat(Qt::PlainText); // may quote the server's status line
    m_status->setWordWrap(true);
    m_status->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_status->hide();

    auto *row = new QHBoxLayout;
    row->setSpacing(buttonSpacing);
    row->setContentsMargins(0, 0, 0, 0);
    for (int index = 0; index < NotificationAction::maximumCount; ++index) {
        auto *button = new QPushButton(this);
        button->setObjectName(QStringLiteral("actionButton%1").arg(index));
        button->setFocusPolicy(Qt::StrongFocus);
        button->setAutoDefault(false);
        button->hide();
        connect(button, &QPushButton::clicked, this, [this, index] { trigger(index); });
        row->addWidget(button);
        m_buttons.append(button);
    }
    row->addStretch(1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 4, 0, 0);
    layout->setSpacing(3);
    layout->addLayout(row);
    layout->addWidget(m_status);
    hide();
}

void ActionBar::setRunner(ActionRunner *runner)
{
    if (m_runner)
        disconnect(m_runner, nullptr, this, nullptr);
    m_runner = runner;
    if (m_runner) {
        connect(m_runner, &ActionRunner::finished, this,
                [this](quint64 id, const ActionRunner::Outcome &outcome) {
                    onFinished(id, outcome.text, outcome.succeeded);
                });
    }
    relabel();
}

void ActionBar::setAvailableWidth(int width)
{
    m_availableWidth = std::max(width, 60);
    relabel();
}

void ActionBar::setActions(const QList<NotificationAction> &actions)
{
    const bool wasBusy = isBusy();
    m_actions = actions.mid(0, NotificationAction::maximumCount);
    m_pendingId = 0;
    m_pendingClear = false;
    m_status->clear();
    m_status->hide();
    relabel();
    setVisible(!m_actions.isEmpty());
    if (wasBusy)
        emit busyChanged(false);
}

QString ActionBar::statusText() const
{
    return m_status->text();
}

QString ActionBar::buttonText(const QString &label, const QFontMetrics &metrics, int width)
{
    QString text = metrics.elidedText(label.simplified(), Qt::ElideRight, width);
    return text.replace(QLatin1Char('&'), QLatin1String("&&")); // not a mnemonic
}

void ActionBar::relabel()
{
    const int count = int(m_actions.size());
    const int padding = style()->pixelMetric(QStyle::PM_ButtonMargin, nullptr, this) * 2 + 8;
    const int share =
        count > 0 ? (m_availableWidth - buttonSpacing * (count - 1)) / count - padding : 0;
    for (int index = 0; index < m_buttons.size(); ++index) {
        QPushButton *button = m_buttons[index];
        if (index >= count) {
            button->hide();
            continue;
        }
        const NotificationAction &action = m_actions[index];
        const QString text = buttonText(action.label, button->fontMetrics(), std::max(share, 24));
        button->setText(text);
        button->setAccessibleName(action.label.left(256));
        bool enabled = !isBusy();
        const bool elided = QString(text).replace(QLatin1String("&&"), QLatin1String("&")) !=
                            action.label.simplified();
        QString tip = elided ? action.label : QString();
        switch (action.type) {
        case NotificationAction::Type::View:
            enabled = enabled && isSafeToOpen(action.url);
            button->setAccessibleDescription(tr("Opens a web page"));
            break;
        case NotificationAction::Type::Copy:
            button->setAccessibleDescription(tr("Copies a text to the clipboard"));
            break;
        case NotificationAction::Type::Http:
            enabled = enabled && m_runner && isSafeToOpen(action.url);
            button->setAccessibleDescription(tr("Sends a web request"));
            break;
        case NotificationAction::Type::Broadcast:
            enabled = false;
            tip = tr("“%1” is not available on the desktop: it is an Android broadcast.")
                      .arg(action.label);
            button->setAccessibleDescription(tr("Not available on the desktop"));
            break;
        }
        button->setEnabled(enabled);
        button->setToolTip(tip.isEmpty() ? QString() : toolTipText(tip));
        button->show();
    }
}

void ActionBar::trigger(int index)
{
    if (index < 0 || index >= m_actions.size() || isBusy())
        return;
    const NotificationAction action = m_actions[index];
    switch (action.type) {
    case NotificationAction::Type::View:
        if (!isSafeToOpen(action.url))
            return;
        emit urlRequested(action.url);
        if (action.clear)
            emit clearRequested();
        return;
    case NotificationAction::Type::Copy:
        QGuiApplication::clipboard()->setText(action.value);
        setStatus(tr("Copied"), false);
        if (action.clear)
            emit clearRequested();
        return;
    case NotificationAction::Type::Http:
        if (!m_runner)
            return;
        m_pendingClear = action.clear;
        m_pendingId = m_runner->run(action);
        setStatus(tr("Sending…"), false);
        relabel();
        emit busyChanged(true);
        return;
    case NotificationAction::Type::Broadcast:
        return;
    }
}

void ActionBar::onFinished(quint64 id, const QString &text, bool succeeded)
{
    if (id == 0 || id != m_pendingId)
        return;
    const bool clear = succeeded && m_pendingClear;
    m_pendingId = 0;
    m_pendingClear = false;
    relabel();
    setStatus(text, !succeeded);
    emit busyChanged(false);
    if (clear)
        emit clearRequested();
}

void ActionBar::setStatus(const QString &text, bool error)
{
    m_status->setText(text.left(statusLength));
    m_status->setForegroundRole(error ? QPalette::BrightText : QPalette::PlaceholderText);
    QPalette colors = m_status->palette();
    if (error)
        colors.setColor(QPalette::BrightText, QColor(0xc6, 0x28, 0x28));
    m_status->setPalette(colors);
    m_status->setAccessibleName(text.left(statusLength));
    m_status->show();
    emit statusChanged(m_status->text());
}

} // namespace traybeat
