#pragma once

#include "notification.h"

#include <QElapsedTimer>
#include <QTimer>
#include <QWidget>
#include <chrono>
#include <optional>

class QLabel;
class QToolButton;

namespace traybeat {

class ActionBar;
class ActionRunner;
class AttachmentView;
class MarkdownView;
class MediaFetcher;
class RemoteImageLabel;

// One pop-up on screen: a frameless, always-on-top card that never takes the keyboard focus.
// Shows a notification (title, body, subscription and topic, time, a colour accent by
// priority, emoji tags before the title and the other tags on the meta line, up to three action
// buttons, the icon and the attachment's thumbnail when fetched, an "Open link" line when a
// click opens a link) or a burst summary. Server text is laid out as plain text and elided to
// a few lines, markdown rendered inert (MarkdownDocument) and cut to a few lines; the full
// text is in the history. Colours and fonts follow the desktop's palette and font, light or
// dark. Dismisses itself after a time unless hovered or while an action is running, and says
// when it is clicked or wants to close; the stack decides what that
// means.
class PopupWidget final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PopupWidget)
public:
    // The X window name of every pop-up; the end-to-end test searches the X server for it.
    static QString windowName() { return QStringLiteral("traybeat notification"); }
    static constexpr int popupWidth = 360;

    explicit PopupWidget(QWidget *parent = nullptr);

    // Runs the http actions of its buttons; null: they are shown disabled.
    void setActionRunner(ActionRunner *runner);
    ActionBar *actionBar() const { return m_actionBar; }
    // Fetches the attachment's thumbnail and the icon (null: neither is shown). Must outlive it.
    void setMediaFetcher(MediaFetcher *fetcher);
    AttachmentView *attachmentView() const { return m_attachment; }
    RemoteImageLabel *iconLabel() const { return m_icon; }

    void setNotification(const Notification &notification);
    // A burst summary: `title` says how many, from where; `priority` picks the accent.
    void setSummary(const QString &title, const QString &body, int priority);
    const Notification &notification() const { return m_notification; }
    bool isSummary() const { return m_summary; }

    // std::nullopt: stays until closed. Restarts the countdown if it is already shown.
    void setDismissAfter(std::optional<std::chrono::milliseconds> duration);
    std::optional<std::chrono::milliseconds> dismissAfter() const { return m_dismissAfter; }
    bool isCountingDown() const { return m_dismissTimer.isActive(); }

    // The priority's colour as designed, and as drawn: moved until it stands out from
    // `background` (a dark theme's card too).
    static QColor accentColor(int priority);
    static QColor accentColor(int priority, const QColor &background);
    // Opening the link failed (no browser): says so on the card, which stays a while.
    void showOpenFailure();
    QString openFailure() const;
    // Whether a click on the card opens a link (its hand cursor and "Open link" line).
    bool opensLink() const;
    // `text` cut to `maxLines` lines of `width` pixels, "…" at the cut; keeps the text's own
    // line breaks.
    static QString elided(const QString &text, const QFont &font, int width, int maxLines);

signals:
    void activated();                    // clicked anywhere but the close button
    void closeRequested();               // close button, or the countdown ran out
    void urlRequested(const QUrl &url);  // a view action's button (http/https only)
    void linkActivated(const QUrl &url); // a link in the markdown text (http/https only)
    void clearRequested();               // an action marked `clear` succeeded
    void heightChanged();                // e.g. an action's outcome added a line

protected:
    void paintEvent(QPaintEvent *event) override;
    void showEvent(QShowEvent *event) override;
    void enterEvent(QEnterEvent *event) override;
    void leaveEvent(QEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void setTexts(const QString &meta, const QString &time, const QString &title,
                  const QString &body, bool bodyIsMarkdown = false);
    void setBody(const Notification &notification);
    void setLink(const QUrl &url);
    void applyFonts();
    void applyColors();
    void holdForOutcome();
    void startCountdown(std::chrono::milliseconds duration);
    void onActionBusyChanged(bool busy);
    void updateHeight();
    int textWidth() const;
    int titleWidth() const;
    void logPicture() const;

    Notification m_notification;
    bool m_summary = false;
    bool m_pressed = false;
    int m_priority = 3; // picks the accent colour
    struct Texts
    {
        QString meta, time, title, body;
        bool markdown = false;
    } m_texts;
    QLabel *m_meta;
    QLabel *m_time;
    QLabel *m_title;
    QLabel *m_body;
    MarkdownView *m_markdownBody;
    QLabel *m_openLink;    // "Open link · host", when a click opens one
    QLabel *m_openFailure; // why it did not open
    QToolButton *m_closeButton;
    ActionBar *m_actionBar;
    RemoteImageLabel *m_icon;       // the message's icon, beside the title
    AttachmentView *m_attachment;   // its image as a thumbnail, or a file's name and "Open"

    std::optional<std::chrono::milliseconds> m_dismissAfter;
    QTimer m_dismissTimer;
    QElapsedTimer m_countdownClock;           // since the countdown (re)started
    std::chrono::milliseconds m_remaining{0}; // what was left when it (re)started
};

} // namespace traybeat
