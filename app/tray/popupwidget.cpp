#include "popupwidget.h"

#include "actionbar.h"
#include "attachmentview.h"
#include "remoteimagelabel.h"
#include "emojitags.h"
#include "errorlabel.h"
#include "logging.h"
#include "markdownview.h"
#include "themecolors.h"
#include "urlpolicy.h"

#include <QAccessible>
#include <QAccessibleWidget>
#include <QEnterEvent>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <QPushButton>
#include <QRegularExpression>
#include <QTextLayout>
#include <QToolButton>
#include <QVBoxLayout>
#include <algorithm>

namespace traybeat {

namespace {

constexpr int accentWidth = 4;
constexpr int horizontalMargin = 12;
constexpr int titleLines = 2;
constexpr int bodyLines = 4;
// The icon beside the title, and the attachment's thumbnail under the text.
constexpr int iconSide = 32;
constexpr int thumbnailHeight = 180;
// Laying out more than this is wasted work: at most a few lines are ever shown.
constexpr int layoutLimit = 2000;
// Markdown is parsed whole before it is cut to lines; its markup makes it longer than its text.
constexpr int markdownLimit = 4000;
// A screen reader reads the whole text, up to this much (a server may send far more).
constexpr int accessibleTextLimit = 1000;
// After the pointer leaves, a countdown that had nearly run out gets this long at least, so
// the pop-up does not vanish the moment the pointer moves off it.
constexpr std::chrono::milliseconds leaveGrace{1500};
// After an action finished, its outcome ("Done", an error) stays readable at least this long.
constexpr std::chrono::milliseconds outcomeGrace{4000};

QLabel *plainLabel(const QString &objectName, QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setObjectName(objectName);
    // Server text: never interpreted as rich text, never a link.
    label->setTextFormat(Qt::PlainText);
    label->setTextInteractionFlags(Qt::NoTextInteraction);
    label->setWordWrap(false); // lines are broken and elided by PopupWidget::elided
    // The pop-up's width is fixed; a label's text never widens it.
    label->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    label->setMinimumWidth(0);
    return label;
}

QString priorityText(int priority)
{
    switch (priority) {
    case 1:
        return PopupWidget::tr("min priority");
    case 2:
        return PopupWidget::tr("low priority");
    case 4:
        return PopupWidget::tr("high priority");
    case 5:
        return PopupWidget::tr("urgent");
    default:
        return {};
    }
}

QString timeText(const QDateTime &time)
{
    if (!time.isValid())
        return {};
    const QDateTime local = time.toLocalTime();
    const QLocale locale;
    // Minutes are enough here (the history has the exact time); some locales' short format
    // still carries seconds.
    QString format = locale.timeFormat(QLocale::ShortFormat);
    format.remove(QRegularExpression(QStringLiteral("[:.]ss?")));
    if (local.date() == QDate::currentDate())
        return locale.toString(local.time(), format);
    return locale.toString(local.date(), QLocale::ShortFormat) + QLatin1Char(' ') +
           locale.toString(local.time(), format);
}

// A thin cross in the text's muted colour; the style's title-bar glyph looks like a window
// frame button, out of place on a card.
QIcon closeIcon(const QColor &color)
{
    QIcon icon;
    for (const qreal ratio : {1.0, 2.0}) {
        QPixmap pixmap(QSize(10, 10) * ratio);
        pixmap.setDevicePixelRatio(ratio);
        pixmap.fill(Qt::transparent);
        QPainter painter(&pixmap);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setPen(QPen(color, 1.6, Qt::SolidLine, Qt::RoundCap));
        painter.drawLine(QPointF(1.5, 1.5), QPointF(8.5, 8.5));
        painter.drawLine(QPointF(8.5, 1.5), QPointF(1.5, 8.5));
        painter.end();
        icon.addPixmap(pixmap);
    }
    return icon;
}

// Pop-ups are alerts to assistive technology (role AlertMessage), not plain panels.
QAccessibleInterface *popupAccessible(const QString &className, QObject *object)
{
    if (className == QLatin1String("traybeat::PopupWidget") && object && object->isWidgetType())
        return new QAccessibleWidget(static_cast<QWidget *>(object), QAccessible::AlertMessage);
    return nullptr;
}

} // namespace

PopupWidget::PopupWidget(QWidget *parent)
    : QWidget(parent, Qt::Tool | Qt::FramelessWindowHint | Qt::WindowStaysOnTopHint |
                          Qt::WindowDoesNotAcceptFocus | Qt::X11BypassWindowManagerHint),
      m_meta(plainLabel(QStringLiteral("meta"), this)),
      m_time(plainLabel(QStringLiteral("time"), this)),
      m_title(plainLabel(QStringLiteral("title"), this)),
      m_body(plainLabel(QStringLiteral("body"), this)), m_markdownBody(new MarkdownView(this)),
      m_openLink(plainLabel(QStringLiteral("openLink"), this)),
      m_openFailure(plainLabel(QStringLiteral("openFailure"), this)),
      m_closeButton(new QToolButton(this)), m_actionBar(new ActionBar(this)),
      m_icon(new RemoteImageLabel(QSize(iconSide, iconSide), this)),
      m_attachment(new AttachmentView(QSize(textWidth(), thumbnailHeight), this))
{
    setObjectName(QStringLiteral("traybeatPopup"));
    static const bool factoryInstalled = [] {
        QAccessible::installFactory(popupAccessible);
        return true;
    }();
    Q_UNUSED(factoryInstalled)
    setWindowTitle(windowName());
    // A pop-up must not take the keyboard from what the person is typing into.
    setAttribute(Qt::WA_ShowWithoutActivating);
    setAttribute(Qt::WA_DeleteOnClose, false); // the stack owns and deletes pop-ups
    setFocusPolicy(Qt::NoFocus);
    setFixedWidth(popupWidth);
    setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);

    m_time->setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Preferred); // short; always whole
    m_meta->setForegroundRole(QPalette::PlaceholderText);
    m_time->setForegroundRole(QPalette::PlaceholderText);
    m_markdownBody->setObjectName(QStringLiteral("markdownBody"));
    m_markdownBody->hide();
    m_openLink->setForegroundRole(QPalette::Link);
    m_openLink->hide();
    m_openFailure->setWordWrap(true);
    m_openFailure->hide();
    applyFonts();

    m_closeButton->setObjectName(QStringLiteral("close"));
    m_closeButton->setAutoRaise(true);
    m_closeButton->setFocusPolicy(Qt::NoFocus);
    m_closeButton->setCursor(Qt::ArrowCursor);
    m_closeButton->setIconSize(QSize(10, 10));
    m_closeButton->setFixedSize(20, 20);
    m_closeButton->setToolTip(tr("Dismiss"));
    m_closeButton->setAccessibleName(tr("Dismiss"));

    auto *header = new QHBoxLayout;
    header->setSpacing(6);
    header->addWidget(m_meta, 1);
    header->addWidget(m_time);
    header->addWidget(m_closeButton);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(accentWidth + horizontalMargin, 8, 8, 12);
    layout->setSpacing(3);
    layout->addLayout(header);
    auto *titleRow = new QHBoxLayout;
    titleRow->setSpacing(6);
    titleRow->addWidget(m_icon, 0, Qt::AlignTop);
    titleRow->addWidget(m_title, 1);
    layout->addLayout(titleRow);
    layout->addWidget(m_body);
    layout->addWidget(m_markdownBody);
    layout->addWidget(m_attachment);
    layout->addWidget(m_openLink);
    layout->addWidget(m_openFailure);
    layout->addWidget(m_actionBar);
    m_icon->setObjectName(QStringLiteral("icon"));
    m_attachment->setAvailableWidth(textWidth());
    m_actionBar->setAvailableWidth(textWidth());
    m_actionBar->setCursor(Qt::ArrowCursor);
    applyColors();

    m_dismissTimer.setSingleShot(true);
    connect(&m_dismissTimer, &QTimer::timeout, this, &PopupWidget::closeRequested);
    connect(m_closeButton, &QToolButton::clicked, this, &PopupWidget::closeRequested);
    connect(m_actionBar, &ActionBar::urlRequested, this, &PopupWidget::urlRequested);
    connect(m_actionBar, &ActionBar::clearRequested, this, &PopupWidget::clearRequested);
    connect(m_actionBar, &ActionBar::busyChanged, this, &PopupWidget::onActionBusyChanged);
    connect(m_actionBar, &ActionBar::statusChanged, this, &PopupWidget::updateHeight);
    // Pictures arrive after the pop-up is shown: it grows then.
    connect(m_attachment, &AttachmentView::contentChanged, this, [this] {
        updateHeight();
        logPicture();
    });
    connect(m_attachment, &AttachmentView::urlRequested, this, &PopupWidget::urlRequested);
    connect(m_icon, &RemoteImageLabel::imageChanged, this, &PopupWidget::updateHeight);
    connect(m_markdownBody, &MarkdownView::linkActivated, this, &PopupWidget::linkActivated);
}

void PopupWidget::setMediaFetcher(MediaFetcher *fetcher)
{
    m_icon->setFetcher(fetcher);
    m_attachment->setFetcher(fetcher);
}

// The desktop's font, as it is now: the title a little larger and bold, the meta line smaller.
void PopupWidget::applyFonts()
{
    QFont small = font();
    small.setPointSizeF(font().pointSizeF() * 0.9);
    m_meta->setFont(small);
    m_time->setFont(small);
    m_openFailure->setFont(small);
    QFont bold = font();
    bold.setBold(true);
    bold.setPointSizeF(font().pointSizeF() * 1.08);
    m_title->setFont(bold);
}

// The desktop's palette, as it is now (a theme may switch from light to dark).
void PopupWidget::applyColors()
{
    m_closeButton->setIcon(closeIcon(palette().color(QPalette::PlaceholderText)));
    QPalette failure = m_openFailure->palette();
    failure.setColor(QPalette::WindowText,
                     ThemeColors::readableOn(ErrorLabel::errorColor(),
                                             palette().color(QPalette::Window),
                                             ThemeColors::textContrast));
    m_openFailure->setPalette(failure);
}

void PopupWidget::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange) {
        applyColors();
        update();
    } else if (event->type() == QEvent::FontChange) {
        applyFonts();
        setTexts(m_texts.meta, m_texts.time, m_texts.title, m_texts.body, m_texts.markdown);
    }
}

void PopupWidget::setActionRunner(ActionRunner *runner)
{
    m_actionBar->setRunner(runner);
}

void PopupWidget::setNotification(const Notification &notification)
{
    m_notification = notification;
    m_summary = false;
    m_priority = notification.priority;
    QStringList meta{notification.subscription};
    // A subscription is often named after its topic ("Demo" for topic "demo"): say it once.
    if (!notification.topic.isEmpty() &&
        notification.topic.compare(notification.subscription, Qt::CaseInsensitive) != 0)
        meta << notification.topic;
    if (const QString priority = priorityText(notification.priority); !priority.isEmpty())
        meta << priority;
    const EmojiTags tags = EmojiTags::split(notification.tags);
    if (!tags.otherTags.isEmpty())
        meta << tags.otherTags.join(QStringLiteral(", "));
    m_actionBar->setActions(notification.actions);
    const bool markdown = notification.isMarkdown() && !notification.body.isEmpty();
    if (markdown) {
        // A line more than plain text: lists and paragraphs spend some on their margins.
        m_markdownBody->setMarkdown(notification.body.left(markdownLimit), textWidth(),
                                    (bodyLines + 1) * m_body->fontMetrics().lineSpacing());
    }
    setLink(notification.url);
    m_icon->setRequest(MediaRequest{notification.subscription, notification.id,
                                    MediaCache::Kind::Icon, notification.icon});
    m_attachment->setNotification(notification);
    setTexts(meta.join(QStringLiteral(" · ")), timeText(notification.time),
             EmojiTags::decoratedTitle(tags.emoji, notification.title),
             markdown ? m_markdownBody->plainText() : notification.body, markdown);
}

// A card whose click opens a link says so: an "Open link" line and a hand cursor. A card
// without one opens the history at the message; it keeps the arrow.
void PopupWidget::setLink(const QUrl &url)
{
    const bool opens = !m_summary && isSafeToOpen(url);
    m_openFailure->clear();
    m_openFailure->hide();
    m_openLink->setVisible(opens);
    if (opens) {
        const QString text = tr("Open link: %1").arg(url.host()) + QStringLiteral(" \u2197");
        m_openLink->setText(
            m_openLink->fontMetrics().elidedText(text, Qt::ElideMiddle, textWidth()));
        m_openLink->setAccessibleName(tr("Open link: %1").arg(url.host()));
    }
    setCursor(opens ? Qt::PointingHandCursor : Qt::ArrowCursor);
    if (m_summary)
        setToolTip(tr("Click to open the history"));
    else
        setToolTip(opens ? tr("Click to open the link") : tr("Click to read it in the history"));
}

bool PopupWidget::opensLink() const
{
    return !m_summary && isSafeToOpen(m_notification.url);
}

void PopupWidget::showOpenFailure()
{
    m_openFailure->setText(
        tr("Could not open the link: no web browser was found. It is kept in the history."));
    m_openFailure->show();
    updateHeight();
    holdForOutcome();
}

QString PopupWidget::openFailure() const
{
    return m_openFailure->isVisible() ? m_openFailure->text() : QString();
}

// An outcome shown on the card (an action's, a link that did not open) stays readable a while.
void PopupWidget::holdForOutcome()
{
    if (!m_dismissTimer.isActive()) {
        m_remaining = std::max(m_remaining, outcomeGrace); // for when the pointer leaves
        return;
    }
    const std::chrono::milliseconds left =
        m_remaining - std::chrono::milliseconds(m_countdownClock.elapsed());
    startCountdown(std::max(left, outcomeGrace));
}

void PopupWidget::setSummary(const QString &title, const QString &body, int priority)
{
    m_notification = {};
    m_summary = true;
    m_priority = priority;
    m_actionBar->setActions({});
    setLink({});
    m_icon->setRequest({});
    m_attachment->setNotification({});
    setTexts(tr("traybeat"), timeText(QDateTime::currentDateTimeUtc()), title, body);
}

void PopupWidget::setTexts(const QString &meta, const QString &time, const QString &title,
                           const QString &body, bool bodyIsMarkdown)
{
    m_texts = {meta, time, title, body, bodyIsMarkdown}; // cut again when the font changes
    m_time->setText(time);
    const int metaWidth =
        textWidth() - m_time->fontMetrics().horizontalAdvance(time) - m_closeButton->width() - 12;
    m_meta->setText(elided(meta, m_meta->font(), std::max(metaWidth, 40), 1));
    m_title->setText(elided(title, m_title->font(), titleWidth(), titleLines));
    m_title->setVisible(!m_title->text().isEmpty());
    // Markdown is laid out (and cut) by its view; `body` is then its text, for screen readers.
    m_body->setText(bodyIsMarkdown ? QString()
                                   : elided(body, m_body->font(), textWidth(), bodyLines));
    m_body->setVisible(!m_body->text().isEmpty());
    m_markdownBody->setVisible(bodyIsMarkdown);
    // What a screen reader announces when the pop-up appears (an alert, see showEvent): the
    // title, then the whole body (not the elided lines), then where it came from.
    setAccessibleName(title.isEmpty() ? body.left(accessibleTextLimit)
                                      : title.left(accessibleTextLimit));
    QStringList description;
    if (!title.isEmpty() && !body.isEmpty())
        description << body.left(accessibleTextLimit);
    description << meta;
    setAccessibleDescription(description.join(QLatin1Char('\n')));
    updateHeight();
}

void PopupWidget::updateHeight()
{
    // Fixed width; the height follows the number of lines (and an action's outcome line).
    layout()->invalidate();
    layout()->activate();
    const int height = layout()->sizeHint().height();
    update();
    if (height == this->height() && minimumHeight() == maximumHeight())
        return;
    setFixedHeight(height);
    if (isVisible()) // a new pop-up is placed by the stack anyway
        emit heightChanged();
}

int PopupWidget::textWidth() const
{
    return popupWidth - accentWidth - horizontalMargin - 8 - 2; // margins and the border
}

void PopupWidget::logPicture() const
{
    // What the pop-up holds once its picture is in: the end-to-end test reads this line (with
    // traybeat.ui.debug on), as a person would look at the pop-up.
    if (!lcUi().isDebugEnabled() || !m_attachment->thumbnail()->hasImage())
        return;
    QStringList buttons;
    for (const QPushButton *button : m_actionBar->buttons()) {
        if (!button->isHidden())
            buttons << button->accessibleName();
    }
    const QSize size = m_attachment->thumbnail()->size();
    qCDebug(lcUi).noquote() << "pop-up" << m_notification.id << "shows a thumbnail of"
                            << QStringLiteral("%1x%2").arg(size.width()).arg(size.height())
                            << "and" << buttons.size()
                            << "button(s):" << buttons.join(QStringLiteral(" | "));
}

int PopupWidget::titleWidth() const
{
    // An icon that is on its way keeps its place, so the title is not laid out twice.
    const bool icon = m_icon->isWaiting() || m_icon->hasImage();
    return icon ? textWidth() - iconSide - 6 : textWidth();
}

void PopupWidget::setDismissAfter(std::optional<std::chrono::milliseconds> duration)
{
    m_dismissAfter = duration;
    m_dismissTimer.stop();
    if (duration && isVisible() && !underMouse() && !m_actionBar->isBusy())
        startCountdown(*duration);
}

void PopupWidget::startCountdown(std::chrono::milliseconds duration)
{
    m_remaining = duration;
    m_countdownClock.start();
    m_dismissTimer.start(duration);
}

QColor PopupWidget::accentColor(int priority)
{
    switch (priority) {
    case 1:
        return QColor(0x8b, 0x94, 0x9e);
    case 2:
        return QColor(0x54, 0xae, 0xff);
    case 4:
        return QColor(0xfb, 0x8f, 0x44);
    case 5:
        return QColor(0xda, 0x36, 0x33);
    default:
        return QColor(0x1f, 0x6f, 0xeb);
    }
}

QColor PopupWidget::accentColor(int priority, const QColor &background)
{
    return ThemeColors::readableOn(accentColor(priority), background, ThemeColors::graphicContrast);
}

QString PopupWidget::elided(const QString &text, const QFont &font, int width, int maxLines)
{
    QString source = text.left(layoutLimit);
    source.replace(QLatin1String("\r\n"), QLatin1String("\n"));
    source.replace(QLatin1Char('\r'), QLatin1Char('\n'));
    QStringList paragraphs = source.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    for (QString &paragraph : paragraphs)
        paragraph = paragraph.trimmed();
    paragraphs.removeAll(QString());

    const QFontMetrics metrics(font);
    QTextOption option;
    option.setWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    QStringList lines;
    for (int index = 0; index < paragraphs.size(); ++index) {
        const QString &paragraph = paragraphs[index];
        QTextLayout layout(paragraph, font);
        layout.setTextOption(option);
        layout.beginLayout();
        for (QTextLine line = layout.createLine(); line.isValid(); line = layout.createLine()) {
            line.setLineWidth(width);
            if (lines.size() == maxLines - 1) {
                // The last line we may use takes the rest of the text, cut with an ellipsis.
                QStringList rest{paragraph.mid(line.textStart())};
                rest += paragraphs.mid(index + 1);
                QString joined = rest.join(QLatin1Char(' '));
                if (text.size() > layoutLimit)
                    joined += QChar(0x2026); // cut before layout: it goes on
                lines << metrics.elidedText(joined, Qt::ElideRight, width);
                layout.endLayout();
                return lines.join(QLatin1Char('\n'));
            }
            lines << paragraph.mid(line.textStart(), line.textLength()).trimmed();
        }
        layout.endLayout();
    }
    return lines.join(QLatin1Char('\n'));
}

void PopupWidget::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    const QPalette &colors = palette();
    painter.fillRect(rect(), colors.color(QPalette::Window));
    painter.fillRect(QRect(0, 0, accentWidth, height()),
                     accentColor(m_priority, colors.color(QPalette::Window)));
    painter.setPen(colors.color(QPalette::Mid));
    painter.drawRect(rect().adjusted(0, 0, -1, -1));
}

void PopupWidget::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    // Never focused, so only an alert makes screen readers (Orca) read it out.
    QAccessibleEvent alert(this, QAccessible::Alert);
    QAccessible::updateAccessibility(&alert);
    if (m_dismissAfter && !m_dismissTimer.isActive() && !m_actionBar->isBusy())
        startCountdown(*m_dismissAfter);
}

void PopupWidget::enterEvent(QEnterEvent *event)
{
    QWidget::enterEvent(event);
    if (!m_dismissTimer.isActive())
        return;
    // Hovering means the person is reading: hold the countdown.
    m_remaining -= std::chrono::milliseconds(m_countdownClock.elapsed());
    m_dismissTimer.stop();
}

void PopupWidget::leaveEvent(QEvent *event)
{
    QWidget::leaveEvent(event);
    if (m_dismissAfter && !m_dismissTimer.isActive() && !m_actionBar->isBusy())
        startCountdown(std::max(m_remaining, leaveGrace));
}

void PopupWidget::onActionBusyChanged(bool busy)
{
    if (busy) {
        // A running action holds the pop-up: its outcome is shown here.
        if (m_dismissTimer.isActive()) {
            m_remaining -= std::chrono::milliseconds(m_countdownClock.elapsed());
            m_dismissTimer.stop();
        }
        return;
    }
    if (m_dismissAfter && isVisible() && !underMouse() && !m_dismissTimer.isActive())
        startCountdown(std::max(m_remaining, outcomeGrace));
}

void PopupWidget::mousePressEvent(QMouseEvent *event)
{
    m_pressed = event->button() == Qt::LeftButton;
    event->accept();
}

void PopupWidget::mouseReleaseEvent(QMouseEvent *event)
{
    const bool click = m_pressed && event->button() == Qt::LeftButton &&
                       rect().contains(event->position().toPoint());
    m_pressed = false;
    event->accept();
    if (click)
        emit activated();
}

} // namespace traybeat
