#pragma once

#include "authstore.h"
#include "httprequest.h"
#include "ntfy.h"

#include <QElapsedTimer>
#include <QHash>
#include <QHostAddress>
#include <QStringList>
#include <QThreadPool>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>

// The push server's one access check: who sent a request (Basic user:password, a Bearer token
// from the auth store or the --token shortcut, or ntfy's `?auth=` carrying either for clients
// that cannot set headers), and whether they may read or write the topics it names.
//
// Bounded against guessing: an address with too many failed attempts within a window gets 429
// for a while, in a table of bounded size. yescrypt is slow on purpose (tens of ms), so a
// password is verified on worker threads, never on the event loop, with a bounded number in
// flight (in all, and per address); and a successful Basic verification is remembered for a
// short time, keyed by a digest of the credentials: a script publishing in a loop pays for it
// once, not per request. A remembered verification counts only while the user's stored hash is
// the one it was verified against, so a changed password or a removed user counts at once.
//
// On a shared (PostgreSQL) store every read would be a round trip on the event loop, per
// request: what was read (a topic's permission for a user, a token's owner, a remembered
// sign-in still being valid) is used for sharedCacheTtl (1 s) at most, in tables of bounded
// size. Every change made through `traybeat user|access|token` NOTIFYs the instances, which
// then empty these tables: a change counts at once, and within that second even if the
// notification were missed. When the store cannot be read, a request that needs it gets 503,
// never a 401/403 or the default access.
namespace traybeat {

struct AccessOptions
{
    QString authFile; // empty: no users, only the shortcut token and the default access
    // Set: users, grants and tokens in this (PostgreSQL) database; authFile must then be empty.
    std::optional<DatabaseLocation> database;
    QString token; // the --token shortcut: full access
    // For what no grant covers; nullopt: deny with the shortcut token (it guards everything, as
    // before users existed), else read-write (ntfy's default).
    std::optional<Permission> defaultPermission;
    int maxFailures = 10; // within failureWindow, then locked out
    std::chrono::milliseconds failureWindow = std::chrono::minutes(1);
    std::chrono::milliseconds lockout = std::chrono::minutes(1);
    int maxTrackedAddresses = 4096;
    std::chrono::milliseconds verifiedTtl = std::chrono::seconds(30);
    int maxVerified = 1024;
    // Password verifications in flight at most, and from one address; more are refused (503,
    // 429) rather than queued without end.
    int maxVerifying = 64;
    int maxVerifyingPerAddress = 4;
    // Shared store: how long a read answer is used, and how many are kept (then they all go).
    std::chrono::milliseconds sharedCacheTtl = std::chrono::seconds(1);
    int maxCached = 4096;
};

struct Identity
{
    QString user;         // empty: anonymous
    bool isAdmin = false; // also the shortcut token
};

class AccessGuard final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AccessGuard)
public:
    explicit AccessGuard(const AccessOptions &options, QObject *parent = nullptr);
    ~AccessGuard() override;

    bool open(QString *errorMessage);
    // A shared store follows the server's database connection (PushServer checks, closes and
    // reopens them together). isStoreReachable() is true without a shared store.
    bool isStoreReachable();
    void closeStore();

    enum class Outcome {
        Known,     // *identity is the sender
        Refused,   // *error is the answer: 401 for credentials that do not verify (counted
                   // against the address), 429 while it is locked out, 503 when too busy
        Verifying, // a password is being verified: `whenDone` gets the identity or the error
    };
    using Done =
        std::function<void(const std::optional<Identity> &identity, const ntfy::Error &error)>;
    // Who sent `request`. `whenDone` runs later, on this object's thread, only for Verifying,
    // and never after this object is gone.
    Outcome identify(const QHostAddress &peer, const HttpRequest &request, Identity *identity,
                     ntfy::Error *error, Done whenDone);
    // nullopt when `identity` may read (or write) every topic in `topics`; else 401 for an
    // anonymous client (credentials may help), 403 for a user.
    std::optional<ntfy::Error> check(const Identity &identity, const QStringList &topics,
                                     bool write) const;

    // Addresses tracked for failures, and remembered verifications (for tests of the bounds).
    int trackedAddressCount() const;
    int verifiedCount() const;

private:
    struct Failures
    {
        qint64 windowStartMs = 0;
        int count = 0;
        qint64 lockedUntilMs = 0;
    };
    struct Verified
    {
        Identity identity;
        QString hash; // the stored hash the password was verified against
        qint64 expiresMs = 0;
        qint64 checkedMs = 0; // when the store last said the user still has that hash
    };
    template <typename T> struct Cached
    {
        T value;
        qint64 expiresMs = 0;
    };

    struct Basic
    {
        QByteArray key; // digest of the whole Authorization value
        QString name;
        QString password;
        QString hash; // read before verifying
    };
    Outcome refuse(const QHostAddress &peer, ntfy::Error *error);
    // The store could not answer the lookup just made: *error is a 503.
    bool isStoreUnavailable(ntfy::Error *error) const;
    std::optional<Identity> verifyBearer(const QByteArray &token);
    std::optional<Basic> readBasic(const QByteArray &authorization) const;
    std::optional<Identity> remembered(const Basic &basic) const;
    Outcome startVerifying(const QHostAddress &peer, const Basic &basic, ntfy::Error *error,
                           Done whenDone);
    void finishVerifying(const QHostAddress &peer, const Basic &basic, bool verified,
                         const Done &whenDone);
    void remember(const Basic &basic, const Identity &identity);
    Permission permission(const QString &user, const QString &topic) const;
    bool isFresh(qint64 readMs) const;
    void forgetReadAnswers();
    bool isLockedOut(const QHostAddress &peer) const;
    void countFailure(const QHostAddress &peer);
    void makeRoomForAddress();
    qint64 nowMs() const;

    const AccessOptions m_options;
    const QByteArray m_tokenDigest;
    const Permission m_defaultPermission;
    std::unique_ptr<AuthStore> m_store; // null without an auth file or database
    QElapsedTimer m_clock;
    QHash<QHostAddress, Failures> m_failures;
    mutable QHash<QByteArray, Verified> m_verified; // by SHA-256 of the Authorization value
    // Shared store only (m_cacheTtl > 0): answers read, by user + '/' + topic, by token digest.
    qint64 m_cacheTtl = 0;
    mutable QHash<QString, Cached<Permission>> m_permissions;
    QHash<QByteArray, Cached<Identity>> m_tokenOwners;
    QHash<QHostAddress, int> m_verifyingByAddress;
    int m_verifying = 0;
    QThreadPool m_verifiers;
};

} // namespace traybeat
