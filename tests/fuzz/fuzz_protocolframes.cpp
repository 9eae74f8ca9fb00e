// libFuzzer harness for the client dialects' frame parsers: every inbound WebSocket text frame
// goes through Protocol::handleTextFrame, so each input is one frame handed to one dialect.
//
// Input layout: byte 0 picks the dialect (0 ntfy, 1 gotify, 2 text, 3 gotify's static
// parseMessage on the frame's JSON object); the rest is the frame, as UTF-8 (QWebSocket hands
// frames over as QString).
//
// Oracle, beyond ASan/UBSan/timeouts: whatever comes out is a usable Notification — an id,
// a priority within 1..5 (Subscription fills in the subscription name) — and every frame is either received or rejected or (ntfy) a non-message
// event, never both.
#include "gotifyprotocol.h"
#include "ntfyprotocol.h"
#include "textprotocol.h"

#include <QCoreApplication>
#include <QJsonDocument>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace traybeat;

namespace {

QCoreApplication *application = nullptr;
Protocol *dialects[3] = {nullptr, nullptr, nullptr};
int receivedCount = 0;
int rejectedCount = 0;

void check(bool condition, const char *what)
{
    if (!condition) {
        fprintf(stderr, "broken invariant: %s\n", what);
        abort();
    }
}

void checkNotification(const Notification &notification)
{
    check(!notification.id.isEmpty(), "a notification without an id");
    check(notification.priority >= 1 && notification.priority <= 5, "priority outside 1..5");
}

Protocol *makeDialect(const QString &protocol)
{
    SubscriptionConfig config;
    config.name = QStringLiteral("fuzz");
    config.server = QUrl(QStringLiteral("http://127.0.0.1:9"));
    config.protocol = protocol;
    config.topics = {QStringLiteral("alerts")};
    config.token = QStringLiteral("token");
    QString error;
    Protocol *dialect = Protocol::create(config, &error).release();
    if (!dialect) {
        fprintf(stderr, "cannot create the %s dialect: %s\n", qPrintable(protocol),
                qPrintable(error));
        abort();
    }
    QObject::connect(dialect, &Protocol::received, [](const NotificationList &notifications) {
        ++receivedCount;
        check(!notifications.isEmpty(), "an empty notification list");
        for (const Notification &notification : notifications)
            checkNotification(notification);
    });
    QObject::connect(dialect, &Protocol::frameRejected, [](const QString &reason) {
        ++rejectedCount;
        check(!reason.isEmpty(), "a rejection without a reason");
    });
    return dialect;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    qputenv("QT_LOGGING_RULES", "*.debug=false\ntraybeat.*.warning=false");
    static int argc = 1;
    static char name[] = "fuzz_protocolframes";
    static char *argv[] = {name, nullptr};
    application = new QCoreApplication(argc, argv);
    dialects[0] = makeDialect(QStringLiteral("ntfy"));
    dialects[1] = makeDialect(QStringLiteral("gotify"));
    dialects[2] = makeDialect(QStringLiteral("text"));
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const QString frame =
        QString::fromUtf8(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    const int which = data[0] & 3;
    if (which == 3) {
        const QJsonObject object = QJsonDocument::fromJson(frame.toUtf8()).object();
        QString problem;
        const auto notification = GotifyProtocol::parseMessage(object, &problem);
        if (notification) {
            check(notification->id.toLongLong() > 0, "a gotify id that is not positive");
            check(notification->priority >= 1 && notification->priority <= 5,
                  "priority outside 1..5");
        } else {
            check(!problem.isEmpty(), "a gotify message refused without a reason");
        }
        return 0;
    }
    receivedCount = 0;
    rejectedCount = 0;
    dialects[which]->handleTextFrame(frame);
    check(receivedCount + rejectedCount <= 1, "a frame both received and rejected");
    if (which == 1) // gotify: no catch-up runs here, so nothing may be held back
        check(receivedCount + rejectedCount == 1, "a gotify frame neither received nor rejected");
    if (which == 2 && !frame.trimmed().isEmpty())
        check(receivedCount + rejectedCount == 1, "a text frame neither received nor rejected");
    return 0;
}
