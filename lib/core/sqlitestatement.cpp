#include "sqlitestatement.h"

#include <QSqlDatabase>
#include <QSqlDriver>
#include <QVariant>
#include <sqlite3.h>

namespace traybeat {

namespace {

// The QSQLITE driver hands out its connection as a QVariant holding a sqlite3 pointer.
sqlite3 *connectionOf(const QSqlDatabase &database)
{
    if (!database.isOpen() || !database.driver())
        return nullptr;
    const QVariant handle = database.driver()->handle();
    if (!handle.isValid() || qstrcmp(handle.typeName(), "sqlite3*") != 0)
        return nullptr;
    return *static_cast<sqlite3 *const *>(handle.constData());
}

} // namespace

SqliteStatement::~SqliteStatement()
{
    finalize();
}

bool SqliteStatement::prepare(const QSqlDatabase &database, const QString &sql, QString *error)
{
    finalize();
    m_connection = connectionOf(database);
    if (!m_connection) {
        *error = QStringLiteral("not an open SQLite connection");
        return false;
    }
    const QByteArray text = sql.toUtf8();
    if (sqlite3_prepare_v3(m_connection, text.constData(), int(text.size()),
                           SQLITE_PREPARE_PERSISTENT, &m_statement, nullptr)
        != SQLITE_OK) {
        *error = QString::fromUtf8(sqlite3_errmsg(m_connection));
        finalize();
        return false;
    }
    m_texts.resize(size_t(sqlite3_bind_parameter_count(m_statement)));
    return true;
}

void SqliteStatement::finalize()
{
    sqlite3_finalize(m_statement); // a no-op for nullptr
    m_statement = nullptr;
    m_connection = nullptr;
    m_texts.clear();
}

void SqliteStatement::bindText(int column, const QString &text)
{
    if (text.isNull()) {
        bindNull(column);
        return;
    }
    Q_ASSERT(column >= 0 && size_t(column) < m_texts.size());
    // SQLITE_STATIC: the buffer is not touched again before exec() has reset the statement.
    QByteArray &buffer = m_texts[size_t(column)];
    buffer.resize(m_encoder.requiredSpace(text.size()));
    const char *end = m_encoder.appendToBuffer(buffer.data(), text);
    sqlite3_bind_text(m_statement, column + 1, buffer.constData(), int(end - buffer.constData()),
                      SQLITE_STATIC);
}

void SqliteStatement::bindInteger(int column, qint64 value)
{
    sqlite3_bind_int64(m_statement, column + 1, value);
}

void SqliteStatement::bindNull(int column)
{
    sqlite3_bind_null(m_statement, column + 1);
}

bool SqliteStatement::exec(QString *error)
{
    const int status = sqlite3_step(m_statement);
    // reset() repeats the step's error code; the message is read before it.
    if (status != SQLITE_DONE && status != SQLITE_ROW)
        *error = QString::fromUtf8(sqlite3_errmsg(m_connection));
    sqlite3_reset(m_statement);
    sqlite3_clear_bindings(m_statement);
    return status == SQLITE_DONE || status == SQLITE_ROW;
}

int SqliteStatement::rowsAffected() const
{
    return sqlite3_changes(m_connection);
}

} // namespace traybeat
