#pragma once

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QString>
#include <QUrl>
#include <optional>

namespace traybeat {

// A button on a message, as ntfy shapes it (its "actions" array): what the button says and
// what pressing it does. Everything in it came from a server: labels are shown as plain text,
// URLs are opened or requested only when they are http/https (see UrlPolicy).
struct NotificationAction
{
    enum class Type { View, Http, Broadcast, Copy };

    Type type = Type::View;
    QString label;
    QUrl url;                                // view: the page to open; http: the request's target
    QString method = QStringLiteral("POST"); // http
    QList<QPair<QString, QString>> headers;  // http, in the order the server gave them
    QString body;                            // http
    QString value;                           // copy: the text put on the clipboard
    QString intent;                          // broadcast (Android only; kept to show it)
    bool clear = false;                      // dismiss the message once the action succeeded

    // ntfy allows three actions per message; more would not fit a pop-up either.
    static constexpr int maximumCount = 3;

    static QString typeName(Type type);
    // One element of ntfy's JSON "actions" array; nullopt with the reason when it is unusable
    // (unknown type, no label, a URL that does not parse, an http action to a non-web URL, …).
    static std::optional<NotificationAction> fromJson(const QJsonObject &json, QString *error);
    QJsonObject toJson() const;

    // A whole "actions" array: the usable ones (at most maximumCount), each refusal's reason
    // appended to `problems`.
    static QList<NotificationAction> listFromJson(const QJsonArray &array, QStringList *problems);
    static QJsonArray listToJson(const QList<NotificationAction> &actions);

    bool operator==(const NotificationAction &other) const;

    // Last: the macro ends in `private:`.
    Q_DECLARE_TR_FUNCTIONS(traybeat::NotificationAction)
};

} // namespace traybeat
