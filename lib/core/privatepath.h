#pragma once

#include <QCoreApplication>
#include <QString>

namespace traybeat {

// Keeps what traybeat stores readable by its owner only: every folder it creates for its state
// is 0700 and every file 0600, whatever the umask; state that an older version (or a wide umask)
// left readable by others is narrowed, with one log line; and state is never kept where another
// account could swap it.
//
// The rule for "another account could swap it", applied to the canonical path:
// - The folder that holds the files must belong to us and be writable by nobody else: no
//   write bit for others, none for the group unless the group is our own user-private group
//   (named like us, no other members). The sticky bit does not help here: in a sticky
//   world-writable folder such as /tmp anybody can still create the names we are about to use
//   (a database, or a -wal file SQLite would replay).
// - Each folder above it must belong to us or to root, and be writable by nobody else unless it
//   has the sticky bit, which keeps others from renaming or deleting the entry we own in it. So
//   a folder we created 0700 under /tmp is fine; /tmp itself as the state folder is not.
//
// SQLite creates a database's -wal and -shm companions lazily, and gives them the mode of the
// database file (not the umask's), so making the database file 0600 before SQLite opens it
// keeps the companions private too; companions left over from a crash are narrowed as well.
// POSIX only.
class PrivatePath final
{
    Q_DECLARE_TR_FUNCTIONS(traybeat::PrivatePath)
public:
    enum class Existing {
        Narrow, // the folder is traybeat's own state folder: an existing wider one becomes 0700
        Keep,   // the folder may be shared with other things (a --db file's folder): leave its mode
    };

    // Creates `path` and any missing parent folders, each 0700. False + a one-line reason when
    // a folder cannot be created, or when another account could write to `path` or swap one of
    // the folders above it.
    static bool ensureDirectory(const QString &path, Existing existing, QString *errorMessage);

    // Prepares a SQLite file before it is opened: its folder as ensureDirectory(Keep) does,
    // the file created 0600 when absent, and the file and its -wal, -shm and -journal
    // companions narrowed to their owner when wider.
    static bool prepareDatabase(const QString &filePath, QString *errorMessage);

    // Creates `filePath` empty and 0600 when absent, so that whatever writes it later (SQLite,
    // QSaveFile) keeps that mode; narrows it as narrowFile() does when present. The folder must
    // exist.
    static bool ensureFile(const QString &filePath, QString *errorMessage);

    // Narrows an existing file to its owner's bits (0644 -> 0600), logging one line when it
    // changed something. True when the file is absent, not a regular file, or private already.
    static bool narrowFile(const QString &filePath, QString *errorMessage);

    // Why another account could swap what is kept in the existing folder `path`, or an empty
    // string when nobody else can.
    static QString swapRisk(const QString &path);
};

} // namespace traybeat
