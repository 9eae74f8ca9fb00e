#include "appsettings.h"

#include "duration.h"
#include "logging.h"
#include "privatepath.h"

#include <QFile>
#include <QFileInfo>
#include <QSettings>
#include <QUuid>
#include <QVariantMap>
#include <algorithm>
#include <utility>

// Layout of the settings file (INI on Linux, meant to be readable and hand-editable):
//   [subscriptions]  size=N, 1\name=…, 1\server=…, 1\protocol=ntfy, 1\topics="a,b", 1\token=…,
//                    1\user=phil, 1\password=… (ntfy's Basic auth, instead of a token),
//                    1\heartbeat=ping, 1\heartbeatInterval=25s, 1\heartbeatTimeout=10s,
//                    1\reconnectMin=1s, 1\reconnectMax=1m, 1\connectTimeout=10s,
//                    1\caFile=/path/ca.pem, 1\insecure=false
//   [popups]         corner=top-right, duration=6s, delivery=own|desktop (absent: the session
//                    decides; see setNativePopupsByDefault)
//   [General]        doNotDisturb=false, urgentBreaksDoNotDisturb=true, outageNotice=2m,
//                    connectDirectly=false
//   [quietHours]     enabled=false, from=22:00, to=07:00, urgentBreaksThrough=true
// Durations and times are written as text ("25s", "22:00") rather than numbers so that a person
// editing the file cannot mistake milliseconds for seconds.
//
// Secrets (a token, a password): where a desktop keyring answers (SecretStore), an entry has
// `tokenInKeyring=<key>` instead of `token` (and `passwordInKeyring=<key>` instead of
// `password`), and the secret is the keyring's entry of that key (`secret-tool lookup server
// traybeat user <key>`). A secret is first written to this file and then moved into the
// keyring, so a keyring that refuses it or a crash in between loses nothing; without a keyring
// the file (0600) keeps it. Secrets are never logged. The user name is no secret: it stays in
// the file.
//
// Reading is forgiving: anything unreadable (a garbage value, a wrong type, an out-of-range
// number) falls back to the default with a warning, so a broken file never stops the app.

namespace traybeat {

// A subscription's secrets: each is kept either in plain text under `plainKey` or in the keyring,
// referred to by `referenceKey`.
struct SecretField
{
    const char *plainKey;
    const char *referenceKey;
    QString SubscriptionConfig::*member;
};
constexpr SecretField secretFields[] = {
    {"token", "tokenInKeyring", &SubscriptionConfig::token},
    {"password", "passwordInKeyring", &SubscriptionConfig::password},
};

namespace {

const QString subscriptionsArray = QStringLiteral("subscriptions");

// Read once at start when no secret is in the keyring yet: whether a keyring answers at all.
const QString availabilityProbeKey = QStringLiteral("availability-check");
const QString timeFormat = QStringLiteral("HH:mm");
const QString deliveryKey = QStringLiteral("delivery");
const QString desktopDelivery = QStringLiteral("desktop");
const QString ownDelivery = QStringLiteral("own");
const QString legacyNativeKey = QStringLiteral("native");
// More than anyone sets up by hand; guards against a garbage `size=2000000000` in the file.
constexpr int maximumSubscriptions = 1000;

struct CornerName
{
    PopupCorner corner;
    const char *name;
};
constexpr CornerName cornerNames[] = {
    {PopupCorner::TopRight, "top-right"},
    {PopupCorner::TopLeft, "top-left"},
    {PopupCorner::BottomRight, "bottom-right"},
    {PopupCorner::BottomLeft, "bottom-left"},
};

QString cornerName(PopupCorner corner)
{
    for (const CornerName &entry : cornerNames) {
        if (entry.corner == corner)
            return QLatin1String(entry.name);
    }
    return QLatin1String(cornerNames[0].name);
}

void warnBadValue(const QSettings &settings, const QString &key, const QVariant &value,
                  const QString &fallback);

// The value of `key`, or an invalid QVariant when it is absent or unreadable; only the latter
// (a value QSettings could not load, e.g. a broken @Variant(...)) deserves a warning.
QVariant readValue(const QSettings &settings, const QString &key, const QString &fallback)
{
    const QVariant value = settings.value(key);
    if (!value.isValid() && settings.contains(key))
        warnBadValue(settings, key, value, fallback);
    return value;
}

void warnBadValue(const QSettings &settings, const QString &key, const QVariant &value,
                  const QString &fallback)
{
    qCWarning(lcUi).noquote() << "settings:" << settings.group() + QLatin1Char('/') + key
                              << "has an unusable value" << value.toString() << "- using"
                              << fallback;
}

// QVariant::toBool() reads any non-empty text as true; a typo must not switch something on.
bool readBool(const QSettings &settings, const QString &key, bool fallback)
{
    const QVariant value =
        readValue(settings, key, fallback ? QStringLiteral("true") : QStringLiteral("false"));
    if (!value.isValid())
        return fallback;
    if (value.typeId() == QMetaType::Bool)
        return value.toBool();
    const QString text = value.toString().trimmed().toLower();
    if (text == QLatin1String("true") || text == QLatin1String("1") ||
        text == QLatin1String("yes") || text == QLatin1String("on"))
        return true;
    if (text == QLatin1String("false") || text == QLatin1String("0") ||
        text == QLatin1String("no") || text == QLatin1String("off"))
        return false;
    warnBadValue(settings, key, value, fallback ? QStringLiteral("true") : QStringLiteral("false"));
    return fallback;
}

// A positive duration written as "25s", within [shortest, longest] (the bounds the settings
// dialog enforces, so that a hand-edited file cannot set what the dialog refuses); anything
// else gives `fallback`.
std::chrono::milliseconds readDuration(const QSettings &settings, const QString &key,
                                       std::chrono::milliseconds fallback,
                                       std::chrono::milliseconds shortest = 1ms,
                                       std::chrono::milliseconds longest = 24h)
{
    const QVariant value = readValue(settings, key, formatDuration(fallback));
    if (!value.isValid())
        return fallback;
    const auto parsed = parseDuration(value.toString());
    if (!parsed || *parsed < shortest || *parsed > longest) {
        warnBadValue(settings, key, value, formatDuration(fallback));
        return fallback;
    }
    return *parsed;
}

QTime readTime(const QSettings &settings, const QString &key, QTime fallback)
{
    const QVariant value = readValue(settings, key, fallback.toString(timeFormat));
    if (!value.isValid())
        return fallback;
    const QTime time = QTime::fromString(value.toString().trimmed(), timeFormat);
    if (!time.isValid()) {
        warnBadValue(settings, key, value, fallback.toString(timeFormat));
        return fallback;
    }
    return time;
}

QString readString(const QSettings &settings, const QString &key)
{
    // A list (an unquoted comma in the INI file) is read back as its parts joined again.
    const QVariant value = settings.value(key);
    if (value.typeId() == QMetaType::QStringList)
        return value.toStringList().join(QLatin1Char(','));
    return value.toString();
}

// The fields this class persists, as comparable values: a change to anything else (which is
// not saved anyway) must not count as a change.
QVariantMap persistedFields(const SubscriptionConfig &config)
{
    const ConnectionConfig &connection = config.connection;
    return {
        {QStringLiteral("name"), config.name},
        {QStringLiteral("server"), config.server.toString()},
        {QStringLiteral("protocol"), config.protocol},
        {QStringLiteral("topics"), config.topics.join(QLatin1Char(','))},
        {QStringLiteral("token"), config.token},
        {QStringLiteral("user"), config.user},
        {QStringLiteral("password"), config.password},
        {QStringLiteral("heartbeat"), connection.heartbeat.toString()},
        {QStringLiteral("heartbeatInterval"), formatDuration(connection.heartbeatInterval)},
        {QStringLiteral("heartbeatTimeout"), formatDuration(connection.heartbeatTimeout)},
        {QStringLiteral("reconnectMin"), formatDuration(connection.backoff.floor)},
        {QStringLiteral("reconnectMax"), formatDuration(connection.backoff.cap)},
        {QStringLiteral("connectTimeout"), formatDuration(connection.connectTimeout)},
        {QStringLiteral("caFile"), connection.caFile},
        {QStringLiteral("insecure"), connection.insecure},
    };
}

SubscriptionConfig readSubscription(const QSettings &settings)
{
    SubscriptionConfig config;
    ConnectionConfig &connection = config.connection;
    config.name = readString(settings, QStringLiteral("name")).trimmed();
    config.server = QUrl(readString(settings, QStringLiteral("server")).trimmed());
    config.token = readString(settings, QStringLiteral("token"));
    config.user = readString(settings, QStringLiteral("user")).trimmed();
    config.password = readString(settings, QStringLiteral("password"));
    config.topics = SubscriptionConfig::parseTopics(readString(settings, QStringLiteral("topics")));

    const QString protocol = readString(settings, QStringLiteral("protocol")).trimmed();
    if (SubscriptionConfig::protocolNames().contains(protocol))
        config.protocol = protocol;
    else if (!protocol.isEmpty())
        warnBadValue(settings, QStringLiteral("protocol"), protocol, config.protocol);

    // The mode's own default timings (passive: 55 s + 20 s) unless the file sets them.
    connection.setHeartbeat(SubscriptionConfig::defaultHeartbeat(config.protocol));
    const QVariant heartbeat = settings.value(QStringLiteral("heartbeat"));
    if (heartbeat.isValid()) {
        if (const auto mode = HeartbeatMode::parse(heartbeat.toString().trimmed()))
            connection.setHeartbeat(*mode);
        else
            warnBadValue(settings, QStringLiteral("heartbeat"), heartbeat,
                         connection.heartbeat.toString());
    }
    connection.heartbeatInterval = readDuration(
        settings, QStringLiteral("heartbeatInterval"), connection.heartbeatInterval,
        ConnectionConfig::shortestUserTiming, ConnectionConfig::longestHeartbeatInterval);
    connection.heartbeatTimeout = readDuration(
        settings, QStringLiteral("heartbeatTimeout"), connection.heartbeatTimeout,
        ConnectionConfig::shortestUserTiming, ConnectionConfig::longestHeartbeatTimeout);
    connection.connectTimeout =
        readDuration(settings, QStringLiteral("connectTimeout"), connection.connectTimeout);
    connection.caFile = readString(settings, QStringLiteral("caFile"));
    connection.insecure = readBool(settings, QStringLiteral("insecure"), connection.insecure);
    const BackoffConfig defaults;
    connection.backoff.floor =
        readDuration(settings, QStringLiteral("reconnectMin"), defaults.floor);
    connection.backoff.cap = readDuration(settings, QStringLiteral("reconnectMax"), defaults.cap,
                                          1ms, ConnectionConfig::longestReconnectDelay);
    if (connection.backoff.cap < connection.backoff.floor) {
        qCWarning(lcUi).noquote() << "settings:" << settings.group()
                                  << "has reconnectMax below reconnectMin - using the defaults";
        connection.backoff.floor = defaults.floor;
        connection.backoff.cap = defaults.cap;
    }
    return config;
}

// Names key the store, so two subscriptions must never share one; a hand-edited file may still
// have duplicates or blanks.
void makeNamesUnique(QList<SubscriptionConfig> &subscriptions)
{
    QStringList taken;
    for (SubscriptionConfig &config : subscriptions) {
        QString wanted = config.name.isEmpty() ? config.defaultName() : config.name;
        if (wanted.isEmpty())
            wanted = QStringLiteral("Subscription");
        QString name = wanted;
        for (int suffix = 2; taken.contains(name); ++suffix)
            name = QStringLiteral("%1 (%2)").arg(wanted).arg(suffix);
        if (name != config.name) {
            qCWarning(lcUi).noquote() << "settings: subscription" << config.name << "renamed to"
                                      << name << "(names must be unique)";
            config.name = name;
        }
        taken.append(name);
    }
}

// The pop-up delivery the user chose (`delivery`), else an older version's `native=true`
// (`native=false` was written by default and says nothing), else the session's default.
bool readDelivery(const QSettings &settings, bool sessionDefault)
{
    const QVariant delivery = settings.value(deliveryKey);
    if (delivery.isValid()) {
        const QString text = delivery.toString().trimmed().toLower();
        if (text == desktopDelivery || text == ownDelivery)
            return text == desktopDelivery;
        warnBadValue(settings, deliveryKey, delivery,
                     sessionDefault ? desktopDelivery : ownDelivery);
        return sessionDefault;
    }
    return readBool(settings, legacyNativeKey, false) || sessionDefault;
}

bool operator==(const PopupSettings &a, const PopupSettings &b)
{
    return a.corner == b.corner && a.duration == b.duration &&
           a.useNativePopups == b.useNativePopups;
}

bool operator==(const QuietHours &a, const QuietHours &b)
{
    return a.enabled == b.enabled && a.from == b.from && a.to == b.to &&
           a.urgentBreaksThrough == b.urgentBreaksThrough;
}

// The file holds tokens: readable and writable by its owner only, whatever the umask. It is
// created 0600 before QSettings first writes it, because QSaveFile gives a new file the umask's
// mode but keeps the mode of an existing one.
void keepPrivate(const QSettings &settings, PrivatePath::Existing folder)
{
    const QString path = settings.fileName();
    if (settings.format() != QSettings::NativeFormat && settings.format() != QSettings::IniFormat)
        return;
    QString error;
    if (!PrivatePath::ensureDirectory(QFileInfo(path).absolutePath(), folder, &error) ||
        !PrivatePath::ensureFile(path, &error))
        qCWarning(lcUi).noquote() << "settings:" << error;
}

} // namespace

AppSettings::AppSettings(QSettings *settings, QObject *parent)
    : QObject(parent),
      m_ownedSettings(settings ? nullptr
                               : std::make_unique<QSettings>(QStringLiteral("traybeat"),
                                                             QStringLiteral("traybeat"))),
      m_settings(settings ? settings : m_ownedSettings.get())
{
    // The default folder is traybeat's own; a given file's folder may hold other things.
    keepPrivate(*m_settings,
                m_ownedSettings ? PrivatePath::Existing::Narrow : PrivatePath::Existing::Keep);
    if (m_settings->status() != QSettings::NoError)
        qCWarning(lcUi).noquote() << "settings: cannot read" << m_settings->fileName()
                                  << "- using defaults";
}

AppSettings::~AppSettings() = default;

QList<SubscriptionConfig> AppSettings::subscriptions() const
{
    QList<SubscriptionConfig> subscriptions;
    int size = m_settings->beginReadArray(subscriptionsArray);
    if (size > maximumSubscriptions) {
        qCWarning(lcUi) << "settings: reading only the first" << maximumSubscriptions << "of"
                        << size << "subscriptions";
        size = maximumSubscriptions;
    }
    int emptyEntries = 0;
    for (int index = 0; index < size; ++index) {
        m_settings->setArrayIndex(index);
        SubscriptionConfig config = readSubscription(*m_settings);
        for (const SecretField &field : secretFields) {
            QString &secret = config.*field.member;
            secret = resolvedSecret(
                {config.name, field.plainKey, secret,
                 readString(*m_settings, QLatin1String(field.referenceKey)).trimmed()});
        }
        // Neither name nor server: nothing a user set up, only a gap in a hand-edited file.
        if (config.name.isEmpty() && config.server.isEmpty())
            ++emptyEntries;
        else
            subscriptions.append(config);
    }
    m_settings->endArray();
    if (emptyEntries > 0)
        qCWarning(lcUi) << "settings: skipped" << emptyEntries << "empty subscription entries";
    makeNamesUnique(subscriptions);
    return subscriptions;
}

void AppSettings::setSubscriptions(const QList<SubscriptionConfig> &subscriptions)
{
    QVariantList wanted;
    for (const SubscriptionConfig &config : subscriptions)
        wanted.append(persistedFields(config));
    QVariantList current;
    for (const SubscriptionConfig &config : this->subscriptions())
        current.append(persistedFields(config));
    if (wanted == current)
        return;

    const QList<StoredSecret> before = storedSecrets();
    // remove() first: a shorter list must not leave the old tail entries behind.
    m_settings->remove(subscriptionsArray);
    m_settings->beginWriteArray(subscriptionsArray, int(subscriptions.size()));
    for (int index = 0; index < subscriptions.size(); ++index) {
        m_settings->setArrayIndex(index);
        const QVariantMap fields = storedFields(subscriptions.at(index), before);
        for (auto it = fields.begin(); it != fields.end(); ++it)
            m_settings->setValue(it.key(), it.value());
    }
    m_settings->endArray();
    m_settings->sync();
    moveSecretsToKeyring();
    removeUnreferencedSecrets();
    emit subscriptionsChanged();
}

// What is written for `config`: its fields, with each secret as a reference to the keyring's
// entry when the keyring holds it already, else in plain text (moved into the keyring next).
QVariantMap AppSettings::storedFields(const SubscriptionConfig &config,
                                      const QList<StoredSecret> &before) const
{
    QVariantMap fields = persistedFields(config);
    if (config.user.isEmpty())
        fields.remove(QStringLiteral("user")); // only subscriptions that sign in name a user
    for (const SecretField &field : secretFields) {
        fields.remove(QLatin1String(field.plainKey));
        const QString reference =
            keyringReference(config.name, field, config.*field.member, before);
        if (!reference.isEmpty())
            fields.insert(QLatin1String(field.referenceKey), reference);
        else if (!(config.*field.member).isEmpty())
            fields.insert(QLatin1String(field.plainKey), config.*field.member);
    }
    return fields;
}

// The keyring entry that holds `secret` of subscription `name` (field `field`), if any.
QString AppSettings::keyringReference(const QString &name, const SecretField &field,
                                      const QString &secret,
                                      const QList<StoredSecret> &before) const
{
    if (secret.isEmpty()) {
        // A secret the keyring did not give us (not yet read, or no answer) shows as empty;
        // saving the other fields must not drop it.
        for (const StoredSecret &stored : before) {
            if (stored.name == name && stored.plainKey == QLatin1String(field.plainKey) &&
                !stored.keyringKey.isEmpty() && !m_secrets.contains(stored.keyringKey))
                return stored.keyringKey;
        }
        return {};
    }
    for (auto it = m_secrets.cbegin(); it != m_secrets.cend(); ++it) {
        if (it.value() == secret)
            return it.key();
    }
    return {};
}

QList<AppSettings::StoredSecret> AppSettings::storedSecrets() const
{
    QList<StoredSecret> secrets;
    const int size = std::min(m_settings->beginReadArray(subscriptionsArray), maximumSubscriptions);
    for (int index = 0; index < size; ++index) {
        m_settings->setArrayIndex(index);
        const QString name = readString(*m_settings, QStringLiteral("name")).trimmed();
        for (const SecretField &field : secretFields) {
            secrets.append({name, QLatin1String(field.plainKey),
                            readString(*m_settings, QLatin1String(field.plainKey)),
                            readString(*m_settings, QLatin1String(field.referenceKey)).trimmed()});
        }
    }
    m_settings->endArray();
    return secrets;
}

QString AppSettings::resolvedSecret(const StoredSecret &stored) const
{
    if (!stored.keyringKey.isEmpty() && m_secrets.contains(stored.keyringKey))
        return m_secrets.value(stored.keyringKey);
    return stored.keyringKey.isEmpty() ? stored.plain : QString();
}

void AppSettings::useSecretStore(SecretStore *store)
{
    if (m_secretStore)
        return;
    m_secretStore = store;
    connect(store, &SecretStore::availabilityChanged, this, [this] {
        if (m_secretStore->availability() == SecretStore::Availability::Unavailable)
            qCInfo(lcUi).noquote()
                << "settings: tokens and passwords are kept in" << m_settings->fileName()
                << "(readable only by you): no desktop keyring -"
                << m_secretStore->unavailableReason();
        emit secretLocationChanged();
    });
    QSet<QString> keys;
    for (const StoredSecret &stored : storedSecrets()) {
        if (!stored.keyringKey.isEmpty())
            keys.insert(stored.keyringKey);
    }
    if (keys.isEmpty()) {
        if (hasPlainSecrets())
            findSecretLocation(); // then they move
        return;
    }
    m_keyringAsked = true;
    m_pendingReads = int(keys.size());
    for (const QString &key : keys) {
        store->read(key, this,
                    [this, key](const SecretStore::Result &result) { onSecretRead(key, result); });
    }
}

void AppSettings::onSecretRead(const QString &key, const SecretStore::Result &result)
{
    if (result.ok)
        m_secrets.insert(key, result.secret);
    else if (result.notFound)
        qCWarning(lcUi).noquote() << "settings: the desktop keyring has no entry" << key
                                  << "- its subscription connects without that secret";
    else
        m_unreadableSecrets = true;
    if (--m_pendingReads > 0)
        return;
    if (m_unreadableSecrets)
        qCWarning(lcUi).noquote()
            << "settings: secrets kept in the desktop keyring cannot be read (" +
                   m_secretStore->unavailableReason() +
                   ") - their subscriptions connect without them";
    moveSecretsToKeyring();
    emit subscriptionsChanged();
}

void AppSettings::findSecretLocation()
{
    if (!m_secretStore || std::exchange(m_keyringAsked, true))
        return;
    // Nothing to read: the answer only says whether a keyring is there.
    m_secretStore->read(availabilityProbeKey, this,
                        [this](const SecretStore::Result &) { moveSecretsToKeyring(); });
}

bool AppSettings::hasPlainSecrets() const
{
    const QList<StoredSecret> stored = storedSecrets();
    return std::any_of(stored.cbegin(), stored.cend(), [](const StoredSecret &secret) {
        return !secret.plain.isEmpty() && secret.keyringKey.isEmpty();
    });
}

// Each plain-text secret of the file goes into the keyring; once it is there, the file's entries
// that hold it get the reference instead.
void AppSettings::moveSecretsToKeyring()
{
    if (!m_secretStore)
        return;
    if (m_secretStore->availability() == SecretStore::Availability::Unknown) {
        if (hasPlainSecrets())
            findSecretLocation(); // its answer moves them (no-op while a read is out)
        return;
    }
    if (m_secretStore->availability() != SecretStore::Availability::Available)
        return;
    for (const StoredSecret &stored : storedSecrets()) {
        const QString secret = stored.plain;
        if (secret.isEmpty() || !stored.keyringKey.isEmpty() || m_secretsMoving.contains(secret))
            continue;
        m_secretsMoving.insert(secret);
        const QString key = QUuid::createUuid().toString(QUuid::WithoutBraces);
        m_secretStore->write(key, secret, this,
                             [this, key, secret](const SecretStore::Result &result) {
                                 onSecretMoved(key, secret, result.ok);
                             });
    }
}

void AppSettings::onSecretMoved(const QString &key, const QString &secret, bool stored)
{
    m_secretsMoving.remove(secret);
    if (stored) {
        m_secrets.insert(key, secret);
        replacePlainSecret(key, secret);
        removeUnreferencedSecrets(); // nobody holds it any more: saved again meanwhile
    } else {
        qCWarning(lcUi).noquote() << "settings: a secret stays in" << m_settings->fileName()
                                  << "- the desktop keyring did not take it (" +
                                         m_secretStore->unavailableReason() + ")";
    }
    if (m_secretsMoving.isEmpty() && m_movedSecrets > 0) {
        qCInfo(lcUi).noquote() << "settings: moved" << m_movedSecrets << "secret(s) from"
                               << m_settings->fileName() << "into the desktop keyring";
        m_movedSecrets = 0;
    }
}

// The file's plain `secret`s become references to keyring entry `key`. Found again by value:
// the list may have been saved again meanwhile.
void AppSettings::replacePlainSecret(const QString &key, const QString &secret)
{
    const int size =
        std::min(m_settings->value(subscriptionsArray + QStringLiteral("/size")).toInt(),
                 maximumSubscriptions);
    for (int index = 1; index <= size; ++index) {
        const QString entry = QStringLiteral("%1/%2/").arg(subscriptionsArray).arg(index);
        for (const SecretField &field : secretFields) {
            const QString plainKey = entry + QLatin1String(field.plainKey);
            const QString referenceKey = entry + QLatin1String(field.referenceKey);
            if (readString(*m_settings, plainKey) != secret || m_settings->contains(referenceKey))
                continue;
            m_settings->remove(plainKey);
            m_settings->setValue(referenceKey, key);
            ++m_movedSecrets;
        }
    }
    m_settings->sync();
}

// Keyring entries this session knows of that no subscription refers to any more (removed, or
// its token changed) are deleted.
void AppSettings::removeUnreferencedSecrets()
{
    if (!m_secretStore)
        return;
    QSet<QString> referenced;
    for (const StoredSecret &stored : storedSecrets())
        referenced.insert(stored.keyringKey);
    const QStringList known = m_secrets.keys();
    for (const QString &key : known) {
        if (referenced.contains(key))
            continue;
        m_secrets.remove(key);
        m_secretStore->remove(key, this, [key](const SecretStore::Result &result) {
            if (!result.ok && !result.notFound)
                qCWarning(lcUi).noquote()
                    << "settings: cannot delete the keyring entry" << key << "-" << result.error;
        });
    }
}

SecretLocation AppSettings::secretLocation() const
{
    if (!m_secretStore)
        return SecretLocation::SettingsFile;
    switch (m_secretStore->availability()) {
    case SecretStore::Availability::Available:
        return SecretLocation::Keyring;
    case SecretStore::Availability::Unknown:
        return SecretLocation::Checking;
    case SecretStore::Availability::Unavailable:
        break;
    }
    return SecretLocation::SettingsFile;
}

QString AppSettings::keyringProblem() const
{
    return m_secretStore ? m_secretStore->unavailableReason() : QString();
}

bool AppSettings::isStartAtLoginDecided() const
{
    return readBool(*m_settings, QStringLiteral("startAtLoginDecided"), false);
}

void AppSettings::setStartAtLoginDecided()
{
    if (isStartAtLoginDecided())
        return;
    m_settings->setValue(QStringLiteral("startAtLoginDecided"), true);
    m_settings->sync();
}

PopupSettings AppSettings::popups() const
{
    PopupSettings popups;
    m_settings->beginGroup(QStringLiteral("popups"));
    const QVariant corner = m_settings->value(QStringLiteral("corner"));
    if (corner.isValid()) {
        const QString text = corner.toString().trimmed().toLower();
        bool known = false;
        for (const CornerName &entry : cornerNames) {
            if (text == QLatin1String(entry.name)) {
                popups.corner = entry.corner;
                known = true;
            }
        }
        if (!known)
            warnBadValue(*m_settings, QStringLiteral("corner"), corner, cornerName(popups.corner));
    }
    popups.duration = readDuration(*m_settings, QStringLiteral("duration"), popups.duration);
    popups.useNativePopups = readDelivery(*m_settings, m_nativePopupsByDefault);
    m_settings->endGroup();
    return popups;
}

void AppSettings::setPopups(const PopupSettings &popups)
{
    if (popups == this->popups())
        return;
    m_settings->beginGroup(QStringLiteral("popups"));
    m_settings->setValue(QStringLiteral("corner"), cornerName(popups.corner));
    m_settings->setValue(QStringLiteral("duration"), formatDuration(popups.duration));
    // Versions before the Wayland default wrote `native=false` whether chosen or not.
    m_settings->remove(legacyNativeKey);
    if (m_settings->contains(deliveryKey) || popups.useNativePopups != m_nativePopupsByDefault)
        m_settings->setValue(deliveryKey, popups.useNativePopups ? desktopDelivery : ownDelivery);
    m_settings->endGroup();
    m_settings->sync();
    emit changed();
}

// The on/off settings of [General]: written, and announced, only when they change.
void AppSettings::writeFlag(const QString &key, bool value, bool current)
{
    if (value == current)
        return;
    m_settings->setValue(key, value);
    m_settings->sync();
    emit changed();
}

bool AppSettings::doNotDisturb() const
{
    return readBool(*m_settings, QStringLiteral("doNotDisturb"), false);
}

void AppSettings::setDoNotDisturb(bool enabled)
{
    writeFlag(QStringLiteral("doNotDisturb"), enabled, doNotDisturb());
}

bool AppSettings::urgentBreaksDoNotDisturb() const
{
    return readBool(*m_settings, QStringLiteral("urgentBreaksDoNotDisturb"), true);
}

void AppSettings::setUrgentBreaksDoNotDisturb(bool enabled)
{
    writeFlag(QStringLiteral("urgentBreaksDoNotDisturb"), enabled, urgentBreaksDoNotDisturb());
}

QuietHours AppSettings::quietHours() const
{
    QuietHours quietHours;
    m_settings->beginGroup(QStringLiteral("quietHours"));
    quietHours.enabled = readBool(*m_settings, QStringLiteral("enabled"), quietHours.enabled);
    quietHours.from = readTime(*m_settings, QStringLiteral("from"), quietHours.from);
    quietHours.to = readTime(*m_settings, QStringLiteral("to"), quietHours.to);
    quietHours.urgentBreaksThrough = readBool(*m_settings, QStringLiteral("urgentBreaksThrough"),
                                              quietHours.urgentBreaksThrough);
    m_settings->endGroup();
    return quietHours;
}

void AppSettings::setQuietHours(const QuietHours &wanted)
{
    // Stored to the minute: seconds would make every later call look like a change.
    QuietHours quietHours = wanted;
    quietHours.from = QTime(wanted.from.hour(), wanted.from.minute());
    quietHours.to = QTime(wanted.to.hour(), wanted.to.minute());
    if (quietHours == this->quietHours())
        return;
    m_settings->beginGroup(QStringLiteral("quietHours"));
    m_settings->setValue(QStringLiteral("enabled"), quietHours.enabled);
    m_settings->setValue(QStringLiteral("from"), quietHours.from.toString(timeFormat));
    m_settings->setValue(QStringLiteral("to"), quietHours.to.toString(timeFormat));
    m_settings->setValue(QStringLiteral("urgentBreaksThrough"), quietHours.urgentBreaksThrough);
    m_settings->endGroup();
    m_settings->sync();
    emit changed();
}

std::chrono::milliseconds AppSettings::outageNoticeDelay() const
{
    return readDuration(*m_settings, QStringLiteral("outageNotice"), defaultOutageNoticeDelay);
}

void AppSettings::setOutageNoticeDelay(std::chrono::milliseconds delay)
{
    if (delay == outageNoticeDelay())
        return;
    m_settings->setValue(QStringLiteral("outageNotice"), formatDuration(delay));
    m_settings->sync();
    emit changed();
}

bool AppSettings::connectsDirectly() const
{
    return readBool(*m_settings, QStringLiteral("connectDirectly"), false);
}

void AppSettings::setConnectsDirectly(bool direct)
{
    writeFlag(QStringLiteral("connectDirectly"), direct, connectsDirectly());
}

} // namespace traybeat
