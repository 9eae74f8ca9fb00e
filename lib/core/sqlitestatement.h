#pragma once

#include <QString>
#include <QStringEncoder>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;
class QSqlDatabase;

namespace traybeat {

// One prepared statement run through SQLite's own API on an open QSQLITE connection, for the
// statements a burst runs once per message (the stores' INSERTs). Binding through QSqlQuery
// formats a placeholder name, looks it up in a hash and boxes each value in a QVariant: about
// 10 % of `listen` and of `serve` in a burst (docs/design.md, "Stores in a burst").
//
// It must be finalized (finalize() or destroyed) before its connection is closed: SQLite keeps
// a connection with a live statement open.
class SqliteStatement
{
public:
    SqliteStatement() = default;
    ~SqliteStatement();
    SqliteStatement(const SqliteStatement &) = delete;
    SqliteStatement &operator=(const SqliteStatement &) = delete;

    // False with the reason when the connection is not an open SQLite one or the SQL is wrong.
    bool prepare(const QSqlDatabase &database, const QString &sql, QString *error);
    bool isPrepared() const { return m_statement != nullptr; }
    void finalize();

    // Columns count from 0, as with QSqlQuery. A null QString binds NULL, as QSqlQuery does.
    // Text is bound as UTF-8 (the database's encoding) from a buffer per column that the
    // statement keeps, so SQLite neither translates nor copies it and a burst allocates nothing
    // per value; the text may be a temporary.
    void bindText(int column, const QString &text);
    void bindInteger(int column, qint64 value);
    void bindNull(int column);

    // Runs the statement to its end and resets it for the next bindings; false with SQLite's
    // message otherwise.
    bool exec(QString *error);
    // Rows the last exec() inserted, changed or deleted.
    int rowsAffected() const;

private:
    sqlite3 *m_connection = nullptr;
    sqlite3_stmt *m_statement = nullptr;
    std::vector<QByteArray> m_texts; // one UTF-8 buffer per parameter, bound until exec()
    QStringEncoder m_encoder{QStringEncoder::Utf8, QStringConverter::Flag::Stateless};
};

} // namespace traybeat
