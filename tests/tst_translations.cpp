// The Simplified Chinese translation (issue 12, "Chinese, and any language"): the catalogue is
// complete for the sources as they are now, the command-line modes speak the chosen language
// (--lang, or the system locale) while listen's JSON stays English, an unknown language warns
// once, and the windows built under zh_CN show Chinese, Qt's standard buttons included.
#include "appsettings.h"
#include "historywindow.h"
#include "notificationstore.h"
#include "settingsdialog.h"
#include "subscriptioneditor.h"
#include "translations.h"
#include "traycontroller.h"

#include <QAbstractButton>
#include <QDialogButtonBox>
#include <QElapsedTimer>
#include <QFile>
#include <QGroupBox>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QProcess>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>
#include <functional>

using namespace traybeat;

namespace {

const QString binary = QStringLiteral(TRAYBEAT_BINARY);
// A generous bound for a child's answer on a loaded machine (and under the sanitizers).
constexpr int processTimeoutMs = 30000;

// The environment of a child that speaks English unless told otherwise: no locale variable of
// the machine running the test leaks in.
QProcessEnvironment englishEnvironment()
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (const char *name : {"LANGUAGE", "LC_ALL", "LC_MESSAGES", "TRAYBEAT_TOKEN"})
        environment.remove(QLatin1String(name));
    environment.insert(QStringLiteral("LANG"), QStringLiteral("C.UTF-8"));
    return environment;
}

QProcessEnvironment chineseEnvironment()
{
    QProcessEnvironment environment = englishEnvironment();
    environment.insert(QStringLiteral("LANG"), QStringLiteral("zh_CN.UTF-8"));
    return environment;
}

bool hasChinese(const QString &text)
{
    static const QRegularExpression han(QStringLiteral("\\p{Han}"));
    return text.contains(han);
}

// Text that still reads as English: a word of three or more Latin letters once the names that
// stay as they are (product and protocol names, examples) are taken out.
bool looksEnglish(QString text)
{
    static const QRegularExpression kept(QStringLiteral(
        "traybeat\\.conf|traybeat|ntfy|D-Bus|Gotify|gotify|WebSocket|HeartBeat|Ping|URL|TLS|HTTP|"
        "https?://\\S*|\\balerts\\b|\\bbackups\\b"));
    static const QRegularExpression word(QStringLiteral("[A-Za-z]{3,}"));
    return text.remove(kept).contains(word);
}

// A line of output of a running child matching `wanted`, or an empty object after the timeout.
QJsonObject waitForJsonLine(QProcess &process,
                            const std::function<bool(const QJsonObject &)> &wanted)
{
    QElapsedTimer waited;
    waited.start();
    while (waited.elapsed() < processTimeoutMs) {
        while (process.canReadLine()) {
            const QJsonObject line = QJsonDocument::fromJson(process.readLine()).object();
            if (wanted(line))
                return line;
        }
        process.waitForReadyRead(200);
    }
    return {};
}

} // namespace

class tst_Translations : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void catalogueIsCompleteForTheSources();
    void translationsKeepPlaceholdersAndAccelerators();
    void requestedLanguage_data();
    void requestedLanguage();
    void commandLineErrorInChinese_data();
    void commandLineErrorInChinese();
    void langOverridesTheSystemLocale();
    void unknownLanguageWarnsOnceAndStaysEnglish_data();
    void unknownLanguageWarnsOnceAndStaysEnglish();
    void runningTrayAppWarnsOnce();
    void helpIsTranslated_data();
    void helpIsTranslated();
    void listenJsonStaysEnglishUnderChinese();
    void settingsDialogInChinese();
    void subscriptionEditorInChinese();
    void historyWindowInChinese();
    void trayMenuAndToolTipInChinese();

private:
    struct Message
    {
        QString context;
        QString source;
        QString translation;
        QString type; // "unfinished", "vanished", "obsolete" or empty
    };
    static QList<Message> readCatalogue(const QString &path, QString *error);
    static QStringList untranslatedTexts(QWidget *root);
    quint16 startServer(QProcess &server, const QString &tokenFile);
    QTemporaryDir m_dir;
};

void tst_Translations::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY(Translations::available().contains(QStringLiteral("zh_CN")));
    QString warning;
    QVERIFY(Translations::install(*qApp, QStringLiteral("zh_CN"), &warning));
    QVERIFY(warning.isEmpty());
}

QList<tst_Translations::Message> tst_Translations::readCatalogue(const QString &path,
                                                                 QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = file.errorString();
        return {};
    }
    QList<Message> messages;
    QString context;
    QXmlStreamReader xml(&file);
    while (!xml.atEnd()) {
        if (xml.readNext() != QXmlStreamReader::StartElement)
            continue;
        if (xml.name() == QLatin1String("name")) {
            context = xml.readElementText();
        } else if (xml.name() == QLatin1String("message")) {
            messages.append({context, {}, {}, {}});
        } else if (xml.name() == QLatin1String("source") && !messages.isEmpty()) {
            messages.last().source = xml.readElementText();
        } else if (xml.name() == QLatin1String("translation") && !messages.isEmpty()) {
            messages.last().type = xml.attributes().value(QLatin1String("type")).toString();
            // A plural message holds its forms in <numerusform> elements: all of them count.
            messages.last().translation =
                xml.readElementText(QXmlStreamReader::IncludeChildElements);
        }
    }
    if (xml.hasError())
        *error = xml.errorString();
    return messages;
}

// lupdate over the sources, into a copy of the committed catalogue: a tr() text added without
// its translation shows up as "unfinished", one no longer in the sources as "vanished".
void tst_Translations::catalogueIsCompleteForTheSources()
{
    const QString copy = m_dir.filePath(QStringLiteral("traybeat_zh_CN.ts"));
    QFile::remove(copy);
    QVERIFY(QFile::copy(QStringLiteral(TRAYBEAT_TS_FILE), copy));
    QFile::setPermissions(copy, QFile::ReadOwner | QFile::WriteOwner);
    QProcess lupdate;
    lupdate.start(QStringLiteral(TRAYBEAT_LUPDATE),
                  {QStringLiteral("-silent"), QStringLiteral("-locations"), QStringLiteral("none"),
                   QStringLiteral(TRAYBEAT_SOURCE_DIR "/app"),
                   QStringLiteral(TRAYBEAT_SOURCE_DIR "/lib"), QStringLiteral("-ts"), copy});
    QVERIFY(lupdate.waitForFinished(120000));
    QCOMPARE(lupdate.exitCode(), 0);

    QString error;
    const QList<Message> messages = readCatalogue(copy, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY(messages.size() > 300);
    QStringList problems;
    for (const Message &message : messages) {
        if (!message.type.isEmpty() || message.translation.trimmed().isEmpty())
            problems << QStringLiteral("%1 [%2]: \"%3\"")
                            .arg(message.context, message.type, message.source);
    }
    QVERIFY2(problems.isEmpty(),
             qPrintable(QStringLiteral("translations/traybeat_zh_CN.ts is not complete (run "
                                       "`ninja update_translations`, then translate):\n") +
                        problems.join(QLatin1Char('\n'))));
}

void tst_Translations::translationsKeepPlaceholdersAndAccelerators()
{
    QString error;
    const QList<Message> messages = readCatalogue(QStringLiteral(TRAYBEAT_TS_FILE), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    static const QRegularExpression placeholder(QStringLiteral("%(\\d|n)"));
    static const QRegularExpression accelerator(QStringLiteral("&[^&\\s]"));
    QStringList problems;
    for (const Message &message : messages) {
        QStringList wanted;
        for (auto it = placeholder.globalMatch(message.source); it.hasNext();)
            wanted << it.next().captured();
        for (const QString &marker : std::as_const(wanted)) {
            if (!message.translation.contains(marker))
                problems << QStringLiteral("%1 lacks %2: %3")
                                .arg(message.context, marker, message.source);
        }
        // HTML entities (&amp;) in a sample text are not accelerators.
        const bool isHtml = message.source.contains(QLatin1String("&amp;"));
        if (!isHtml && message.source.contains(accelerator) &&
            !message.translation.contains(accelerator))
            problems << QStringLiteral("%1 lost its & accelerator: %2")
                            .arg(message.context, message.source);
    }
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
}

void tst_Translations::requestedLanguage_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("language");
    QTest::newRow("none") << QStringList{QStringLiteral("traybeat")} << QString();
    QTest::newRow("separate") << QStringList{QStringLiteral("traybeat"), QStringLiteral("--lang"),
                                             QStringLiteral("zh_CN")}
                              << QStringLiteral("zh_CN");
    QTest::newRow("joined") << QStringList{QStringLiteral("traybeat"), QStringLiteral("--demo"),
                                           QStringLiteral("--lang=en")}
                            << QStringLiteral("en");
    QTest::newRow("last one counts")
        << QStringList{QStringLiteral("traybeat"), QStringLiteral("--lang=en"),
                       QStringLiteral("--lang"), QStringLiteral("zh_CN")}
        << QStringLiteral("zh_CN");
    QTest::newRow("after -- it is a message")
        << QStringList{QStringLiteral("traybeat"), QStringLiteral("--"), QStringLiteral("--lang"),
                       QStringLiteral("zh_CN")}
        << QString();
}

void tst_Translations::requestedLanguage()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, language);
    QCOMPARE(Translations::requestedLanguage(arguments), language);
}

// A bad argument of each mode: its one-line reason in Chinese, exit status 2.
void tst_Translations::commandLineErrorInChinese_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<bool>("fromLocale"); // LANG=zh_CN.UTF-8 instead of --lang
    QTest::addColumn<QString>("prefix");
    QTest::addColumn<QString>("reason");
    const QString serverRequired = QStringLiteral("必须指定 --server");
    QTest::newRow("listen --lang zh_CN")
        << QStringList{QStringLiteral("listen"), QStringLiteral("--lang"), QStringLiteral("zh_CN")}
        << false << QStringLiteral("traybeat listen: ") << serverRequired;
    QTest::newRow("listen, LANG=zh_CN.UTF-8")
        << QStringList{QStringLiteral("listen")} << true << QStringLiteral("traybeat listen: ")
        << serverRequired;
    QTest::newRow("listen --lang=zh-CN, an unknown option: Qt's text")
        << QStringList{QStringLiteral("listen"), QStringLiteral("--lang=zh-CN"),
                       QStringLiteral("--bogus")}
        << false << QStringLiteral("traybeat listen: ") << QStringLiteral("未知选项");
    QTest::newRow("serve") << QStringList{QStringLiteral("serve"), QStringLiteral("--lang=zh_CN"),
                                          QStringLiteral("--listen=nowhere")}
                           << false << QStringLiteral("traybeat serve: ")
                           << QStringLiteral("--listen：“nowhere”不是 ADDR:PORT 格式");
    QTest::newRow("publish") << QStringList{QStringLiteral("publish"), QStringLiteral("alerts")}
                             << true << QStringLiteral("traybeat publish: ")
                             << QStringLiteral("需要 TOPIC 和 MESSAGE");
    QTest::newRow("tray app") << QStringList{QStringLiteral("--lang"), QStringLiteral("zh_CN"),
                                             QStringLiteral("extra")}
                              << false << QStringLiteral("traybeat: ")
                              << QStringLiteral("多余的参数“extra”");
}

void tst_Translations::commandLineErrorInChinese()
{
    QFETCH(QStringList, arguments);
    QFETCH(bool, fromLocale);
    QFETCH(QString, prefix);
    QFETCH(QString, reason);
    QProcess process;
    process.setProcessEnvironment(fromLocale ? chineseEnvironment() : englishEnvironment());
    process.start(binary, arguments);
    QVERIFY(process.waitForFinished(processTimeoutMs));
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 2);
    const QString stderrText = QString::fromUtf8(process.readAllStandardError());
    QCOMPARE(stderrText.count(QLatin1Char('\n')), 1);
    QVERIFY2(stderrText.startsWith(prefix), qPrintable(stderrText));
    QVERIFY2(stderrText.contains(reason), qPrintable(stderrText));
}

void tst_Translations::langOverridesTheSystemLocale()
{
    QProcess process;
    process.setProcessEnvironment(chineseEnvironment());
    process.start(binary,
                  {QStringLiteral("listen"), QStringLiteral("--lang"), QStringLiteral("en")});
    QVERIFY(process.waitForFinished(processTimeoutMs));
    QCOMPARE(process.exitCode(), 2);
    const QString stderrText = QString::fromUtf8(process.readAllStandardError());
    QVERIFY2(stderrText.startsWith(QStringLiteral("traybeat listen: --server is required")),
             qPrintable(stderrText));
}

void tst_Translations::unknownLanguageWarnsOnceAndStaysEnglish_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("error");
    QTest::newRow("listen") << QStringList{QStringLiteral("listen"), QStringLiteral("--lang"),
                                           QStringLiteral("xx")}
                            << QStringLiteral("traybeat listen: --server is required");
    // The tray app installs the translations twice (for parsing, then for its windows).
    QTest::newRow("tray app") << QStringList{QStringLiteral("--lang=fr"), QStringLiteral("extra")}
                              << QStringLiteral("traybeat: unexpected argument \"extra\"");
}

void tst_Translations::unknownLanguageWarnsOnceAndStaysEnglish()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, error);
    QProcess process;
    process.setProcessEnvironment(chineseEnvironment()); // --lang wins over the locale here too
    process.start(binary, arguments);
    QVERIFY(process.waitForFinished(processTimeoutMs));
    QCOMPARE(process.exitCode(), 2);
    const QStringList lines = QString::fromUtf8(process.readAllStandardError())
                                  .split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 2);
    QVERIFY2(lines[0].startsWith(QStringLiteral("traybeat: no translation for language")),
             qPrintable(lines[0]));
    QVERIFY2(lines[0].contains(QStringLiteral("zh_CN")),
             qPrintable(lines[0])); // says what there is
    QVERIFY2(lines[1].startsWith(error), qPrintable(lines[1]));
}

// The running tray app installs the translations twice (for its arguments, then into its
// QApplication) and still warns once; its own notices are English then.
void tst_Translations::runningTrayAppWarnsOnce()
{
    QProcess tray;
    QProcessEnvironment environment = englishEnvironment();
    environment.insert(QStringLiteral("XDG_CONFIG_HOME"), m_dir.filePath(QStringLiteral("config")));
    environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    tray.setProcessEnvironment(environment);
    tray.start(binary, {QStringLiteral("--lang=xx"), QStringLiteral("--state-dir"),
                        m_dir.filePath(QStringLiteral("tray-state"))});
    QVERIFY(tray.waitForStarted());
    // No system tray offscreen: the app says so on stderr once it is up.
    QByteArray errors;
    QElapsedTimer waited;
    waited.start();
    while (!errors.contains("no system tray available") && waited.elapsed() < processTimeoutMs) {
        tray.waitForReadyRead(200);
        errors += tray.readAllStandardError();
    }
    tray.terminate();
    QVERIFY(tray.waitForFinished(processTimeoutMs));
    errors += tray.readAllStandardError();
    QVERIFY2(errors.contains("traybeat: no system tray available"), errors.constData());
    QCOMPARE(errors.count("no translation for language \"xx\""), 1);
}

void tst_Translations::helpIsTranslated_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("usage");
    QTest::addColumn<QString>("description");
    QTest::newRow("serve --help") << QStringList{QStringLiteral("serve"),
                                                 QStringLiteral("--lang=zh_CN"),
                                                 QStringLiteral("--help")}
                                  << QStringLiteral("用法：traybeat serve [选项]")
                                  << QStringLiteral("运行参考推送服务器");
    // The tray app reads its arguments before its QApplication exists.
    QTest::newRow("tray app --help-all")
        << QStringList{QStringLiteral("--help-all"), QStringLiteral("--lang"),
                       QStringLiteral("zh_CN")}
        << QStringLiteral("用法：traybeat [选项]") << QStringLiteral("系统托盘中的推送通知");
}

void tst_Translations::helpIsTranslated()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, usage);
    QFETCH(QString, description);
    QProcess process;
    process.setProcessEnvironment(englishEnvironment());
    process.start(binary, arguments);
    QVERIFY(process.waitForFinished(processTimeoutMs));
    QCOMPARE(process.exitCode(), 0);
    const QString help = QString::fromUtf8(process.readAllStandardOutput());
    QVERIFY2(help.startsWith(usage + QLatin1Char('\n')), qPrintable(help));
    QVERIFY2(help.contains(description), qPrintable(help));
    QVERIFY2(help.contains(QStringLiteral("--lang <CODE>")), qPrintable(help));
}

quint16 tst_Translations::startServer(QProcess &server, const QString &tokenFile)
{
    server.setProcessEnvironment(chineseEnvironment());
    server.start(binary, {QStringLiteral("serve"), QStringLiteral("--listen=127.0.0.1:0"),
                          QStringLiteral("--db"), m_dir.filePath(QStringLiteral("server.db")),
                          QStringLiteral("--token-file"), tokenFile});
    // The "listening on" line is for scripts: English under any language.
    static const QRegularExpression portPattern(
        QStringLiteral("^traybeat serve: listening on http://127\\.0\\.0\\.1:(\\d+)"));
    QElapsedTimer waited;
    waited.start();
    while (waited.elapsed() < processTimeoutMs) {
        while (server.canReadLine()) {
            const auto match = portPattern.match(QString::fromUtf8(server.readLine()));
            if (match.hasMatch())
                return quint16(match.captured(1).toUInt());
        }
        server.waitForReadyRead(200);
    }
    return 0;
}

// listen under zh_CN: the JSON keys and state names are a contract and stay English; a refused
// token (401) still ends in "failed", whatever language Qt's error texts are in.
void tst_Translations::listenJsonStaysEnglishUnderChinese()
{
    const QString tokenFile = m_dir.filePath(QStringLiteral("token"));
    {
        QFile file(tokenFile);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("right-token\n");
    }
    QProcess server;
    const quint16 port = startServer(server, tokenFile);
    QVERIFY(port != 0);
    const QString serverUrl = QStringLiteral("--server=http://127.0.0.1:%1").arg(port);

    QProcess listener;
    listener.setProcessEnvironment(chineseEnvironment());
    listener.start(binary,
                   {QStringLiteral("listen"), serverUrl, QStringLiteral("--topic=alerts"),
                    QStringLiteral("--token-file"), tokenFile, QStringLiteral("--state-dir"),
                    m_dir.filePath(QStringLiteral("listen-ok"))});
    const QJsonObject connected = waitForJsonLine(listener, [](const QJsonObject &line) {
        return line.value(QLatin1String("state")) == QLatin1String("connected");
    });
    QCOMPARE(QStringList(connected.keys()),
             (QStringList{QStringLiteral("event"), QStringLiteral("reason"),
                          QStringLiteral("state"), QStringLiteral("time")}));
    QCOMPARE(connected.value(QLatin1String("event")).toString(), QStringLiteral("state"));

    QProcess publisher;
    publisher.setProcessEnvironment(chineseEnvironment());
    publisher.start(binary, {QStringLiteral("publish"), serverUrl, QStringLiteral("--token-file"),
                             tokenFile, QStringLiteral("--title=磁盘"), QStringLiteral("alerts"),
                             QStringLiteral("/var 已用 91%")});
    QVERIFY(publisher.waitForFinished(processTimeoutMs));
    QCOMPARE(publisher.exitCode(), 0);
    const QJsonObject message = waitForJsonLine(listener, [](const QJsonObject &line) {
        return line.value(QLatin1String("event")) == QLatin1String("message");
    });
    QCOMPARE(message.value(QLatin1String("title")).toString(), QStringLiteral("磁盘"));
    QCOMPARE(message.value(QLatin1String("body")).toString(), QStringLiteral("/var 已用 91%"));
    for (const char *key : {"id", "topic", "priority", "url", "published", "time"})
        QVERIFY2(message.contains(QLatin1String(key)), key);
    listener.terminate();
    QVERIFY(listener.waitForFinished(processTimeoutMs));

    QProcess refused;
    QProcessEnvironment environment = chineseEnvironment();
    environment.insert(QStringLiteral("TRAYBEAT_TOKEN"), QStringLiteral("wrong-token"));
    refused.setProcessEnvironment(environment);
    refused.start(binary, {QStringLiteral("listen"), serverUrl, QStringLiteral("--topic=alerts"),
                           QStringLiteral("--state-dir"),
                           m_dir.filePath(QStringLiteral("listen-refused"))});
    const QJsonObject failed = waitForJsonLine(refused, [](const QJsonObject &line) {
        const QString state = line.value(QLatin1String("state")).toString();
        return state == QLatin1String("failed") || state == QLatin1String("reconnecting");
    });
    QCOMPARE(failed.value(QLatin1String("state")).toString(), QStringLiteral("failed"));
    const QString reason = failed.value(QLatin1String("reason")).toString();
    QVERIFY2(reason.contains(QStringLiteral("服务器拒绝了凭据（HTTP 401）")), qPrintable(reason));
    refused.terminate();
    QVERIFY(refused.waitForFinished(processTimeoutMs));
    server.terminate();
    QVERIFY(server.waitForFinished(processTimeoutMs));
    QCOMPARE(server.exitCode(), 0);
}

// Every label, button, group, tab, placeholder and column title of a window (and the window's
// title) that still reads as English.
QStringList tst_Translations::untranslatedTexts(QWidget *root)
{
    QStringList texts{root->windowTitle()};
    for (const QLabel *label : root->findChildren<QLabel *>())
        texts << label->text();
    for (const QAbstractButton *button : root->findChildren<QAbstractButton *>())
        texts << button->text() << button->toolTip();
    for (const QGroupBox *group : root->findChildren<QGroupBox *>())
        texts << group->title();
    for (const QTabWidget *tabs : root->findChildren<QTabWidget *>()) {
        for (int i = 0; i < tabs->count(); ++i)
            texts << tabs->tabText(i);
    }
    for (const QLineEdit *edit : root->findChildren<QLineEdit *>())
        texts << edit->placeholderText();
    for (const QTableView *table : root->findChildren<QTableView *>()) {
        const QAbstractItemModel *model = table->model();
        for (int column = 0; model && column < model->columnCount(); ++column)
            texts << model->headerData(column, Qt::Horizontal).toString();
    }
    QStringList english;
    for (const QString &text : std::as_const(texts)) {
        if (looksEnglish(text))
            english << text;
    }
    return english;
}

void tst_Translations::settingsDialogInChinese()
{
    QSettings file(m_dir.filePath(QStringLiteral("traybeat.ini")), QSettings::IniFormat);
    AppSettings settings(&file);
    SettingsDialog dialog(&settings);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QCOMPARE(dialog.windowTitle(), QStringLiteral("traybeat 设置"));
    const QStringList english = untranslatedTexts(&dialog);
    QVERIFY2(english.isEmpty(), qPrintable(english.join(QLatin1String(" | "))));
    // Qt's own translations are loaded: its standard buttons speak Chinese too.
    const auto *buttons = dialog.findChild<QDialogButtonBox *>();
    QVERIFY(buttons);
    QVERIFY(buttons->button(QDialogButtonBox::Cancel));
    QCOMPARE(buttons->button(QDialogButtonBox::Cancel)->text(), QStringLiteral("取消"));
}

void tst_Translations::subscriptionEditorInChinese()
{
    SubscriptionEditor editor;
    editor.show();
    QVERIFY(QTest::qWaitForWindowExposed(&editor));
    QVERIFY(hasChinese(editor.windowTitle()));
    const QStringList english = untranslatedTexts(&editor);
    QVERIFY2(english.isEmpty(), qPrintable(english.join(QLatin1String(" | "))));
}

void tst_Translations::historyWindowInChinese()
{
    NotificationStore store;
    QVERIFY(store.open(m_dir.filePath(QStringLiteral("history.db"))));
    HistoryWindow window(&store);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QCOMPARE(window.windowTitle(), QStringLiteral("通知历史记录"));
    const QStringList english = untranslatedTexts(&window);
    QVERIFY2(english.isEmpty(), qPrintable(english.join(QLatin1String(" | "))));
}

void tst_Translations::trayMenuAndToolTipInChinese()
{
    TrayController controller;
    LinkStatus status;
    status.name = QStringLiteral("Demo");
    status.server = QUrl(QStringLiteral("https://push.example.org"));
    status.state = ConnectionState::Connected;
    status.unread = 2;
    controller.setStatuses({status});
    controller.setQuietHours(true, QTime(7, 0));
    QStringList texts;
    const QList<QAction *> actions = controller.menu()->actions();
    for (const QAction *action : actions) {
        if (!action->isSeparator() && action->isVisible())
            texts << action->text().section(QLatin1Char(' '), 0, 0); // the quiet line's time
    }
    QCOMPARE(texts, (QStringList{QStringLiteral("Demo：已连接（2"), QStringLiteral("立即重新连接(&R)"),
                                 QStringLiteral("全部标为已读(&M)"), QStringLiteral("勿扰模式(&D)"),
                                 QStringLiteral("静默时段至"), QStringLiteral("历史记录(&H)…"),
                                 QStringLiteral("设置(&S)…"), QStringLiteral("退出(&Q)")}));
    QCOMPARE(actions.first()->menu()->actions().first()->text(), QStringLiteral("重新连接(&R)"));
    QVERIFY2(controller.toolTip().startsWith(QStringLiteral("traybeat：已连接 · 静默时段至")),
             qPrintable(controller.toolTip()));
}

QTEST_MAIN(tst_Translations)
#include "tst_translations.moc"
