// JSON written directly on the hot paths (jsontext, PushMessage::toJsonBytes, listen's message
// lines) must be byte for byte what QJsonDocument writes for the same object.
#include "jsonlinewriter.h"
#include "jsontext.h"
#include "pushmessage.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <cstdio>

using namespace traybeat;

namespace {
QStringList awkwardTexts()
{
    return {QString(),
            QStringLiteral("plain"),
            QStringLiteral("quote\" back\\slash /slash"),
            QStringLiteral("controls \x01\x1f\b\f\n\r\t\x7f end"),
            QString::fromUtf8("中文 é 😀 \xe2\x80\xa8"),
            QString(QChar(0xd800)) + QStringLiteral("lone high"),
            QStringLiteral("lone low") + QString(QChar(0xdc00)),
            QString(QChar(0xd83d))};
}
} // namespace

class TestJsonText : public QObject
{
    Q_OBJECT
private slots:
    void stringsAsQJsonDocument()
    {
        for (const QString &text : awkwardTexts()) {
            QByteArray mine;
            jsontext::appendString(mine, text);
            const QByteArray theirs =
                QJsonDocument(QJsonArray{text}).toJson(QJsonDocument::Compact);
            QCOMPARE("[" + mine + "]", theirs);
        }
    }

    void pushMessagesAsQJsonDocument()
    {
        for (const QString &text : awkwardTexts()) {
            PushMessage message;
            message.id = QStringLiteral("abcdefABCDEF");
            message.timeMs = 1764160000123;
            message.topic = QStringLiteral("alerts");
            message.message = text;
            QCOMPARE(message.toJsonBytes(),
                     QJsonDocument(message.toJson()).toJson(QJsonDocument::Compact));
            message.title = text + QStringLiteral("title");
            message.expiresMs = 1764203200000;
            message.priority = 5;
            message.tags = QStringList{text, QStringLiteral("warning")};
            message.click = QStringLiteral("https://example.org/?q=\"x\"");
            QCOMPARE(message.toJsonBytes(),
                     QJsonDocument(message.toJson()).toJson(QJsonDocument::Compact));
            message.contentType = QStringLiteral("text/markdown"); // extras: the QJsonObject path
            QCOMPARE(message.toJsonBytes(),
                     QJsonDocument(message.toJson()).toJson(QJsonDocument::Compact));
        }
    }

    void listenLinesAsQJsonDocument()
    {
        for (const QString &text : awkwardTexts()) {
            Notification notification;
            notification.id = text;
            notification.topic = QStringLiteral("alerts");
            notification.title = text;
            notification.body = text;
            notification.priority = 4;
            notification.url = QUrl(QStringLiteral("https://example.org/a?b=c"));
            notification.time = QDateTime::fromMSecsSinceEpoch(1764160000000, Qt::UTC);
            char *buffer = nullptr;
            size_t size = 0;
            std::FILE *out = open_memstream(&buffer, &size);
            JsonLineWriter(out).messages({notification, notification});
            std::fclose(out);
            const QList<QByteArray> lines = QByteArray(buffer, qsizetype(size)).split('\n');
            std::free(buffer);
            QCOMPARE(lines.size(), 3); // two lines and what follows the last newline
            const QJsonObject written = QJsonDocument::fromJson(lines.at(0)).object();
            const QJsonObject expected{
                {QStringLiteral("event"), QStringLiteral("message")},
                {QStringLiteral("id"), notification.id},
                {QStringLiteral("topic"), notification.topic},
                {QStringLiteral("title"), notification.title},
                {QStringLiteral("body"), notification.body},
                {QStringLiteral("priority"), notification.priority},
                {QStringLiteral("url"), notification.url.toString()},
                {QStringLiteral("published"), 1764160000000LL},
                {QStringLiteral("time"), written.value(QStringLiteral("time"))}};
            QCOMPARE(lines.at(0), QJsonDocument(expected).toJson(QJsonDocument::Compact));
        }
    }
};

QTEST_GUILESS_MAIN(TestJsonText)
#include "tst_jsontext.moc"
