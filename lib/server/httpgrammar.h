#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QPair>
#include <optional>

// The pieces of RFC 9112 / RFC 9110 syntax the push server's HTTP reader needs, as pure
// functions: each takes the bytes of one element and says whether they are exactly valid. There
// is no leniency on purpose — whatever two parsers could read differently (a sign, a space
// before a colon, a bare LF, "0x" before a chunk size) is an error, so that no proxy in front of
// us can see a different request boundary than we do (request smuggling).
namespace traybeat::http {

// A request line's parts; `minorVersion` is 0 or 1 (HTTP/1.0, HTTP/1.1).
struct RequestLine
{
    QByteArray method;
    QByteArray target;
    int minorVersion = 1;
};

// Where the head starting at `from` ends (the index just past its CRLF CRLF), -1 if it is not
// complete yet. Sets `*malformed` when a line ends in a bare LF or a CR is not followed by LF.
// `scanFrom` (>= from) lets a caller skip bytes it has already checked.
qsizetype findHeadEnd(QByteArrayView data, qsizetype from, qsizetype scanFrom, bool *malformed);

// "METHOD SP origin-form SP HTTP/D.D". `*status` is 400 for a malformed line, 505 for a
// well-formed version other than 1.0 and 1.1.
std::optional<RequestLine> parseRequestLine(QByteArrayView line, int *status);

// "name: value" with a token name directly followed by the colon; the value loses its optional
// surrounding whitespace and may not contain control characters. The name is lower-cased.
std::optional<QPair<QByteArray, QByteArray>> parseHeaderLine(QByteArrayView line);

// 1*DIGIT, at most 15 digits: no sign, no spaces, no list.
std::optional<qint64> parseContentLength(QByteArrayView value);

// 1*HEXDIG (at most 15) [ *(SP / HTAB) ";" extension ]: no "0x", sign or surrounding spaces.
std::optional<qint64> parseChunkSizeLine(QByteArrayView line);

bool isToken(QByteArrayView text);

} // namespace traybeat::http
