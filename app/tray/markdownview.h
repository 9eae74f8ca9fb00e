#pragma once

#include <QUrl>
#include <QWidget>

namespace traybeat {

class MarkdownDocument;

// A message's markdown, rendered (see MarkdownDocument) into a fixed width and at most a given
// height, cut at a whole line with "…" under it. Built for the pop-up: a press on a link (hand
// cursor there only) is its own, anywhere else it goes on to the parent like a press on a label.
class MarkdownView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MarkdownView)
public:
    explicit MarkdownView(QWidget *parent = nullptr);
    ~MarkdownView() override;

    void setMarkdown(const QString &markdown, int width, int maximumHeight);
    QString plainText() const;
    bool isCut() const { return m_cut; }
    const MarkdownDocument *document() const { return m_document; }
    // The http/https link at a point of the widget; empty when none.
    QUrl linkAt(const QPoint &position) const;

    QSize sizeHint() const override;

signals:
    void linkActivated(const QUrl &url);

protected:
    void paintEvent(QPaintEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void leaveEvent(QEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    int visibleHeight(int maximumHeight) const;
    void relayout();

    MarkdownDocument *m_document = nullptr;
    int m_maximumHeight = 0;
    int m_textHeight = 0; // the part of the document shown
    bool m_cut = false;
    QUrl m_pressedLink;
};

} // namespace traybeat
