#pragma once

#include <QString>
#include <QStringList>

namespace traybeat {

// A message's tags as ntfy's apps show them: a tag that is an emoji short code (gemoji names:
// `warning`, `rotating_light`, `+1`, `tada`, …) becomes that emoji before the title; the other
// tags stay tags. The table is data (resources/emoji/shortcodes.tsv), looked up case-sensitively
// as ntfy does.
struct EmojiTags
{
    QString emoji;         // the emoji of the tags that are short codes, in the tags' order
    QStringList otherTags; // the rest, as given

    // The emoji for one short code, or empty when it is none.
    static QString emojiFor(const QString &shortCode);
    static EmojiTags split(const QStringList &tags);
    // `title` with the emoji in front (a space between), or just the emoji when there is no title.
    static QString decoratedTitle(const QString &emoji, const QString &title);
};

} // namespace traybeat
