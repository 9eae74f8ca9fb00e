#include "jsonlinewriter.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>

namespace traybeat {

namespace {
qint64 now()
{
    return QDateTime::currentMSecsSinceEpoch();
}
} // namespace

void JsonLineWriter::state(ConnectionState state, const QString &reason)
{
    write({{QStringLiteral("event"), QStringLiteral("state")},
           {QStringLiteral("state"), connectionStateName(state)},
           {QStringLiteral("reason"), reason},
           {QStringLiteral("time"), now()}});
}

void JsonLineWriter::message(const Notification &notification)
{
    write({{QStringLiteral("event"), QStringLiteral("message")},
           {QStringLiteral("id"), notification.id},
           {QStringLiteral("topic"), notification.topic},
           {QStringLiteral("title"), notification.title},
           {QStringLiteral("body"), notification.body},
           {QStringLiteral("priority"), notification.priority},
           {QStringLiteral("url"), notification.url.toString()},
           {QStringLiteral("published"), notification.time.toMSecsSinceEpoch()},
           {QStringLiteral("time"), now()}});
}

void JsonLineWriter::error(const QString &message)
{
    write({{QStringLiteral("event"), QStringLiteral("error")},
           {QStringLiteral("error"), message},
           {QStringLiteral("time"), now()}});
}

void JsonLineWriter::write(const QJsonObject &object)
{
    const QByteArray line = QJsonDocument(object).toJson(QJsonDocument::Compact) + '\n';
    std::fwrite(line.constData(), 1, size_t(line.size()), m_out);
    std::fflush(m_out);
}

} // namespace traybeat
