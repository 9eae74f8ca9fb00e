#include "postgrescluster.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTcpServer>

#include <pwd.h>
#include <unistd.h>

namespace {
// Debian's newest installed PostgreSQL, e.g. /usr/lib/postgresql/15/bin.
QString findBinDirectory()
{
    QDir root(QStringLiteral("/usr/lib/postgresql"));
    QStringList versions = root.entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    std::sort(versions.begin(), versions.end(),
              [](const QString &a, const QString &b) { return a.toInt() > b.toInt(); });
    for (const QString &version : std::as_const(versions)) {
        const QString bin = root.filePath(version + QStringLiteral("/bin"));
        if (QFile::exists(bin + QStringLiteral("/pg_ctl")))
            return bin;
    }
    return {};
}

quint16 freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

bool runsAsRoot()
{
    return ::geteuid() == 0;
}

// As root the cluster's files must belong to `postgres`, and the way there must be open to it.
bool handToPostgres(const QString &path)
{
    const passwd *account = ::getpwnam("postgres");
    if (!account)
        return false;
    return ::chown(QFile::encodeName(path).constData(), account->pw_uid, account->pw_gid) == 0;
}
} // namespace

PostgresCluster::PostgresCluster() : m_binDirectory(findBinDirectory()) {}

PostgresCluster::~PostgresCluster()
{
    if (m_running)
        stop(true);
}

QString PostgresCluster::binary(const QString &tool) const
{
    return m_binDirectory + QLatin1Char('/') + tool;
}

QString PostgresCluster::socketDirectory() const
{
    return m_dir.filePath(QStringLiteral("socket"));
}

bool PostgresCluster::run(const QString &tool, const QStringList &arguments, QString *output)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.setWorkingDirectory(m_dir.path());
    // PostgreSQL's tools are not ours to instrument: a preloaded sanitizer runtime would follow
    // them into every backend.
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.remove(QStringLiteral("LD_PRELOAD"));
    process.setProcessEnvironment(environment);
    if (runsAsRoot())
        process.start(QStringLiteral("runuser"), QStringList{QStringLiteral("-u"), user(),
                                                             QStringLiteral("--"), binary(tool)} +
                                                     arguments);
    else
        process.start(binary(tool), arguments);
    const bool finished = process.waitForStarted(10000) && process.waitForFinished(120000);
    if (output)
        *output = QString::fromLocal8Bit(process.readAll());
    if (!finished && output)
        output->prepend(
            QStringLiteral("%1 did not run to its end (%2). ").arg(tool, process.errorString()));
    // runuser's "Permission denied" on PostgreSQL's own programs means a folder on the way is
    // closed to other users (a chroot made with mktemp -d has / at 0700).
    if (output && runsAsRoot() && output->contains(QStringLiteral("Permission denied")))
        output->append(QStringLiteral(" (the %1 user must be able to reach %2 and %3: every "
                                      "folder on the way, / included, needs o+x)")
                           .arg(user(), binary(tool), m_dir.path()));
    return finished && process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0;
}

bool PostgresCluster::initialize(QString *errorMessage)
{
    if (m_binDirectory.isEmpty()) {
        *errorMessage = QStringLiteral("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/"
                                       "pg_ctl; scripts/dev installs the postgresql package)");
        return false;
    }
    if (!m_dir.isValid()) {
        *errorMessage = QStringLiteral("cannot make a temporary folder");
        return false;
    }
    QDir(m_dir.path()).mkdir(QStringLiteral("socket"));
    const QString passwordFile = m_dir.filePath(QStringLiteral("password"));
    QFile file(passwordFile);
    if (!file.open(QIODevice::WriteOnly) || file.write(password().toUtf8() + '\n') < 0) {
        *errorMessage = QStringLiteral("cannot write %1").arg(passwordFile);
        return false;
    }
    file.close();
    if (runsAsRoot() && !(handToPostgres(m_dir.path()) && handToPostgres(socketDirectory()) &&
                          handToPostgres(passwordFile))) {
        *errorMessage =
            QStringLiteral("cannot hand %1 to the postgres user (is there one?)").arg(m_dir.path());
        return false;
    }
    QString output;
    if (!run(QStringLiteral("initdb"),
             {QStringLiteral("-D"), m_dir.filePath(QStringLiteral("data")), QStringLiteral("-U"),
              user(), QStringLiteral("--pwfile=") + passwordFile,
              QStringLiteral("--auth-local=trust"), QStringLiteral("--auth-host=scram-sha-256"),
              QStringLiteral("--no-sync"), QStringLiteral("--no-instructions"),
              QStringLiteral("-E"), QStringLiteral("UTF8"), QStringLiteral("--locale=C")},
             &output)) {
        *errorMessage = QStringLiteral("initdb failed: ") + output;
        return false;
    }
    m_port = freePort();
    m_initialized = true;
    return true;
}

bool PostgresCluster::start(QString *errorMessage)
{
    if (!m_initialized && !initialize(errorMessage))
        return false;
    const QString settings =
        QStringLiteral("-c port=%1 -c listen_addresses=127.0.0.1 -c unix_socket_directories=%2"
                       " -c fsync=off -c full_page_writes=off"
                       " -c max_connections=100")
            .arg(m_port)
            .arg(socketDirectory());
    QString output;
    if (!run(QStringLiteral("pg_ctl"),
             {QStringLiteral("-D"), m_dir.filePath(QStringLiteral("data")), QStringLiteral("-l"),
              m_dir.filePath(QStringLiteral("server.log")), QStringLiteral("-w"),
              QStringLiteral("-t"), QStringLiteral("60"), QStringLiteral("-o"), settings,
              QStringLiteral("start")},
             &output)) {
        QFile log(m_dir.filePath(QStringLiteral("server.log")));
        log.open(QIODevice::ReadOnly);
        *errorMessage = QStringLiteral("pg_ctl start failed: %1\n%2")
                            .arg(output, QString::fromLocal8Bit(log.readAll().right(2000)));
        return false;
    }
    m_running = true;
    return true;
}

bool PostgresCluster::stop(bool immediate, QString *errorMessage)
{
    QString output;
    const bool stopped =
        run(QStringLiteral("pg_ctl"),
            {QStringLiteral("-D"), m_dir.filePath(QStringLiteral("data")), QStringLiteral("-m"),
             immediate ? QStringLiteral("immediate") : QStringLiteral("fast"), QStringLiteral("-w"),
             QStringLiteral("stop")},
            &output);
    if (stopped)
        m_running = false;
    else if (errorMessage)
        *errorMessage = QStringLiteral("pg_ctl stop failed: ") + output;
    return stopped;
}

QString PostgresCluster::query(const QString &database, const QString &sql, QString *errorMessage)
{
    QString output;
    const bool ran =
        run(QStringLiteral("psql"),
            {QStringLiteral("-X"), QStringLiteral("-q"), QStringLiteral("-A"), QStringLiteral("-t"),
             QStringLiteral("-v"), QStringLiteral("ON_ERROR_STOP=1"), QStringLiteral("-h"),
             socketDirectory(), QStringLiteral("-p"), QString::number(m_port), QStringLiteral("-U"),
             user(), QStringLiteral("-d"), database, QStringLiteral("-c"), sql},
            &output);
    if (!ran && errorMessage)
        *errorMessage = QStringLiteral("psql failed: ") + output;
    return ran ? output.trimmed() : QString();
}

bool PostgresCluster::createDatabase(const QString &name, QString *errorMessage)
{
    QString error;
    query(QStringLiteral("postgres"),
          QStringLiteral("DROP DATABASE IF EXISTS %1 WITH (FORCE)").arg(name), &error);
    if (error.isEmpty())
        query(QStringLiteral("postgres"), QStringLiteral("CREATE DATABASE %1").arg(name), &error);
    if (!error.isEmpty() && errorMessage)
        *errorMessage = error;
    return error.isEmpty();
}

QString PostgresCluster::tcpUrl(const QString &database) const
{
    return QStringLiteral("postgresql://%1@127.0.0.1:%2/%3").arg(user()).arg(m_port).arg(database);
}

QString PostgresCluster::socketUrl(const QString &database) const
{
    // The socket's name carries the port: .s.PGSQL.<port>.
    return QStringLiteral("postgresql://%1@:%2/%3?host=%4")
        .arg(user())
        .arg(m_port)
        .arg(database, socketDirectory());
}
