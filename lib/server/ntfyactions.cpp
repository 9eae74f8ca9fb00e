#include "ntfyactions.h"

#include "ntfy.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

namespace traybeat::ntfy {

namespace {

const QStringList actionTypes{QStringLiteral("view"), QStringLiteral("broadcast"),
                              QStringLiteral("http"), QStringLiteral("copy")};
const QStringList stringFields{QStringLiteral("action"), QStringLiteral("label"),
                               QStringLiteral("url"),    QStringLiteral("method"),
                               QStringLiteral("body"),   QStringLiteral("intent"),
                               QStringLiteral("value")};
const QStringList mapFields{QStringLiteral("headers"), QStringLiteral("extras")};

bool isSectionEnd(QChar c)
{
    return c == u';' || c == u',';
}

// One pass over the short form, keeping ntfy's rules: a section is "[key=]value", a value ends
// at ',' (next section) or ';' (next action), a quoted value runs to its closing quote.
class ShortFormParser
{
public:
    explicit ShortFormParser(const QString &input) : m_input(input) {}

    std::optional<QJsonArray> parse(QString *error)
    {
        QJsonArray actions;
        while (!atEnd()) {
            QJsonObject action;
            if (!parseAction(&action, error))
                return std::nullopt;
            actions.append(action);
            if (actions.size() > MaxActions) {
                *error = QStringLiteral("only %1 actions allowed").arg(MaxActions);
                return std::nullopt;
            }
        }
        return actions;
    }

private:
    bool atEnd() const { return m_pos >= m_input.size(); }
    QChar peek() const { return atEnd() ? QChar() : m_input.at(m_pos); }

    void skipSpaces()
    {
        while (!atEnd() && peek().isSpace())
            ++m_pos;
    }

    QString parseKey()
    {
        static const QRegularExpression key(QStringLiteral("^([-.\\w]+)\\s*=\\s*"));
        const auto match = key.match(QStringView(m_input).mid(m_pos));
        if (!match.hasMatch())
            return {};
        m_pos += match.capturedLength(0);
        return match.captured(1);
    }

    // The value of one section; `last` is set when it ended the action.
    bool parseValue(QString *value, bool *last, QString *error)
    {
        const QChar quote = peek();
        if (quote == u'"' || quote == u'\'')
            return parseQuoted(quote, value, last, error);
        const qsizetype start = m_pos;
        while (!atEnd() && !isSectionEnd(peek()))
            ++m_pos;
        *value = m_input.mid(start, m_pos - start).trimmed();
        *last = atEnd() || peek() == u';';
        ++m_pos;
        return true;
    }

    bool parseQuoted(QChar quote, QString *value, bool *last, QString *error)
    {
        const qsizetype start = ++m_pos;
        while (!atEnd() && !(peek() == quote && m_input.at(m_pos - 1) != u'\\'))
            ++m_pos;
        if (atEnd()) {
            *error =
                QStringLiteral("unexpected end of input, quote started at position %1").arg(start);
            return false;
        }
        *value =
            m_input.mid(start, m_pos - start).replace(QStringLiteral("\\") + quote, QString(quote));
        ++m_pos;
        skipSpaces();
        if (!atEnd() && !isSectionEnd(peek())) {
            *error =
                QStringLiteral("unexpected character '%1' at position %2").arg(peek()).arg(m_pos);
            return false;
        }
        *last = atEnd() || peek() == u';';
        ++m_pos;
        return true;
    }

    bool parseAction(QJsonObject *action, QString *error)
    {
        for (int section = 0;; ++section) {
            skipSpaces();
            QString key = parseKey();
            QString value;
            bool last = false;
            if (!parseValue(&value, &last, error) || !assign(action, section, key, value, error))
                return false;
            skipSpaces();
            if (last)
                return true;
        }
    }

    static QString positionalKey(const QJsonObject &action, int section)
    {
        const QString type = action.value(QStringLiteral("action")).toString().toLower();
        if (section == 0)
            return QStringLiteral("action");
        if (section == 1)
            return QStringLiteral("label");
        if (section == 2 && (type == u"view" || type == u"http"))
            return QStringLiteral("url");
        if (section == 2 && type == u"copy")
            return QStringLiteral("value");
        return {};
    }

    static bool assign(QJsonObject *action, int section, QString key, const QString &value,
                       QString *error)
    {
        if (key.isEmpty())
            key = positionalKey(*action, section);
        if (key.isEmpty()) {
            *error = QStringLiteral("term '%1' unknown").arg(value.left(40));
            return false;
        }
        for (const QString &map : mapFields) {
            if (key.startsWith(map + u'.')) {
                QJsonObject entries = action->value(map).toObject();
                entries.insert(key.mid(map.size() + 1), value);
                action->insert(map, entries);
                return true;
            }
        }
        key = key.toLower();
        if (key == u"clear") {
            const auto flag = parseBool(value);
            if (!flag) {
                *error = QStringLiteral("parameter 'clear' cannot be '%1', only boolean values "
                                        "are allowed (true/yes/1/false/no/0)")
                             .arg(value.left(40));
                return false;
            }
            action->insert(key, *flag);
            return true;
        }
        if (!stringFields.contains(key)) {
            *error = QStringLiteral("key '%1' unknown").arg(key.left(40));
            return false;
        }
        action->insert(key, value);
        return true;
    }

    const QString &m_input;
    qsizetype m_pos = 0;
};

bool isStringMap(const QJsonValue &value)
{
    if (!value.isObject())
        return false;
    const QJsonObject object = value.toObject();
    return std::all_of(object.begin(), object.end(),
                       [](const QJsonValue &entry) { return entry.isString(); });
}

// One object of the JSON form, with the types ntfy's decoder would insist on.
bool checkJsonAction(const QJsonObject &action, QString *error)
{
    for (auto it = action.begin(); it != action.end(); ++it) {
        const bool ok = stringFields.contains(it.key())      ? it->isString()
                        : mapFields.contains(it.key())       ? isStringMap(*it)
                        : it.key() == QLatin1String("clear") ? it->isBool()
                                                             : true; // ntfy ignores unknown keys
        if (!ok) {
            *error = QStringLiteral("JSON error: wrong type for '%1'").arg(it.key().left(40));
            return false;
        }
    }
    return true;
}

std::optional<QJsonArray> parseJsonForm(const QString &text, QString *error)
{
    QJsonParseError parseError{};
    const QJsonDocument document = QJsonDocument::fromJson(text.toUtf8(), &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isArray()) {
        *error = QStringLiteral("JSON error: %1").arg(parseError.errorString());
        return std::nullopt;
    }
    QJsonArray actions;
    for (const QJsonValue &value : document.array()) {
        if (!value.isObject() || !checkJsonAction(value.toObject(), error)) {
            if (error->isEmpty())
                *error = QStringLiteral("JSON error: an action must be an object");
            return std::nullopt;
        }
        QJsonObject action;
        const QJsonObject source = value.toObject();
        for (auto it = source.begin(); it != source.end(); ++it) {
            if (stringFields.contains(it.key()) || mapFields.contains(it.key()) ||
                it.key() == QLatin1String("clear"))
                action.insert(it.key(), *it);
        }
        actions.append(action);
    }
    return actions;
}

bool validate(QJsonObject *action, QString *error)
{
    const QString type = action->value(QStringLiteral("action")).toString().toLower();
    const QString method = action->value(QStringLiteral("method")).toString().toUpper();
    action->insert(QStringLiteral("id"), newRandomId(10));
    action->insert(QStringLiteral("action"), type);
    if (!method.isEmpty())
        action->insert(QStringLiteral("method"), method);
    if (!action->contains(QStringLiteral("clear")))
        action->insert(QStringLiteral("clear"), false);
    const auto missing = [action](const char *key) {
        return action->value(QLatin1String(key)).toString().isEmpty();
    };
    if (!actionTypes.contains(type))
        *error = QStringLiteral("parameter 'action' cannot be '%1', valid values are 'view', "
                                "'broadcast', 'http' and 'copy'")
                     .arg(type.left(40));
    else if (missing("label"))
        *error = QStringLiteral("parameter 'label' is required");
    else if ((type == u"view" || type == u"http") && missing("url"))
        *error = QStringLiteral("parameter 'url' is required for action '%1'").arg(type);
    else if (type == u"copy" && missing("value"))
        *error = QStringLiteral("parameter 'value' is required for action 'copy'");
    else if (type == u"http" && (method == u"GET" || method == u"HEAD") && !missing("body"))
        *error = QStringLiteral("parameter 'body' cannot be set if method is %1").arg(method);
    return error->isEmpty();
}

} // namespace

std::optional<QJsonArray> parseActions(const QString &text, QString *error)
{
    error->clear();
    const QString trimmed = text.trimmed();
    auto actions = trimmed.startsWith(u'[') ? parseJsonForm(trimmed, error)
                                            : ShortFormParser(trimmed).parse(error);
    if (!actions)
        return std::nullopt;
    if (actions->size() > MaxActions) {
        *error = QStringLiteral("only %1 actions allowed").arg(MaxActions);
        return std::nullopt;
    }
    for (qsizetype i = 0; i < actions->size(); ++i) {
        QJsonObject action = actions->at(i).toObject();
        if (!validate(&action, error))
            return std::nullopt;
        actions->replace(i, action);
    }
    return actions;
}

} // namespace traybeat::ntfy
