#pragma once

#include "authstore.h"
#include "httprequest.h"
#include "ntfy.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QHash>
#include <QHostAddress>
#include <QStringList>
#include <chrono>
#include <memory>
#include <optional>

// The push server's one access check: who sent a request (Basic user:password, a Bearer token
// from the auth file or the --token shortcut, or ntfy's `?auth=` carrying either for clients
// that cannot set headers), and whether they may read or write the topics it names.
//
// Bounded against guessing: an address with too many failed attempts within a window gets 429
// for a while, in a table of bounded size. yescrypt is slow on purpose (tens of ms), so a
// successful Basic verification is remembered for a short time, keyed by a digest of the
// credentials: a script publishing in a loop pays for it once, not per request.
namespace traybeat {

struct AccessOptions
{
    QString authFile; // empty: no users, only the shortcut token and the default access
    QString token;    // the --token shortcut: full access
    // For what no grant covers; nullopt: deny with the shortcut token (it guards everything, as
    // before users existed), else read-write (ntfy's default).
    std::optional<Permission> defaultPermission;
    int maxFailures = 10; // within failureWindow, then locked out
    std::chrono::milliseconds failureWindow = std::chrono::minutes(1);
    std::chrono::milliseconds lockout = std::chrono::minutes(1);
    int maxTrackedAddresses = 4096;
    std::chrono::milliseconds verifiedTtl = std::chrono::seconds(30);
    int maxVerified = 1024;
};

struct Identity
{
    QString user;         // empty: anonymous
    bool isAdmin = false; // also the shortcut token
};

class AccessGuard final
{
    Q_DECLARE_TR_FUNCTIONS(traybeat::AccessGuard)
    Q_DISABLE_COPY_MOVE(AccessGuard)
public:
    explicit AccessGuard(const AccessOptions &options);
    ~AccessGuard();

    bool open(QString *errorMessage);

    // The sender of `request`, or the error to answer: 401 for credentials that do not verify
    // (counted against `peer`), 429 while `peer` is locked out.
    std::optional<Identity> identify(const QHostAddress &peer, const HttpRequest &request,
                                     ntfy::Error *error);
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
        qint64 expiresMs = 0;
    };

    std::optional<Identity> verify(const QByteArray &authorization);
    std::optional<Identity> verifyBearer(const QByteArray &token);
    std::optional<Identity> verifyBasic(const QByteArray &authorization,
                                        const QByteArray &credentials);
    void remember(const QByteArray &key, const Identity &identity);
    bool isLockedOut(const QHostAddress &peer) const;
    void countFailure(const QHostAddress &peer);
    void makeRoomForAddress();
    qint64 nowMs() const;

    const AccessOptions m_options;
    const QByteArray m_tokenDigest;
    const Permission m_defaultPermission;
    std::unique_ptr<AuthStore> m_store; // null without an auth file
    QElapsedTimer m_clock;
    QHash<QHostAddress, Failures> m_failures;
    QHash<QByteArray, Verified> m_verified; // by SHA-256 of the Authorization value
};

} // namespace traybeat
