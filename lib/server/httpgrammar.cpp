#include "httpgrammar.h"

namespace traybeat::http {

namespace {
constexpr qsizetype MaxNumberDigits = 15; // far above any limit of ours, far below overflow

bool isTokenChar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
        return true;
    default:
        return false;
    }
}

bool isFieldValueChar(char c)
{
    const auto byte = static_cast<unsigned char>(c);
    return byte == '\t' || (byte >= 0x20 && byte != 0x7f); // VCHAR, SP, HTAB, obs-text
}

bool isTargetChar(char c)
{
    const auto byte = static_cast<unsigned char>(c);
    return byte > 0x20 && byte < 0x7f && c != '#';
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

QByteArrayView trimmedWhitespace(QByteArrayView text)
{
    while (!text.isEmpty() && (text.front() == ' ' || text.front() == '\t'))
        text = text.sliced(1);
    while (!text.isEmpty() && (text.back() == ' ' || text.back() == '\t'))
        text.chop(1);
    return text;
}
} // namespace

bool isToken(QByteArrayView text)
{
    if (text.isEmpty())
        return false;
    for (const char c : text) {
        if (!isTokenChar(c))
            return false;
    }
    return true;
}

qsizetype findHeadEnd(QByteArrayView data, qsizetype from, qsizetype scanFrom, bool *malformed)
{
    *malformed = false;
    for (qsizetype i = qMax(from, scanFrom); i < data.size(); ++i) {
        const char c = data[i];
        if (c == '\r') {
            if (i + 1 < data.size() && data[i + 1] != '\n') {
                *malformed = true;
                return -1;
            }
        } else if (c == '\n') {
            if (i == from || data[i - 1] != '\r') {
                *malformed = true;
                return -1;
            }
            if (i - from >= 3 && data[i - 2] == '\n')
                return i + 1;
        }
    }
    return -1;
}

std::optional<RequestLine> parseRequestLine(QByteArrayView line, int *status)
{
    *status = 400;
    const qsizetype firstSpace = line.indexOf(' ');
    const qsizetype secondSpace = firstSpace < 0 ? -1 : line.indexOf(' ', firstSpace + 1);
    if (secondSpace < 0)
        return std::nullopt;
    RequestLine result;
    const QByteArrayView method = line.first(firstSpace);
    const QByteArrayView target = line.sliced(firstSpace + 1, secondSpace - firstSpace - 1);
    const QByteArrayView version = line.sliced(secondSpace + 1);
    if (!isToken(method) || target.isEmpty() || target.front() != '/')
        return std::nullopt;
    for (const char c : target) {
        if (!isTargetChar(c))
            return std::nullopt;
    }
    if (version.size() != 8 || !version.startsWith("HTTP/") || version[6] != '.' ||
        hexValue(version[5]) < 0 || hexValue(version[5]) > 9 || hexValue(version[7]) < 0 ||
        hexValue(version[7]) > 9) {
        return std::nullopt;
    }
    if (version[5] != '1' || (version[7] != '0' && version[7] != '1')) {
        *status = 505;
        return std::nullopt;
    }
    result.method = method.toByteArray();
    result.target = target.toByteArray();
    result.minorVersion = version[7] - '0';
    return result;
}

std::optional<QPair<QByteArray, QByteArray>> parseHeaderLine(QByteArrayView line)
{
    const qsizetype colon = line.indexOf(':');
    if (colon <= 0 || !isToken(line.first(colon)))
        return std::nullopt;
    const QByteArrayView value = trimmedWhitespace(line.sliced(colon + 1));
    for (const char c : value) {
        if (!isFieldValueChar(c))
            return std::nullopt;
    }
    return QPair<QByteArray, QByteArray>(line.first(colon).toByteArray().toLower(),
                                         value.toByteArray());
}

std::optional<qint64> parseContentLength(QByteArrayView value)
{
    if (value.isEmpty() || value.size() > MaxNumberDigits)
        return std::nullopt;
    qint64 number = 0;
    for (const char c : value) {
        if (c < '0' || c > '9')
            return std::nullopt;
        number = number * 10 + (c - '0');
    }
    return number;
}

std::optional<qint64> parseChunkSizeLine(QByteArrayView line)
{
    qsizetype digits = 0;
    qint64 size = 0;
    while (digits < line.size() && hexValue(line[digits]) >= 0) {
        // Counted before the digit is taken in: 15 hex digits still fit, a 16th could overflow.
        if (++digits > MaxNumberDigits)
            return std::nullopt;
        size = size * 16 + hexValue(line[digits - 1]);
    }
    if (digits == 0)
        return std::nullopt;
    QByteArrayView rest = line.sliced(digits);
    if (rest.isEmpty())
        return size;
    while (!rest.isEmpty() && (rest.front() == ' ' || rest.front() == '\t'))
        rest = rest.sliced(1);
    if (rest.isEmpty() || rest.front() != ';')
        return std::nullopt;
    for (const char c : rest) {
        if (!isFieldValueChar(c))
            return std::nullopt;
    }
    return size;
}

} // namespace traybeat::http
