#include "mediacache.h"

#include "logging.h"
#include "privatepath.h"

#include <QDir>
#include <QSaveFile>

namespace traybeat {

namespace {

constexpr auto base64Options = QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals;

QString suffix(MediaCache::Kind kind)
{
    return kind == MediaCache::Kind::Icon ? QStringLiteral("icon") : QStringLiteral("image");
}

QString encoded(const QString &text)
{
    return QString::fromLatin1(text.toUtf8().toBase64(base64Options));
}

std::optional<QString> decoded(const QString &part)
{
    const auto result = QByteArray::fromBase64Encoding(
        part.toLatin1(), base64Options | QByteArray::AbortOnBase64DecodingErrors);
    if (!result)
        return std::nullopt;
    return QString::fromUtf8(*result);
}

} // namespace

QString MediaCache::fileName(const QString &subscription, const QString &id, Kind kind)
{
    // Base64url has no '.', so the three parts split back unambiguously.
    const QString name =
        encoded(subscription) + QLatin1Char('.') + encoded(id) + QLatin1Char('.') + suffix(kind);
    return name.size() <= maximumFileNameLength ? name : QString();
}

QString MediaCache::filePath(const QString &subscription, const QString &id, Kind kind) const
{
    const QString name = fileName(subscription, id, kind);
    if (!isEnabled() || name.isEmpty() || subscription.isEmpty() || id.isEmpty())
        return {};
    return QDir(m_directory).filePath(name);
}

std::optional<MediaCache::Owner> MediaCache::ownerOf(const QString &fileName)
{
    const QStringList parts = fileName.split(QLatin1Char('.'));
    if (parts.size() != 3)
        return std::nullopt;
    Owner owner;
    if (parts[2] == suffix(Kind::Icon))
        owner.kind = Kind::Icon;
    else if (parts[2] != suffix(Kind::Image))
        return std::nullopt;
    const auto subscription = decoded(parts[0]);
    const auto id = decoded(parts[1]);
    if (!subscription || !id || subscription->isEmpty() || id->isEmpty())
        return std::nullopt;
    owner.subscription = *subscription;
    owner.id = *id;
    return owner;
}

bool MediaCache::prepare(QString *errorMessage) const
{
    if (!isEnabled()) {
        if (errorMessage)
            *errorMessage = QStringLiteral("no cache folder");
        return false;
    }
    return PrivatePath::ensureDirectory(m_directory, PrivatePath::Existing::Narrow, errorMessage);
}

bool MediaCache::write(const QString &filePath, const QByteArray &bytes)
{
    // Created 0600 first: QSaveFile keeps the mode of the file it replaces, where a new file
    // would get 0666 less the umask (docs/design.md, "Privacy").
    QString error;
    if (!PrivatePath::ensureFile(filePath, &error)) {
        qCWarning(lcUi).noquote() << "media cache:" << error;
        return false;
    }
    QSaveFile file(filePath);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
        qCWarning(lcUi).noquote() << "media cache: cannot write" << filePath << file.errorString();
        QFile::remove(filePath);
        return false;
    }
    return true;
}

int MediaCache::removeOrphans(
    const std::function<bool(const QString &subscription, const QString &id)> &exists) const
{
    if (!isEnabled())
        return 0;
    QDir folder(m_directory);
    int removed = 0;
    const QStringList names = folder.entryList(QDir::Files | QDir::Hidden | QDir::System);
    for (const QString &name : names) {
        const auto owner = ownerOf(name);
        if (owner && exists(owner->subscription, owner->id))
            continue;
        if (folder.remove(name))
            ++removed;
    }
    return removed;
}

void MediaCache::remove(const QString &subscription, const QString &id) const
{
    for (const Kind kind : {Kind::Image, Kind::Icon}) {
        if (const QString path = filePath(subscription, id, kind); !path.isEmpty())
            QFile::remove(path);
    }
}

} // namespace traybeat
