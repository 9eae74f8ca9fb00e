#include "emojitags.h"

#include "logging.h"

#include <QFile>
#include <QHash>

namespace traybeat {

namespace {

// The longest short code in the table is 54 characters; a longer tag is no short code and is
// not even looked up.
constexpr qsizetype longestShortCode = 64;
// A whole message's tags add at most this many emoji before its title.
constexpr int maximumEmoji = 5;

QHash<QString, QString> loadTable()
{
    QHash<QString, QString> table;
    QFile file(QStringLiteral(":/emoji/shortcodes.tsv"));
    if (!file.open(QIODevice::ReadOnly)) {
        qCWarning(lcUi) << "emoji short codes not found; tags stay text";
        return table;
    }
    const QList<QByteArray> lines = file.readAll().split('\n');
    table.reserve(lines.size());
    for (const QByteArray &line : lines) {
        const qsizetype tab = line.indexOf('\t');
        if (tab <= 0)
            continue;
        table.insert(QString::fromUtf8(line.left(tab)), QString::fromUtf8(line.mid(tab + 1)));
    }
    return table;
}

const QHash<QString, QString> &table()
{
    static const QHash<QString, QString> shortCodes = loadTable();
    return shortCodes;
}

} // namespace

QString EmojiTags::emojiFor(const QString &shortCode)
{
    if (shortCode.isEmpty() || shortCode.size() > longestShortCode)
        return {};
    return table().value(shortCode);
}

EmojiTags EmojiTags::split(const QStringList &tags)
{
    EmojiTags result;
    int count = 0;
    for (const QString &tag : tags) {
        const QString emoji = emojiFor(tag);
        if (emoji.isEmpty() || count == maximumEmoji) {
            result.otherTags.append(tag); // past the cap a short code is shown as a tag
            continue;
        }
        result.emoji += emoji;
        ++count;
    }
    return result;
}

QString EmojiTags::decoratedTitle(const QString &emoji, const QString &title)
{
    if (emoji.isEmpty())
        return title;
    if (title.isEmpty())
        return emoji;
    return emoji + QLatin1Char(' ') + title;
}

} // namespace traybeat
