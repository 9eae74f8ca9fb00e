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
    bool useNativePopups = false; // QSystemTrayIcon::showMessage instead of our own widgets
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
    void setPopups(const PopupSettings &popups);

    bool doNotDisturb() const;
    void setDoNotDisturb(bool enabled);
    // Whether urgent (priority 5) messages still pop up during do not disturb; on by default.
    bool urgentBreaksDoNotDisturb() const;
    void setUrgentBreaksDoNotDisturb(bool enabled);

    QuietHours quietHours() const;
    void setQuietHours(const QuietHours &quietHours);

    // Keeps secrets (tokens, passwords) in `store` (the desktop keyring) from now on: reads the
    // secrets the file refers to, then moves the file's plain-text ones into the keyring (one log
    // line). A secret stays in the file whenever the keyring cannot take it. Without a store, or
    // without a keyring that answers, they stay in the file. `store` must outlive this object.
    void useSecretStore(SecretStore *store);
    // True while secrets the file refers to are being read from the keyring: subscriptions()
    // has them empty until subscriptionsChanged() says they are there.
    bool isLoadingSecrets() const { return m_pendingReads > 0; }
    SecretLocation secretLocation() const;
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
};

} // namespace traybeat
