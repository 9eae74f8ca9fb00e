#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>

namespace traybeat {

// One parsed HTTP/1.x request as HttpConnection hands it to the server. Raw bytes: decoding is
// left to the route that knows what a field means.
struct HttpRequest
{
    QByteArray method; // as sent, e.g. "POST"
    QByteArray path;   // the target before '?', e.g. "/alerts/ws"
    QByteArray query;  // the target after '?', still percent-encoded; empty if none
    QList<QPair<QByteArray, QByteArray>> headers; // names lower-cased, values trimmed
    QByteArray body;
    bool bodyTooLarge = false; // the body exceeded the limit and was discarded
    bool isWebSocketUpgrade = false;

    // The first value of header `lowerCaseName`; empty if absent.
    QByteArray header(QByteArrayView lowerCaseName) const
    {
        for (const auto &header : headers) {
            if (header.first == lowerCaseName)
                return header.second;
        }
        return {};
    }
    // The first present of two spellings (ntfy accepts "Title" and "X-Title").
    QByteArray header(QByteArrayView lowerCaseName, QByteArrayView alternative) const
    {
        const QByteArray value = header(lowerCaseName);
        return value.isEmpty() ? header(alternative) : value;
    }
};

} // namespace traybeat
