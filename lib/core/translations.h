#pragma once

#include <QCoreApplication>
#include <QLocale>
#include <QString>
#include <QStringList>

class QTranslator;

namespace traybeat {

// Chooses the language traybeat speaks and installs its translators (docs/design.md,
// "Languages"): ours, embedded as :/i18n/traybeat_<lang>.qm, and Qt's own (qtbase_<lang>.qm
// from Qt's translations folder) for the texts of its dialogs and standard buttons.
// By default the language follows the system locale (LANGUAGE, LC_ALL, LC_MESSAGES, LANG); a
// language given with --lang overrides it, dates and numbers included. Machine-readable output
// (listen's JSON, protocol strings, logs) is never translated; only what a person reads is.
class Translations final
{
    Q_DECLARE_TR_FUNCTIONS(traybeat::Translations)
public:
    // The value of `--lang CODE` / `--lang=CODE` in a raw command line (argv[0] first), or an
    // empty string. Read before any option parser exists, since the parser's own help and error
    // texts must already be in the chosen language.
    static QString requestedLanguage(const QStringList &arguments);

    // Installs the translators into `app` for `requested` (e.g. "zh_CN", "zh-CN", "en"), or for
    // the system locale when `requested` is empty. False when a language was requested that
    // traybeat has no translation for: it then stays English, and `*warning` says so in one line.
    // An unsupported system locale is not an error (English, no warning).
    static bool install(QCoreApplication &app, const QString &requested, QString *warning);

    // The languages with a translation of traybeat's texts, besides English (e.g. "zh_CN").
    static QStringList available();

private:
    static bool installForSystem(QCoreApplication &app);
    static void installWithQtCatalog(QCoreApplication &app, const QLocale &locale,
                                     QTranslator *ours);
};

} // namespace traybeat
