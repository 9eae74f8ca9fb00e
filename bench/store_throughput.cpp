// How fast NotificationStore stores and pages: insert rate per batch size, the cost of a batch
// of duplicates (a reconnect that replays what we have), and history/count latency at 100,000
// rows. Usage: bench_store_throughput [folder for the database files]
#include "notificationstore.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTextStream>
#include <algorithm>
#include <ctime>
#include <functional>

using namespace traybeat;

namespace {

QTextStream out(stdout);

// Roughly what a monitoring/CI feed sends: short title, a sentence or two, some tags and links.
Notification sample(int subscription, int index)
{
    static const QStringList words = {QStringLiteral("disk"),   QStringLiteral("backup"),
                                      QStringLiteral("deploy"), QStringLiteral("latency"),
                                      QStringLiteral("cpu"),    QStringLiteral("memory"),
                                      QStringLiteral("cert"),   QStringLiteral("queue"),
                                      QStringLiteral("login"),  QStringLiteral("build")};
    Notification n;
    n.subscription = QStringLiteral("sub%1").arg(subscription);
    n.id = QStringLiteral("%1-%2").arg(subscription).arg(index, 8, 10, QLatin1Char('0'));
    n.topic = QStringLiteral("topic%1").arg(subscription);
    const QString &word = words.at(index % words.size());
    n.title = QStringLiteral("%1 alert on host-%2").arg(word).arg(index % 97);
    n.body = QStringLiteral("The %1 check on host-%2 reported state %3 at step %4; see the "
                            "dashboard for details and acknowledge when handled.")
                 .arg(word)
                 .arg(index % 97)
                 .arg(index % 3 ? QStringLiteral("warning") : QStringLiteral("critical"))
                 .arg(index);
    n.priority = 1 + index % 5;
    if (index % 4 == 0)
        n.tags = {QStringLiteral("warning"), word};
    if (index % 2 == 0)
        n.url = QUrl(QStringLiteral("https://dash.example.org/alerts/%1").arg(index));
    n.time = QDateTime::fromMSecsSinceEpoch(1764160000000 + index * 10LL, Qt::UTC);
    return n;
}

NotificationList samples(int count, int subscriptions, int firstIndex = 0)
{
    NotificationList list;
    list.reserve(count);
    for (int i = 0; i < count; ++i)
        list.append(sample(i % subscriptions, firstIndex + i));
    return list;
}

struct Rate
{
    double wall = -1; // messages per elapsed second; -1: a batch lost rows
    double cpu = -1;  // per second of this process's CPU time: robust to other load on the box
};

// How fast `list` is stored in batches of `batchSize`.
Rate insertRate(NotificationStore &store, const NotificationList &list, int batchSize,
                int expectedNewPerBatch)
{
    QElapsedTimer timer;
    timer.start();
    const std::clock_t cpuStart = std::clock();
    for (int i = 0; i < list.size(); i += batchSize) {
        const NotificationList fresh = store.add(list.mid(i, batchSize));
        if (fresh.size() != std::min<int>(expectedNewPerBatch, list.size() - i))
            return {};
    }
    const double cpuSeconds = double(std::clock() - cpuStart) / CLOCKS_PER_SEC;
    return {list.size() * 1e9 / double(timer.nsecsElapsed()), list.size() / cpuSeconds};
}

struct Latency
{
    double wallMs = 0;
    double cpuMs = 0;
};

// Median wall and CPU milliseconds of `runs` calls.
Latency median(int runs, const std::function<void()> &call)
{
    QList<double> wall;
    QList<double> cpu;
    for (int i = 0; i < runs; ++i) {
        QElapsedTimer timer;
        timer.start();
        const std::clock_t cpuStart = std::clock();
        call();
        wall.append(timer.nsecsElapsed() / 1e6);
        cpu.append(double(std::clock() - cpuStart) * 1000 / CLOCKS_PER_SEC);
    }
    std::sort(wall.begin(), wall.end());
    std::sort(cpu.begin(), cpu.end());
    return {wall.at(runs / 2), cpu.at(runs / 2)};
}

void row(const QString &what, const QString &value, const QString &cpu = {})
{
    out << "| " << what.leftJustified(50) << " | " << value.rightJustified(15) << " | "
        << cpu.rightJustified(19) << " |\n";
}

void rule()
{
    out << "|" << QString(52, QLatin1Char('-')) << "|" << QString(17, QLatin1Char('-')) << "|"
        << QString(21, QLatin1Char('-')) << "|\n";
}

void rateRow(const QString &what, Rate rate)
{
    if (rate.wall < 0) {
        row(what, QStringLiteral("LOST ROWS"));
        return;
    }
    row(what, QStringLiteral("%L1 msg/s").arg(rate.wall, 0, 'f', 0),
        QStringLiteral("%L1 msg/CPU-s").arg(rate.cpu, 0, 'f', 0));
}

void timeRow(const QString &what, Latency latency)
{
    row(what, QStringLiteral("%1 ms").arg(latency.wallMs, 0, 'f', 2),
        QStringLiteral("%1 ms CPU").arg(latency.cpuMs, 0, 'f', 2));
}

bool openFresh(NotificationStore &store, const QString &folder, const QString &name)
{
    QString error;
    const QString path = QDir(folder).filePath(name);
    if (!store.open(path, &error)) {
        out << "cannot open " << path << ": " << error << "\n";
        return false;
    }
    return true;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QTemporaryDir temporary(app.arguments().size() > 1
                                ? app.arguments().at(1) + QStringLiteral("/store-bench-XXXXXX")
                                : QString());
    if (!temporary.isValid()) {
        out << "cannot create a temporary folder\n";
        return 1;
    }
    const QString folder = temporary.path();
    out << "NotificationStore throughput, database in " << folder << "\n\n";
    // The CPU column is this process's own time: it holds steady when others load the box.
    row(QStringLiteral("measurement"), QStringLiteral("wall clock"), QStringLiteral("CPU"));
    rule();

    // Insert rate into an empty database, per batch size (batch 1 = one transaction each).
    const QList<QPair<int, int>> runs = {{1, 5000}, {10, 20000}, {100, 50000}, {1000, 100000}};
    for (const auto &[batchSize, total] : runs) {
        NotificationStore store;
        if (!openFresh(store, folder, QStringLiteral("insert-%1.sqlite").arg(batchSize)))
            return 1;
        const NotificationList list = samples(total, 4);
        rateRow(QStringLiteral("insert, batch %1 (%L2 msgs, empty db)").arg(batchSize).arg(total),
                insertRate(store, list, batchSize, batchSize));
    }

    // Inserting into a database that already holds 100,000 rows (bigger indexes), and what
    // a replay of already-stored messages costs.
    NotificationStore store;
    if (!openFresh(store, folder, QStringLiteral("history.sqlite")))
        return 1;
    const NotificationList base = samples(100000, 4);
    insertRate(store, base, 1000, 1000);
    const NotificationList more = samples(20000, 4, 200000);
    rateRow(QStringLiteral("insert, batch 100 (into 100k rows)"),
            insertRate(store, more.mid(0, 10000), 100, 100));
    rateRow(QStringLiteral("insert, batch 1000 (into 110k rows)"),
            insertRate(store, more.mid(10000), 1000, 1000));
    rateRow(QStringLiteral("duplicates, batch 1000 (all already stored)"),
            insertRate(store, base.mid(0, 50000), 1000, 0));
    const NotificationList mixed = base.mid(50000, 500) + samples(500, 4, 300000);
    rateRow(QStringLiteral("half duplicates, batch 1000"), insertRate(store, mixed, 1000, 500));

    // Queries run against exactly 100,000 rows, all read but the last 50.
    store.clear();
    insertRate(store, base.mid(0, 100000 - 50), 1000, 1000);
    store.markAllRead();
    store.add(base.mid(100000 - 50));
    rule();
    row(QStringLiteral("rows in the history database"), QStringLiteral("%L1").arg(store.count()));

    constexpr int Page = 200;
    constexpr int Runs = 25;
    HistoryQuery all;
    HistoryQuery oneSubscription{QStringLiteral("sub2"), {}, false};
    HistoryQuery commonText{{}, QStringLiteral("BACKUP"), false};
    HistoryQuery rareText{{}, QStringLiteral("step 4242;"), false};
    HistoryQuery noMatch{{}, QStringLiteral("no such words"), false};
    int rows = 0;
    const auto page = [&](const HistoryQuery &query, int offset) {
        return median(Runs, [&] { rows = store.history(query, offset, Page).size(); });
    };
    timeRow(QStringLiteral("history page of 200, first (offset 0)"), page(all, 0));
    timeRow(QStringLiteral("history page of 200, middle (offset 50,000)"), page(all, 50000));
    timeRow(QStringLiteral("history page of 200, last (offset 99,800)"), page(all, 99800));
    timeRow(QStringLiteral("one subscription, first page"), page(oneSubscription, 0));
    timeRow(QStringLiteral("one subscription, middle (offset 12,500)"),
            page(oneSubscription, 12500));
    timeRow(QStringLiteral("text 'BACKUP' (10% match), first page"), page(commonText, 0));
    timeRow(QStringLiteral("text 'BACKUP' (10% match), middle (offset 5,000)"),
            page(commonText, 5000));
    timeRow(QStringLiteral("text, 1 match (full scan)"), page(rareText, 0));
    timeRow(QStringLiteral("text, no match (full scan)"), page(noMatch, 0));

    const auto countMs = [&](const HistoryQuery &query) {
        return median(Runs, [&] { rows = store.count(query); });
    };
    timeRow(QStringLiteral("count(), all"), countMs(all));
    timeRow(QStringLiteral("count(), one subscription"), countMs(oneSubscription));
    timeRow(QStringLiteral("count(), text filter"), countMs(commonText));
    timeRow(QStringLiteral("unreadCount(), 50 unread"),
            median(Runs, [&] { rows = store.unreadCount(); }));
    timeRow(QStringLiteral("unreadCount(sub), 50 unread"),
            median(Runs, [&] { rows = store.unreadCount(QStringLiteral("sub1")); }));
    timeRow(QStringLiteral("unread-only page, all subscriptions"),
            page(HistoryQuery{{}, {}, true}, 0));
    timeRow(QStringLiteral("unread-only page, one subscription"),
            page(HistoryQuery{QStringLiteral("sub1"), {}, true}, 0));
    timeRow(QStringLiteral("markAllRead(), 50 unread"), median(1, [&] { store.markAllRead(); }));
    return 0;
}
