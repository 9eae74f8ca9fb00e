#include "translations.h"

#include <QDir>
#include <QLibraryInfo>
#include <QLocale>
#include <QTranslator>

namespace traybeat {

namespace {

const QString ourCatalog = QStringLiteral("traybeat");
const QString ourDirectory = QStringLiteral(":/i18n");

// The texts in the sources are English: nothing to load for it (nor for the C locale).
bool isSourceLanguage(const QLocale &locale)
{
    return locale.language() == QLocale::English || locale.language() == QLocale::C;
}

// QLocale turns any code it does not know into the C locale, so "C" is only meant when said.
bool namesCLocale(const QString &code)
{
    return code == QLatin1String("C") || code == QLatin1String("POSIX");
}

// A translator for `catalog`_<language>.qm in `directory`, the closest match to `locale`'s UI
// languages (zh_CN, then zh), owned by `app`; nullptr when there is none.
QTranslator *loadCatalog(QCoreApplication &app, const QLocale &locale, const QString &catalog,
                         const QString &directory)
{
    auto *translator = new QTranslator(&app);
    if (translator->load(locale, catalog, QStringLiteral("_"), directory))
        return translator;
    delete translator;
    return nullptr;
}

} // namespace

QString Translations::requestedLanguage(const QStringList &arguments)
{
    const QString option = QStringLiteral("--lang");
    const QString optionWithValue = option + QLatin1Char('=');
    QString language;
    for (qsizetype i = 1; i < arguments.size(); ++i) {
        const QString &argument = arguments.at(i);
        if (argument == QLatin1String("--"))
            break; // what follows is a positional argument, e.g. a message text
        if (argument == option && i + 1 < arguments.size())
            language = arguments.at(++i);
        else if (argument.startsWith(optionWithValue))
            language = argument.mid(optionWithValue.size());
    }
    return language; // the last one counts, as for any option QCommandLineParser reads
}

bool Translations::install(QCoreApplication &app, const QString &requested, QString *warning)
{
    if (requested.isEmpty())
        return installForSystem(app);
    const QLocale locale(requested);
    const bool known = locale.language() != QLocale::C || namesCLocale(requested);
    QTranslator *ours = nullptr;
    if (known && !isSourceLanguage(locale))
        ours = loadCatalog(app, locale, ourCatalog, ourDirectory);
    if (!known || (!ours && !isSourceLanguage(locale))) {
        *warning = tr("no translation for language \"%1\" (available: en, %2); continuing "
                      "in English")
                       .arg(requested, available().join(QLatin1String(", ")));
        return false;
    }
    QLocale::setDefault(locale); // asked for: dates and numbers follow the language too
    if (ours)
        installWithQtCatalog(app, locale, ours);
    return true;
}

// The system's UI languages, best first (LANGUAGE's list, then LC_ALL, LC_MESSAGES, LANG): the
// first one we speak wins, English where it comes first. As with gettext, LANGUAGE does not
// count under the C locale, and the other locale categories (dates, numbers) stay as they are.
bool Translations::installForSystem(QCoreApplication &app)
{
    const QLocale system = QLocale::system();
    if (system.language() == QLocale::C)
        return true;
    const QStringList languages = system.uiLanguages();
    for (const QString &language : languages) {
        const QLocale locale(language);
        if (isSourceLanguage(locale))
            return true;
        if (QTranslator *ours = loadCatalog(app, locale, ourCatalog, ourDirectory)) {
            installWithQtCatalog(app, locale, ours);
            return true;
        }
    }
    return true; // a language we do not speak yet: English, without a word
}

// Qt's texts only together with ours, so that a window never mixes two languages. Installed
// first: the translator installed last is asked first, so our wording wins.
void Translations::installWithQtCatalog(QCoreApplication &app, const QLocale &locale,
                                        QTranslator *ours)
{
    if (QTranslator *qt = loadCatalog(app, locale, QStringLiteral("qtbase"),
                                      QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QCoreApplication::installTranslator(qt);
    QCoreApplication::installTranslator(ours);
}

QStringList Translations::available()
{
    QStringList languages;
    const QString prefix = ourCatalog + QLatin1Char('_');
    const QStringList files =
        QDir(ourDirectory).entryList({prefix + QStringLiteral("*.qm")}, QDir::Files, QDir::Name);
    for (const QString &file : files)
        languages << file.mid(prefix.size()).chopped(3);
    return languages;
}

} // namespace traybeat
