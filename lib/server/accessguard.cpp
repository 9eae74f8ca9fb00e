#include "accessguard.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QUrlQuery>

namespace traybeat {

namespace {
constexpr int MaxAuthorizationLength = 1024; // far above any real user:password or token

QByteArray sha256(const QByteArray &bytes)
{
    return QCryptographicHash::hash(bytes, QCryptographicHash::Sha256);
}

// The Authorization value: the header, else ntfy's `?auth=` (base64url of the whole value,
// for browsers' WebSocket and EventSource, which cannot set headers).
std::optional<QByteArray> authorizationOf(const HttpRequest &request)
{
    const QByteArray header = request.header("authorization");
    if (!header.isEmpty())
        return header;
    const QUrlQuery query(QString::fromLatin1(request.query));
    const QString encoded = query.queryItemValue(QStringLiteral("auth"), QUrl::FullyDecoded);
    if (encoded.isEmpty())
        return QByteArray();
    const auto decoded = QByteArray::fromBase64Encoding(
        encoded.toLatin1(),
        QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded) {
        const auto standard = QByteArray::fromBase64Encoding(
            encoded.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
        if (!standard)
            return std::nullopt;
        return *standard;
    }
    return *decoded;
}

ntfy::Error unauthorized()
{
    return {401, 40101, AccessGuard::tr("unauthorized: missing or wrong credentials")};
}
} // namespace

AccessGuard::AccessGuard(const AccessOptions &options)
    : m_options(options),
      m_tokenDigest(options.token.isEmpty() ? QByteArray() : sha256(options.token.toUtf8())),
      m_defaultPermission(options.defaultPermission.value_or(
          options.token.isEmpty() ? Permission::ReadWrite : Permission::Deny))
{
    m_clock.start();
}

AccessGuard::~AccessGuard() = default;

bool AccessGuard::open(QString *errorMessage)
{
    if (m_options.authFile.isEmpty())
        return true;
    m_store = std::make_unique<AuthStore>();
    return m_store->open(m_options.authFile, errorMessage);
}

qint64 AccessGuard::nowMs() const
{
    return m_clock.elapsed();
}

std::optional<Identity> AccessGuard::identify(const QHostAddress &peer, const HttpRequest &request,
                                              ntfy::Error *error)
{
    if (isLockedOut(peer)) {
        *error = {429, 42909,
                  tr("limit reached: too many failed authentication attempts, try again later")};
        return std::nullopt;
    }
    const auto authorization = authorizationOf(request);
    if (authorization && authorization->isEmpty())
        return Identity(); // anonymous
    std::optional<Identity> identity;
    if (authorization && authorization->size() <= MaxAuthorizationLength)
        identity = verify(*authorization);
    if (!identity) {
        countFailure(peer);
        *error = unauthorized();
    }
    return identity;
}

std::optional<Identity> AccessGuard::verify(const QByteArray &authorization)
{
    const qsizetype space = authorization.indexOf(' ');
    if (space <= 0)
        return std::nullopt;
    const QByteArray scheme = authorization.left(space).toLower();
    const QByteArray credentials = authorization.mid(space + 1).trimmed();
    if (scheme == "bearer")
        return verifyBearer(credentials);
    if (scheme == "basic")
        return verifyBasic(authorization, credentials);
    return std::nullopt;
}

std::optional<Identity> AccessGuard::verifyBearer(const QByteArray &token)
{
    if (!m_tokenDigest.isEmpty() && AuthStore::equalInFixedTime(sha256(token), m_tokenDigest))
        return Identity{QString(), true};
    if (!m_store)
        return std::nullopt;
    const auto user =
        m_store->userForToken(QString::fromUtf8(token), QDateTime::currentMSecsSinceEpoch());
    if (!user)
        return std::nullopt;
    return Identity{user->name, user->isAdmin};
}

std::optional<Identity> AccessGuard::verifyBasic(const QByteArray &authorization,
                                                 const QByteArray &credentials)
{
    const QByteArray key = sha256(authorization);
    const auto cached = m_verified.constFind(key);
    if (cached != m_verified.constEnd() && cached->expiresMs > nowMs())
        return cached->identity;
    const auto decoded =
        QByteArray::fromBase64Encoding(credentials, QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return std::nullopt;
    const qsizetype colon = decoded.decoded.indexOf(':');
    if (colon < 0)
        return std::nullopt;
    const QString name = QString::fromUtf8(decoded.decoded.left(colon));
    const QString password = QString::fromUtf8(decoded.decoded.mid(colon + 1));
    // ntfy's form for a token where only Basic can be given: an empty name, the token as password.
    if (name.isEmpty())
        return verifyBearer(password.toUtf8());
    if (!m_store)
        return std::nullopt;
    const auto user = m_store->authenticate(name, password);
    if (!user)
        return std::nullopt;
    const Identity identity{user->name, user->isAdmin};
    remember(key, identity);
    return identity;
}

void AccessGuard::remember(const QByteArray &key, const Identity &identity)
{
    if (m_verified.size() >= m_options.maxVerified) {
        const qint64 now = nowMs();
        m_verified.removeIf([now](const auto &entry) { return entry.value().expiresMs <= now; });
        if (m_verified.size() >= m_options.maxVerified)
            m_verified.clear(); // only a cache: the next requests pay for verifying again
    }
    m_verified.insert(key, {identity, nowMs() + m_options.verifiedTtl.count()});
}

bool AccessGuard::isLockedOut(const QHostAddress &peer) const
{
    const auto it = m_failures.constFind(peer);
    return it != m_failures.constEnd() && it->lockedUntilMs > nowMs();
}

void AccessGuard::countFailure(const QHostAddress &peer)
{
    const qint64 now = nowMs();
    auto it = m_failures.find(peer);
    if (it == m_failures.end()) {
        makeRoomForAddress();
        it = m_failures.insert(peer, {now, 0, 0});
    }
    if (now - it->windowStartMs > m_options.failureWindow.count())
        *it = {now, 0, 0};
    if (++it->count >= m_options.maxFailures)
        it->lockedUntilMs = now + m_options.lockout.count();
}

void AccessGuard::makeRoomForAddress()
{
    if (m_failures.size() < m_options.maxTrackedAddresses)
        return;
    const qint64 now = nowMs();
    const qint64 window = m_options.failureWindow.count();
    m_failures.removeIf([now, window](const auto &entry) {
        return entry.value().lockedUntilMs <= now && now - entry.value().windowStartMs > window;
    });
    if (m_failures.size() < m_options.maxTrackedAddresses)
        return;
    // Still full of live entries: forget the one whose window is oldest (a locked one last).
    auto oldest = m_failures.begin();
    for (auto it = m_failures.begin(); it != m_failures.end(); ++it) {
        const bool itLocked = it->lockedUntilMs > now;
        const bool oldestLocked = oldest->lockedUntilMs > now;
        if (itLocked != oldestLocked ? !itLocked : it->windowStartMs < oldest->windowStartMs)
            oldest = it;
    }
    m_failures.erase(oldest);
}

std::optional<ntfy::Error> AccessGuard::check(const Identity &identity, const QStringList &topics,
                                              bool write) const
{
    if (identity.isAdmin)
        return std::nullopt;
    for (const QString &topic : topics) {
        const Permission permission =
            m_store ? m_store->permission(identity.user, topic, m_defaultPermission)
                    : m_defaultPermission;
        if (write ? canWrite(permission) : canRead(permission))
            continue;
        if (identity.user.isEmpty())
            return unauthorized();
        return ntfy::Error{403, 40301,
                           tr("forbidden: %1 may not %2 topic %3")
                               .arg(identity.user, write ? tr("write to") : tr("read"), topic)};
    }
    return std::nullopt;
}

int AccessGuard::trackedAddressCount() const
{
    return int(m_failures.size());
}

int AccessGuard::verifiedCount() const
{
    return int(m_verified.size());
}

} // namespace traybeat
