// --db as the server reads it: a file is SQLite, a postgresql:// URL is PostgreSQL, read
// strictly, the password never shown.

#include "databaselocation.h"

#include <QProcess>
#include <QTest>

using namespace traybeat;

class tst_DatabaseLocation : public QObject
{
    Q_OBJECT

private slots:
    void readsUrls_data();
    void readsUrls();
    void refusesUrls_data();
    void refusesUrls();
    void filesAreSqlite();
    void serveRefusesAnUnreadableUrl();
};

void tst_DatabaseLocation::readsUrls_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("password");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<QString>("database");
    QTest::addColumn<QString>("sslMode");
    QTest::addColumn<QString>("display");

    QTest::newRow("minimal") << "postgresql://alice@db.example/traybeat"
                             << "alice"
                             << ""
                             << "db.example" << -1 << "traybeat"
                             << ""
                             << "postgresql://alice@db.example/traybeat";
    QTest::newRow("all parts") << "postgresql://alice:s%40cret@10.0.0.5:6543/push?sslmode=require"
                               << "alice"
                               << "s@cret"
                               << "10.0.0.5" << 6543 << "push"
                               << "require"
                               << "postgresql://alice@10.0.0.5:6543/push?sslmode=require";
    QTest::newRow("postgres scheme") << "postgres://bob@localhost/x"
                                     << "bob"
                                     << ""
                                     << "localhost" << -1 << "x"
                                     << ""
                                     << "postgresql://bob@localhost/x";
    QTest::newRow("socket folder") << "postgresql://carol@/db?host=/run/postgresql"
                                   << "carol"
                                   << ""
                                   << "/run/postgresql" << -1 << "db"
                                   << ""
                                   << "postgresql://carol@/db?host=/run/postgresql";
    QTest::newRow("socket folder and port")
        << "postgresql://carol@:5433/db?host=/tmp/s&sslmode=disable"
        << "carol"
        << ""
        << "/tmp/s" << 5433 << "db"
        << "disable"
        << "postgresql://carol@:5433/db?host=/tmp/s&sslmode=disable";
}

void tst_DatabaseLocation::readsUrls()
{
    QFETCH(QString, text);
    QString error;
    const auto location = DatabaseLocation::parse(text, &error);
    QVERIFY2(location, qPrintable(error));
    QVERIFY(location->isPostgres());
    QTEST(location->user, "user");
    QTEST(location->password, "password");
    QTEST(location->host, "host");
    QTEST(location->port, "port");
    QTEST(location->databaseName, "database");
    QTEST(location->sslMode, "sslMode");
    QTEST(location->displayName(), "display");
}

void tst_DatabaseLocation::refusesUrls_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("reason");

    QTest::newRow("no user") << "postgresql://db.example/traybeat"
                             << "names no user";
    QTest::newRow("no host") << "postgresql://alice@/traybeat"
                             << "names no host";
    QTest::newRow("no database") << "postgresql://alice@db.example"
                                 << "one database";
    QTest::newRow("empty database") << "postgresql://alice@db.example/"
                                    << "one database";
    QTest::newRow("two path parts") << "postgresql://alice@db.example/a/b"
                                    << "one database";
    QTest::newRow("bad port") << "postgresql://alice@db.example:70000/x"
                              << "not a valid";
    QTest::newRow("port zero") << "postgresql://alice@db.example:0/x"
                               << "port 0";
    QTest::newRow("unknown parameter") << "postgresql://alice@h/x?application_name=y"
                                       << "unknown parameter \"application_name\"";
    QTest::newRow("bad sslmode") << "postgresql://alice@h/x?sslmode=always"
                                 << "sslmode \"always\"";
    QTest::newRow("relative socket") << "postgresql://alice@/x?host=run/pg"
                                     << "absolute path";
    QTest::newRow("fragment") << "postgresql://alice@h/x#y"
                              << "fragment";
    QTest::newRow("quote in user") << "postgresql://a%27b@h/x"
                                   << "user name";
    QTest::newRow("space in database") << "postgresql://alice@h/a%20b"
                                       << "one database";
    QTest::newRow("other scheme") << "mysql://alice@h/x"
                                  << "only postgresql://";
    QTest::newRow("empty") << ""
                           << "must not be empty";
    // The reason for an unreadable URL must not quote the password.
    QTest::newRow("space in host") << "postgresql://alice:hidden@bad host/x"
                                   << "not a valid";
}

void tst_DatabaseLocation::refusesUrls()
{
    QFETCH(QString, text);
    QFETCH(QString, reason);
    QString error;
    QVERIFY(!DatabaseLocation::parse(text, &error));
    QVERIFY2(error.contains(reason), qPrintable(error));
    QVERIFY2(!error.contains(QLatin1String("hidden")), qPrintable(error));
}

void tst_DatabaseLocation::filesAreSqlite()
{
    QString error;
    const auto location = DatabaseLocation::parse(QStringLiteral("/var/lib/x/server.db"), &error);
    QVERIFY(location);
    QVERIFY(!location->isPostgres());
    QCOMPARE(location->filePath, QStringLiteral("/var/lib/x/server.db"));
    QCOMPARE(location->displayName(), QStringLiteral("/var/lib/x/server.db"));
}

void tst_DatabaseLocation::serveRefusesAnUnreadableUrl()
{
    // Exit status 2 and the reason, before anything is opened or listened on.
    QProcess serve;
    serve.start(QStringLiteral(TRAYBEAT_BINARY),
                {QStringLiteral("serve"), QStringLiteral("--listen=127.0.0.1:0"),
                 QStringLiteral("--db"), QStringLiteral("postgresql://db.example/traybeat")});
    QVERIFY(serve.waitForFinished(20000));
    QCOMPARE(serve.exitStatus(), QProcess::NormalExit);
    QCOMPARE(serve.exitCode(), 2);
    QCOMPARE(QString::fromUtf8(serve.readAllStandardError()).trimmed(),
             QStringLiteral("traybeat serve: --db: the URL names no user "
                            "(postgresql://USER@HOST/DBNAME)"));
}

QTEST_GUILESS_MAIN(tst_DatabaseLocation)
#include "tst_databaselocation.moc"
