#include "sincefilter.h"

#include "ntfy.h"

#include <limits>

namespace traybeat {

namespace {
bool isAlphanumeric(const QString &text)
{
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        if (!((u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z') || (u >= u'0' && u <= u'9')))
            return false;
    }
    return true;
}
} // namespace

std::optional<SinceFilter> SinceFilter::parse(const QString &text, qint64 nowMs)
{
    SinceFilter filter;
    if (text.isEmpty())
        return filter;
    if (text == QLatin1String("none"))
        return filter;
    if (text == QLatin1String("all")) {
        filter.kind = Kind::All;
        return filter;
    }
    if (text == QLatin1String("latest")) {
        filter.kind = Kind::Latest;
        return filter;
    }
    bool isNumber = false;
    const qint64 seconds = text.toLongLong(&isNumber);
    if (isNumber) {
        // Our ids always hold a letter, so digits only can only be a unix time.
        if (seconds < 0 || seconds > std::numeric_limits<qint64>::max() / 1000)
            return std::nullopt;
        filter.kind = Kind::NotBefore;
        filter.notBeforeMs = seconds * 1000;
        return filter;
    }
    if (const auto durationMs = ntfy::parseDurationMs(text)) {
        filter.kind = Kind::NotBefore;
        filter.notBeforeMs = nowMs - qMin(*durationMs, nowMs);
        return filter;
    }
    if (text.size() <= 64 && isAlphanumeric(text)) {
        filter.kind = Kind::AfterId;
        filter.id = text;
        return filter;
    }
    return std::nullopt;
}

} // namespace traybeat
