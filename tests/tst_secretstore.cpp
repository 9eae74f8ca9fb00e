// Tokens in the desktop keyring, against real parts: a private D-Bus session bus (its own
// dbus-daemon, which activates nothing), first without any keyring on it, then with a peer that
// owns the keyring's name and never answers, then with a real gnome-keyring-daemon, unlocked
// from a password on standard input. What the keyring holds is read back with `secret-tool`.
// The slots run in this order; the bus and the keyring daemon are this process's own.
#include "appsettings.h"
#include "secretstore.h"

#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusVirtualObject>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace traybeat;
using namespace std::chrono_literals;

namespace {

#ifdef TRAYBEAT_SANITIZED
constexpr bool sanitized = true;
#else
constexpr bool sanitized = false;
#endif
constexpr int deadlineSlackMs = sanitized ? 3000 : 1500;
constexpr int keyringTimeoutMs = 20000; // a loaded machine's keyring is slow, not absent
const QString secretsName = QStringLiteral("org.freedesktop.secrets");
const QString fakeConnectionName = QStringLiteral("never-answers");

// Owns the keyring's name and takes every call without ever answering, like a keyring daemon
// that hangs.
class SilentPeer final : public QDBusVirtualObject
{
public:
    QString introspect(const QString &) const override { return {}; }
    bool handleMessage(const QDBusMessage &, const QDBusConnection &) override { return true; }
};

// One start of the app's settings: its file, and a store that asks the test bus's keyring (it
// outlives the settings that use it).
struct AppSide
{
    explicit AppSide(const QString &path, std::chrono::milliseconds timeout =
                                              std::chrono::milliseconds(keyringTimeoutMs))
        : file(path, QSettings::IniFormat), settings(&file)
    {
        store.setTimeout(timeout);
    }
    QSettings file;
    SecretStore store;
    AppSettings settings;
};

} // namespace

class tst_SecretStore : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void init();
    void withoutKeyringTokensStayInFile();
    void silentKeyringIsGivenUpAfterTimeout();
    void plainTokensMoveIntoKeyring();
    void keyringTokensAreReadBackAtStart();
    void changedAndRemovedTokensLeaveNoEntryBehind();
    void firstTokenSavedAsksTheKeyring();
    void unreadableKeyringTokenSurvivesASave();
    void passwordsGoToKeyringUserNamesStayInFile();

private:
    QString iniPath() const { return m_dir->filePath(QStringLiteral("traybeat.conf")); }
    QByteArray fileContents() const;
    void writeFile(const QByteArray &contents) const;
    void startKeyring();
    QString lookup(const QString &key) const; // secret-tool lookup; empty when absent
    QString keyOf(int entry) const;           // the file's tokenInKeyring of entry 1, 2, ...
    static SubscriptionConfig subscription(const QString &name, const QString &token);

    QTemporaryDir m_session; // the bus's and the keyring's home
    QProcess m_bus;
    QProcess m_keyring;
    QProcessEnvironment m_environment;
    std::unique_ptr<QTemporaryDir> m_dir;
};

void tst_SecretStore::initTestCase()
{
    if (sanitized)
        QSKIP("the sanitizer builds do not use the keyring (see SecretStore::runNext)");
    for (const char *program : {"dbus-daemon", "gnome-keyring-daemon", "secret-tool"}) {
        QVERIFY2(!QStandardPaths::findExecutable(QLatin1String(program)).isEmpty(),
                 qPrintable(QStringLiteral("%1 is missing: apt-get install dbus gnome-keyring "
                                           "libsecret-tools (scripts/dev test does)")
                                .arg(QLatin1String(program))));
    }
    QVERIFY(m_session.isValid());
    const QString runtime = m_session.filePath(QStringLiteral("run"));
    QVERIFY(QDir().mkpath(runtime));
    QFile::setPermissions(runtime, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);

    m_bus.setProgram(QStringLiteral("dbus-daemon"));
    m_bus.setArguments({QStringLiteral("--nofork"), QStringLiteral("--print-address=1"),
                        QStringLiteral("--config-file=" TRAYBEAT_TEST_DATA "/session-bus.conf")});
    m_bus.start();
    QVERIFY(m_bus.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(m_bus.canReadLine(), 10000);
    const QByteArray address = m_bus.readLine().trimmed();
    QVERIFY(!address.isEmpty());
    // Before anything in this process talks D-Bus: QtDBus and GDBus (libsecret) both read it once.
    qputenv("DBUS_SESSION_BUS_ADDRESS", address);
    qputenv("XDG_RUNTIME_DIR", runtime.toUtf8());
    m_environment = QProcessEnvironment::systemEnvironment();
    m_environment.insert(QStringLiteral("HOME"), m_session.path());
    m_environment.insert(QStringLiteral("XDG_DATA_HOME"),
                         m_session.filePath(QStringLiteral("data")));
    m_environment.insert(QStringLiteral("XDG_RUNTIME_DIR"), runtime);
    QVERIFY(QDBusConnection::sessionBus().isConnected());
}

void tst_SecretStore::cleanupTestCase()
{
    for (QProcess *process : {&m_keyring, &m_bus}) {
        if (process->state() == QProcess::NotRunning)
            continue;
        process->terminate();
        if (!process->waitForFinished(5000))
            process->kill();
        process->waitForFinished(5000);
    }
}

void tst_SecretStore::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

QByteArray tst_SecretStore::fileContents() const
{
    QFile file(iniPath());
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

void tst_SecretStore::writeFile(const QByteArray &contents) const
{
    QFile file(iniPath());
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(contents);
}

SubscriptionConfig tst_SecretStore::subscription(const QString &name, const QString &token)
{
    SubscriptionConfig config;
    config.name = name;
    config.server = QUrl(QStringLiteral("https://ntfy.example.com"));
    config.topics = {QStringLiteral("alerts")};
    config.token = token;
    return config;
}

void tst_SecretStore::startKeyring()
{
    if (m_keyring.state() == QProcess::Running)
        return;
    m_keyring.setProcessEnvironment(m_environment);
    m_keyring.setProgram(QStringLiteral("gnome-keyring-daemon"));
    m_keyring.setArguments({QStringLiteral("--foreground"), QStringLiteral("--unlock"),
                            QStringLiteral("--components=secrets")});
    m_keyring.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_keyring.start();
    QVERIFY(m_keyring.waitForStarted());
    m_keyring.write("test password");
    m_keyring.closeWriteChannel();
    QDBusConnectionInterface *bus = QDBusConnection::sessionBus().interface();
    QTRY_VERIFY_WITH_TIMEOUT(bus->isServiceRegistered(secretsName).value(), keyringTimeoutMs);
}

QString tst_SecretStore::lookup(const QString &key) const
{
    QProcess tool;
    tool.setProcessEnvironment(m_environment);
    tool.start(QStringLiteral("secret-tool"),
               {QStringLiteral("lookup"), QStringLiteral("server"), QStringLiteral("traybeat"),
                QStringLiteral("user"), key});
    if (!tool.waitForFinished(keyringTimeoutMs))
        return QStringLiteral("(secret-tool did not finish)");
    return QString::fromUtf8(tool.readAllStandardOutput());
}

QString tst_SecretStore::keyOf(int entry) const
{
    QSettings file(iniPath(), QSettings::IniFormat);
    return file.value(QStringLiteral("subscriptions/%1/tokenInKeyring").arg(entry)).toString();
}

// No keyring on the bus (a minimal desktop): the store says so at once, and the token stays where
// it was, in the file.
void tst_SecretStore::withoutKeyringTokensStayInFile()
{
    QVERIFY(!QDBusConnection::sessionBus().interface()->isServiceRegistered(secretsName).value());
    AppSide app(iniPath());
    AppSettings &settings = app.settings;
    settings.setSubscriptions({subscription(QStringLiteral("one"), QStringLiteral("tk_plain"))});
    QSignalSpy located(&settings, &AppSettings::secretLocationChanged);
    settings.useSecretStore(&app.store);
    QCOMPARE(settings.secretLocation(), SecretLocation::Checking);
    QVERIFY(located.wait(keyringTimeoutMs));
    QCOMPARE(settings.secretLocation(), SecretLocation::SettingsFile);
    QVERIFY2(settings.keyringProblem().contains(secretsName),
             qPrintable(settings.keyringProblem()));
    QVERIFY(!settings.isLoadingSecrets());

    // A token saved now goes to the file, too.
    settings.setSubscriptions({subscription(QStringLiteral("one"), QStringLiteral("tk_plain")),
                               subscription(QStringLiteral("two"), QStringLiteral("tk_new"))});
    QTest::qWait(100); // nothing asynchronous may change the file after this
    const QByteArray contents = fileContents();
    QVERIFY2(contents.contains("token=tk_plain") && contents.contains("token=tk_new"),
             contents.constData());
    QVERIFY(!contents.contains("tokenInKeyring"));
    QCOMPARE(settings.subscriptions().at(1).token, QStringLiteral("tk_new"));
}

// A peer owns the keyring's name but never answers: the store gives up after its timeout, the
// settings are usable, and nothing moves out of the file.
void tst_SecretStore::silentKeyringIsGivenUpAfterTimeout()
{
    QDBusConnection silent = QDBusConnection::connectToBus(
        QString::fromUtf8(qgetenv("DBUS_SESSION_BUS_ADDRESS")), fakeConnectionName);
    QVERIFY(silent.isConnected());
    SilentPeer peer;
    QVERIFY(silent.registerVirtualObject(QStringLiteral("/"), &peer, QDBusConnection::SubPath));
    QVERIFY(silent.registerService(secretsName));

    writeFile("[subscriptions]\nsize=2\n1\\name=one\n1\\server=https://a.example\n"
              "1\\topics=a\n1\\tokenInKeyring=0000-missing\n"
              "2\\name=two\n2\\server=https://b.example\n2\\topics=b\n2\\token=tk_two\n");
    constexpr int timeoutMs = 300;
    AppSide app(iniPath(), std::chrono::milliseconds(timeoutMs));
    AppSettings &settings = app.settings;
    QSignalSpy loaded(&settings, &AppSettings::subscriptionsChanged);
    QElapsedTimer clock;
    clock.start();
    settings.useSecretStore(&app.store);
    QVERIFY(settings.isLoadingSecrets());
    QVERIFY(loaded.wait(timeoutMs + deadlineSlackMs));
    const qint64 elapsed = clock.elapsed();
    QVERIFY2(elapsed >= timeoutMs - 50 && elapsed < timeoutMs + deadlineSlackMs,
             QByteArray::number(elapsed).constData());
    QVERIFY(!settings.isLoadingSecrets());
    QCOMPARE(settings.secretLocation(), SecretLocation::SettingsFile);
    QVERIFY2(settings.keyringProblem().contains(QStringLiteral("did not answer")),
             qPrintable(settings.keyringProblem()));
    const QList<SubscriptionConfig> subscriptions = settings.subscriptions();
    QCOMPARE(subscriptions.at(0).token, QString()); // unreadable: connects without
    QCOMPARE(subscriptions.at(1).token, QStringLiteral("tk_two"));
    const QByteArray contents = fileContents();
    QVERIFY(contents.contains("tokenInKeyring=0000-missing"));
    QVERIFY(contents.contains("token=tk_two"));

    // Gone from the bus: the bus answers the hung call with an error, so QtKeychain's queue
    // moves on for the tests below.
    silent.unregisterService(secretsName);
    silent.unregisterObject(QStringLiteral("/"), QDBusConnection::UnregisterTree);
    QDBusConnection::disconnectFromBus(fakeConnectionName);
}

// The first start where a keyring answers: the file's tokens go into it, one entry each, and
// the file keeps only the references.
void tst_SecretStore::plainTokensMoveIntoKeyring()
{
    startKeyring();
    writeFile("[subscriptions]\nsize=2\n1\\name=one\n1\\server=https://a.example\n"
              "1\\topics=a\n1\\token=tk_one\n"
              "2\\name=two\n2\\server=https://b.example\n2\\topics=b\n2\\token=tk_two\n");
    AppSide app(iniPath());
    AppSettings &settings = app.settings;
    QSignalSpy changed(&settings, &AppSettings::subscriptionsChanged);
    settings.useSecretStore(&app.store);
    QTRY_COMPARE_WITH_TIMEOUT(settings.secretLocation(), SecretLocation::Keyring, keyringTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(!keyOf(1).isEmpty() && !keyOf(2).isEmpty(), keyringTimeoutMs);
    const QByteArray contents = fileContents();
    QVERIFY2(!contents.contains("tk_one") && !contents.contains("tk_two"), contents.constData());
    QCOMPARE(lookup(keyOf(1)), QStringLiteral("tk_one"));
    QCOMPARE(lookup(keyOf(2)), QStringLiteral("tk_two"));
    // Where the token lives is no change of the subscription: nothing reconnects.
    QCOMPARE(changed.size(), 0);
    QCOMPARE(settings.subscriptions().at(0).token, QStringLiteral("tk_one"));
}

// The next start reads the tokens back before the subscriptions start.
void tst_SecretStore::keyringTokensAreReadBackAtStart()
{
    startKeyring();
    {
        AppSide app(iniPath());
        AppSettings &settings = app.settings;
        settings.setSubscriptions({subscription(QStringLiteral("one"), QStringLiteral("tk_1")),
                                   subscription(QStringLiteral("two"), QStringLiteral("tk_2"))});
        settings.useSecretStore(&app.store);
        QTRY_VERIFY_WITH_TIMEOUT(!keyOf(1).isEmpty() && !keyOf(2).isEmpty(), keyringTimeoutMs);
    }
    AppSide app(iniPath());
    AppSettings &settings = app.settings;
    QSignalSpy loaded(&settings, &AppSettings::subscriptionsChanged);
    settings.useSecretStore(&app.store);
    QVERIFY(settings.isLoadingSecrets());
    QCOMPARE(settings.subscriptions().at(0).token, QString()); // not read yet
    QVERIFY(loaded.wait(keyringTimeoutMs));
    QVERIFY(!settings.isLoadingSecrets());
    QCOMPARE(settings.subscriptions().at(0).token, QStringLiteral("tk_1"));
    QCOMPARE(settings.subscriptions().at(1).token, QStringLiteral("tk_2"));
    QCOMPARE(settings.secretLocation(), SecretLocation::Keyring);
}

// A changed token gets a new entry and the old one is deleted; so is a removed subscription's.
void tst_SecretStore::changedAndRemovedTokensLeaveNoEntryBehind()
{
    startKeyring();
    AppSide app(iniPath());
    AppSettings &settings = app.settings;
    settings.useSecretStore(&app.store);
    // No secret kept yet: nothing asks the keyring (an idle app does not load libsecret) until
    // someone wants to know where a secret would go.
    QTest::qWait(200);
    QCOMPARE(settings.secretLocation(), SecretLocation::Checking);
    settings.findSecretLocation();
    QTRY_COMPARE_WITH_TIMEOUT(settings.secretLocation(), SecretLocation::Keyring, keyringTimeoutMs);
    settings.setSubscriptions({subscription(QStringLiteral("one"), QStringLiteral("tk_old")),
                               subscription(QStringLiteral("two"), QStringLiteral("tk_two"))});
    QTRY_VERIFY_WITH_TIMEOUT(!keyOf(1).isEmpty() && !keyOf(2).isEmpty(), keyringTimeoutMs);
    const QString oldKey = keyOf(1);
    const QString twoKey = keyOf(2);

    settings.setSubscriptions({subscription(QStringLiteral("one"), QStringLiteral("tk_new")),
                               subscription(QStringLiteral("two"), QStringLiteral("tk_two"))});
    QTRY_VERIFY_WITH_TIMEOUT(!keyOf(1).isEmpty() && keyOf(1) != oldKey, keyringTimeoutMs);
    QCOMPARE(keyOf(2), twoKey); // unchanged: the same entry
    QCOMPARE(lookup(keyOf(1)), QStringLiteral("tk_new"));
    QTRY_COMPARE_WITH_TIMEOUT(lookup(oldKey), QString(), keyringTimeoutMs);

    settings.setSubscriptions({subscription(QStringLiteral("one"), QStringLiteral("tk_new"))});
    QTRY_COMPARE_WITH_TIMEOUT(lookup(twoKey), QString(), keyringTimeoutMs);
    QVERIFY(!fileContents().contains("tk_"));
}

// The keyring was never asked (no secret at start); the first token saved asks it, and goes in.
void tst_SecretStore::firstTokenSavedAsksTheKeyring()
{
    startKeyring();
    AppSide app(iniPath());
    AppSettings &settings = app.settings;
    settings.useSecretStore(&app.store);
    QCOMPARE(settings.secretLocation(), SecretLocation::Checking);
    settings.setSubscriptions({subscription(QStringLiteral("one"), QStringLiteral("tk_first"))});
    QTRY_VERIFY_WITH_TIMEOUT(!keyOf(1).isEmpty(), keyringTimeoutMs);
    QCOMPARE(settings.secretLocation(), SecretLocation::Keyring);
    QCOMPARE(lookup(keyOf(1)), QStringLiteral("tk_first"));
    QVERIFY(!fileContents().contains("tk_first"));
}

// A token the keyring could not give (an entry deleted behind our back) reads as empty; saving
// the subscription's other fields keeps the reference rather than dropping it.
void tst_SecretStore::unreadableKeyringTokenSurvivesASave()
{
    startKeyring();
    writeFile("[subscriptions]\nsize=1\n1\\name=one\n1\\server=https://a.example\n"
              "1\\topics=a\n1\\tokenInKeyring=not-in-the-keyring\n");
    AppSide app(iniPath());
    AppSettings &settings = app.settings;
    QSignalSpy loaded(&settings, &AppSettings::subscriptionsChanged);
    settings.useSecretStore(&app.store);
    QVERIFY(loaded.wait(keyringTimeoutMs));
    SubscriptionConfig edited = settings.subscriptions().at(0);
    QCOMPARE(edited.token, QString());
    edited.topics = {QStringLiteral("b")};
    settings.setSubscriptions({edited});
    QCOMPARE(keyOf(1), QStringLiteral("not-in-the-keyring"));
}

// ntfy's Basic auth: the password is a secret like a token (moved from the file, read back at
// the next start, deleted with its subscription); the user name stays readable in the file.
void tst_SecretStore::passwordsGoToKeyringUserNamesStayInFile()
{
    startKeyring();
    const QString password = QStringLiteral("correct horse, battery");
    writeFile("[subscriptions]\nsize=1\n1\\name=one\n1\\server=https://a.example\n"
              "1\\topics=a\n1\\user=phil\n1\\password=\"correct horse, battery\"\n");
    QString key;
    {
        AppSide app(iniPath());
        app.settings.useSecretStore(&app.store);
        const auto passwordKey = [this] {
            QSettings file(iniPath(), QSettings::IniFormat);
            return file.value(QStringLiteral("subscriptions/1/passwordInKeyring")).toString();
        };
        QTRY_VERIFY_WITH_TIMEOUT(!passwordKey().isEmpty(), keyringTimeoutMs);
        key = passwordKey();
    }
    const QByteArray contents = fileContents();
    QVERIFY2(!contents.contains("correct horse") && contents.contains("user=phil"),
             contents.constData());
    QCOMPARE(lookup(key), password);

    AppSide app(iniPath());
    AppSettings &settings = app.settings;
    QSignalSpy loaded(&settings, &AppSettings::subscriptionsChanged);
    settings.useSecretStore(&app.store);
    QVERIFY(loaded.wait(keyringTimeoutMs));
    const SubscriptionConfig read = settings.subscriptions().at(0);
    QCOMPARE(read.user, QStringLiteral("phil"));
    QCOMPARE(read.password, password);
    QVERIFY(read.token.isEmpty());

    settings.setSubscriptions({});
    QTRY_COMPARE_WITH_TIMEOUT(lookup(key), QString(), keyringTimeoutMs);
}

QTEST_GUILESS_MAIN(tst_SecretStore)
#include "tst_secretstore.moc"
