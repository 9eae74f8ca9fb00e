#include "markdowndocument.h"

#include "urlpolicy.h"

#include <QTextBlock>
#include <QTextCursor>
#include <QTextFragment>
#include <QTextImageFormat>
#include <QVector>

namespace traybeat {

namespace {

// GitHub's dialect (tables, strikethrough, task lists, autolinks) without any raw HTML: a
// `<b>` or `<img>` in the text is shown as written.
constexpr auto markdownFeatures = QTextDocument::MarkdownFeatures(
    QTextDocument::MarkdownDialectGitHub | QTextDocument::MarkdownNoHTML);

struct Fragment
{
    int position;
    int length;
    QTextCharFormat format;
};

QVector<Fragment> fragments(const QTextDocument &document)
{
    QVector<Fragment> result;
    for (QTextBlock block = document.begin(); block != document.end(); block = block.next()) {
        for (auto it = block.begin(); !it.atEnd(); ++it) {
            const QTextFragment fragment = it.fragment();
            result.append({fragment.position(), fragment.length(), fragment.charFormat()});
        }
    }
    return result;
}

// The text of a link that may not open: no anchor, and not drawn as a link either.
QTextCharFormat withoutAnchor(QTextCharFormat format)
{
    format.setAnchor(false);
    format.clearProperty(QTextFormat::AnchorHref);
    format.clearProperty(QTextFormat::AnchorName);
    format.clearForeground();
    format.setFontUnderline(false);
    return format;
}

// An image's format as a text format: the alt text keeps the font (and a safe link around it).
QTextCharFormat textOnly(QTextCharFormat format)
{
    for (const int property : {int(QTextFormat::ObjectType), int(QTextFormat::ImageName),
                               int(QTextFormat::ImageAltText), int(QTextFormat::ImageTitle),
                               int(QTextFormat::ImageWidth), int(QTextFormat::ImageHeight)})
        format.clearProperty(property);
    return format;
}

} // namespace

MarkdownDocument::MarkdownDocument(const QString &markdown, QObject *parent) : QTextDocument(parent)
{
    setMarkdown(markdown, markdownFeatures);
    neutralize();
}

MarkdownDocument::~MarkdownDocument() = default;

void MarkdownDocument::neutralize()
{
    // Back to front: replacing an image by its alt text moves everything after it.
    const QVector<Fragment> all = fragments(*this);
    QTextCursor cursor(this);
    for (auto it = all.crbegin(); it != all.crend(); ++it) {
        QTextCharFormat format = it->format;
        const bool unsafeLink = format.isAnchor() && !isSafeToOpen(QUrl(format.anchorHref()));
        if (unsafeLink)
            format = withoutAnchor(format);
        cursor.setPosition(it->position);
        cursor.setPosition(it->position + it->length, QTextCursor::KeepAnchor);
        if (format.isImageFormat()) // replaced; an image without alt text just goes
            cursor.insertText(format.property(QTextFormat::ImageAltText).toString(),
                              textOnly(format));
        else if (unsafeLink)
            cursor.setCharFormat(format);
    }
}

QVariant MarkdownDocument::loadResource(int, const QUrl &)
{
    // Nothing is fetched or read for a message: not a remote image, not a local file.
    return {};
}

QString MarkdownDocument::plainText(const QString &markdown)
{
    return MarkdownDocument(markdown).toPlainText();
}

} // namespace traybeat
