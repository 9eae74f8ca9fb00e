#include "urlpolicy.h"

#include <QTest>

using namespace traybeat;

class tst_UrlPolicy : public QObject
{
    Q_OBJECT
private slots:
    void isSafeToOpen_data();
    void isSafeToOpen();
};

void tst_UrlPolicy::isSafeToOpen_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<bool>("safe");

    QTest::newRow("http") << "http://example.org/x" << true;
    QTest::newRow("https") << "https://example.org/path?q=1#f" << true;
    QTest::newRow("https upper-case scheme") << "HTTPS://example.org" << true;
    QTest::newRow("file") << "file:///etc/passwd" << false;
    QTest::newRow("javascript") << "javascript:alert(1)" << false;
    QTest::newRow("data") << "data:text/html,<script>alert(1)</script>" << false;
    QTest::newRow("ftp") << "ftp://example.org/file" << false;
    QTest::newRow("custom scheme") << "steam://run/1" << false;
    QTest::newRow("relative path") << "/relative/path" << false;
    QTest::newRow("relative name") << "example.org" << false;
    QTest::newRow("http without host") << "http:///path" << false;
    QTest::newRow("empty") << "" << false;
}

void tst_UrlPolicy::isSafeToOpen()
{
    QFETCH(QString, url);
    QFETCH(bool, safe);
    QCOMPARE(traybeat::isSafeToOpen(QUrl(url)), safe);
}

QTEST_APPLESS_MAIN(tst_UrlPolicy)
#include "tst_urlpolicy.moc"
