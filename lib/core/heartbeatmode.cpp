#include "heartbeatmode.h"

namespace traybeat {

std::optional<HeartbeatMode> HeartbeatMode::parse(const QString &text)
{
    if (text == QLatin1String("ping"))
        return HeartbeatMode{Kind::Ping, {}};
    if (text == QLatin1String("passive"))
        return HeartbeatMode{Kind::Passive, {}};
    const QLatin1String textPrefix("text:");
    if (text.startsWith(textPrefix) && text.size() > textPrefix.size())
        return HeartbeatMode{Kind::Text, text.mid(textPrefix.size())};
    return std::nullopt;
}

QString HeartbeatMode::toString() const
{
    switch (kind) {
    case Kind::Ping:
        return QStringLiteral("ping");
    case Kind::Passive:
        return QStringLiteral("passive");
    case Kind::Text:
        return QStringLiteral("text:") + payload;
    }
    return {};
}

} // namespace traybeat
