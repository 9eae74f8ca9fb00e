#pragma once

#include <QJsonArray>
#include <QString>
#include <optional>

namespace traybeat::ntfy {

inline constexpr int MaxActions = 3;

// ntfy's action buttons from the `Actions` header or parameter, either form:
// - the short form: "view, Open, https://x; http, Close door, https://y, method=PUT,
//   headers.Authorization=Bearer z, body=\"{\\\"a\\\":1}\", clear=true" — actions separated by
//   ';', sections by ','; the first sections are the type, label and URL (the value for copy)
//   unless written key=value; values may be quoted with " or ' (\" escapes);
// - a JSON array of action objects.
// Validated as ntfy does (types view, broadcast, http, copy; a label; a URL for view and http;
// no body on a GET or HEAD; at most 3) and returned as ntfy sends them: each with a fresh id,
// the type lower-cased, the method upper-cased. nullopt + a specific reason otherwise.
std::optional<QJsonArray> parseActions(const QString &text, QString *error);

} // namespace traybeat::ntfy
