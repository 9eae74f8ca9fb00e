#pragma once

#include <QTextDocument>

namespace traybeat {

// A message's markdown (content type text/markdown), parsed by Qt and made inert: raw HTML is
// not parsed (it stays literal text), a link opens only when it is http or https (any other
// link keeps its text and loses the anchor), and an image becomes its alt text, so nothing is
// ever fetched or read from disk for it. The document never loads a resource at all.
// See docs/design.md, "Markdown".
class MarkdownDocument final : public QTextDocument
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MarkdownDocument)
public:
    explicit MarkdownDocument(const QString &markdown, QObject *parent = nullptr);
    ~MarkdownDocument() override;

    // The rendered text without formatting, e.g. for a daemon that gets plain text.
    static QString plainText(const QString &markdown);

protected:
    QVariant loadResource(int type, const QUrl &name) override;

private:
    void neutralize();
};

} // namespace traybeat
