#pragma once

#include "secretstore.h"
#include "subscriptionconfig.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QSet>
#include <QTime>
#include <QVariantMap>
#include <chrono>
#include <memory>

class QSettings;

namespace traybeat {

class SecretStore;
struct SecretField;

// Where the secrets of subscriptions (tokens, passwords) are kept.
enum class SecretLocation {
    SettingsFile, // traybeat.conf, readable only by its owner: no keyring (or none asked)
    Keyring,      // the desktop keyring; the file holds only a reference
    Checking,     // the keyring was asked and has not answered yet
};

enum class PopupCorner { TopRight, TopLeft, BottomRight, BottomLeft };

struct PopupSettings
{
    PopupCorner corner = PopupCorner::TopRight;
    // How long a default-priority pop-up stays; higher priorities stay longer, urgent until closed.
    std::chrono::milliseconds duration = std::chrono::seconds(6);
    // The desktop's notification daemon (NativeNotifier) instead of our own widgets. Until the
    // user chooses, the session decides (AppSettings::setNativePopupsByDefault).
    bool useNativePopups = false;
};

struct QuietHours
{
    bool enabled = false;
    QTime from{22, 0};
    QTime to{7, 0}; // may be earlier than `from`: the span crosses midnight
    bool urgentBreaksThrough = true;
};

// The tray app's persistent settings (QSettings): subscriptions, pop-up behaviour, do not
// disturb, quiet hours. Widgets read and write it; subscribers to `changed` apply changes live.
// Secrets (tokens, passwords) go to the desktop keyring once useSecretStore() is called and a
// keyring answers; the file then keeps only a reference to the keyring's entry.
class AppSettings final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AppSettings)
public:
    // `settings` null: the user's default QSettings (organisation "traybeat", app "traybeat").
    explicit AppSettings(QSettings *settings = nullptr, QObject *parent = nullptr);
    ~AppSettings() override;

    QList<SubscriptionConfig> subscriptions() const;
    void setSubscriptions(const QList<SubscriptionConfig> &subscriptions);

    PopupSettings popups() const;
    // Writes the delivery choice only once it differs from the session's default (or was
    // written before): a user who never chose keeps following the session.
    void setPopups(const PopupSettings &popups);
    // What useNativePopups is while the user has not chosen: true under Wayland, where a client
    // cannot place its own pop-ups (the tray app decides, see docs/design.md). Default false.
    void setNativePopupsByDefault(bool native) { m_nativePopupsByDefault = native; }
    bool nativePopupsByDefault() const { return m_nativePopupsByDefault; }

    bool doNotDisturb() const;
    void setDoNotDisturb(bool enabled);
    // Whether urgent (priority 5) messages still pop up during do not disturb; on by default.
    bool urgentBreaksDoNotDisturb() const;
    void setUrgentBreaksDoNotDisturb(bool enabled);

    QuietHours quietHours() const;
    void setQuietHours(const QuietHours &quietHours);

    // How long a subscription may be down before a notification says so (OutageMonitor).
    static constexpr std::chrono::milliseconds defaultOutageNoticeDelay = std::chrono::minutes(2);
    std::chrono::milliseconds outageNoticeDelay() const;
    void setOutageNoticeDelay(std::chrono::milliseconds delay);

    // Connect directly, ignoring the system's proxy settings (ProxyPolicy).
    bool connectsDirectly() const;
    void setConnectsDirectly(bool direct);

    // Keeps secrets (tokens, passwords) in `store` (the desktop keyring) from now on: reads the
    // secrets the file refers to, then moves the file's plain-text ones into the keyring (one log
    // line). A secret stays in the file whenever the keyring cannot take it. Without a store, or
    // without a keyring that answers, they stay in the file. `store` must outlive this object.
    void useSecretStore(SecretStore *store);
    // True while secrets the file refers to are being read from the keyring: subscriptions()
    // has them empty until subscriptionsChanged() says they are there.
    bool isLoadingSecrets() const { return m_pendingReads > 0; }
    SecretLocation secretLocation() const;
    // Asks the keyring whether it is there, once, unless that is known: secretLocation() is
    // Checking until it answers. useSecretStore() asks at once only when the file keeps a
    // secret (to read or to move); otherwise whoever shows the location (the settings dialog)
    // or a secret being saved asks — an idle app with no secret never loads the keyring's
    // libraries (libsecret, GIO, a D-Bus thread: ~3 MB).
    void findSecretLocation();
    // Why there is no keyring, when secretLocation() is SettingsFile after asking one.
    QString keyringProblem() const;

    // "Start at login" is switched on by default once, after the first subscription is saved;
    // after that (or once the user chose) it is decided and left to the user (see Autostart).
    bool isStartAtLoginDecided() const;
    void setStartAtLoginDecided();

signals:
    void subscriptionsChanged();
    void changed(); // anything else (pop-ups, do not disturb, quiet hours)
    void secretLocationChanged();

private:
    void writeFlag(const QString &key, bool value, bool current);
    struct StoredSecret
    {
        QString name;
        QString plainKey;   // which secret: `token` or `password`
        QString plain;      // the secret itself, in the file
        QString keyringKey; // `tokenInKeyring`/`passwordInKeyring`: the entry that holds it
    };
    QList<StoredSecret> storedSecrets() const;
    QString resolvedSecret(const StoredSecret &stored) const;
    QVariantMap storedFields(const SubscriptionConfig &config,
                             const QList<StoredSecret> &before) const;
    QString keyringReference(const QString &name, const SecretField &field, const QString &secret,
                             const QList<StoredSecret> &before) const;
    void onSecretRead(const QString &key, const SecretStore::Result &result);
    void moveSecretsToKeyring();
    bool hasPlainSecrets() const;
    void onSecretMoved(const QString &key, const QString &secret, bool stored);
    void replacePlainSecret(const QString &key, const QString &secret);
    void removeUnreferencedSecrets();

    std::unique_ptr<QSettings> m_ownedSettings;
    QSettings *m_settings;
    SecretStore *m_secretStore = nullptr;
    QHash<QString, QString> m_secrets; // keyring key -> secret, for the entries known this session
    QSet<QString> m_secretsMoving;     // plain secrets being written into the keyring
    int m_pendingReads = 0;
    int m_movedSecrets = 0;
    bool m_unreadableSecrets = false;
    bool m_keyringAsked = false; // a read went out: its answer tells whether there is a keyring
    bool m_nativePopupsByDefault = false;
};

} // namespace traybeat
