#include "appsettings.h"

#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace traybeat;
using namespace std::chrono_literals;

class tst_AppSettings : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void defaults();
    void roundTrip();
    void shorterListDropsOldEntries();
    void garbageFallsBackToDefaults();
    void timingsOutOfBoundsFallBack();
    void binaryJunkFile();
    void hugeArraySizeIsCapped();
    void duplicateAndEmptyNamesAreMadeUnique();
    void passiveWithoutTimingsGetsPassiveDefaults();
    void signalsOnlyOnChange();
    void fileWithTokensIsPrivate();
    void newFileIsPrivateWhateverTheUmask();

private:
    QString iniPath() const { return m_dir->filePath(QStringLiteral("traybeat.ini")); }
    void writeFile(const QByteArray &contents) const;
    static SubscriptionConfig sampleSubscription();

    std::unique_ptr<QTemporaryDir> m_dir;
};

void tst_AppSettings::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void tst_AppSettings::writeFile(const QByteArray &contents) const
{
    QFile file(iniPath());
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(contents);
}

SubscriptionConfig tst_AppSettings::sampleSubscription()
{
    SubscriptionConfig config;
    config.name = QStringLiteral("alerts, prod");
    config.server = QUrl(QStringLiteral("https://ntfy.example.com:8443/base"));
    config.protocol = QStringLiteral("ntfy");
    config.topics = {QStringLiteral("alerts"), QStringLiteral("backups")};
    config.token = QStringLiteral("tk_secret=,;\"x");
    config.connection.heartbeat = {HeartbeatMode::Kind::Text, QStringLiteral("Heart, Beat")};
    config.connection.heartbeatInterval = 1500ms;
    config.connection.heartbeatTimeout = 3s;
    config.connection.backoff.floor = 2s;
    config.connection.backoff.cap = 5min;
    config.connection.connectTimeout = 4s;
    config.connection.caFile = QStringLiteral("/home/me/my ca, 2.pem");
    config.connection.insecure = true;
    return config;
}

// The settings file holds tokens: other users of the machine must not read it.
void tst_AppSettings::fileWithTokensIsPrivate()
{
    writeFile("[General]\ndoNotDisturb=false\n");
    QFile::setPermissions(iniPath(), QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                         QFileDevice::ReadGroup | QFileDevice::ReadOther);
    QSettings file(iniPath(), QSettings::IniFormat);
    AppSettings settings(&file);
    settings.setSubscriptions({sampleSubscription()});
    QCOMPARE(QFileInfo(iniPath()).permissions() &
                 (QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::WriteGroup |
                  QFileDevice::WriteOther),
             QFileDevice::Permissions());
    QVERIFY(QFileInfo(iniPath()).permissions().testFlag(QFileDevice::ReadOwner));
}

// Whichever setting is saved first creates the file: 0600 even under umask 000, because
// QSaveFile keeps the mode of the file AppSettings created, where it would give a new one 0666.
void tst_AppSettings::newFileIsPrivateWhateverTheUmask()
{
    const mode_t previousUmask = ::umask(0);
    {
        QSettings file(iniPath(), QSettings::IniFormat);
        AppSettings settings(&file);
        settings.setDoNotDisturb(true);
    }
    ::umask(previousUmask);
    QCOMPARE(QFileInfo(iniPath()).permissions(), QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                                     QFileDevice::ReadUser |
                                                     QFileDevice::WriteUser);
    QSettings reread(iniPath(), QSettings::IniFormat);
    QVERIFY(reread.value(QStringLiteral("doNotDisturb")).toBool());
}

static void compareSubscriptions(const SubscriptionConfig &actual,
                                 const SubscriptionConfig &expected)
{
    QCOMPARE(actual.name, expected.name);
    QCOMPARE(actual.server, expected.server);
    QCOMPARE(actual.protocol, expected.protocol);
    QCOMPARE(actual.topics, expected.topics);
    QCOMPARE(actual.token, expected.token);
    QCOMPARE(actual.user, expected.user);
    QCOMPARE(actual.password, expected.password);
    QCOMPARE(actual.connection.heartbeat.toString(), expected.connection.heartbeat.toString());
    QCOMPARE(actual.connection.heartbeatInterval, expected.connection.heartbeatInterval);
    QCOMPARE(actual.connection.heartbeatTimeout, expected.connection.heartbeatTimeout);
    QCOMPARE(actual.connection.backoff.floor, expected.connection.backoff.floor);
    QCOMPARE(actual.connection.backoff.cap, expected.connection.backoff.cap);
    QCOMPARE(actual.connection.connectTimeout, expected.connection.connectTimeout);
    QCOMPARE(actual.connection.caFile, expected.connection.caFile);
    QCOMPARE(actual.connection.insecure, expected.connection.insecure);
}

void tst_AppSettings::defaults()
{
    QSettings file(iniPath(), QSettings::IniFormat);
    AppSettings settings(&file);
    QVERIFY(settings.subscriptions().isEmpty());
    const PopupSettings popups = settings.popups();
    QCOMPARE(popups.corner, PopupCorner::TopRight);
    QCOMPARE(popups.duration, 6s);
    QCOMPARE(popups.useNativePopups, false);
    QCOMPARE(settings.doNotDisturb(), false);
    const QuietHours quiet = settings.quietHours();
    QCOMPARE(quiet.enabled, false);
    QCOMPARE(quiet.from, QTime(22, 0));
    QCOMPARE(quiet.to, QTime(7, 0));
    QCOMPARE(quiet.urgentBreaksThrough, true);
}

void tst_AppSettings::roundTrip()
{
    SubscriptionConfig gotify;
    gotify.name = QStringLiteral("home");
    gotify.server = QUrl(QStringLiteral("wss://gotify.example.org"));
    gotify.protocol = QStringLiteral("gotify");
    gotify.connection.heartbeat = {HeartbeatMode::Kind::Passive, {}};
    SubscriptionConfig basic; // ntfy's Basic auth instead of a token
    basic.name = QStringLiteral("signed in");
    basic.server = QUrl(QStringLiteral("https://ntfy.example.net"));
    basic.topics = {QStringLiteral("private")};
    basic.user = QStringLiteral("phil");
    basic.password = QStringLiteral("correct horse, battery");
    const QList<SubscriptionConfig> subscriptions{sampleSubscription(), gotify, basic};

    PopupSettings popups;
    popups.corner = PopupCorner::BottomLeft;
    popups.duration = 12s;
    popups.useNativePopups = true;
    QuietHours quiet;
    quiet.enabled = true;
    quiet.from = QTime(23, 30);
    quiet.to = QTime(6, 15);
    quiet.urgentBreaksThrough = false;
    {
        QSettings file(iniPath(), QSettings::IniFormat);
        AppSettings settings(&file);
        settings.setSubscriptions(subscriptions);
        settings.setPopups(popups);
        settings.setDoNotDisturb(true);
        settings.setQuietHours(quiet);
    }
    // A fresh QSettings reads what the first one wrote to disk.
    QSettings file(iniPath(), QSettings::IniFormat);
    AppSettings settings(&file);
    const QList<SubscriptionConfig> read = settings.subscriptions();
    QCOMPARE(read.size(), 3);
    compareSubscriptions(read.at(0), subscriptions.at(0));
    compareSubscriptions(read.at(1), subscriptions.at(1));
    compareSubscriptions(read.at(2), subscriptions.at(2));
    // Without a keyring (none asked here) the password is kept in the private file, beside the
    // user name; tst_secretstore checks that a keyring gets it instead.
    QCOMPARE(file.value(QStringLiteral("subscriptions/3/user")).toString(), QStringLiteral("phil"));
    QVERIFY(file.contains(QStringLiteral("subscriptions/3/password")));
    QVERIFY(!file.contains(QStringLiteral("subscriptions/1/user")));
    QCOMPARE(settings.popups().corner, PopupCorner::BottomLeft);
    QCOMPARE(settings.popups().duration, 12s);
    QCOMPARE(settings.popups().useNativePopups, true);
    QCOMPARE(settings.doNotDisturb(), true);
    QCOMPARE(settings.quietHours().enabled, true);
    QCOMPARE(settings.quietHours().from, QTime(23, 30));
    QCOMPARE(settings.quietHours().to, QTime(6, 15));
    QCOMPARE(settings.quietHours().urgentBreaksThrough, false);
}

void tst_AppSettings::shorterListDropsOldEntries()
{
    QSettings file(iniPath(), QSettings::IniFormat);
    AppSettings settings(&file);
    SubscriptionConfig second = sampleSubscription();
    second.name = QStringLiteral("second");
    second.token.clear();
    settings.setSubscriptions({sampleSubscription(), second});
    settings.setSubscriptions({second});
    QCOMPARE(settings.subscriptions().size(), 1);
    QCOMPARE(settings.subscriptions().first().name, QStringLiteral("second"));
    // The removed subscription's token does not linger in the file.
    file.sync();
    QFile raw(iniPath());
    QVERIFY(raw.open(QIODevice::ReadOnly));
    QVERIFY(!raw.readAll().contains("tk_secret"));
}

// The bounds the settings dialog enforces hold for a hand-edited file too: a heartbeat every
// few days, or a reconnect cap of a day, becomes the default (with a warning naming the key);
// repeated topics are dropped.
void tst_AppSettings::timingsOutOfBoundsFallBack()
{
    writeFile("[subscriptions]\n"
              "size=1\n"
              "1\\name=huge\n"
              "1\\server=https://example.com\n"
              "1\\topics=alerts,,alerts, backups ,alerts\n"
              "1\\heartbeatInterval=999999999d\n"
              "1\\heartbeatTimeout=11m\n"
              "1\\reconnectMin=2s\n"
              "1\\reconnectMax=2h\n");
    QSettings file(iniPath(), QSettings::IniFormat);
    AppSettings settings(&file);
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("heartbeatInterval")));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("heartbeatTimeout")));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("reconnectMax")));
    const QList<SubscriptionConfig> subscriptions = settings.subscriptions();
    QCOMPARE(subscriptions.size(), 1);
    const SubscriptionConfig &config = subscriptions.first();
    const ConnectionConfig defaults;
    QCOMPARE(config.topics, QStringList({QStringLiteral("alerts"), QStringLiteral("backups")}));
    QCOMPARE(config.connection.heartbeatInterval, defaults.heartbeatInterval);
    QCOMPARE(config.connection.heartbeatTimeout, defaults.heartbeatTimeout);
    QCOMPARE(config.connection.backoff.floor, 2s);
    QCOMPARE(config.connection.backoff.cap, defaults.backoff.cap);
}

void tst_AppSettings::garbageFallsBackToDefaults()
{
    writeFile("[subscriptions]\n"
              "size=1\n"
              "1\\name=broken\n"
              "1\\server=https://example.com\n"
              "1\\protocol=carrier-pigeon\n"
              "1\\topics=a, b\n"
              "1\\heartbeat=sometimes\n"
              "1\\heartbeatInterval=25\n"
              "1\\heartbeatTimeout=-3s\n"
              "1\\reconnectMin=2m\n"
              "1\\reconnectMax=1s\n"
              "[popups]\n"
              "corner=middle\n"
              "duration=@Variant(\\0\\0\\0\\x7f\\0\\0\\0\\x5gar)\n"
              "native=perhaps\n"
              "[General]\n"
              "doNotDisturb=banana\n"
              "[quietHours]\n"
              "enabled=yes\n"
              "from=25:99\n"
              "to=\n"
              "urgentBreaksThrough=0\n");
    QSettings file(iniPath(), QSettings::IniFormat);
    AppSettings settings(&file);

    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("protocol")));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("heartbeat\\b")));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("heartbeatInterval")));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("heartbeatTimeout")));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("reconnectMax below")));
    const QList<SubscriptionConfig> subscriptions = settings.subscriptions();
    QCOMPARE(subscriptions.size(), 1);
    const SubscriptionConfig &config = subscriptions.first();
    QCOMPARE(config.name, QStringLiteral("broken"));
    QCOMPARE(config.protocol, QStringLiteral("ntfy"));
    QCOMPARE(config.topics, QStringList({QStringLiteral("a"), QStringLiteral("b")}));
    const ConnectionConfig defaults;
    QCOMPARE(config.connection.heartbeat.toString(), QStringLiteral("ping"));
    QCOMPARE(config.connection.heartbeatInterval, defaults.heartbeatInterval);
    QCOMPARE(config.connection.heartbeatTimeout, defaults.heartbeatTimeout);
    QCOMPARE(config.connection.backoff.floor, defaults.backoff.floor);
    QCOMPARE(config.connection.backoff.cap, defaults.backoff.cap);

    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("QVariant::load")));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("corner")));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("duration")));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("native")));
    const PopupSettings popups = settings.popups();
    QCOMPARE(popups.corner, PopupCorner::TopRight);
    QCOMPARE(popups.duration, 6s);
    QCOMPARE(popups.useNativePopups, false);

    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("doNotDisturb")));
    QCOMPARE(settings.doNotDisturb(), false);

    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("from")));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("/to")));
    const QuietHours quiet = settings.quietHours();
    QCOMPARE(quiet.enabled, true);
    QCOMPARE(quiet.from, QTime(22, 0));
    QCOMPARE(quiet.to, QTime(7, 0));
    QCOMPARE(quiet.urgentBreaksThrough, false);
}

void tst_AppSettings::binaryJunkFile()
{
    QByteArray junk;
    for (int i = 0; i < 4096; ++i)
        junk.append(char((i * 7919) % 256));
    junk.append("\n[subscriptions]\nsize=2\n1\\server=\xff\xfe\n[popups]\ncorner=\x01\n");
    writeFile(junk);
    QSettings file(iniPath(), QSettings::IniFormat);
    AppSettings settings(&file);
    QTest::failOnWarning(QRegularExpression(QStringLiteral("^(?!settings:)"))); // only ours
    // Whatever can be read is read; nothing crashes and every value is usable.
    const QList<SubscriptionConfig> subscriptions = settings.subscriptions();
    for (const SubscriptionConfig &config : subscriptions) {
        QVERIFY(!config.name.isEmpty());
        QVERIFY(config.connection.heartbeatInterval > 0ms);
    }
    QVERIFY(settings.popups().duration > 0ms);
    QVERIFY(settings.quietHours().from.isValid());
    // And it can be written over.
    settings.setDoNotDisturb(true);
    QCOMPARE(settings.doNotDisturb(), true);
}

void tst_AppSettings::hugeArraySizeIsCapped()
{
    writeFile("[subscriptions]\nsize=2000000000\n1\\name=one\n1\\server=https://a.example\n");
    QSettings file(iniPath(), QSettings::IniFormat);
    AppSettings settings(&file);
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("reading only")));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("skipped 999 empty")));
    const auto subscriptions = settings.subscriptions(); // must return promptly
    QCOMPARE(subscriptions.size(), 1);
    QCOMPARE(subscriptions.first().name, QStringLiteral("one"));
}

void tst_AppSettings::duplicateAndEmptyNamesAreMadeUnique()
{
    writeFile("[subscriptions]\nsize=3\n"
              "1\\name=alerts\n1\\server=https://a.example\n1\\topics=x\n"
              "2\\name=alerts\n2\\server=https://b.example\n2\\topics=y\n"
              "3\\server=https://c.example\n3\\topics=z\n");
    QSettings file(iniPath(), QSettings::IniFormat);
    AppSettings settings(&file);
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("renamed")));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("renamed")));
    const auto subscriptions = settings.subscriptions();
    QCOMPARE(subscriptions.size(), 3);
    QCOMPARE(subscriptions.at(0).name, QStringLiteral("alerts"));
    QCOMPARE(subscriptions.at(1).name, QStringLiteral("alerts (2)"));
    QCOMPARE(subscriptions.at(2).name, QStringLiteral("c.example/z"));
}

// A hand-written passive subscription without timings must not get the ping defaults (25 s +
// 10 s), which would drop every quiet ntfy link before its 45 s keepalive.
void tst_AppSettings::passiveWithoutTimingsGetsPassiveDefaults()
{
    writeFile("[subscriptions]\nsize=2\n"
              "1\\name=quiet\n1\\server=https://a.example\n1\\topics=x\n"
              "1\\heartbeat=passive\n"
              "2\\name=pinged\n2\\server=https://a.example\n2\\topics=y\n");
    QSettings file(iniPath(), QSettings::IniFormat);
    AppSettings settings(&file);
    const auto subscriptions = settings.subscriptions();
    QCOMPARE(subscriptions.size(), 2);
    const ConnectionConfig &passive = subscriptions.at(0).connection;
    QCOMPARE(passive.heartbeat.kind, HeartbeatMode::Kind::Passive);
    QCOMPARE(passive.heartbeatInterval, ConnectionConfig::passiveHeartbeatInterval);
    QCOMPARE(passive.heartbeatTimeout, ConnectionConfig::passiveHeartbeatTimeout);
    QCOMPARE(subscriptions.at(1).connection.heartbeatInterval, std::chrono::milliseconds(25s));
}

void tst_AppSettings::signalsOnlyOnChange()
{
    QSettings file(iniPath(), QSettings::IniFormat);
    AppSettings settings(&file);
    QSignalSpy subscriptionsSpy(&settings, &AppSettings::subscriptionsChanged);
    QSignalSpy changedSpy(&settings, &AppSettings::changed);

    settings.setSubscriptions({});
    settings.setPopups({});
    settings.setDoNotDisturb(false);
    settings.setQuietHours({});
    QCOMPARE(subscriptionsSpy.size(), 0);
    QCOMPARE(changedSpy.size(), 0);

    settings.setSubscriptions({sampleSubscription()});
    settings.setSubscriptions({sampleSubscription()});
    QCOMPARE(subscriptionsSpy.size(), 1);
    QCOMPARE(changedSpy.size(), 0);
    SubscriptionConfig renamed = sampleSubscription();
    renamed.connection.heartbeatTimeout = 4s;
    settings.setSubscriptions({renamed});
    QCOMPARE(subscriptionsSpy.size(), 2);
    // A field the settings do not keep is no change.
    renamed.connection.immediateReconnectSpacing = 3s;
    settings.setSubscriptions({renamed});
    QCOMPARE(subscriptionsSpy.size(), 2);

    PopupSettings popups;
    popups.duration = 9s;
    settings.setPopups(popups);
    settings.setPopups(popups);
    QCOMPARE(changedSpy.size(), 1);
    settings.setDoNotDisturb(true);
    settings.setDoNotDisturb(true);
    QCOMPARE(changedSpy.size(), 2);
    QuietHours quiet;
    quiet.enabled = true;
    settings.setQuietHours(quiet);
    quiet.from = quiet.from.addSecs(10); // seconds are not kept: no change
    settings.setQuietHours(quiet);
    QCOMPARE(changedSpy.size(), 3);
    QCOMPARE(subscriptionsSpy.size(), 2);
}

QTEST_GUILESS_MAIN(tst_AppSettings)
#include "tst_appsettings.moc"
