// What traybeat stores is readable by its owner only: the rules of PrivatePath, then the real
// program (listen, serve, the tray app with its demo) run under a permissive umask, with every
// folder and file it created walked afterwards.
#include "notificationstore.h"
#include "privatepath.h"

#include <QDirIterator>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QWebSocket>
#include <QWebSocketServer>
#include <QtTest>

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace traybeat;

namespace {

mode_t modeOf(const QString &path)
{
    struct stat info = {};
    if (::lstat(QFile::encodeName(path).constData(), &info) != 0)
        return mode_t(-1);
    return info.st_mode & 07777;
}

bool setMode(const QString &path, mode_t mode)
{
    return ::chmod(QFile::encodeName(path).constData(), mode) == 0;
}

bool setOwner(const QString &path, uid_t user, gid_t group)
{
    return ::chown(QFile::encodeName(path).constData(), user, group) == 0;
}

QString octal(mode_t mode)
{
    return QStringLiteral("%1").arg(uint(mode), 4, 8, QLatin1Char('0'));
}

// `root` and everything under it that is not 0700 (folders) or 0600 (files), one line each;
// `*files` gets the names of the regular files seen, so a test can insist on the WAL companions.
QStringList wrongModes(const QString &root, QStringList *files = nullptr)
{
    QStringList wrong;
    const auto check = [&](const QString &path) {
        struct stat info = {};
        if (::lstat(QFile::encodeName(path).constData(), &info) != 0)
            return; // gone meanwhile (a -wal at checkpoint time)
        const mode_t mode = info.st_mode & 07777;
        if (S_ISDIR(info.st_mode) && mode != 0700)
            wrong << QStringLiteral("folder %1 is %2").arg(path, octal(mode));
        if (S_ISREG(info.st_mode)) {
            if (files)
                files->append(QFileInfo(path).fileName());
            if (mode != 0600)
                wrong << QStringLiteral("file %1 is %2").arg(path, octal(mode));
        }
    };
    check(root);
    QDirIterator it(root, QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext())
        check(it.next());
    return wrong;
}

// Sets the process umask for one test; children started meanwhile inherit it.
class UmaskScope
{
public:
    explicit UmaskScope(mode_t mask) : m_previous(::umask(mask)) {}
    ~UmaskScope() { ::umask(m_previous); }
    Q_DISABLE_COPY_MOVE(UmaskScope)

private:
    mode_t m_previous;
};

// A group that is not the user's private one (`users`, else `nogroup`); -1 if none.
gid_t sharedGroup()
{
    for (const char *name : {"users", "nogroup"}) {
        if (const group *entry = ::getgrnam(name))
            return entry->gr_gid;
    }
    return gid_t(-1);
}

} // namespace

class tst_PrivatePath : public QObject
{
    Q_OBJECT
private slots:
    void init();

    // The rules, in-process.
    void createsEachMissingFolder0700_data();
    void createsEachMissingFolder0700();
    void narrowsAnExistingStateFolderOnce();
    void keepsTheModeOfASharedFolder();
    void refusesWhereOthersCouldSwap_data();
    void refusesWhereOthersCouldSwap();
    void acceptsWhereNobodyElseCan_data();
    void acceptsWhereNobodyElseCan();
    void createsFiles0600WhateverTheUmask();
    void narrowsAFileWithoutTouchingItsContent();
    void storeAndItsWalFilesArePrivate();
    void storeNarrowsLeftoverFiles();
    void storeRefusesAFolderOthersCanWrite();

    // The program.
    void listenKeepsItsStatePrivate_data();
    void listenKeepsItsStatePrivate();
    void serveKeepsItsDatabasePrivate_data();
    void serveKeepsItsDatabasePrivate();
    void trayAndDemoKeepTheirStatePrivate();
    void wideStateIsNarrowedOnStart_data();
    void wideStateIsNarrowedOnStart();
    void stateWhereOthersCanWriteIsRefused_data();
    void stateWhereOthersCanWriteIsRefused();

private:
    QString path(const QString &relative) const { return m_dir->filePath(relative); }
    QProcessEnvironment environment() const;
    static bool waitForLine(QProcess &process, const QString &part, QString *line);

    std::unique_ptr<QTemporaryDir> m_dir;
};

void tst_PrivatePath::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

// Every place the program would otherwise put things in the real home goes under the test's
// folder: app data, settings, the single-instance socket, and the demo's temporary folder.
QProcessEnvironment tst_PrivatePath::environment() const
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (const char *variable : {"XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_RUNTIME_DIR", "TMPDIR"}) {
        const QString folder = path(QString::fromLatin1(variable).toLower());
        QDir().mkpath(folder);
        ::chmod(QFile::encodeName(folder).constData(), 0700);
        environment.insert(QString::fromLatin1(variable), folder);
    }
    environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    environment.remove(QStringLiteral("DISPLAY"));
    environment.remove(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"));
    return environment;
}

// Reads stdout until a line containing `part` arrives (10 s at most), with the event loop
// running: the test's own servers must answer meanwhile.
bool tst_PrivatePath::waitForLine(QProcess &process, const QString &part, QString *line)
{
    return QTest::qWaitFor(
        [&] {
            while (process.canReadLine()) {
                const QString text = QString::fromUtf8(process.readLine()).trimmed();
                if (text.contains(part)) {
                    *line = text;
                    return true;
                }
            }
            return false;
        },
        10000);
}

void tst_PrivatePath::createsEachMissingFolder0700_data()
{
    QTest::addColumn<int>("umask");
    QTest::newRow("umask 022") << 022;
    QTest::newRow("umask 000") << 0;
    QTest::newRow("umask 077") << 077;
}

void tst_PrivatePath::createsEachMissingFolder0700()
{
    QFETCH(int, umask);
    const UmaskScope scope(static_cast<mode_t>(umask));
    QString error;
    QVERIFY2(PrivatePath::ensureDirectory(path(QStringLiteral("a/b/c")),
                                          PrivatePath::Existing::Narrow, &error),
             qPrintable(error));
    for (const char *folder : {"a", "a/b", "a/b/c"})
        QCOMPARE(octal(modeOf(path(QLatin1String(folder)))), octal(0700));
}

void tst_PrivatePath::narrowsAnExistingStateFolderOnce()
{
    const QString folder = path(QStringLiteral("state"));
    QVERIFY(QDir().mkpath(folder));
    QVERIFY(setMode(folder, 0755));
    QTest::ignoreMessage(QtWarningMsg,
                         QRegularExpression(QStringLiteral("made the folder .*state private to "
                                                           "its owner \\(mode 0755 -> 0700\\)")));
    QString error;
    QVERIFY2(PrivatePath::ensureDirectory(folder, PrivatePath::Existing::Narrow, &error),
             qPrintable(error));
    QCOMPARE(octal(modeOf(folder)), octal(0700));
    // Private already: nothing to say the second time.
    QTest::failOnWarning(QRegularExpression(QStringLiteral(".")));
    QVERIFY(PrivatePath::ensureDirectory(folder, PrivatePath::Existing::Narrow, &error));
}

void tst_PrivatePath::keepsTheModeOfASharedFolder()
{
    const QString folder = path(QStringLiteral("shared"));
    QVERIFY(QDir().mkpath(folder));
    QVERIFY(setMode(folder, 0755));
    QString error;
    QVERIFY2(PrivatePath::ensureDirectory(folder + QStringLiteral("/new"),
                                          PrivatePath::Existing::Keep, &error),
             qPrintable(error));
    QVERIFY2(PrivatePath::ensureDirectory(folder, PrivatePath::Existing::Keep, &error),
             qPrintable(error));
    QCOMPARE(octal(modeOf(folder)), octal(0755));
    QCOMPARE(octal(modeOf(folder + QStringLiteral("/new"))), octal(0700));
}

void tst_PrivatePath::refusesWhereOthersCouldSwap_data()
{
    QTest::addColumn<QString>("setup");
    QTest::addColumn<QString>("stateFolder"); // relative to the test folder, or absolute
    QTest::addColumn<QString>("reason");
    QTest::newRow("world-writable folder") << "open=0777"
                                           << "open"
                                           << "other accounts can write to the folder";
    QTest::newRow("world-writable sticky folder") << "open=1777"
                                                  << "open"
                                                  << "other accounts can write to the folder";
    // Whoever runs the test: root is told others can write, anybody else that it is root's.
    QTest::newRow("empty name") << ""
                                << ""
                                << "the folder name is empty";
    QTest::newRow("/tmp itself") << "" << QDir::tempPath() << "other accounts|another account";
    QTest::newRow("group-writable, shared group") << "open=0770,group"
                                                  << "open"
                                                  << "other accounts can write to the folder";
    QTest::newRow("world-writable folder above") << "open=0777 open/state=0700"
                                                 << "open/state"
                                                 << "could swap .*open/state";
    QTest::newRow("new folders under a world-writable one") << "open=0777"
                                                            << "open/new/state"
                                                            << "could swap .*open/new";
    QTest::newRow("folder above owned by another account") << "theirs=0755,nobody theirs/state=0700"
                                                           << "theirs/state"
                                                           << "theirs belongs to another account";
    QTest::newRow("folder owned by another account") << "theirs=0700,nobody"
                                                     << "theirs"
                                                     << "belongs to another account";
}

// `setup`: space-separated "folder=mode[,group][,nobody]" (created in order, relative to the
// test folder). "group" gives the folder a shared group, "nobody" another owner: both need root.
static bool prepareFolders(const QString &base, const QString &setup, QString *skip)
{
    const QStringList entries = setup.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    for (const QString &entry : entries) {
        const QStringList parts = entry.split(QLatin1Char('='));
        const QStringList options = parts.at(1).split(QLatin1Char(','));
        const QString folder = base + QLatin1Char('/') + parts.at(0);
        if (!QDir().mkpath(folder))
            return false;
        if (options.contains(QStringLiteral("group")) ||
            options.contains(QStringLiteral("nobody"))) {
            const passwd *nobody = ::getpwnam("nobody");
            const bool other = options.contains(QStringLiteral("nobody"));
            const uid_t user = other && nobody ? nobody->pw_uid : ::geteuid();
            const gid_t group = other ? ::getegid() : sharedGroup();
            if (::geteuid() != 0 || (other && !nobody) || group == gid_t(-1) ||
                !setOwner(folder, user, group)) {
                *skip = QStringLiteral("needs root and the accounts nobody and users/nogroup");
                return true;
            }
        }
        if (!setMode(folder, mode_t(options.at(0).toUInt(nullptr, 8))))
            return false;
    }
    return true;
}

void tst_PrivatePath::refusesWhereOthersCouldSwap()
{
    QFETCH(QString, setup);
    QFETCH(QString, stateFolder);
    QFETCH(QString, reason);
    QString skip;
    QVERIFY(prepareFolders(m_dir->path(), setup, &skip));
    if (!skip.isEmpty())
        QSKIP(qPrintable(skip));
    const QString folder = QDir::isAbsolutePath(stateFolder) || stateFolder.isEmpty()
                               ? stateFolder
                               : path(stateFolder);
    const mode_t before = modeOf(folder);
    QString error;
    QVERIFY(!PrivatePath::ensureDirectory(folder, PrivatePath::Existing::Narrow, &error));
    QVERIFY2(error.contains(QRegularExpression(reason)), qPrintable(error));
    QCOMPARE(modeOf(folder), before); // refused, not repaired behind the person's back
    QVERIFY(!PrivatePath::swapRisk(folder).isEmpty());
}

void tst_PrivatePath::acceptsWhereNobodyElseCan_data()
{
    QTest::addColumn<QString>("setup");
    QTest::addColumn<QString>("stateFolder");
    QTest::newRow("own folder under a sticky world-writable one") << "sticky=1777 sticky/state=0700"
                                                                  << "sticky/state";
    QTest::newRow("new folder under a sticky world-writable one") << "sticky=1777"
                                                                  << "sticky/new/state";
    QTest::newRow("through a symbolic link") << "real=0700"
                                             << "link";
    if (::geteuid() == 0) // root's group is root's private group
        QTest::newRow("group-writable, own private group") << "mine=0770"
                                                           << "mine";
}

void tst_PrivatePath::acceptsWhereNobodyElseCan()
{
    QFETCH(QString, setup);
    QFETCH(QString, stateFolder);
    QString skip;
    QVERIFY(prepareFolders(m_dir->path(), setup, &skip));
    if (stateFolder == QLatin1String("link"))
        QVERIFY(QFile::link(path(QStringLiteral("real")), path(QStringLiteral("link"))));
    QString error;
    QVERIFY2(PrivatePath::ensureDirectory(path(stateFolder), PrivatePath::Existing::Narrow, &error),
             qPrintable(error));
    QCOMPARE(octal(modeOf(QFileInfo(path(stateFolder)).canonicalFilePath())), octal(0700));
}

void tst_PrivatePath::createsFiles0600WhateverTheUmask()
{
    const UmaskScope scope(0);
    const QString file = path(QStringLiteral("settings.conf"));
    QString error;
    QVERIFY2(PrivatePath::ensureFile(file, &error), qPrintable(error));
    QCOMPARE(octal(modeOf(file)), octal(0600));
    QCOMPARE(QFileInfo(file).size(), 0);
    QVERIFY(PrivatePath::narrowFile(path(QStringLiteral("absent")), &error));
}

void tst_PrivatePath::narrowsAFileWithoutTouchingItsContent()
{
    const QString file = path(QStringLiteral("notifications.db"));
    {
        QFile out(file);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write("content");
    }
    QVERIFY(setMode(file, 0644));
    QTest::ignoreMessage(QtWarningMsg,
                         QRegularExpression(QStringLiteral("made .*notifications.db readable by "
                                                           "its owner only \\(mode 0644 -> "
                                                           "0600\\)")));
    QString error;
    QVERIFY2(PrivatePath::ensureFile(file, &error), qPrintable(error));
    QCOMPARE(octal(modeOf(file)), octal(0600));
    QFile in(file);
    QVERIFY(in.open(QIODevice::ReadOnly));
    QCOMPARE(in.readAll(), QByteArray("content"));
}

void tst_PrivatePath::storeAndItsWalFilesArePrivate()
{
    const UmaskScope scope(0);
    NotificationStore store;
    QString error;
    QVERIFY2(store.open(path(QStringLiteral("state/sub/notifications.db")), &error),
             qPrintable(error));
    Notification message;
    message.subscription = QStringLiteral("s");
    message.id = QStringLiteral("1");
    message.body = QStringLiteral("sign-in code 123456");
    QCOMPARE(store.add({message}).size(), 1);
    QStringList files;
    const QStringList wrong = wrongModes(path(QStringLiteral("state")), &files);
    QVERIFY2(wrong.isEmpty(), qPrintable(wrong.join(QLatin1Char('\n'))));
    QVERIFY2(files.contains(QStringLiteral("notifications.db-wal")), qPrintable(files.join(' ')));
    QVERIFY2(files.contains(QStringLiteral("notifications.db-shm")), qPrintable(files.join(' ')));
}

void tst_PrivatePath::storeNarrowsLeftoverFiles()
{
    const QString database = path(QStringLiteral("notifications.db"));
    {
        NotificationStore store;
        QVERIFY(store.open(database));
    }
    QVERIFY(setMode(database, 0644));
    // What a crash leaves: companions with the then wider mode (empty ones are valid).
    for (const char *suffix : {"-wal", "-shm"}) {
        QFile leftover(database + QLatin1String(suffix));
        QVERIFY(leftover.open(QIODevice::WriteOnly));
        leftover.close();
        QVERIFY(setMode(leftover.fileName(), 0644));
    }
    for (const char *name : {"db", "db-wal", "db-shm"})
        QTest::ignoreMessage(QtWarningMsg,
                             QRegularExpression(QStringLiteral("made .*notifications\\.%1 readable "
                                                               "by its owner only")
                                                    .arg(QLatin1String(name))));
    NotificationStore store;
    QString error;
    QVERIFY2(store.open(database, &error), qPrintable(error));
    const QStringList wrong = wrongModes(m_dir->path());
    QVERIFY2(wrong.isEmpty(), qPrintable(wrong.join(QLatin1Char('\n'))));
}

void tst_PrivatePath::storeRefusesAFolderOthersCanWrite()
{
    const QString folder = path(QStringLiteral("open"));
    QVERIFY(QDir().mkpath(folder));
    QVERIFY(setMode(folder, 0777));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("cannot open store")));
    NotificationStore store;
    QString error;
    QVERIFY(!store.open(folder + QStringLiteral("/notifications.db"), &error));
    QVERIFY2(error.contains(QStringLiteral("other accounts can write")), qPrintable(error));
    QVERIFY(!QFile::exists(folder + QStringLiteral("/notifications.db")));
}

void tst_PrivatePath::listenKeepsItsStatePrivate_data()
{
    QTest::addColumn<int>("umask");
    QTest::addColumn<bool>("defaultFolder"); // else --state-dir
    QTest::newRow("umask 022, --state-dir") << 022 << false;
    QTest::newRow("umask 000, --state-dir") << 0 << false;
    QTest::newRow("umask 000, default folder") << 0 << true;
}

void tst_PrivatePath::listenKeepsItsStatePrivate()
{
    QFETCH(int, umask);
    QFETCH(bool, defaultFolder);
    QWebSocketServer server(QStringLiteral("text"), QWebSocketServer::NonSecureMode);
    QVERIFY(server.listen(QHostAddress::LocalHost));
    connect(&server, &QWebSocketServer::newConnection, this, [&server] {
        QWebSocket *client = server.nextPendingConnection();
        client->setParent(&server);
        client->sendTextMessage(QStringLiteral("sign-in code 123456"));
    });

    const UmaskScope scope(static_cast<mode_t>(umask));
    const QString stateRoot = defaultFolder ? path(QStringLiteral("xdg_data_home/traybeat"))
                                            : path(QStringLiteral("state"));
    QStringList arguments{QStringLiteral("listen"), QStringLiteral("--protocol=text"),
                          QStringLiteral("--server=ws://127.0.0.1:%1/").arg(server.serverPort())};
    if (!defaultFolder)
        arguments << QStringLiteral("--state-dir") << stateRoot + QStringLiteral("/nested");
    QProcess process;
    process.setProcessEnvironment(environment());
    process.start(QStringLiteral(TRAYBEAT_BINARY), arguments);
    QString line;
    QVERIFY2(waitForLine(process, QStringLiteral("\"event\":\"message\""), &line),
             process.readAllStandardError().constData());

    // While it runs: the WAL companions exist and are private too.
    QStringList files;
    QStringList wrong = wrongModes(stateRoot, &files);
    QVERIFY2(wrong.isEmpty(), qPrintable(wrong.join(QLatin1Char('\n'))));
    QVERIFY2(files.contains(QStringLiteral("notifications.db-wal")), qPrintable(files.join(' ')));
    QVERIFY2(files.contains(QStringLiteral("notifications.db-shm")), qPrintable(files.join(' ')));

    process.terminate();
    QVERIFY(process.waitForFinished(10000));
    QCOMPARE(process.exitCode(), 0);
    wrong = wrongModes(stateRoot);
    QVERIFY2(wrong.isEmpty(), qPrintable(wrong.join(QLatin1Char('\n'))));
    QVERIFY(
        QFile::exists(stateRoot + (defaultFolder ? QStringLiteral("/notifications.db")
                                                 : QStringLiteral("/nested/notifications.db"))));
}

void tst_PrivatePath::serveKeepsItsDatabasePrivate_data()
{
    QTest::addColumn<bool>("defaultFolder"); // else --db in a folder it creates
    QTest::newRow("--db") << false;
    QTest::newRow("default folder") << true;
}

void tst_PrivatePath::serveKeepsItsDatabasePrivate()
{
    QFETCH(bool, defaultFolder);
    const UmaskScope scope(0);
    const QString stateRoot = defaultFolder ? path(QStringLiteral("xdg_data_home/traybeat"))
                                            : path(QStringLiteral("server"));
    QStringList arguments{QStringLiteral("serve"), QStringLiteral("--listen=127.0.0.1:0")};
    if (!defaultFolder)
        arguments << QStringLiteral("--db") << stateRoot + QStringLiteral("/cache/server.db");
    QProcess process;
    process.setProcessEnvironment(environment());
    process.start(QStringLiteral(TRAYBEAT_BINARY), arguments);
    QString line;
    QVERIFY2(waitForLine(process, QStringLiteral("traybeat serve: listening on"), &line),
             process.readAllStandardError().constData());
    const QUrl base(line.section(QLatin1Char(' '), 4, 4));
    QVERIFY2(base.isValid(), qPrintable(line));

    QNetworkAccessManager network;
    QUrl topic = base;
    topic.setPath(QStringLiteral("/alerts"));
    QNetworkRequest request(topic);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("text/plain"));
    std::unique_ptr<QNetworkReply> reply(network.post(request, QByteArrayLiteral("disk full")));
    QTRY_VERIFY_WITH_TIMEOUT(reply->isFinished(), 10000);
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);

    QStringList files;
    QStringList wrong = wrongModes(stateRoot, &files);
    QVERIFY2(wrong.isEmpty(), qPrintable(wrong.join(QLatin1Char('\n'))));
    QVERIFY2(files.contains(QStringLiteral("server.db-wal")), qPrintable(files.join(' ')));
    QVERIFY2(files.contains(QStringLiteral("server.db-shm")), qPrintable(files.join(' ')));
    process.terminate();
    QVERIFY(process.waitForFinished(10000));
    wrong = wrongModes(stateRoot);
    QVERIFY2(wrong.isEmpty(), qPrintable(wrong.join(QLatin1Char('\n'))));
}

// The tray app with its demo, as people start it: the default state folder, the settings folder
// and the demo server's temporary folder, walked while the demo's samples arrive and after.
void tst_PrivatePath::trayAndDemoKeepTheirStatePrivate()
{
    const UmaskScope scope(0);
    QProcess process;
    process.setProcessEnvironment(environment());
    process.start(QStringLiteral(TRAYBEAT_BINARY), {QStringLiteral("--demo")});
    QVERIFY(process.waitForStarted());

    const QString database =
        path(QStringLiteral("xdg_data_home/traybeat/traybeat/notifications.db"));
    const auto demoSamples = [&database] {
        if (!QFile::exists(database))
            return 0;
        const QString name = QStringLiteral("tst_privatepath.reader");
        int count = 0;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
            db.setDatabaseName(database);
            db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=1000"));
            QSqlQuery query(db);
            if (db.open() &&
                query.exec(QStringLiteral(
                    "SELECT COUNT(*) FROM notifications WHERE subscription = 'Demo'")) &&
                query.next())
                count = query.value(0).toInt();
        }
        QSqlDatabase::removeDatabase(name);
        return count;
    };
    QTRY_VERIFY_WITH_TIMEOUT(demoSamples() >= 2, 20000);

    const QStringList roots = {path(QStringLiteral("xdg_data_home")),
                               path(QStringLiteral("xdg_config_home")),
                               path(QStringLiteral("tmpdir"))};
    QStringList files;
    for (const QString &root : roots) {
        const QStringList wrong = wrongModes(root, &files);
        QVERIFY2(wrong.isEmpty(), qPrintable(wrong.join(QLatin1Char('\n'))));
    }
    for (const char *name :
         {"notifications.db", "notifications.db-wal", "notifications.db-shm", "demo-server.db",
          "demo-server.db-wal", "demo-server.db-shm", "traybeat.conf"})
        QVERIFY2(files.contains(QLatin1String(name)), qPrintable(files.join(' ')));

    process.terminate();
    QVERIFY(process.waitForFinished(10000));
    QCOMPARE(process.exitCode(), 0);
    for (const QString &root : roots) {
        const QStringList wrong = wrongModes(root);
        QVERIFY2(wrong.isEmpty(), qPrintable(wrong.join(QLatin1Char('\n'))));
    }
}

void tst_PrivatePath::wideStateIsNarrowedOnStart_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QStringList>("folders"); // relative to the test folder, left 0755
    QTest::addColumn<QStringList>("files");   // likewise, left 0644
    const QString data = QStringLiteral("xdg_data_home/traybeat");
    QTest::newRow("listen") << QStringList{QStringLiteral("listen"),
                                           QStringLiteral("--server=ws://127.0.0.1:9/"),
                                           QStringLiteral("--protocol=text")}
                            << QStringList{data}
                            << QStringList{data + QStringLiteral("/notifications.db")};
    QTest::newRow("serve") << QStringList{QStringLiteral("serve"),
                                          QStringLiteral("--listen=127.0.0.1:0")}
                           << QStringList{data} << QStringList{data + QStringLiteral("/server.db")};
    QTest::newRow("tray") << QStringList()
                          << QStringList{data + QStringLiteral("/traybeat"),
                                         QStringLiteral("xdg_config_home/traybeat")}
                          << QStringList{data + QStringLiteral("/traybeat/notifications.db"),
                                         QStringLiteral("xdg_config_home/traybeat/traybeat.conf")};
}

// State folders, databases and settings an older traybeat left 0755/0644: 0700/0600 after one
// start, with one log line for each.
void tst_PrivatePath::wideStateIsNarrowedOnStart()
{
    QFETCH(QStringList, arguments);
    QFETCH(QStringList, folders);
    QFETCH(QStringList, files);
    const QProcessEnvironment childEnvironment = environment();
    QByteArrayList expected;
    for (const QString &file : std::as_const(files)) {
        QVERIFY(QDir().mkpath(QFileInfo(path(file)).absolutePath()));
        if (file.endsWith(QLatin1String(".db"))) {
            NotificationStore store; // any SQLite file will do: it only has to be there
            QVERIFY(store.open(path(file)));
        } else {
            QFile settings(path(file));
            QVERIFY(settings.open(QIODevice::WriteOnly));
            settings.write("[General]\ndoNotDisturb=true\n");
        }
        QVERIFY(setMode(path(file), 0644));
        expected << QStringLiteral("made %1 readable by its owner only (mode 0644 -> 0600)")
                        .arg(path(file))
                        .toUtf8();
    }
    for (const QString &folder : std::as_const(folders)) {
        QVERIFY(setMode(path(folder), 0755));
        expected << QStringLiteral("made the folder %1 private to its owner (mode 0755 -> 0700)")
                        .arg(path(folder))
                        .toUtf8();
    }

    QProcess process;
    process.setProcessEnvironment(childEnvironment);
    process.start(QStringLiteral(TRAYBEAT_BINARY), arguments);
    QByteArray errors;
    QTRY_VERIFY2_WITH_TIMEOUT(
        (errors += process.readAllStandardError(),
         std::all_of(expected.cbegin(), expected.cend(),
                     [&errors](const QByteArray &line) { return errors.contains(line); })),
        errors.constData(), 10000);
    QCOMPARE(errors.count("private to its owner"), folders.size());
    QCOMPARE(errors.count("readable by its owner only"), files.size());
    for (const QString &folder : std::as_const(folders))
        QCOMPARE(octal(modeOf(path(folder))), octal(0700));
    for (const QString &file : std::as_const(files))
        QCOMPARE(octal(modeOf(path(file))), octal(0600));
    process.terminate();
    QVERIFY(process.waitForFinished(10000));
}

void tst_PrivatePath::stateWhereOthersCanWriteIsRefused_data()
{
    QTest::addColumn<QStringList>("arguments"); // "OPEN" stands for the world-writable folder
    QTest::addColumn<QString>("openFolder");    // relative to the test folder
    QTest::addColumn<QString>("prefix");
    QTest::addColumn<QString>("reason");
    const QString server = QStringLiteral("--server=ws://127.0.0.1:9/");
    const QString text = QStringLiteral("--protocol=text");
    QTest::newRow("listen --state-dir")
        << QStringList{QStringLiteral("listen"), server, text, QStringLiteral("--state-dir"),
                       QStringLiteral("OPEN")}
        << "open"
        << "traybeat listen: --state-dir: "
        << "other accounts can write to the folder";
    QTest::newRow("listen --state-dir /tmp")
        << QStringList{QStringLiteral("listen"), server, text, QStringLiteral("--state-dir"),
                       QDir::tempPath()}
        << "open"
        << "traybeat listen: --state-dir: "
        << "other accounts|another account";
    QTest::newRow("serve --db") << QStringList{QStringLiteral("serve"),
                                               QStringLiteral("--listen=127.0.0.1:0"),
                                               QStringLiteral("--db"),
                                               QStringLiteral("OPEN/server.db")}
                                << "open"
                                << "traybeat serve: --db: "
                                << "other accounts can write to the folder";
    QTest::newRow("tray --state-dir")
        << QStringList{QStringLiteral("--state-dir"), QStringLiteral("OPEN")} << "open"
        << "traybeat: state folder: "
        << "other accounts can write to the folder";
    QTest::newRow("listen, default folder")
        << QStringList{QStringLiteral("listen"), server, text} << "xdg_data_home/traybeat"
        << "traybeat listen: state folder: "
        << "other accounts can write to the folder";
    QTest::newRow("serve, default folder")
        << QStringList{QStringLiteral("serve"), QStringLiteral("--listen=127.0.0.1:0")}
        << "xdg_data_home/traybeat"
        << "traybeat serve: state folder: "
        << "other accounts can write to the folder";
}

void tst_PrivatePath::stateWhereOthersCanWriteIsRefused()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, openFolder);
    QFETCH(QString, prefix);
    QFETCH(QString, reason);
    const QProcessEnvironment childEnvironment = environment();
    const QString open = path(openFolder);
    QVERIFY(QDir().mkpath(open));
    QVERIFY(setMode(open, 0777));
    arguments.replaceInStrings(QStringLiteral("OPEN"), open);
    QProcess process;
    process.setProcessEnvironment(childEnvironment);
    process.start(QStringLiteral(TRAYBEAT_BINARY), arguments);
    QVERIFY(process.waitForFinished(10000));
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 2);
    const QString errors = QString::fromUtf8(process.readAllStandardError());
    QVERIFY2(errors.startsWith(prefix), qPrintable(errors));
    QVERIFY2(errors.contains(QRegularExpression(reason)), qPrintable(errors));
    QCOMPARE(errors.count(QLatin1Char('\n')), 1);
    QCOMPARE(QDir(open).entryList(QDir::AllEntries | QDir::NoDotAndDotDot), QStringList());
    QCOMPARE(octal(modeOf(open)), octal(0777));
}

QTEST_MAIN(tst_PrivatePath)
#include "tst_privatepath.moc"
