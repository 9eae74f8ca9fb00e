#pragma once

#include <QString>
#include <QTemporaryDir>

// A private PostgreSQL cluster for one test suite: `initdb` and `pg_ctl` from Debian's
// postgresql package (/usr/lib/postgresql/<version>/bin), run as the `postgres` user when the
// tests run as root (CI does; PostgreSQL refuses to run as root), else as the current user.
// Data folder and socket folder live in a temporary folder; it listens on 127.0.0.1 on a free
// port and on a Unix socket in that folder. fsync is off: a test cluster needs no durability
// across power cuts, and every commit would cost a disk flush. synchronous_commit stays on: a
// commit is in the (unflushed) WAL before it is acknowledged, so a crash of PostgreSQL (an
// immediate stop) loses nothing acknowledged — what the restart tests check. Stopped (immediate) in
// the destructor, also when the test failed.
//
// Authentication: trust on the Unix socket; a password (scram-sha-256) over TCP, so that the
// server's password handling is exercised for real. password() gives it.
class PostgresCluster final
{
public:
    PostgresCluster();
    ~PostgresCluster();
    Q_DISABLE_COPY_MOVE(PostgresCluster)

    // initdb (once) and start. False + the tool's output when something is missing or fails:
    // a test must fail then, not skip (CI installs PostgreSQL through scripts/dev).
    bool start(QString *errorMessage);
    // Stops it now (the restart tests): `immediate` is a crash, not a clean shutdown.
    bool stop(bool immediate = true, QString *errorMessage = nullptr);
    bool isRunning() const { return m_running; }

    quint16 port() const { return m_port; }
    QString socketDirectory() const;
    QString user() const { return QStringLiteral("postgres"); }
    QString password() const { return QStringLiteral("test-password-4711"); }

    // A fresh, empty database (dropped first if it exists).
    bool createDatabase(const QString &name, QString *errorMessage);
    // Runs SQL through psql on the socket; its output (unaligned, tuples only).
    QString query(const QString &database, const QString &sql, QString *errorMessage = nullptr);

    // URLs for `--db`: over TCP without the password (give PGPASSWORD=password()), or over the
    // Unix socket (trust).
    QString tcpUrl(const QString &database) const;
    QString socketUrl(const QString &database) const;

private:
    bool run(const QString &tool, const QStringList &arguments, QString *output);
    bool initialize(QString *errorMessage);
    QString binary(const QString &tool) const;

    QTemporaryDir m_dir;
    QString m_binDirectory;
    quint16 m_port = 0;
    bool m_initialized = false;
    bool m_running = false;
};
