#include "demo.h"

#include "demopictureserver.h"
#include "logging.h"
#include "pushserver.h"

#include <QCoreApplication>
#include <QDateTime>
#include <chrono>
#include <iterator>

namespace traybeat {

using namespace std::chrono_literals;

namespace {

struct Sample
{
    const char *title;
    const char *body;
    int priority;
    const char *tags; // comma-separated
    const char *click;
};

// The first ones arrive a second apart, to show the range of what a pop-up can look like.
const Sample introduction[] = {
    {QT_TRANSLATE_NOOP("traybeat::Demo", "Welcome to traybeat"),
     QT_TRANSLATE_NOOP("traybeat::Demo",
                       "This demo runs its own push server and publishes a few samples. "
                       "Click a pop-up to read it in the history."),
     3, "wave", ""},
    {QT_TRANSLATE_NOOP("traybeat::Demo", "Backup finished"),
     QT_TRANSLATE_NOOP("traybeat::Demo", "nightly-backup: 12.4 GB in 8 min 31 s, no errors."), 2,
     "floppy_disk", ""},
    {QT_TRANSLATE_NOOP("traybeat::Demo", "Release 2.4.1 deployed"),
     QT_TRANSLATE_NOOP("traybeat::Demo", "Production is on 2.4.1. Click to open the release notes "
                                         "(https://example.org)."),
     4, "rocket", "https://example.org"},
    {QT_TRANSLATE_NOOP("traybeat::Demo", "<b>HTML</b> stays literal"),
     QT_TRANSLATE_NOOP("traybeat::Demo",
                       "Server text is never rich text: <i>no markup</i>, "
                       "<a href=\"https://example.org\">no links</a>, &amp; no entities."),
     3, "", ""},
    {QT_TRANSLATE_NOOP("traybeat::Demo", "Disk almost full on db-1"),
     QT_TRANSLATE_NOOP("traybeat::Demo", "/var is 97% full. Writes will start failing soon. Urgent "
                                         "notifications stay until you close them."),
     5, "warning", ""},
};

// Then one of these every ten seconds, round and round.
const Sample ongoing[] = {
    {QT_TRANSLATE_NOOP("traybeat::Demo", "Build passed"),
     QT_TRANSLATE_NOOP("traybeat::Demo", "main #1842: 312 tests passed in 4 min 2 s."), 2,
     "white_check_mark", ""},
    {QT_TRANSLATE_NOOP("traybeat::Demo", "New comment"),
     QT_TRANSLATE_NOOP("traybeat::Demo", "Alex: \"Looks good to me, merging after lunch.\""), 3,
     "speech_balloon", "https://example.org"},
    {QT_TRANSLATE_NOOP("traybeat::Demo", "Temperature high"),
     QT_TRANSLATE_NOOP("traybeat::Demo", "Server room: 29.5 °C (threshold 28 °C)."), 4,
     "thermometer", ""},
    {QT_TRANSLATE_NOOP("traybeat::Demo", "Certificate renewed"),
     QT_TRANSLATE_NOOP("traybeat::Demo", "example.org: valid until next quarter."), 1, "lock", ""},
};

constexpr auto introductionInterval = 1s;
constexpr auto ongoingInterval = 10s;

} // namespace

Demo::Demo(QObject *parent) : QObject(parent)
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &Demo::publishNext);
}

Demo::~Demo() = default;

bool Demo::start(QString *errorMessage)
{
    if (!m_directory.isValid()) {
        if (errorMessage)
            *errorMessage = tr("cannot create a temporary folder for the demo server: %1")
                                .arg(m_directory.errorString());
        return false;
    }
    PushServerOptions options;
    options.address = QHostAddress::LocalHost;
    options.port = 0;
    options.databasePath = m_directory.filePath(QStringLiteral("demo-server.db"));
    m_server = std::make_unique<PushServer>(options);
    QString error;
    if (!m_server->listen(&error)) {
        if (errorMessage)
            *errorMessage = tr("the demo server did not start: %1").arg(error);
        m_server.reset();
        return false;
    }
    qCInfo(lcUi).noquote() << "demo server listening on" << m_server->url().toDisplayString();
    m_pictures = std::make_unique<DemoPictureServer>();
    if (!m_pictures->start(&error)) {
        // The demo goes on; its message with a picture comes without one.
        qCWarning(lcUi).noquote() << "demo: the picture server did not start:" << error;
        m_pictures.reset();
    }
    return true;
}

SubscriptionConfig Demo::subscription() const
{
    SubscriptionConfig config;
    config.name = subscriptionName();
    config.server = m_server ? m_server->url() : QUrl();
    config.protocol = QStringLiteral("ntfy");
    config.topics = QStringList{topic()};
    return config;
}

void Demo::startPublishing()
{
    if (m_publishing || !m_server)
        return;
    m_publishing = true;
    m_timer.start(introductionInterval / 2);
}

void Demo::publishNext()
{
    constexpr int introductionCount = int(std::size(introduction));
    constexpr int ongoingCount = int(std::size(ongoing));
    const Sample &sample = m_next < introductionCount
                               ? introduction[m_next]
                               : ongoing[(m_next - introductionCount) % ongoingCount];
    ++m_next;
    // The richest sample (buttons, tags, a picture) comes last of the introduction, so that it
    // stays on screen longest (the end-to-end test looks at its picture there).
    if (m_next == introductionCount)
        emit actionSample(makeActionSample());
    if (m_next == 4)
        emit actionSample(makeMarkdownSample());
    const QString tags = QString::fromLatin1(sample.tags);
    QString error;
    const auto published = m_server->publish(
        topic(), QCoreApplication::translate("traybeat::Demo", sample.body),
        QCoreApplication::translate("traybeat::Demo", sample.title), sample.priority,
        tags.isEmpty() ? QStringList() : tags.split(QLatin1Char(',')),
        QUrl(QString::fromLatin1(sample.click)), &error);
    if (!published)
        qCWarning(lcUi).noquote() << "demo: could not publish a sample:" << error;
    m_timer.start(m_next < introductionCount ? introductionInterval : ongoingInterval);
}

// A sample handed to the app directly, as if it had arrived now on the demo's topic.
Notification Demo::localSample(const QString &kind) const
{
    Notification notification;
    notification.id =
        QStringLiteral("demo-%1-%2").arg(kind).arg(QDateTime::currentMSecsSinceEpoch());
    notification.subscription = subscriptionName();
    notification.topic = topic();
    notification.time = QDateTime::currentDateTimeUtc();
    return notification;
}

Notification Demo::makeActionSample() const
{
    Notification notification = localSample(QStringLiteral("actions"));
    notification.title = tr("Garage door open");
    notification.body = tr("The garage door has been open for 15 minutes.");
    notification.priority = 4;
    notification.tags = {QStringLiteral("warning"), QStringLiteral("garage"),
                         QStringLiteral("home")};
    NotificationAction close;
    close.type = NotificationAction::Type::Http;
    close.label = tr("Close it");
    QUrl target = m_server ? m_server->url() : QUrl();
    target.setPath(QLatin1Char('/') + topic());
    close.url = target;
    close.method = QStringLiteral("POST");
    close.headers = {{QStringLiteral("Title"), tr("Garage door closed")}};
    close.body = tr("Closed from the pop-up's button.");
    close.clear = true;
    NotificationAction view;
    view.type = NotificationAction::Type::View;
    view.label = tr("Open camera");
    view.url = QUrl(QStringLiteral("https://example.org/camera"));
    notification.actions = {close, view};
    if (m_pictures) {
        notification.attachment.name = QStringLiteral("garage-camera.png");
        notification.attachment.url = m_pictures->url();
        notification.attachment.type = QStringLiteral("image/png");
        notification.attachment.size = m_pictures->size();
    }
    return notification;
}

Notification Demo::makeMarkdownSample() const
{
    Notification notification = localSample(QStringLiteral("markdown"));
    notification.title = tr("Weekly report (markdown)");
    notification.contentType = Notification::markdownType();
    notification.body =
        tr("**3 jobs failed**, 41 passed. See [the report](https://example.org/report).\n\n"
           "- a `javascript:` link stays text: [not a link](javascript:alert(1))\n"
           "- images are not loaded: ![chart](https://example.org/chart.png)\n"
           "- HTML stays literal: <b>not bold</b>");
    notification.priority = 3;
    notification.tags = {QStringLiteral("bar_chart")};
    return notification;
}

} // namespace traybeat
