#include "markdowndocument.h"
#include "markdownview.h"

#include <QAbstractTextDocumentLayout>
#include <QApplication>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>
#include <QTextBlock>
#include <QTextBrowser>
#include <QTextFragment>

using namespace traybeat;

// Markdown from a server, made inert: what a person sees, and what the app fetches (nothing).
class tst_MarkdownDocument : public QObject
{
    Q_OBJECT
private slots:
    void rendersMarkdown();
    void onlyHttpLinksStayLinks_data();
    void onlyHttpLinksStayLinks();
    void rawHtmlIsShownLiterally();
    void imagesBecomeTheirAltText();
    void remoteImageIsNeverFetched();
    void plainTextForDaemons();
    void viewCutsToWholeLinesAndOpensOnlyLinks();

private:
    struct Link
    {
        QString text;
        QString href;
    };
    static QList<Link> links(const QTextDocument &document)
    {
        QList<Link> result;
        for (QTextBlock block = document.begin(); block.isValid(); block = block.next()) {
            for (auto it = block.begin(); !it.atEnd(); ++it) {
                const QTextCharFormat format = it.fragment().charFormat();
                if (format.isAnchor() || !format.anchorHref().isEmpty())
                    result.append({it.fragment().text(), format.anchorHref()});
            }
        }
        return result;
    }
    static bool hasImage(const QTextDocument &document)
    {
        for (QTextBlock block = document.begin(); block.isValid(); block = block.next()) {
            for (auto it = block.begin(); !it.atEnd(); ++it) {
                if (it.fragment().charFormat().isImageFormat())
                    return true;
            }
        }
        return false;
    }
};

void tst_MarkdownDocument::rendersMarkdown()
{
    const MarkdownDocument document(QStringLiteral("# Disk\n\n**full** on `/var`\n\n- a\n- b"));
    QCOMPARE(document.toPlainText(), QStringLiteral("Disk\nfull on /var\na\nb"));
    const QTextBlock bold = document.findBlockByNumber(1);
    QVERIFY(bold.begin().fragment().charFormat().font().bold());
}

void tst_MarkdownDocument::onlyHttpLinksStayLinks_data()
{
    QTest::addColumn<QString>("markdown");
    QTest::addColumn<QString>("href"); // empty: no link may be left

    QTest::newRow("javascript") << "[click](javascript:alert(1))"
                                << "";
    QTest::newRow("JavaScript, mixed case") << "[click](JaVaScRiPt:alert(1))"
                                            << "";
    QTest::newRow("file") << "[click](file:///etc/passwd)"
                          << "";
    QTest::newRow("data") << "[click](data:text/html,<b>x</b>)"
                          << "";
    QTest::newRow("relative") << "[click](../x)"
                              << "";
    QTest::newRow("mailto autolink") << "write to a@example.org"
                                     << "";
    QTest::newRow("http") << "[click](http://example.org/x)"
                          << "http://example.org/x";
    QTest::newRow("https") << "[click](https://example.org/x?a=1)"
                           << "https://example.org/x?a=1";
    QTest::newRow("bare www") << "see www.example.org now"
                              << "http://www.example.org";
}

void tst_MarkdownDocument::onlyHttpLinksStayLinks()
{
    QFETCH(QString, markdown);
    QFETCH(QString, href);
    const MarkdownDocument document(markdown);
    const QList<Link> found = links(document);
    if (href.isEmpty()) {
        QVERIFY2(found.isEmpty(), qPrintable(found.value(0).href));
        // The words stay: only the anchor goes.
        QVERIFY(document.toPlainText().contains(QStringLiteral("click")) ||
                document.toPlainText().contains(QStringLiteral("a@example.org")));
    } else {
        QCOMPARE(found.size(), 1);
        QCOMPARE(found.first().href, href);
    }
}

void tst_MarkdownDocument::rawHtmlIsShownLiterally()
{
    const MarkdownDocument document(
        QStringLiteral("a <b>html</b> <a href=\"javascript:x\">y</a>\n\n<div>block</div>"));
    QCOMPARE(document.toPlainText(),
             QStringLiteral("a <b>html</b> <a href=\"javascript:x\">y</a>\n<div>block</div>"));
    QVERIFY(links(document).isEmpty());
    for (QTextBlock block = document.begin(); block.isValid(); block = block.next()) {
        for (auto it = block.begin(); !it.atEnd(); ++it)
            QVERIFY(!it.fragment().charFormat().font().bold());
    }
}

void tst_MarkdownDocument::imagesBecomeTheirAltText()
{
    const MarkdownDocument document(
        QStringLiteral("before ![the chart](http://example.org/c.png) ![](file:///etc/hostname) "
                       "[![linked](http://example.org/i.png)](https://example.org/page) after"));
    QVERIFY(!hasImage(document));
    QCOMPARE(document.toPlainText(), QStringLiteral("before the chart  linked after"));
    // Qt's reader gives an image inside a link no anchor of its own: its alt text is text.
    QVERIFY(links(document).isEmpty());
}

void tst_MarkdownDocument::remoteImageIsNeverFetched()
{
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    int connections = 0;
    connect(&server, &QTcpServer::newConnection, this, [&] {
        while (QTcpSocket *socket = server.nextPendingConnection()) {
            ++connections;
            socket->deleteLater();
        }
    });
    const QString url = QStringLiteral("http://127.0.0.1:%1/x.png").arg(server.serverPort());
    const QString markdown = QStringLiteral("![x](%1) and <img src=\"%1\">").arg(url);

    // Laid out and painted as the history's detail pane and the pop-up show it.
    QTextBrowser browser;
    auto *document = new MarkdownDocument(markdown, &browser);
    browser.setDocument(document);
    browser.resize(400, 200);
    browser.show();
    MarkdownView view;
    view.setMarkdown(markdown, 300, 200);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&browser));
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    browser.grab();
    view.grab();
    QVERIFY(!document->resource(QTextDocument::ImageResource, QUrl(url)).isValid());
    QVERIFY(
        !document
             ->resource(QTextDocument::ImageResource, QUrl(QStringLiteral("file:///etc/hostname")))
             .isValid());
    // Nothing to wait for but time: a fetch, had one started, would have connected by now.
    QTest::qWait(300);
    QCOMPARE(connections, 0);
    QVERIFY(!server.hasPendingConnections());
    QCOMPARE(document->toPlainText(), QStringLiteral("x and <img src=\"%1\">").arg(url));
}

void tst_MarkdownDocument::plainTextForDaemons()
{
    QCOMPARE(MarkdownDocument::plainText(QStringLiteral("**Disk** [site](https://e.org) & *y*")),
             QStringLiteral("Disk site & y"));
}

void tst_MarkdownDocument::viewCutsToWholeLinesAndOpensOnlyLinks()
{
    QWidget parent; // receives what the view does not take
    MarkdownView view(&parent);
    QStringList lines;
    for (int i = 1; i <= 12; ++i)
        lines << QStringLiteral("line %1").arg(i);
    lines[0] = QStringLiteral("[open](https://example.org/a) and [bad](javascript:x)");
    const int lineHeight = view.fontMetrics().lineSpacing();
    view.setMarkdown(lines.join(QStringLiteral("\n\n")), 300, 4 * lineHeight);
    QVERIFY(view.isCut());
    QVERIFY(view.height() <= 4 * lineHeight + view.fontMetrics().height() + 1);

    // Find the link's place by its anchor, then check what the pointer gets there.
    QPoint onLink;
    QPoint onBad;
    for (int x = 0; x < 300 && (onLink.isNull() || onBad.isNull()); x += 2) {
        const QPoint point(x, lineHeight / 2);
        const QString anchor = view.document()->documentLayout()->anchorAt(point);
        if (!view.linkAt(point).isEmpty() && onLink.isNull())
            onLink = point;
        if (anchor.isEmpty() && x > 0 && !onLink.isNull() && onBad.isNull() &&
            view.linkAt(point).isEmpty() && x > onLink.x() + 80)
            onBad = point;
    }
    QVERIFY(!onLink.isNull());
    QCOMPARE(view.linkAt(onLink), QUrl(QStringLiteral("https://example.org/a")));
    parent.show();
    QVERIFY(QTest::qWaitForWindowExposed(&parent));
    QTest::mouseMove(&view, onLink);
    QTRY_COMPARE(view.cursor().shape(), Qt::PointingHandCursor);
    QTest::mouseMove(&view, QPoint(250, lineHeight * 2));
    QTRY_VERIFY(view.cursor().shape() != Qt::PointingHandCursor);

    QSignalSpy opened(&view, &MarkdownView::linkActivated);
    QTest::mouseClick(&view, Qt::LeftButton, {}, onLink);
    QCOMPARE(opened.size(), 1);
    QCOMPARE(opened.first().first().toUrl(), QUrl(QStringLiteral("https://example.org/a")));
    if (!onBad.isNull()) {
        QTest::mouseClick(&view, Qt::LeftButton, {}, onBad); // the inert "bad": nothing
        QCOMPARE(opened.size(), 1);
    }
}

QTEST_MAIN(tst_MarkdownDocument)
#include "tst_markdowndocument.moc"
