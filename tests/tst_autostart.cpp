// "Start at login": the XDG autostart entry in a private XDG_CONFIG_HOME, checked with the
// desktop's own validator (desktop-file-validate).
#include "appsettings.h"
#include "autostart.h"

#include <QFile>
#include <QProcess>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace traybeat;

class tst_Autostart : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void switchingOnAndOff();
    void entryIsValid_data();
    void entryIsValid();
    void onByDefaultAfterFirstSubscriptionOnce();

private:
    QTemporaryDir m_config;
    std::unique_ptr<QTemporaryDir> m_dir;
};

void tst_Autostart::initTestCase()
{
    QVERIFY(m_config.isValid());
    qputenv("XDG_CONFIG_HOME", m_config.path().toUtf8());
}

void tst_Autostart::init()
{
    QFile::remove(Autostart::entryPath());
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void tst_Autostart::switchingOnAndOff()
{
    QCOMPARE(Autostart::entryPath(),
             m_config.filePath(QStringLiteral("autostart/io.github.traybeat.Traybeat.desktop")));
    QVERIFY(!Autostart::isEnabled());
    QString error;
    QVERIFY2(Autostart::setEnabled(true, QStringLiteral("/usr/bin/traybeat"), &error),
             qPrintable(error));
    QVERIFY(Autostart::isEnabled());
    QFile entry(Autostart::entryPath());
    QVERIFY(entry.open(QIODevice::ReadOnly));
    const QByteArray text = entry.readAll();
    QVERIFY2(text.contains("\nExec=/usr/bin/traybeat\n"), text.constData());
    QVERIFY(!text.contains("--demo"));
    QVERIFY2(Autostart::setEnabled(false, QString(), &error), qPrintable(error));
    QVERIFY(!Autostart::isEnabled());
    QVERIFY2(Autostart::setEnabled(false, QString(), &error), qPrintable(error)); // twice: fine
}

void tst_Autostart::entryIsValid_data()
{
    QTest::addColumn<QString>("executable");
    QTest::addColumn<QString>("exec");
    QTest::newRow("plain") << "/usr/bin/traybeat"
                           << "/usr/bin/traybeat";
    QTest::newRow("space") << "/home/me/my apps/traybeat"
                           << "\"/home/me/my apps/traybeat\"";
    QTest::newRow("quote, dollar, backslash, percent")
        << "/opt/a\"b$c\\d%e/traybeat"
        << "\"/opt/a\\\\\"b\\\\$c\\\\\\\\d%%e/traybeat\"";
}

void tst_Autostart::entryIsValid()
{
    QFETCH(QString, executable);
    QFETCH(QString, exec);
    const QString text = Autostart::entryText(executable);
    QVERIFY2(text.contains(QStringLiteral("\nExec=") + exec + QLatin1Char('\n')), qPrintable(text));
    if (QStandardPaths::findExecutable(QStringLiteral("desktop-file-validate")).isEmpty())
        QFAIL("desktop-file-validate is missing: apt-get install desktop-file-utils");
    const QString path = m_dir->filePath(QStringLiteral("io.github.traybeat.Traybeat.desktop"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(text.toUtf8());
    file.close();
    QProcess validate;
    validate.setProcessChannelMode(QProcess::MergedChannels);
    validate.start(QStringLiteral("desktop-file-validate"), {path});
    QVERIFY(validate.waitForFinished(30000));
    const QByteArray output = validate.readAll();
    QVERIFY2(validate.exitCode() == 0 && output.isEmpty(), output.constData());
}

// The first saved subscription switches it on; a user who switched it off afterwards keeps it off.
void tst_Autostart::onByDefaultAfterFirstSubscriptionOnce()
{
    QSettings file(m_dir->filePath(QStringLiteral("traybeat.conf")), QSettings::IniFormat);
    AppSettings settings(&file);
    const QString executable = QStringLiteral("/usr/bin/traybeat");
    Autostart::applyDefault(&settings, executable);
    QVERIFY(!Autostart::isEnabled()); // nothing to start for yet
    QVERIFY(!settings.isStartAtLoginDecided());

    SubscriptionConfig config;
    config.name = QStringLiteral("alerts");
    config.server = QUrl(QStringLiteral("https://ntfy.example.com"));
    config.topics = {QStringLiteral("alerts")};
    settings.setSubscriptions({config});
    Autostart::applyDefault(&settings, executable);
    QVERIFY(Autostart::isEnabled());
    QVERIFY(settings.isStartAtLoginDecided());

    QVERIFY(Autostart::setEnabled(false, executable, nullptr)); // the user switches it off
    Autostart::applyDefault(&settings, executable);
    QVERIFY(!Autostart::isEnabled());
}

QTEST_GUILESS_MAIN(tst_Autostart)
#include "tst_autostart.moc"
