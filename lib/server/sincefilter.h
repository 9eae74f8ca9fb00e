#pragma once

#include <QString>
#include <optional>

namespace traybeat {

// What a subscriber's `since=` asks for, as ntfy reads it: nothing cached ("none", or absent on
// a stream), everything cached ("all", or absent on a poll), the newest message ("latest"), what
// came after a message id, or what was published at or after a time (a unix time in seconds,
// or a duration back from now such as "10m").
struct SinceFilter
{
    enum class Kind { None, All, Latest, AfterId, NotBefore };
    Kind kind = Kind::None;
    QString id;             // Kind::AfterId
    qint64 notBeforeMs = 0; // Kind::NotBefore

    // nullopt when `text` is none of the above. An empty text is Kind::None.
    static std::optional<SinceFilter> parse(const QString &text, qint64 nowMs);
};

} // namespace traybeat
