#include "emojitags.h"

#include <QTest>

using namespace traybeat;

class tst_EmojiTags : public QObject
{
    Q_OBJECT
private slots:
    void emojiFor_data();
    void emojiFor();
    void split_data();
    void split();
    void decoratedTitle_data();
    void decoratedTitle();
};

void tst_EmojiTags::emojiFor_data()
{
    QTest::addColumn<QString>("shortCode");
    QTest::addColumn<QString>("emoji");
    QTest::newRow("warning") << "warning" << QStringLiteral("\u26a0\ufe0f");
    QTest::newRow("rotating_light") << "rotating_light" << QStringLiteral("🚨");
    QTest::newRow("+1") << "+1" << QStringLiteral("👍");
    QTest::newRow("-1") << "-1" << QStringLiteral("👎");
    QTest::newRow("tada") << "tada" << QStringLiteral("🎉");
    QTest::newRow("white_check_mark") << "white_check_mark" << QStringLiteral("✅");
    QTest::newRow("skull") << "skull" << QStringLiteral("💀");
    QTest::newRow("case matters, as in ntfy") << "Warning"
                                              << "";
    QTest::newRow("not a short code") << "backup"
                                      << "";
    QTest::newRow("colons are not part of it") << ":tada:"
                                               << "";
    QTest::newRow("empty") << ""
                           << "";
    QTest::newRow("very long") << QString(5000, QLatin1Char('a')) << "";
}

void tst_EmojiTags::emojiFor()
{
    QFETCH(QString, shortCode);
    QFETCH(QString, emoji);
    QCOMPARE(EmojiTags::emojiFor(shortCode), emoji);
}

void tst_EmojiTags::split_data()
{
    QTest::addColumn<QStringList>("tags");
    QTest::addColumn<QString>("emoji");
    QTest::addColumn<QStringList>("otherTags");
    QTest::newRow("none") << QStringList() << "" << QStringList();
    QTest::newRow("ntfy's example")
        << QStringList{"warning", "skull", "backup-host", "ssh-login"}
        << QStringLiteral("\u26a0\ufe0f💀") << QStringList{"backup-host", "ssh-login"};
    QTest::newRow("order kept") << QStringList{"tada", "prod", "+1"} << QStringLiteral("🎉👍")
                                << QStringList{"prod"};
    QTest::newRow("only tags") << QStringList{"db-1", "disk"} << "" << QStringList{"db-1", "disk"};
    QTest::newRow("at most five emoji; the rest stay tags")
        << QStringList{"tada", "tada", "tada", "tada", "tada", "rocket"} << QStringLiteral("🎉🎉🎉🎉🎉")
        << QStringList{"rocket"};
}

void tst_EmojiTags::split()
{
    QFETCH(QStringList, tags);
    QFETCH(QString, emoji);
    QFETCH(QStringList, otherTags);
    const EmojiTags result = EmojiTags::split(tags);
    QCOMPARE(result.emoji, emoji);
    QCOMPARE(result.otherTags, otherTags);
}

void tst_EmojiTags::decoratedTitle_data()
{
    QTest::addColumn<QString>("emoji");
    QTest::addColumn<QString>("title");
    QTest::addColumn<QString>("decorated");
    QTest::newRow("both") << QStringLiteral("🚨") << "Garage open"
                          << QStringLiteral("🚨 Garage open");
    QTest::newRow("no emoji") << ""
                              << "Garage open"
                              << "Garage open";
    QTest::newRow("no title") << QStringLiteral("🚨") << "" << QStringLiteral("🚨");
    QTest::newRow("neither") << ""
                             << ""
                             << "";
}

void tst_EmojiTags::decoratedTitle()
{
    QFETCH(QString, emoji);
    QFETCH(QString, title);
    QFETCH(QString, decorated);
    QCOMPARE(EmojiTags::decoratedTitle(emoji, title), decorated);
}

QTEST_APPLESS_MAIN(tst_EmojiTags)
#include "tst_emojitags.moc"
