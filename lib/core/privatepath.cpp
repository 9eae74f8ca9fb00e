#include "privatepath.h"

#include "logging.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

namespace traybeat {

namespace {

constexpr mode_t PrivateDirectoryMode = 0700;
constexpr mode_t PrivateFileMode = 0600;
constexpr mode_t OwnerBits = 0700;
constexpr mode_t GroupAndOtherBits = 077;

QString octal(mode_t mode)
{
    return QStringLiteral("%1").arg(uint(mode & 07777), 4, 8, QLatin1Char('0'));
}

QString native(const QString &path)
{
    return QDir::toNativeSeparators(path);
}

QString systemError(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}

bool fail(QString *errorMessage, const QString &reason)
{
    if (errorMessage)
        *errorMessage = reason;
    return false;
}

// The user-private-group convention (Debian, Fedora): a group named like its user, with no other
// listed member, so its write bit gives nobody else access. Folders made under umask 002 have it.
bool isOwnPrivateGroup(gid_t groupId, uid_t userId)
{
    const passwd *account = ::getpwuid(userId);
    const group *entry = account ? ::getgrgid(groupId) : nullptr;
    if (!entry || account->pw_gid != groupId || std::strcmp(entry->gr_name, account->pw_name) != 0)
        return false;
    for (char **member = entry->gr_mem; member && *member; ++member) {
        if (std::strcmp(*member, account->pw_name) != 0)
            return false;
    }
    return true;
}

bool othersCanWrite(const struct stat &info)
{
    if (info.st_mode & S_IWOTH)
        return true;
    return (info.st_mode & S_IWGRP) && !isOwnPrivateGroup(info.st_gid, info.st_uid);
}

// The parent folder of an absolute, clean path; "/" for "/".
QString parentOf(const QString &path)
{
    return QFileInfo(path).absolutePath();
}

// Why another account could swap `below` through `folder` (an existing folder, canonical) or a
// folder above it; empty when none could.
QString ancestorRisk(QString folder, QString below)
{
    const uid_t self = ::geteuid();
    while (folder != below) {
        struct stat info = {};
        if (::stat(QFile::encodeName(folder).constData(), &info) != 0)
            return PrivatePath::tr("cannot inspect the folder %1").arg(native(folder));
        if (info.st_uid != self && info.st_uid != 0)
            return PrivatePath::tr("the folder %1 belongs to another account, which could swap %2")
                .arg(native(folder), native(below));
        // The sticky bit keeps others from renaming or removing what is not theirs.
        if (othersCanWrite(info) && !(info.st_mode & S_ISVTX))
            return PrivatePath::tr(
                       "other accounts can write to the folder %1 (mode %2) and could swap %3")
                .arg(native(folder), octal(info.st_mode), native(below));
        below = folder;
        folder = parentOf(folder); // "/" stays "/", which ends the walk
    }
    return QString();
}

} // namespace

QString PrivatePath::swapRisk(const QString &path)
{
    const QString canonical = QFileInfo(path).canonicalFilePath();
    struct stat info = {};
    if (canonical.isEmpty() || ::stat(QFile::encodeName(canonical).constData(), &info) != 0)
        return tr("cannot inspect the folder %1").arg(native(path));
    if (!S_ISDIR(info.st_mode))
        return tr("%1 is not a folder").arg(native(path));
    const uid_t self = ::geteuid();
    if (info.st_uid != self)
        return tr("the folder %1 belongs to another account, which could swap what traybeat "
                  "keeps there")
            .arg(native(canonical));
    if (othersCanWrite(info))
        return tr("other accounts can write to the folder %1 (mode %2) and could swap what "
                  "traybeat keeps there; use a folder only you can write to")
            .arg(native(canonical), octal(info.st_mode));
    return ancestorRisk(parentOf(canonical), canonical);
}

bool PrivatePath::ensureDirectory(const QString &path, Existing existing, QString *errorMessage)
{
    if (path.isEmpty())
        return fail(errorMessage, tr("the folder name is empty"));
    const QString absolute = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    // Created top-down one level at a time so that each new level is 0700; QDir::mkpath would
    // leave the umask's mode on all of them.
    QStringList missing;
    for (QString folder = absolute; !QFileInfo::exists(folder); folder = parentOf(folder)) {
        missing.prepend(folder);
        if (parentOf(folder) == folder)
            break;
    }
    // Nothing is created where another account could swap it.
    if (!missing.isEmpty()) {
        const QString existingParent = QFileInfo(parentOf(missing.first())).canonicalFilePath();
        const QString risk = existingParent.isEmpty()
                                 ? tr("cannot create the folder %1").arg(native(missing.first()))
                                 : ancestorRisk(existingParent, missing.first());
        if (!risk.isEmpty())
            return fail(errorMessage, risk);
    }
    for (const QString &folder : std::as_const(missing)) {
        const QByteArray name = QFile::encodeName(folder);
        if (::mkdir(name.constData(), PrivateDirectoryMode) == 0) {
            ::chmod(name.constData(), PrivateDirectoryMode); // the umask may have taken bits too
        } else if (errno != EEXIST) {
            return fail(
                errorMessage,
                tr("cannot create the folder %1: %2").arg(native(folder), systemError(errno)));
        }
    }
    if (const QString risk = swapRisk(absolute); !risk.isEmpty())
        return fail(errorMessage, risk);
    if (existing == Existing::Keep)
        return true;
    const QByteArray name = QFile::encodeName(absolute);
    struct stat info = {};
    if (::stat(name.constData(), &info) != 0 || !(info.st_mode & GroupAndOtherBits))
        return true;
    const mode_t narrowed = info.st_mode & OwnerBits;
    if (::chmod(name.constData(), narrowed) != 0)
        return fail(errorMessage, tr("cannot make the folder %1 private to its owner: %2")
                                      .arg(native(absolute), systemError(errno)));
    qCWarning(lcStore).noquote() << QStringLiteral(
                                        "made the folder %1 private to its owner (mode %2 -> %3)")
                                        .arg(native(absolute), octal(info.st_mode),
                                             octal(narrowed));
    return true;
}

bool PrivatePath::ensureFile(const QString &filePath, QString *errorMessage)
{
    const QByteArray name = QFile::encodeName(filePath);
    // O_EXCL: a file that exists already (or appeared meanwhile) is never truncated, only
    // narrowed below.
    const int descriptor =
        ::open(name.constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, PrivateFileMode);
    if (descriptor >= 0) {
        ::fchmod(descriptor, PrivateFileMode); // the umask may have taken bits too
        ::close(descriptor);
        return true;
    }
    if (errno != EEXIST)
        return fail(errorMessage,
                    tr("cannot create %1: %2").arg(native(filePath), systemError(errno)));
    return narrowFile(filePath, errorMessage);
}

bool PrivatePath::narrowFile(const QString &filePath, QString *errorMessage)
{
    const QByteArray name = QFile::encodeName(filePath);
    struct stat info = {};
    if (::stat(name.constData(), &info) != 0) {
        if (errno == ENOENT)
            return true;
        return fail(errorMessage,
                    tr("cannot inspect %1: %2").arg(native(filePath), systemError(errno)));
    }
    if (!S_ISREG(info.st_mode) || !(info.st_mode & GroupAndOtherBits))
        return true;
    const mode_t narrowed = info.st_mode & OwnerBits;
    if (::chmod(name.constData(), narrowed) != 0)
        return fail(errorMessage, tr("cannot make %1 private to its owner: %2")
                                      .arg(native(filePath), systemError(errno)));
    qCWarning(lcStore).noquote() << QStringLiteral(
                                        "made %1 readable by its owner only (mode %2 -> %3)")
                                        .arg(native(filePath), octal(info.st_mode),
                                             octal(narrowed));
    return true;
}

bool PrivatePath::prepareDatabase(const QString &filePath, QString *errorMessage)
{
    const QFileInfo file(filePath);
    if (!ensureDirectory(file.absolutePath(), Existing::Keep, errorMessage))
        return false;
    const QString path = file.absoluteFilePath();
    if (!ensureFile(path, errorMessage))
        return false;
    // Left over from a crash (or an older traybeat) with the mode of a then wider database.
    for (const char *suffix : {"-wal", "-shm", "-journal"}) {
        if (!narrowFile(path + QLatin1String(suffix), errorMessage))
            return false;
    }
    return true;
}

} // namespace traybeat
