#pragma once

#include <QByteArray>
#include <QStringView>

// JSON written directly, for the hot paths (a burst's lines in `listen`, every published message
// in `serve`): the same bytes as QJsonDocument::toJson(Compact), without building a QJsonObject.
namespace traybeat::jsontext {

// `text` as a JSON string, quotes included, as QJsonDocument writes it: UTF-8; '"', '\\' and
// control characters escaped (\b \f \n \r \t, else \u00XX), and a lone surrogate as \uXXXX.
void appendString(QByteArray &out, QStringView text);

} // namespace traybeat::jsontext
