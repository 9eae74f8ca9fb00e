#pragma once

#include <QString>
#include <functional>
#include <optional>

namespace traybeat {

// The files fetched for messages (an attachment's image, an icon): one per message and kind, in a
// folder of the state folder. A file's name says whose it is (subscription and message id,
// base64url), so that the files of messages gone from the store can be found and removed: the
// cache expires with the messages (docs/design.md, "Attachments and icons").
class MediaCache final
{
public:
    enum class Kind { Image, Icon };

    struct Owner
    {
        QString subscription;
        QString id;
        Kind kind = Kind::Image;
    };

    // Longer names are not cached (the image is fetched again when shown again): some file
    // systems allow 255 bytes.
    static constexpr int maximumFileNameLength = 200;

    MediaCache() = default;
    explicit MediaCache(const QString &directory) : m_directory(directory) {}

    QString directory() const { return m_directory; }
    bool isEnabled() const { return !m_directory.isEmpty(); }

    // Where the file of a message's image or icon goes; empty when it cannot be cached (no
    // folder, or an id too long for a file name).
    QString filePath(const QString &subscription, const QString &id, Kind kind) const;
    static QString fileName(const QString &subscription, const QString &id, Kind kind);
    // Whose file it is; nullopt for a name this cache never writes.
    static std::optional<Owner> ownerOf(const QString &fileName);

    // Creates the folder (owner only). False + the reason on failure.
    bool prepare(QString *errorMessage) const;
    // Writes the whole file or nothing (a reader never sees half a file). Any thread.
    static bool write(const QString &filePath, const QByteArray &bytes);
    // Removes every file whose message `exists` no longer knows, and anything else in the
    // folder that is not one of its files (a half-written temporary). Returns how many went.
    int removeOrphans(
        const std::function<bool(const QString &subscription, const QString &id)> &exists) const;
    // Removes one message's files (both kinds).
    void remove(const QString &subscription, const QString &id) const;

private:
    QString m_directory;
};

} // namespace traybeat
