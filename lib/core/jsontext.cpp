#include "jsontext.h"

namespace traybeat::jsontext {

namespace {
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
} // namespace

void appendString(QByteArray &out, QStringView text)
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
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\b':
            out += "\\b";
            break;
        case '\f':
            out += "\\f";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            appendHex(out, unit);
        }
    }
    out += '"';
}

} // namespace traybeat::jsontext
