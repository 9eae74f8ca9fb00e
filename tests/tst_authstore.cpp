#include "authstore.h"
#include "postgrescluster.h"

#include <QDateTime>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

using namespace traybeat;

// Users and access: password hashes, grants and their precedence, tokens and their expiry. Every
// test runs on both backends (initTestCase_data): a real SQLite auth file, and a database of a
// private PostgreSQL cluster (tests/support/postgrescluster.h; missing is a failure).
class tst_AuthStore : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase_data();
    void initTestCase();
    void init();
    void cleanup();
    void passwordsVerifyOnlyThemselves();
    void fileIsPrivateAndHoldsNoSecret();
    void userNamesAndDuplicates();
    void patternMatching_data();
    void patternMatching();
    void precedence_data();
    void precedence();
    void adminReadsAndWritesAll();
    void tokensBelongToTheirUser();
    void expiredTokenIsRefused();
    void removingUserRemovesItsGrantsAndTokens();
    void changesCountAtOnceForAnotherReader();
    void unreadableStoreSaysSo();

private:
    bool isPostgres() const;
    QString databaseName() const { return QStringLiteral("auth%1").arg(m_databaseNumber); }

    PostgresCluster m_cluster;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<AuthStore> m_store;
    QString m_path;
    DatabaseLocation m_location;
    int m_databaseNumber = 0;
};

void tst_AuthStore::initTestCase_data()
{
    QTest::addColumn<bool>("postgres");
    QTest::newRow("sqlite") << false;
    QTest::newRow("postgresql") << true;
}

void tst_AuthStore::initTestCase()
{
    QString error;
    QVERIFY2(m_cluster.start(&error), qPrintable(error));
}

bool tst_AuthStore::isPostgres() const
{
    QFETCH_GLOBAL(bool, postgres);
    return postgres;
}

void tst_AuthStore::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_path = m_dir->filePath(QStringLiteral("auth.db"));
    m_location = DatabaseLocation::sqlite(m_path);
    QString error;
    if (isPostgres()) {
        ++m_databaseNumber;
        QVERIFY2(m_cluster.createDatabase(databaseName(), &error), qPrintable(error));
        const auto location = DatabaseLocation::parse(m_cluster.socketUrl(databaseName()), &error);
        QVERIFY2(location, qPrintable(error));
        m_location = *location;
    }
    m_store = std::make_unique<AuthStore>();
    QVERIFY2(m_store->open(m_location, &error), qPrintable(error));
    QCOMPARE(m_store->isShared(), isPostgres());
}

void tst_AuthStore::cleanup()
{
    m_store.reset();
    m_dir.reset();
}

void tst_AuthStore::passwordsVerifyOnlyThemselves()
{
    QString error;
    QVERIFY2(m_store->addUser(QStringLiteral("phil"), QStringLiteral("s3cret"), false, &error),
             qPrintable(error));
    const QString hash = m_store->passwordHash(QStringLiteral("phil"));
    QVERIFY2(hash.startsWith(QLatin1String("$y$")), qPrintable(hash)); // yescrypt
    QVERIFY(m_store->authenticate(QStringLiteral("phil"), QStringLiteral("s3cret")));
    QVERIFY(!m_store->authenticate(QStringLiteral("phil"), QStringLiteral("s3cret ")));
    QVERIFY(!m_store->authenticate(QStringLiteral("phil"), QString()));
    QVERIFY(!m_store->authenticate(QStringLiteral("nobody"), QStringLiteral("s3cret")));
    // Salted: the same password hashes differently each time.
    QVERIFY(AuthStore::hashPassword(QStringLiteral("s3cret")) != hash);
    QVERIFY(!AuthStore::verifyPassword(QStringLiteral("s3cret"), QString()));
    QVERIFY(!AuthStore::verifyPassword(QStringLiteral("s3cret"), QStringLiteral("garbage")));

    QVERIFY(m_store->changePassword(QStringLiteral("phil"), QStringLiteral("n3w"), &error));
    QVERIFY(!m_store->authenticate(QStringLiteral("phil"), QStringLiteral("s3cret")));
    QVERIFY(m_store->authenticate(QStringLiteral("phil"), QStringLiteral("n3w")));
}

void tst_AuthStore::fileIsPrivateAndHoldsNoSecret()
{
    QString error;
    QVERIFY(
        m_store->addUser(QStringLiteral("phil"), QStringLiteral("plainpassword"), false, &error));
    const auto token = m_store->addToken(QStringLiteral("phil"), {}, 0, &error);
    QVERIFY(token);
    m_store->close();
    if (isPostgres()) {
        const QString rows = m_cluster.query(
            databaseName(), QStringLiteral("SELECT * FROM users; SELECT * FROM tokens"), &error);
        QVERIFY2(rows.contains(QLatin1String("phil")), qPrintable(rows + error));
        QVERIFY(!rows.contains(QLatin1String("plainpassword")));
        QVERIFY(!rows.contains(*token));
        return;
    }
    QCOMPARE(QFileInfo(m_path).permissions() & 0x0077, QFileDevice::Permissions());
    QFile file(m_path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray content = file.readAll();
    QVERIFY(!content.contains("plainpassword"));
    QVERIFY(!content.contains(token->toLatin1()));
}

void tst_AuthStore::userNamesAndDuplicates()
{
    QString error;
    QVERIFY(!m_store->addUser(QStringLiteral("*"), QStringLiteral("x"), false, &error));
    QVERIFY(!m_store->addUser(QStringLiteral("a b"), QStringLiteral("x"), false, &error));
    QVERIFY(!m_store->addUser(QString(65, QLatin1Char('a')), QStringLiteral("x"), false, &error));
    QVERIFY(m_store->addUser(QStringLiteral("a.b@c-d_e"), QStringLiteral("x"), false, &error));
    QVERIFY(!m_store->addUser(QStringLiteral("a.b@c-d_e"), QStringLiteral("y"), false, &error));
    QVERIFY2(error.contains(QLatin1String("exists")), qPrintable(error));
    QVERIFY(!m_store->removeUser(QStringLiteral("ghost"), &error));
    QCOMPARE(m_store->users().size(), 1);
}

void tst_AuthStore::patternMatching_data()
{
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<QString>("topic");
    QTest::addColumn<bool>("matches");
    QTest::newRow("exact") << "alerts"
                           << "alerts" << true;
    QTest::newRow("other") << "alerts"
                           << "alert" << false;
    QTest::newRow("star") << "*"
                          << "anything" << true;
    QTest::newRow("prefix") << "alerts_*"
                            << "alerts_db" << true;
    QTest::newRow("prefix empty rest") << "alerts_*"
                                       << "alerts_" << true;
    QTest::newRow("prefix no match") << "alerts_*"
                                     << "alerts" << false;
    QTest::newRow("middle") << "a*z"
                            << "abcz" << true;
    QTest::newRow("middle backtrack") << "a*bc"
                                      << "abcbc" << true;
    QTest::newRow("middle no") << "a*z"
                               << "abcy" << false;
    QTest::newRow("two stars") << "*-*"
                               << "up-down" << true;
}

void tst_AuthStore::patternMatching()
{
    QFETCH(QString, pattern);
    QFETCH(QString, topic);
    QFETCH(bool, matches);
    QCOMPARE(AuthStore::matches(pattern, topic), matches);
}

void tst_AuthStore::precedence_data()
{
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("topic");
    QTest::addColumn<int>("expected");
    // Grants made in precedence(): phil: alerts_* read-only, alerts_secret deny;
    // everyone: alerts_* read-write, public write-only, * read-only... see below.
    QTest::newRow("own before everyone") << "phil"
                                         << "alerts_db" << int(Permission::ReadOnly);
    QTest::newRow("longest own pattern") << "phil"
                                         << "alerts_secret" << int(Permission::Deny);
    QTest::newRow("everyone's grant for phil") << "phil"
                                               << "public" << int(Permission::WriteOnly);
    QTest::newRow("anonymous gets everyone's") << ""
                                               << "alerts_db" << int(Permission::ReadWrite);
    QTest::newRow("writing grant wins a tie") << ""
                                              << "tie" << int(Permission::WriteOnly);
    QTest::newRow("nothing: the default") << ""
                                          << "other" << int(Permission::Deny);
    QTest::newRow("unknown user: everyone's") << "ghost"
                                              << "public" << int(Permission::WriteOnly);
}

void tst_AuthStore::precedence()
{
    QFETCH(QString, user);
    QFETCH(QString, topic);
    QFETCH(int, expected);
    QString error;
    QVERIFY(m_store->addUser(QStringLiteral("phil"), QStringLiteral("x"), false, &error));
    QVERIFY(m_store->grant(QStringLiteral("phil"), QStringLiteral("alerts_*"), Permission::ReadOnly,
                           &error));
    QVERIFY(m_store->grant(QStringLiteral("phil"), QStringLiteral("alerts_secret"),
                           Permission::Deny, &error));
    QVERIFY(m_store->grant(AuthStore::Everyone, QStringLiteral("alerts_*"), Permission::ReadWrite,
                           &error));
    QVERIFY(m_store->grant(AuthStore::Everyone, QStringLiteral("public"), Permission::WriteOnly,
                           &error));
    QVERIFY(
        m_store->grant(AuthStore::Everyone, QStringLiteral("ti*"), Permission::ReadOnly, &error));
    QVERIFY(
        m_store->grant(AuthStore::Everyone, QStringLiteral("t*e"), Permission::WriteOnly, &error));
    QVERIFY(!m_store->grant(QStringLiteral("ghost"), QStringLiteral("x"), Permission::ReadOnly,
                            &error));
    QVERIFY(!m_store->grant(QStringLiteral("phil"), QStringLiteral("a/b"), Permission::ReadOnly,
                            &error));
    QCOMPARE(int(m_store->permission(user, topic, Permission::Deny)), expected);
}

void tst_AuthStore::adminReadsAndWritesAll()
{
    QString error;
    QVERIFY(m_store->addUser(QStringLiteral("root"), QStringLiteral("x"), true, &error));
    QVERIFY(m_store->grant(QStringLiteral("root"), QStringLiteral("*"), Permission::Deny, &error));
    QCOMPARE(m_store->permission(QStringLiteral("root"), QStringLiteral("any"), Permission::Deny),
             Permission::ReadWrite);
    QVERIFY(m_store->setAdmin(QStringLiteral("root"), false, &error));
    QCOMPARE(
        m_store->permission(QStringLiteral("root"), QStringLiteral("any"), Permission::ReadWrite),
        Permission::Deny);
}

void tst_AuthStore::tokensBelongToTheirUser()
{
    QString error;
    QVERIFY(m_store->addUser(QStringLiteral("phil"), QStringLiteral("x"), false, &error));
    QVERIFY(!m_store->addToken(QStringLiteral("ghost"), {}, 0, &error));
    const auto token = m_store->addToken(QStringLiteral("phil"), QStringLiteral("cron"), 0, &error);
    QVERIFY(token);
    QVERIFY2(AuthStore::isTokenShaped(*token), qPrintable(*token));
    QCOMPARE(token->size(), 32);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QCOMPARE(m_store->userForToken(*token, now)->name, QStringLiteral("phil"));
    QString wrong = *token;
    wrong[31] = wrong[31] == QLatin1Char('a') ? QLatin1Char('b') : QLatin1Char('a');
    QVERIFY(!m_store->userForToken(wrong, now));
    const QList<TokenInfo> tokens = m_store->tokens(QStringLiteral("phil"));
    QCOMPARE(tokens.size(), 1);
    QCOMPARE(tokens[0].label, QStringLiteral("cron"));
    QVERIFY(token->startsWith(tokens[0].hint));
    QVERIFY(!m_store->removeToken(QStringLiteral("phil"), wrong, &error));
    QVERIFY(m_store->removeToken(QStringLiteral("phil"), tokens[0].hint, &error));
    QVERIFY(!m_store->userForToken(*token, now));
}

void tst_AuthStore::expiredTokenIsRefused()
{
    QString error;
    QVERIFY(m_store->addUser(QStringLiteral("phil"), QStringLiteral("x"), false, &error));
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const auto token = m_store->addToken(QStringLiteral("phil"), {}, now + 60000, &error);
    QVERIFY(token);
    QVERIFY(m_store->userForToken(*token, now));
    QVERIFY(!m_store->userForToken(*token, now + 60000));
}

void tst_AuthStore::removingUserRemovesItsGrantsAndTokens()
{
    QString error;
    QVERIFY(m_store->addUser(QStringLiteral("phil"), QStringLiteral("x"), false, &error));
    QVERIFY(
        m_store->grant(QStringLiteral("phil"), QStringLiteral("a"), Permission::ReadOnly, &error));
    const auto token = m_store->addToken(QStringLiteral("phil"), {}, 0, &error);
    QVERIFY(m_store->removeUser(QStringLiteral("phil"), &error));
    QVERIFY(m_store->grants(QStringLiteral("phil")).isEmpty());
    QVERIFY(!m_store->userForToken(*token, QDateTime::currentMSecsSinceEpoch()));
    // A new user of the same name starts with nothing.
    QVERIFY(m_store->addUser(QStringLiteral("phil"), QStringLiteral("x"), false, &error));
    QVERIFY(m_store->tokens(QStringLiteral("phil")).isEmpty());
}

// What serve instances rely on: nothing is cached, so a second store on the same database (another
// instance, or the command line) sees every change at its next lookup.
void tst_AuthStore::changesCountAtOnceForAnotherReader()
{
    AuthStore other;
    QString error;
    QVERIFY2(other.open(m_location, &error), qPrintable(error));
    QVERIFY(m_store->addUser(QStringLiteral("phil"), QStringLiteral("x"), false, &error));
    const auto token = m_store->addToken(QStringLiteral("phil"), {}, 0, &error);
    QVERIFY(token);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QCOMPARE(other.userForToken(*token, now)->name, QStringLiteral("phil"));
    QVERIFY(
        m_store->grant(QStringLiteral("phil"), QStringLiteral("a"), Permission::ReadWrite, &error));
    QCOMPARE(other.permission(QStringLiteral("phil"), QStringLiteral("a"), Permission::Deny),
             Permission::ReadWrite);
    QVERIFY(m_store->grant(QStringLiteral("phil"), QStringLiteral("a"), Permission::ReadOnly,
                           &error)); // replaces the grant
    QCOMPARE(other.grants(QStringLiteral("phil")).size(), 1);
    QCOMPARE(other.permission(QStringLiteral("phil"), QStringLiteral("a"), Permission::Deny),
             Permission::ReadOnly);
    QVERIFY(m_store->removeToken(QStringLiteral("phil"), *token, &error));
    QVERIFY(!other.userForToken(*token, now));
    QVERIFY(!other.lastReadFailed()); // a plain "no"
}

// A closed (or lost) store answers nothing, and says that this is not a "no".
void tst_AuthStore::unreadableStoreSaysSo()
{
    QString error;
    QVERIFY(m_store->addUser(QStringLiteral("phil"), QStringLiteral("x"), false, &error));
    QVERIFY(m_store->user(QStringLiteral("phil")));
    QVERIFY(!m_store->lastReadFailed());
    QVERIFY(m_store->isReachable());
    m_store->close();
    QVERIFY(!m_store->user(QStringLiteral("phil")));
    QVERIFY(m_store->lastReadFailed());
    QCOMPARE(
        m_store->permission(QStringLiteral("phil"), QStringLiteral("a"), Permission::ReadWrite),
        Permission::Deny);
    QVERIFY(!m_store->isReachable());
}

QTEST_GUILESS_MAIN(tst_AuthStore)
#include "tst_authstore.moc"
