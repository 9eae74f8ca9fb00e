#include "markdownview.h"

#include "markdowndocument.h"
#include "urlpolicy.h"

#include <QAbstractTextDocumentLayout>
#include <QMouseEvent>
#include <QPainter>
#include <QTextBlock>
#include <QTextLayout>
#include <algorithm>
#include <utility>

namespace traybeat {

MarkdownView::MarkdownView(QWidget *parent) : QWidget(parent)
{
    setMouseTracking(true); // the hand cursor over links, without a button held
    setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);
}

MarkdownView::~MarkdownView() = default;

void MarkdownView::setMarkdown(const QString &markdown, int width, int maximumHeight)
{
    delete m_document;
    m_maximumHeight = maximumHeight;
    m_document = new MarkdownDocument(markdown, this);
    m_document->setDocumentMargin(0); // lines up with the labels around it
    // Qt's 40 px per list level is a third of a pop-up's line.
    m_document->setIndentWidth(fontMetrics().averageCharWidth() * 3);
    m_document->setTextWidth(width);
    relayout();
    setAccessibleName(plainText());
}

void MarkdownView::relayout()
{
    if (!m_document)
        return;
    m_document->setDefaultFont(font());
    // A fresh layout: the widths of the lines depend on the font.
    m_document->setTextWidth(m_document->textWidth());
    m_textHeight = visibleHeight(m_maximumHeight);
    m_cut = m_textHeight < qRound(m_document->size().height());
    setFixedSize(qRound(m_document->textWidth()),
                 m_textHeight + (m_cut ? fontMetrics().height() : 0));
    update();
}

QString MarkdownView::plainText() const
{
    return m_document ? m_document->toPlainText() : QString();
}

int MarkdownView::visibleHeight(int maximumHeight) const
{
    // Cut above the first line that does not fit whole (of every column of a table too).
    const int height = qRound(m_document->size().height());
    if (height <= maximumHeight)
        return height;
    qreal cut = maximumHeight;
    QAbstractTextDocumentLayout *layout = m_document->documentLayout();
    for (QTextBlock block = m_document->begin(); block.isValid(); block = block.next()) {
        const qreal top = layout->blockBoundingRect(block).top();
        if (top > maximumHeight)
            break;
        const QTextLayout *lines = block.layout();
        for (int index = 0; index < lines->lineCount(); ++index) {
            const QTextLine line = lines->lineAt(index);
            if (top + line.y() + line.height() > maximumHeight)
                cut = std::min(cut, top + line.y());
        }
    }
    return qFloor(cut);
}

QSize MarkdownView::sizeHint() const
{
    return size();
}

QUrl MarkdownView::linkAt(const QPoint &position) const
{
    if (!m_document || position.y() >= m_textHeight)
        return {};
    const QUrl url(m_document->documentLayout()->anchorAt(position));
    return isSafeToOpen(url) ? url : QUrl(); // the document keeps no other, but be sure
}

void MarkdownView::paintEvent(QPaintEvent *)
{
    if (!m_document)
        return;
    QPainter painter(this);
    QAbstractTextDocumentLayout::PaintContext context;
    context.palette = palette(); // the desktop's text colour, light or dark
    context.clip = QRectF(0, 0, width(), m_textHeight);
    painter.setClipRect(context.clip);
    m_document->documentLayout()->draw(&painter, context);
    if (!m_cut)
        return;
    painter.setClipping(false);
    painter.setPen(palette().color(QPalette::PlaceholderText));
    painter.drawText(QRect(0, m_textHeight, width(), fontMetrics().height()),
                     Qt::AlignLeft | Qt::AlignVCenter, QString(QChar(0x2026)));
}

void MarkdownView::mouseMoveEvent(QMouseEvent *event)
{
    // A hand only where a press opens something; elsewhere the card's own cursor.
    if (linkAt(event->position().toPoint()).isEmpty())
        unsetCursor();
    else
        setCursor(Qt::PointingHandCursor);
    event->ignore();
}

void MarkdownView::leaveEvent(QEvent *event)
{
    unsetCursor();
    QWidget::leaveEvent(event);
}

void MarkdownView::mousePressEvent(QMouseEvent *event)
{
    m_pressedLink =
        event->button() == Qt::LeftButton ? linkAt(event->position().toPoint()) : QUrl();
    if (m_pressedLink.isEmpty())
        event->ignore(); // a press on the text is a press on the card
    else
        event->accept();
}

void MarkdownView::mouseReleaseEvent(QMouseEvent *event)
{
    const QUrl pressed = std::exchange(m_pressedLink, QUrl());
    if (pressed.isEmpty() || event->button() != Qt::LeftButton) {
        event->ignore();
        return;
    }
    event->accept();
    if (linkAt(event->position().toPoint()) == pressed)
        emit linkActivated(pressed);
}

void MarkdownView::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::FontChange)
        relayout();
    else if (event->type() == QEvent::PaletteChange)
        update();
}

} // namespace traybeat
