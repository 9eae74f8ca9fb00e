// Tray app under a burst: do 10,000 messages at once freeze the desktop app or bury the screen in
// pop-ups, and what does the app cost in memory? (docs/design.md, "The promise", 3: "No storm".)
//
// Three processes, so that the process measured pays only for being the tray app:
//   - `traybeat serve` (child) is the push server;
//   - this executable started again with --publisher (child) publishes N messages as fast as the
//     server answers, over pipelined HTTP/1.1 keep-alive connections on raw sockets, and polls a
//     second NotificationStore on the app's database (count(), every 25 ms) to say when all are
//     stored: inside the app's process that reader would add its own SQLite cache and mmap to
//     the RSS being measured;
//   - this process runs the real TrayApp (trayapp.cpp compiled in, as tst_trayapp does) with
//     isolated settings and state folder and one ntfy subscription to the server.
// A 10 ms PreciseTimer in the app's event loop records how late it fires (the stall a person
// would feel) and how much CPU the main thread used in between: a stall with little CPU is
// the machine (two cores shared with server and publisher), one with a lot is the app's own work.
// The same tick counts the pop-ups on screen and reads VmRSS.
//
// The server and the publisher stand for other machines (the push server, whoever publishes): on
// the bench's one box they would take the cores the app's GUI thread waits for, which no user's
// desktop sees. So they run niced (`--children-nice`, default 10; 0 runs them at the app's own
// priority, as before 2026-12-01). What is measured is unchanged: the app's event loop.
//
// Phases: idle (connected, no traffic) → per burst: burst (publisher started until all are
// stored) → settle (until no pop-up is left on screen, then 1 s). With --bursts B > 1 the same
// burst is repeated: RSS that keeps climbing burst after burst is held, not cached.
//
// usage: QT_QPA_PLATFORM=offscreen bench_tray_burst [--messages N] [--bursts B]
//            [--connections C] [--in-flight K] [--idle SECONDS] [--binary PATH] [--plain]
//            [--no-pictures] [--children-nice N]
// The burst's messages are rich (tags, two actions, an attachment image and an icon served by the
// publisher's process, a 1600 x 1200 PNG) unless --plain: the pop-ups fetch and decode pictures
// while the burst runs, and none of it may stall the GUI thread.
// Exit status 0; 1 if a message was lost or a phase timed out.
#include "notificationstore.h"
#include "recordingserver.h"
#include "testimages.h"
#include "popupwidget.h"
#include "trayapp.h"
#include "traycontroller.h"

#include "servechild.h"

#include <QApplication>
#include <QImage>
#include <QPainter>
#include <QCommandLineParser>
#include <QDateTime>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QLoggingCategory>
#include <QProcess>
#include <QRegularExpression>
#include <QSettings>
#include <QSystemTrayIcon>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTimer>

#include <dlfcn.h>
#include <malloc.h>
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <vector>

using namespace traybeat;
using namespace std::chrono_literals;

namespace {

const QString topic = QStringLiteral("burst");

// ---------------------------------------------------------------------------------------------
// Publisher role (child process): the load generator must not run in the process it measures.
// Writes lines to stdout for the parent: `start MS`, `count N` (when the store count changes),
// `stored MS N`, `done MS ANSWERED ERRORS` (MS: ms since the epoch, one clock for both).

struct PublisherOptions
{
    quint16 port = 0;
    int messages = 10000;
    int expect = 10000; // the store count that means "all stored" (earlier bursts included)
    int connections = 4;
    int inFlight = 64; // per connection
    QString storePath; // the app's notifications.db
    bool rich = true;     // tags, two actions, an attachment image and an icon on every message
    bool pictures = true; // rich without the attachment and the icon
};

// A photo-sized PNG (1600 x 1200, with detail, so it compresses to a real size and takes a real
// time to decode): what a camera's snapshot attachment costs the app.
QByteArray snapshotPng()
{
    QImage image(1600, 1200, QImage::Format_RGB32);
    QPainter painter(&image);
    QLinearGradient gradient(0, 0, 1600, 1200);
    gradient.setColorAt(0, QColor(0x1f, 0x6f, 0xeb));
    gradient.setColorAt(1, QColor(0xfb, 0x8f, 0x44));
    painter.fillRect(image.rect(), gradient);
    for (int i = 0; i < 4000; ++i)
        painter.fillRect((i * 7919) % 1600, (i * 104729) % 1200, 9, 9, QColor::fromRgb(i * 2654435761u));
    painter.end();
    return encodedPng(image);
}

class Publisher final : public QObject
{
public:
    explicit Publisher(PublisherOptions options) : m_options(std::move(options)) {}

    int run()
    {
        if (m_options.rich) {
            // The pictures of the rich messages come from here, not from the measured process.
            m_snapshot = httpAnswer("image/png", snapshotPng());
            m_media.respond = [this](const RecordedRequest &) { return m_snapshot; };
        }
        QString error;
        if (!m_store.open(m_options.storePath, &error)) {
            std::fprintf(stderr, "publisher: cannot open %s: %s\n", qPrintable(m_options.storePath),
                         qPrintable(error));
            return 2;
        }
        QTimer poll;
        poll.setInterval(25ms);
        connect(&poll, &QTimer::timeout, this, [this] { pollStore(); });
        poll.start();
        for (int i = 0; i < m_options.connections; ++i) {
            auto *connection = new Connection;
            m_connections.emplace_back(connection);
            connect(&connection->socket, &QTcpSocket::connected, this,
                    [this, connection] { fill(connection); });
            connect(&connection->socket, &QTcpSocket::readyRead, this,
                    [this, connection] { readAnswers(connection); });
            connect(&connection->socket, &QTcpSocket::errorOccurred, this, [connection] {
                std::fprintf(stderr, "publisher: %s\n",
                             qPrintable(connection->socket.errorString()));
                QCoreApplication::exit(2);
            });
            connection->socket.connectToHost(QHostAddress::LocalHost, m_options.port);
        }
        // Longer than the parent waits: the parent decides what a timeout is.
        QTimer::singleShot(45s, [] { QCoreApplication::exit(3); });
        return QCoreApplication::exec();
    }

private:
    struct Connection
    {
        QTcpSocket socket;
        QByteArray buffer;
        int inFlight = 0;
    };

    void pollStore()
    {
        const int stored = m_store.count();
        if (m_media.requests.size() != m_lastMedia) {
            m_lastMedia = int(m_media.requests.size());
            std::printf("media %d\n", m_lastMedia);
        }
        if (stored != m_lastCount) {
            m_lastCount = stored;
            std::printf("count %d\n", stored);
        }
        if (stored >= m_options.expect && m_storedAtMs == 0) {
            m_storedAtMs = QDateTime::currentMSecsSinceEpoch();
            std::printf("stored %lld %d\n", m_storedAtMs, stored);
            finishIfDone();
        }
        std::fflush(stdout);
    }

    // Keeps `inFlight` requests pipelined on the connection.
    void fill(Connection *connection)
    {
        if (!m_started) {
            m_started = true;
            // The clock for "seconds until stored" starts at the first request sent.
            std::printf("start %lld\n", QDateTime::currentMSecsSinceEpoch());
            std::fflush(stdout);
        }
        static const QByteArray body = QByteArrayLiteral("burst message body");
        static const QByteArray path = "POST /" + topic.toUtf8();
        QByteArray requests;
        while (connection->inFlight < m_options.inFlight && m_sent < m_options.messages) {
            const int number = m_sent++;
            requests += path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + richHeaders(number) +
                        "Title: " + QByteArray::number(number) +
                        "\r\nContent-Type: text/plain\r\nContent-Length: " +
                        QByteArray::number(body.size()) + "\r\n\r\n" + body;
            ++connection->inFlight;
        }
        if (!requests.isEmpty())
            connection->socket.write(requests);
    }

    // ntfy's headers for tags, two actions, an attachment and an icon; each message its own
    // picture URLs, so every pop-up fetches (and decodes) anew.
    QByteArray richHeaders(int number) const
    {
        if (!m_options.rich)
            return {};
        const QByteArray media = m_media.url(QString()).toEncoded();
        const QByteArray n = QByteArray::number(number);
        const QByteArray tagsAndActions =
            "Tags: warning,camera,garage\r\n"
            "Actions: view, Open camera, https://example.org/camera; "
            "http, Close it, " + media + "/close, method=POST, clear=true\r\n";
        if (!m_options.pictures)
            return tagsAndActions;
        return tagsAndActions +
               "Attach: " + media + "/snapshot-" + n + ".png\r\n"
               "Icon: " + media + "/icon-" + n + ".png\r\n";
    }

    // Counts complete answers (status line, headers, Content-Length body) and refills.
    void readAnswers(Connection *connection)
    {
        connection->buffer += connection->socket.readAll();
        static const QRegularExpression lengthPattern(
            QStringLiteral("(?i)content-length:\\s*(\\d+)"));
        for (;;) {
            const int headerEnd = connection->buffer.indexOf("\r\n\r\n");
            if (headerEnd < 0)
                break;
            const QString head = QString::fromLatin1(connection->buffer.left(headerEnd));
            const auto match = lengthPattern.match(head);
            const int total = headerEnd + 4 + (match.hasMatch() ? match.captured(1).toInt() : 0);
            if (connection->buffer.size() < total)
                break;
            if (!head.startsWith(QLatin1String("HTTP/1.1 200")))
                ++m_errors;
            connection->buffer.remove(0, total);
            --connection->inFlight;
            ++m_answered;
        }
        if (m_answered == m_options.messages && m_answeredAtMs == 0) {
            m_answeredAtMs = QDateTime::currentMSecsSinceEpoch();
            std::printf("done %lld %d %d\n", m_answeredAtMs, m_answered, m_errors);
            std::fflush(stdout);
            finishIfDone();
        } else {
            fill(connection);
        }
    }

    void finishIfDone()
    {
        // Rich messages: their pictures are still being asked for; the parent stops this process.
        if (m_answeredAtMs != 0 && m_storedAtMs != 0 && !m_options.rich)
            QCoreApplication::exit(0);
    }

    PublisherOptions m_options;
    std::vector<std::unique_ptr<Connection>> m_connections;
    NotificationStore m_store;
    RecordingServer m_media; // the rich messages' attachments and icons
    QByteArray m_snapshot;
    bool m_started = false;
    int m_sent = 0, m_answered = 0, m_errors = 0, m_lastCount = -1, m_lastMedia = 0;
    qint64 m_answeredAtMs = 0, m_storedAtMs = 0;
};

int runPublisher(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addOptions({{QStringLiteral("publisher"), QStringLiteral("Port."), QStringLiteral("P")},
                       {QStringLiteral("messages"), QStringLiteral("N"), QStringLiteral("N")},
                       {QStringLiteral("expect"), QStringLiteral("N"), QStringLiteral("N")},
                       {QStringLiteral("connections"), QStringLiteral("C"), QStringLiteral("C")},
                       {QStringLiteral("in-flight"), QStringLiteral("K"), QStringLiteral("K")},
                       {QStringLiteral("store"), QStringLiteral("PATH"), QStringLiteral("PATH")},
                       {QStringLiteral("plain"), QStringLiteral("No tags, actions or pictures.")},
                       {QStringLiteral("no-pictures"), QStringLiteral("Tags and actions only.")}});
    parser.process(app);
    PublisherOptions options;
    options.port = quint16(parser.value(QStringLiteral("publisher")).toUInt());
    options.messages = parser.value(QStringLiteral("messages")).toInt();
    options.expect = parser.value(QStringLiteral("expect")).toInt();
    options.connections = parser.value(QStringLiteral("connections")).toInt();
    options.inFlight = parser.value(QStringLiteral("in-flight")).toInt();
    options.storePath = parser.value(QStringLiteral("store"));
    options.rich = !parser.isSet(QStringLiteral("plain"));
    options.pictures = !parser.isSet(QStringLiteral("no-pictures"));
    Publisher publisher(options);
    return publisher.run();
}

// ---------------------------------------------------------------------------------------------
// App role: the measured process.

// A "Name:   123 kB" field of /proc/self/status, in KiB; -1 if unreadable.
qint64 procStatusKiB(const char *field)
{
    QFile file(QStringLiteral("/proc/self/status"));
    if (!file.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray text = file.readAll(); // /proc files report size 0: read what is there
    const int at = text.indexOf(field);
    if (at < 0)
        return -1;
    const int start = at + int(std::strlen(field));
    const int end = text.indexOf('\n', at);
    return text.mid(start, end - start).trimmed().split(' ').first().toLongLong();
}

double mib(qint64 kib)
{
    return double(kib) / 1024.0;
}

// Bytes malloc has handed out and not got back (whatever RSS says about freed-but-kept pages).
qint64 heapInUseKiB()
{
    return qint64(mallinfo2().uordblks / 1024);
}

// Of that, SQLite's (page caches, statements): the store runs with cache_size=-16384, so up to
// 16 MiB of growth is its cache filling, not the app holding messages. SQLite is loaded by Qt's
// driver plugin, so it is looked up at run time rather than linked; -1 if not loaded.
qint64 sqliteInUseKiB()
{
    using MemoryUsed = long long (*)();
    static MemoryUsed memoryUsed = [] {
        void *library = dlopen("libsqlite3.so.0", RTLD_NOW | RTLD_NOLOAD);
        return library ? reinterpret_cast<MemoryUsed>(dlsym(library, "sqlite3_memory_used"))
                       : nullptr;
    }();
    return memoryUsed ? qint64(memoryUsed() / 1024) : -1;
}

struct Phase
{
    QString name;
    std::vector<double> lateness; // ms per tick
    std::vector<double> busy;     // main-thread CPU ms per tick
    qint64 durationMs = 0;
    qint64 rssPeakKiB = 0;
    qint64 rssEndKiB = 0, anonEndKiB = 0, fileEndKiB = 0;
    qint64 heapEndKiB = 0, sqliteEndKiB = 0;

    double maxStall() const
    {
        return lateness.empty() ? 0.0 : *std::max_element(lateness.begin(), lateness.end());
    }
    // CPU the main thread used in the tick that was the latest.
    double busyInMaxStall() const
    {
        if (lateness.empty())
            return 0.0;
        return busy[size_t(std::max_element(lateness.begin(), lateness.end()) - lateness.begin())];
    }
    double maxBusy() const
    {
        return busy.empty() ? 0.0 : *std::max_element(busy.begin(), busy.end());
    }
    double percentile(double p) const
    {
        if (lateness.empty())
            return 0.0;
        std::vector<double> sorted = lateness;
        std::sort(sorted.begin(), sorted.end());
        return sorted[std::min(sorted.size() - 1, size_t(p * double(sorted.size())))];
    }
};

struct Burst
{
    Phase burst, settle;
    bool allStored = false, settled = false;
    int expected = 0; // store count after this burst, earlier bursts included
    int stored = 0;   // the publisher's last count
    qint64 startMs = 0, storedMs = 0, answeredMs = 0;
    int answered = 0, errors = 0;
    int pictures = 0; // attachment and icon requests the publisher's server answered
    int maxPopups = 0;
    int maxSummaryCount = -1; // -1: no summary appeared
    qint64 hwmKiB = 0;
};

struct Options
{
    int messages = 10000;
    int bursts = 1;
    int connections = 4;
    int inFlight = 64;
    int idleSeconds = 3;
    int childrenNice = 10;   // server and publisher: remote machines, not the app's competition
    bool plain = false;      // no tags, actions or pictures in the burst
    bool noPictures = false; // tags and actions, no attachment or icon
    QString binary = QStringLiteral(TRAYBEAT_BINARY);
};

class Bench final : public QObject
{
public:
    explicit Bench(Options options) : m_options(std::move(options)) {}

    int run()
    {
        if (!m_dir.isValid())
            return 1;
        m_tick.setTimerType(Qt::PreciseTimer);
        m_tick.setInterval(tickInterval);
        connect(&m_tick, &QTimer::timeout, this, &Bench::onTick);
        m_tickClock.start();
        m_tick.start();

        if (!startServer())
            return finish(1);
        m_rssBeforeKiB = procStatusKiB("VmRSS:");

        m_app =
            std::make_unique<TrayApp>(TrayOptions{false, m_dir.filePath(QStringLiteral("state"))});
        SubscriptionConfig config;
        config.name = QStringLiteral("burst");
        config.server = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_port));
        config.protocol = QStringLiteral("ntfy");
        config.topics = {topic};
        m_app->settings()->setSubscriptions({config});
        QString error;
        if (!m_app->start(&error)) {
            std::fprintf(stderr, "bench: the tray app did not start: %s\n", qPrintable(error));
            return finish(1);
        }
        m_trayMode = QSystemTrayIcon::isSystemTrayAvailable();
        if (!waitFor(
                [this] {
                    return m_app->trayController()->aggregateState() == ConnectionState::Connected;
                },
                15s)) {
            std::fprintf(stderr, "bench: the tray app did not connect\n");
            return finish(1);
        }

        m_idle.name = QStringLiteral("idle (connected, no burst)");
        runPhase(
            m_idle, [] { return false; }, std::chrono::seconds(m_options.idleSeconds));

        bool ok = true;
        for (int i = 0; i < m_options.bursts && ok; ++i)
            ok = runBurst(i);
        m_rssEndKiB = procStatusKiB("VmRSS:");
        // What glibc keeps after free() shows up as RSS; trimming tells cached from held.
        malloc_trim(0);
        m_rssTrimmedKiB = procStatusKiB("VmRSS:");
        report();
        return finish(ok ? 0 : 1);
    }

private:
    static constexpr std::chrono::milliseconds tickInterval{10};
    static constexpr auto burstTimeout = 40s;
    static constexpr auto settleTimeout = 20s;
    static constexpr qint64 settleTailMs = 1000;

    struct PopupCount
    {
        int count = 0;
        int summaryCount = -1; // the number in the summary's title; -1: no summary shown
    };

    // Pop-ups are top-level PopupWidgets (the stack itself is private to TrayApp).
    static PopupCount visiblePopups()
    {
        PopupCount result;
        const QWidgetList windows = QApplication::topLevelWidgets();
        for (QWidget *window : windows) {
            auto *popup = qobject_cast<PopupWidget *>(window);
            if (!popup || !popup->isVisible())
                continue;
            ++result.count;
            if (popup->isSummary()) {
                // "37 new notifications from burst": the leading number is the folded count.
                const auto *title = popup->findChild<QLabel *>(QStringLiteral("title"));
                result.summaryCount =
                    title ? title->text().section(QLatin1Char(' '), 0, 0).toInt() : 0;
            }
        }
        return result;
    }

    static qint64 threadCpuNs()
    {
        timespec now{};
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
        return qint64(now.tv_sec) * 1000000000 + now.tv_nsec;
    }

    void onTick()
    {
        const qint64 nowNs = m_tickClock.nsecsElapsed();
        const qint64 cpuNs = threadCpuNs();
        const double lateMs =
            std::max(0.0, double(nowNs - m_lastTickNs) / 1e6 - double(tickInterval.count()));
        const double busyMs = double(cpuNs - m_lastCpuNs) / 1e6;
        m_lastTickNs = nowNs;
        m_lastCpuNs = cpuNs;
        if (!m_phase)
            return;
        m_phase->lateness.push_back(lateMs);
        m_phase->busy.push_back(busyMs);
        m_phase->rssPeakKiB = std::max(m_phase->rssPeakKiB, procStatusKiB("VmRSS:"));
        if (!m_current)
            return;
        const PopupCount popups = visiblePopups();
        m_current->maxPopups = std::max(m_current->maxPopups, popups.count);
        m_current->maxSummaryCount = std::max(m_current->maxSummaryCount, popups.summaryCount);
    }

    // Spins the event loop until `done` or `timeout`; false on timeout.
    bool waitFor(const std::function<bool()> &done, std::chrono::milliseconds timeout)
    {
        if (done())
            return true;
        QEventLoop loop;
        QTimer poll;
        poll.setInterval(5ms);
        bool ok = false;
        connect(&poll, &QTimer::timeout, &loop, [&] {
            if (done()) {
                ok = true;
                loop.quit();
            }
        });
        QTimer::singleShot(timeout, &loop, &QEventLoop::quit);
        poll.start();
        loop.exec();
        return ok;
    }

    bool runPhase(Phase &phase, const std::function<bool()> &done,
                  std::chrono::milliseconds timeout)
    {
        m_phase = &phase;
        QElapsedTimer clock;
        clock.start();
        const bool ok = waitFor(done, timeout);
        phase.durationMs = clock.elapsed();
        phase.rssEndKiB = procStatusKiB("VmRSS:");
        phase.anonEndKiB = procStatusKiB("RssAnon:");
        phase.fileEndKiB = procStatusKiB("RssFile:") + procStatusKiB("RssShmem:");
        phase.heapEndKiB = heapInUseKiB();
        phase.sqliteEndKiB = sqliteInUseKiB();
        phase.rssPeakKiB = std::max(phase.rssPeakKiB, phase.rssEndKiB);
        m_phase = nullptr;
        return ok;
    }

    bool runBurst(int index)
    {
        m_bursts.push_back(std::make_unique<Burst>());
        Burst &burst = *m_bursts.back();
        m_current = &burst;
        burst.expected = m_options.messages * (index + 1);
        burst.burst.name = QStringLiteral("burst %1 (until all stored)").arg(index + 1);
        burst.settle.name = QStringLiteral("settle %1 (pop-ups gone + 1 s)").arg(index + 1);

        bool ok = startPublisher(burst);
        if (ok)
            ok = burst.allStored = runPhase(
                burst.burst, [&burst] { return burst.storedMs != 0; }, burstTimeout);
        // The publisher's "all answered" may trail the store by a few ms.
        if (ok)
            waitFor([&burst] { return burst.answeredMs != 0; }, 5s);

        // The pop-ups time out by themselves (6 s at default priority); then 1 s more.
        QElapsedTimer quiet;
        burst.settled = runPhase(
            burst.settle,
            [&quiet] {
                if (visiblePopups().count > 0) {
                    quiet.invalidate();
                    return false;
                }
                if (!quiet.isValid())
                    quiet.start();
                return quiet.elapsed() >= settleTailMs;
            },
            settleTimeout);
        burst.hwmKiB = procStatusKiB("VmHWM:");
        m_current = nullptr;
        stopProcess(m_publisher.get());
        return ok && burst.settled && burst.stored >= burst.expected;
    }

    QString storePath() const { return m_dir.filePath(QStringLiteral("state/notifications.db")); }

    // The child processes model other machines: they run nicer than the app (see the top).
    void niceChild(QProcess &process) const
    {
        const int nice = m_options.childrenNice;
        process.setChildProcessModifier([nice] {
            if (nice > 0)
                ::setpriority(PRIO_PROCESS, 0, nice);
        });
    }

    bool startServer()
    {
        niceChild(m_server);
        m_port = startServe(m_server, m_options.binary, m_dir.filePath(QStringLiteral("server.db")));
        return m_port != 0;
    }

    bool startPublisher(Burst &burst)
    {
        m_publisher = std::make_unique<QProcess>();
        niceChild(*m_publisher);
        m_publisher->setProcessChannelMode(QProcess::ForwardedErrorChannel);
        auto buffer = std::make_shared<QByteArray>();
        connect(m_publisher.get(), &QProcess::readyReadStandardOutput, this,
                [this, buffer, &burst] {
                    *buffer += m_publisher->readAllStandardOutput();
                    int newline;
                    while ((newline = buffer->indexOf('\n')) >= 0) {
                        const QList<QByteArray> words = buffer->left(newline).split(' ');
                        buffer->remove(0, newline + 1);
                        const QByteArray &kind = words.first();
                        if (kind == "start") {
                            burst.startMs = words.value(1).toLongLong();
                        } else if (kind == "count") {
                            burst.stored = words.value(1).toInt();
                        } else if (kind == "stored") {
                            burst.storedMs = words.value(1).toLongLong();
                            burst.stored = words.value(2).toInt();
                        } else if (kind == "media") {
                            burst.pictures = words.value(1).toInt();
                        } else if (kind == "done") {
                            burst.answeredMs = words.value(1).toLongLong();
                            burst.answered = words.value(2).toInt();
                            burst.errors = words.value(3).toInt();
                        }
                    }
                });
        QStringList arguments{QStringLiteral("--publisher"), QString::number(m_port),
                              QStringLiteral("--messages"), QString::number(m_options.messages),
                              QStringLiteral("--expect"), QString::number(burst.expected),
                              QStringLiteral("--connections"), QString::number(m_options.connections),
                              QStringLiteral("--in-flight"), QString::number(m_options.inFlight),
                              QStringLiteral("--store"), storePath()};
        if (m_options.plain)
            arguments << QStringLiteral("--plain");
        if (m_options.noPictures)
            arguments << QStringLiteral("--no-pictures");
        m_publisher->start(QCoreApplication::applicationFilePath(), arguments);
        if (!m_publisher->waitForStarted(5000)) {
            std::fprintf(stderr, "bench: the publisher did not start\n");
            return false;
        }
        return true;
    }

    static void stopProcess(QProcess *process)
    {
        if (!process || process->state() == QProcess::NotRunning)
            return;
        process->terminate();
        if (!process->waitForFinished(5000))
            process->kill();
    }

    int finish(int status)
    {
        m_tick.stop();
        m_app.reset(); // the links close before the server goes
        stopProcess(m_publisher.get());
        stopProcess(&m_server);
        return status;
    }

    void report() const
    {
        std::printf(
            "| burst | messages | stored in s | msgs/s | lost | max pop-ups visible | "
            "summary (count) | max stall ms (on CPU) | p99 stall ms | RSS before start MiB | RSS "
            "idle connected MiB | RSS peak MiB | RSS settled MiB | VmHWM MiB |\n");
        std::printf("|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (size_t i = 0; i < m_bursts.size(); ++i) {
            const Burst &burst = *m_bursts[i];
            const qint64 storedMs = burst.storedMs && burst.startMs
                                        ? std::max<qint64>(1, burst.storedMs - burst.startMs)
                                        : -1;
            const QString seconds = storedMs > 0
                                        ? QString::number(double(storedMs) / 1000.0, 'f', 2)
                                        : QStringLiteral("timeout");
            const QString rate =
                storedMs > 0 ? QString::number(
                                   double(m_options.messages) * 1000.0 / double(storedMs), 'f', 0)
                             : QStringLiteral("-");
            const QString summary = burst.maxSummaryCount >= 0
                                        ? QStringLiteral("yes (%1)").arg(burst.maxSummaryCount)
                                        : QStringLiteral("no");
            std::printf("| %zu | %d | %s | %s | %d | %d | %s | %.1f (%.1f) | %.1f | %.1f | %.1f | "
                        "%.1f | %.1f | %.1f |\n",
                        i + 1, m_options.messages, qPrintable(seconds), qPrintable(rate),
                        std::max(0, burst.expected - burst.stored), burst.maxPopups,
                        qPrintable(summary), burst.burst.maxStall(), burst.burst.busyInMaxStall(),
                        burst.burst.percentile(0.99), mib(m_rssBeforeKiB), mib(m_idle.rssEndKiB),
                        mib(std::max(burst.burst.rssPeakKiB, burst.settle.rssPeakKiB)),
                        mib(burst.settle.rssEndKiB), mib(burst.hwmKiB));
        }

        std::printf("\n| phase | seconds | ticks | max stall ms (on CPU) | p99 stall ms | p50 "
                    "stall ms | max CPU ms in one tick | RSS peak MiB | RSS at end MiB | anon at "
                    "end MiB | file+shmem at end MiB | heap in use at end MiB (SQLite) |\n");
        std::printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        std::vector<const Phase *> phases{&m_idle};
        for (const auto &burst : m_bursts)
            phases.insert(phases.end(), {&burst->burst, &burst->settle});
        for (const Phase *phase : phases) {
            std::printf("| %s | %.2f | %zu | %.1f (%.1f) | %.1f | %.1f | %.1f | %.1f | %.1f | "
                        "%.1f | %.1f | %.1f (%.1f) |\n",
                        qPrintable(phase->name), double(phase->durationMs) / 1000.0,
                        phase->lateness.size(), phase->maxStall(), phase->busyInMaxStall(),
                        phase->percentile(0.99), phase->percentile(0.5), phase->maxBusy(),
                        mib(phase->rssPeakKiB), mib(phase->rssEndKiB), mib(phase->anonEndKiB),
                        mib(phase->fileEndKiB), mib(phase->heapEndKiB), mib(phase->sqliteEndKiB));
        }

        QStringList publishers;
        for (const auto &burst : m_bursts) {
            const QString seconds =
                burst->answeredMs && burst->startMs
                    ? QString::number(double(burst->answeredMs - burst->startMs) / 1000.0, 'f', 2)
                    : QStringLiteral("?");
            publishers << QStringLiteral("%1 s, %2 answered, %3 errors, %4 pictures fetched")
                              .arg(seconds)
                              .arg(burst->answered)
                              .arg(burst->errors)
                              .arg(burst->pictures);
        }
        const qint64 databaseBytes =
            QFileInfo(storePath()).size() + QFileInfo(storePath() + QStringLiteral("-wal")).size();
        std::printf(
            "\nNotes: %s; QPA %s. `traybeat serve` and the publisher (%d connections x %d "
            "pipelined POSTs, a new process per burst) are child processes, niced by %d; publisher "
            "finished: "
            "%s. \"stored in s\": from the first POST until a second NotificationStore on the "
            "app's database, polled every 25 ms in the publisher's process, counts them all. "
            "Stall: lateness of a 10 ms PreciseTimer in the app's event loop (it also samples "
            "the pop-ups and VmRSS); \"on CPU\": the main thread's CPU time in that tick (low: "
            "the thread was waiting for a core or the disk, not working); a burst lasts few ticks, "
            "so its p99 is close to its max. The app's notifications.db (+ WAL) at the end: %.1f "
            "MiB. "
            "RSS at the end %.1f MiB, after malloc_trim(0) %.1f MiB.\n",
            m_trayMode ? "tray mode (a system tray is present; the history window is hidden)"
                       : "window mode: no system tray, so the history window is open, as on a "
                         "desktop without a tray",
            qPrintable(QGuiApplication::platformName()), m_options.connections, m_options.inFlight,
            m_options.childrenNice,
            qPrintable(publishers.join(QStringLiteral("; "))), double(databaseBytes) / 1048576.0,
            mib(m_rssEndKiB), mib(m_rssTrimmedKiB));
        std::fflush(stdout);
    }

    Options m_options;
    QTemporaryDir m_dir;
    QProcess m_server;
    std::unique_ptr<QProcess> m_publisher;
    quint16 m_port = 0;
    std::unique_ptr<TrayApp> m_app;
    bool m_trayMode = false;

    QTimer m_tick;
    QElapsedTimer m_tickClock;
    qint64 m_lastTickNs = 0, m_lastCpuNs = 0;
    Phase *m_phase = nullptr;   // where the tick records lateness and RSS; null: nowhere
    Burst *m_current = nullptr; // where it records pop-ups
    Phase m_idle;
    std::vector<std::unique_ptr<Burst>> m_bursts;
    qint64 m_rssBeforeKiB = 0, m_rssEndKiB = 0, m_rssTrimmedKiB = 0;
};

} // namespace

int main(int argc, char **argv)
{
    // The publisher role needs no GUI: decided before any application object exists.
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--publisher") == 0)
            return runPublisher(argc, argv);
    }

    // Settings go to a folder of our own: the person's traybeat settings are never read or
    // written. Set before QApplication so that nothing reads the real ones first.
    QTemporaryDir configDir;
    if (!configDir.isValid())
        return 1;
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, configDir.path());
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, configDir.path());

    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("traybeat"));
    QApplication::setApplicationName(QStringLiteral("traybeat"));
    QApplication::setQuitOnLastWindowClosed(false); // as the tray app does
    // The app's debug logging would cost the measured process and bury the table.
    QLoggingCategory::setFilterRules(QStringLiteral("traybeat.*.debug=false"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Tray app under a burst of messages: event-loop stalls, pop-ups, RSS. Run with "
        "QT_QPA_PLATFORM=offscreen (or in a desktop session)."));
    parser.addHelpOption();
    parser.addOptions(
        {{QStringLiteral("messages"), QStringLiteral("Messages per burst (10000)."),
          QStringLiteral("N")},
         {QStringLiteral("bursts"), QStringLiteral("Bursts, one after the other (1)."),
          QStringLiteral("B")},
         {QStringLiteral("connections"), QStringLiteral("Publishing connections (4)."),
          QStringLiteral("C")},
         {QStringLiteral("in-flight"), QStringLiteral("Pipelined publishes per connection (64)."),
          QStringLiteral("K")},
         {QStringLiteral("idle"), QStringLiteral("Seconds of idle baseline (3)."),
          QStringLiteral("S")},
         {QStringLiteral("binary"), QStringLiteral("The traybeat executable."),
          QStringLiteral("PATH")},
         {QStringLiteral("plain"),
          QStringLiteral("Plain messages (default: rich ones, with tags, two actions, an "
                         "attachment image and an icon).")},
         {QStringLiteral("no-pictures"), QStringLiteral("Rich messages without the pictures.")},
         {QStringLiteral("children-nice"),
          QStringLiteral("Nice value of the server and the publisher, which stand for other "
                         "machines (10; 0: the app's own priority)."),
          QStringLiteral("N")}});
    parser.process(app);
    Options options;
    const auto intOption = [&parser](const char *name, int fallback) {
        const QString key = QString::fromLatin1(name);
        return parser.isSet(key) ? std::max(1, parser.value(key).toInt()) : fallback;
    };
    options.messages = intOption("messages", options.messages);
    options.bursts = intOption("bursts", options.bursts);
    options.connections = intOption("connections", options.connections);
    options.inFlight = intOption("in-flight", options.inFlight);
    options.idleSeconds = intOption("idle", options.idleSeconds);
    if (parser.isSet(QStringLiteral("binary")))
        options.binary = parser.value(QStringLiteral("binary"));
    options.plain = parser.isSet(QStringLiteral("plain"));
    options.noPictures = parser.isSet(QStringLiteral("no-pictures"));
    if (parser.isSet(QStringLiteral("children-nice")))
        options.childrenNice = std::clamp(parser.value(QStringLiteral("children-nice")).toInt(), 0, 19);
    Bench bench(options);
    return bench.run();
}
