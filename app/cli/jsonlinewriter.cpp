#include "jsonlinewriter.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace traybeat {

namespace {
qint64 now()
{
    return QDateTime::currentMSecsSinceEpoch();
}

bool hasExtras(const Notification &notification)
{
    return !notification.tags.isEmpty() || !notification.actions.isEmpty() ||
           !notification.attachment.isEmpty() || !notification.icon.isEmpty() ||
           !notification.contentType.isEmpty();
}

void appendHex(QByteArray &out, char16_t unit)
{
    static constexpr char hex[] = "0123456789abcdef";
    out += "\\u";
    for (int shift = 12; shift >= 0; shift -= 4)
        out += hex[(unit >> shift) & 0xf];
}

void appendUtf8(QByteArray &out, char32_t codePoint)
{
    if (codePoint < 0x800) {
        out += char(0xc0 | (codePoint >> 6));
    } else if (codePoint < 0x10000) {
        out += char(0xe0 | (codePoint >> 12));
        out += char(0x80 | ((codePoint >> 6) & 0x3f));
    } else {
        out += char(0xf0 | (codePoint >> 18));
        out += char(0x80 | ((codePoint >> 12) & 0x3f));
        out += char(0x80 | ((codePoint >> 6) & 0x3f));
    }
    out += char(0x80 | (codePoint & 0x3f));
}

// A JSON string as QJsonDocument writes it: UTF-8; '"', '\\' and control characters escaped
// (\b \f \n \r \t, else \u00XX), and so is a lone surrogate (\uXXXX).
void appendJsonString(QByteArray &out, const QString &text)
{
    out += '"';
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char16_t unit = text.at(i).unicode();
        if (unit >= 0x80) {
            const bool pair = QChar::isHighSurrogate(unit) && i + 1 < text.size() &&
                              text.at(i + 1).isLowSurrogate();
            if (pair)
                appendUtf8(out, QChar::surrogateToUcs4(unit, text.at(++i).unicode()));
            else if (QChar::isSurrogate(unit))
                appendHex(out, unit);
            else
                appendUtf8(out, unit);
            continue;
        }
        const char c = char(unit);
        if (unit >= 0x20 && c != '"' && c != '\\') {
            out += c;
            continue;
        }
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default: appendHex(out, unit);
        }
    }
    out += '"';
}

// The line of a message with text only (most of them), written directly: the same bytes as
// through QJsonObject (keys in its sorted order) at a fraction of the cost in a burst.
QByteArray plainMessageLine(const Notification &notification)
{
    QByteArray line;
    line.reserve(160 + notification.body.size() + notification.title.size());
    line += "{\"body\":";
    appendJsonString(line, notification.body);
    line += ",\"event\":\"message\",\"id\":";
    appendJsonString(line, notification.id);
    line += ",\"priority\":" + QByteArray::number(notification.priority);
    line += ",\"published\":" + QByteArray::number(notification.time.toMSecsSinceEpoch());
    line += ",\"time\":" + QByteArray::number(now());
    line += ",\"title\":";
    appendJsonString(line, notification.title);
    line += ",\"topic\":";
    appendJsonString(line, notification.topic);
    line += ",\"url\":";
    appendJsonString(line, notification.url.toString());
    line += "}\n";
    return line;
}
} // namespace

void JsonLineWriter::state(ConnectionState state, const QString &reason)
{
    write(line({{QStringLiteral("event"), QStringLiteral("state")},
                {QStringLiteral("state"), connectionStateName(state)},
                {QStringLiteral("reason"), reason},
                {QStringLiteral("time"), now()}}));
}

void JsonLineWriter::messages(const NotificationList &notifications)
{
    QByteArray lines;
    lines.reserve(notifications.size() * 256); // about one line each: grown once, not per line
    for (const Notification &notification : notifications)
        lines += messageLine(notification);
    write(lines);
}

QByteArray JsonLineWriter::messageLine(const Notification &notification)
{
    if (!hasExtras(notification))
        return plainMessageLine(notification);
    QJsonObject object{{QStringLiteral("event"), QStringLiteral("message")},
                       {QStringLiteral("id"), notification.id},
                       {QStringLiteral("topic"), notification.topic},
                       {QStringLiteral("title"), notification.title},
                       {QStringLiteral("body"), notification.body},
                       {QStringLiteral("priority"), notification.priority},
                       {QStringLiteral("url"), notification.url.toString()},
                       {QStringLiteral("published"), notification.time.toMSecsSinceEpoch()},
                       {QStringLiteral("time"), now()}};
    // What a message carries beyond its text, in ntfy's shapes; absent when it has none.
    if (!notification.tags.isEmpty())
        object.insert(QStringLiteral("tags"), QJsonArray::fromStringList(notification.tags));
    if (!notification.actions.isEmpty())
        object.insert(QStringLiteral("actions"),
                      NotificationAction::listToJson(notification.actions));
    if (!notification.attachment.isEmpty())
        object.insert(QStringLiteral("attachment"), notification.attachment.toJson());
    if (!notification.icon.isEmpty())
        object.insert(QStringLiteral("icon"), notification.icon.toString());
    if (!notification.contentType.isEmpty())
        object.insert(QStringLiteral("content_type"), notification.contentType);
    return line(object);
}

void JsonLineWriter::error(const QString &message)
{
    write(line({{QStringLiteral("event"), QStringLiteral("error")},
                {QStringLiteral("error"), message},
                {QStringLiteral("time"), now()}}));
}

QByteArray JsonLineWriter::line(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact) + '\n';
}

void JsonLineWriter::write(const QByteArray &lines)
{
    std::fwrite(lines.constData(), 1, size_t(lines.size()), m_out);
    std::fflush(m_out);
}

} // namespace traybeat
