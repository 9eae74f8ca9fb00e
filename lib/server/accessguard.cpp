#include "accessguard.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QSqlDriver>
#include <QSqlError>
#include <QThread>
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

// The texts of answers are part of the wire format, as ntfy's are: English, not translated.
ntfy::Error unauthorized()
{
    return {401, 40101, QStringLiteral("unauthorized: missing or wrong credentials")};
}

ntfy::Error databaseUnavailable()
{
    return {503, 50301, QStringLiteral("database unavailable, try again shortly")};
}
} // namespace

AccessGuard::AccessGuard(const AccessOptions &options, QObject *parent)
    : QObject(parent), m_options(options),
      m_tokenDigest(options.token.isEmpty() ? QByteArray() : sha256(options.token.toUtf8())),
      m_defaultPermission(options.defaultPermission.value_or(
          options.token.isEmpty() ? Permission::ReadWrite : Permission::Deny))
{
    m_clock.start();
    // yescrypt takes most of a core for its time: one verifier per core, the rest wait.
    m_verifiers.setMaxThreadCount(qMax(1, QThread::idealThreadCount()));
}

AccessGuard::~AccessGuard()
{
    // A verification still running posts its result to this object: let it finish first; the
    // posted results are then dropped with this object.
    m_verifiers.waitForDone();
}

bool AccessGuard::open(QString *errorMessage)
{
    if (m_options.database && !m_options.authFile.isEmpty()) {
        if (errorMessage)
            *errorMessage = tr("users and access live in the database %1; an auth file (%2) "
                               "cannot be used with it")
                                .arg(m_options.database->displayName(), m_options.authFile);
        return false;
    }
    if (m_options.authFile.isEmpty() && !m_options.database)
        return true;
    m_store = std::make_unique<AuthStore>();
    const bool opened = m_options.database ? m_store->open(*m_options.database, errorMessage)
                                           : m_store->open(m_options.authFile, errorMessage);
    forgetReadAnswers();
    if (!opened)
        return false;
    if (m_store->isShared()) {
        m_cacheTtl = m_options.sharedCacheTtl.count();
        QSqlDriver *driver = m_store->driver();
        if (!driver->subscribeToNotification(AuthStore::ChangeChannel)) {
            if (errorMessage)
                *errorMessage =
                    tr("cannot LISTEN on %1: %2")
                        .arg(m_options.database->displayName(), driver->lastError().text());
            m_store->close();
            return false;
        }
        connect(driver, &QSqlDriver::notification, this, &AccessGuard::forgetReadAnswers);
    }
    AuthStore::decoyHash(); // made now rather than during the first request
    return true;
}

bool AccessGuard::isStoreReachable()
{
    return !m_store || !m_store->isShared() || m_store->isReachable();
}

void AccessGuard::closeStore()
{
    if (m_store)
        m_store->close();
    forgetReadAnswers();
}

void AccessGuard::forgetReadAnswers()
{
    m_permissions.clear();
    m_tokenOwners.clear();
    for (Verified &verified : m_verified)
        verified.checkedMs = 0;
}

bool AccessGuard::isFresh(qint64 readMs) const
{
    return m_cacheTtl > 0 && readMs > 0 && nowMs() - readMs < m_cacheTtl;
}

bool AccessGuard::isStoreUnavailable(ntfy::Error *error) const
{
    if (!m_store || !m_store->lastReadFailed())
        return false;
    *error = databaseUnavailable();
    return true;
}

qint64 AccessGuard::nowMs() const
{
    return m_clock.elapsed();
}

AccessGuard::Outcome AccessGuard::identify(const QHostAddress &peer, const HttpRequest &request,
                                           Identity *identity, ntfy::Error *error, Done whenDone)
{
    if (isLockedOut(peer)) {
        *error = {429, 42909,
                  QStringLiteral(
                      "limit reached: too many failed authentication attempts, try again later")};
        return Outcome::Refused;
    }
    const auto authorization = authorizationOf(request);
    if (!authorization || authorization->size() > MaxAuthorizationLength)
        return refuse(peer, error);
    if (authorization->isEmpty()) {
        *identity = Identity(); // anonymous
        return Outcome::Known;
    }
    const qsizetype space = authorization->indexOf(' ');
    const QByteArray scheme = authorization->left(qMax<qsizetype>(space, 0)).toLower();
    const QByteArray credentials = authorization->mid(space + 1).trimmed();
    std::optional<Identity> known;
    std::optional<Basic> basic;
    if (scheme == "bearer") {
        known = verifyBearer(credentials);
    } else if (scheme == "basic" && (basic = readBasic(*authorization))) {
        // ntfy's form for a token where only Basic can be given: no name, the token as password.
        known = basic->name.isEmpty() ? verifyBearer(basic->password.toUtf8()) : remembered(*basic);
        if (!known && !basic->name.isEmpty() && m_store && !isStoreUnavailable(error))
            return startVerifying(peer, *basic, error, std::move(whenDone));
    } else {
        return refuse(peer, error);
    }
    if (!known && isStoreUnavailable(error))
        return Outcome::Refused; // not the client's fault: not counted against it
    if (!known)
        return refuse(peer, error);
    *identity = *known;
    return Outcome::Known;
}

AccessGuard::Outcome AccessGuard::refuse(const QHostAddress &peer, ntfy::Error *error)
{
    countFailure(peer);
    *error = unauthorized();
    return Outcome::Refused;
}

std::optional<Identity> AccessGuard::verifyBearer(const QByteArray &token)
{
    if (!m_tokenDigest.isEmpty() && AuthStore::equalInFixedTime(sha256(token), m_tokenDigest))
        return Identity{QString(), true};
    if (!m_store)
        return std::nullopt;
    const QByteArray digest = sha256(token);
    const auto cached = m_tokenOwners.constFind(digest);
    if (cached != m_tokenOwners.constEnd() && cached->expiresMs > nowMs())
        return cached->value;
    const auto user =
        m_store->userForToken(QString::fromUtf8(token), QDateTime::currentMSecsSinceEpoch());
    if (!user)
        return std::nullopt; // not remembered: a guesser is bounded by the lockout instead
    const Identity identity{user->name, user->isAdmin};
    if (m_cacheTtl > 0) {
        if (m_tokenOwners.size() >= m_options.maxCached)
            m_tokenOwners.clear();
        m_tokenOwners.insert(digest, {identity, nowMs() + m_cacheTtl});
    }
    return identity;
}

std::optional<AccessGuard::Basic> AccessGuard::readBasic(const QByteArray &authorization) const
{
    const QByteArray credentials = authorization.mid(authorization.indexOf(' ') + 1).trimmed();
    const auto decoded =
        QByteArray::fromBase64Encoding(credentials, QByteArray::AbortOnBase64DecodingErrors);
    const qsizetype colon = decoded ? decoded.decoded.indexOf(':') : -1;
    if (colon < 0)
        return std::nullopt;
    return Basic{sha256(authorization), QString::fromUtf8(decoded.decoded.left(colon)),
                 QString::fromUtf8(decoded.decoded.mid(colon + 1)), QString()};
}

std::optional<Identity> AccessGuard::remembered(const Basic &basic) const
{
    const auto cached = m_verified.find(basic.key);
    if (cached == m_verified.end() || cached->expiresMs <= nowMs() || !m_store)
        return std::nullopt;
    if (isFresh(cached->checkedMs))
        return cached->identity;
    // Read again: the user may be gone, have another password or role by now (also changed
    // through another instance).
    QString hash;
    const auto user = m_store->user(basic.name, &hash);
    if (!user || hash != cached->hash)
        return std::nullopt;
    cached->identity = Identity{user->name, user->isAdmin};
    cached->checkedMs = nowMs();
    return cached->identity;
}

AccessGuard::Outcome AccessGuard::startVerifying(const QHostAddress &peer, const Basic &basic,
                                                 ntfy::Error *error, Done whenDone)
{
    if (m_verifying >= m_options.maxVerifying) {
        *error = {503, 50301, QStringLiteral("too many sign-ins at once, try again shortly")};
        return Outcome::Refused;
    }
    int &fromPeer = m_verifyingByAddress[peer];
    if (fromPeer >= m_options.maxVerifyingPerAddress) {
        *error = {429, 42908,
                  QStringLiteral("limit reached: too many sign-ins at once from this address")};
        return Outcome::Refused;
    }
    // The hash is read here, on the database's thread; only crypt runs on the worker. An
    // unknown name is verified against the decoy, so it takes as long as a known one.
    Basic reading = basic;
    reading.hash = m_store->passwordHash(basic.name);
    if (isStoreUnavailable(error))
        return Outcome::Refused;
    ++fromPeer;
    ++m_verifying;
    const QString hash = reading.hash.isEmpty() ? AuthStore::decoyHash() : reading.hash;
    m_verifiers.start([this, peer, basic = reading, hash, whenDone = std::move(whenDone)] {
        const bool verified = AuthStore::verifyPassword(basic.password, hash);
        QMetaObject::invokeMethod(
            this,
            [this, peer, basic, verified, whenDone] {
                finishVerifying(peer, basic, verified, whenDone);
            },
            Qt::QueuedConnection);
    });
    return Outcome::Verifying;
}

void AccessGuard::finishVerifying(const QHostAddress &peer, const Basic &basic, bool verified,
                                  const Done &whenDone)
{
    --m_verifying;
    if (--m_verifyingByAddress[peer] <= 0)
        m_verifyingByAddress.remove(peer);
    // The user may have been removed, or made admin, while the password was checked.
    const auto user = verified ? m_store->user(basic.name) : std::nullopt;
    if (!user) {
        ntfy::Error error;
        if (!isStoreUnavailable(&error))
            refuse(peer, &error);
        whenDone(std::nullopt, error);
        return;
    }
    const Identity identity{user->name, user->isAdmin};
    remember(basic, identity);
    whenDone(identity, {});
}

void AccessGuard::remember(const Basic &basic, const Identity &identity)
{
    if (m_verified.size() >= m_options.maxVerified) {
        const qint64 now = nowMs();
        m_verified.removeIf([now](const auto &entry) { return entry.value().expiresMs <= now; });
        if (m_verified.size() >= m_options.maxVerified)
            m_verified.clear(); // only a cache: the next requests pay for verifying again
    }
    m_verified.insert(basic.key,
                      {identity, basic.hash, nowMs() + m_options.verifiedTtl.count(), nowMs()});
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
        const Permission permission = this->permission(identity.user, topic);
        if (write ? canWrite(permission) : canRead(permission))
            continue;
        if (ntfy::Error error; isStoreUnavailable(&error))
            return error;
        if (identity.user.isEmpty())
            return unauthorized();
        return ntfy::Error{403, 40301,
                           QStringLiteral("forbidden: %1 may not %2 topic %3")
                               .arg(identity.user,
                                    write ? QStringLiteral("write to") : QStringLiteral("read"),
                                    topic)};
    }
    return std::nullopt;
}

Permission AccessGuard::permission(const QString &user, const QString &topic) const
{
    if (!m_store)
        return m_defaultPermission;
    const QString key = user + QLatin1Char('/') + topic; // '/' is in neither
    const auto cached = m_permissions.constFind(key);
    if (cached != m_permissions.constEnd() && cached->expiresMs > nowMs())
        return cached->value;
    const Permission permission = m_store->permission(user, topic, m_defaultPermission);
    if (m_cacheTtl > 0 && !m_store->lastReadFailed()) {
        if (m_permissions.size() >= m_options.maxCached)
            m_permissions.clear();
        m_permissions.insert(key, {permission, nowMs() + m_cacheTtl});
    }
    return permission;
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
