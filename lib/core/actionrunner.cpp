#include "actionrunner.h"

#include "logging.h"
#include "urlpolicy.h"

#include <QNetworkReply>
#include <QNetworkRequest>

namespace traybeat {

namespace {

// The response body is never kept: it is read in chunks of this size and dropped.
constexpr qint64 readBufferSize = 16 * 1024;

} // namespace

ActionRunner::ActionRunner(QObject *parent) : ActionRunner(Config(), parent) {}

ActionRunner::ActionRunner(const Config &config, QObject *parent)
    : QObject(parent), m_config(config)
{
    qRegisterMetaType<traybeat::ActionRunner::Outcome>();
    // Each request's redirects are checked one by one in onRedirected.
    m_network.setRedirectPolicy(QNetworkRequest::UserVerifiedRedirectPolicy);
    // Not the person's cookies, not a shared cache: an action is a one-off request.
    m_network.setCookieJar(nullptr);
}

ActionRunner::~ActionRunner()
{
    // Replies belong to m_network; stop them from reporting into a half-destroyed runner.
    for (auto &[id, running] : m_running) {
        if (running->reply) {
            running->reply->disconnect(this);
            running->reply->abort();
        }
    }
}

quint64 ActionRunner::run(const NotificationAction &action)
{
    const quint64 id = m_nextId++;
    if (action.type != NotificationAction::Type::Http) {
        refuseLater(id, tr("Not an HTTP action"));
        return id;
    }
    if (!isSafeToOpen(action.url)) {
        refuseLater(id, tr("Only http and https addresses are requested"));
        return id;
    }
    if (runningCount() >= m_config.maximumRunning) {
        refuseLater(id, tr("Too many actions are running; try again in a moment"));
        return id;
    }

    QNetworkRequest request(action.url);
    request.setMaximumRedirectsAllowed(m_config.maximumRedirects);
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute,
                         QNetworkRequest::AlwaysNetwork);
    request.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
    for (const auto &[name, value] : action.headers)
        request.setRawHeader(name.toLatin1(), value.toUtf8());
    const QByteArray body = action.body.toUtf8();
    if (!body.isEmpty() && !request.hasRawHeader("Content-Type"))
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("text/plain"));

    QNetworkReply *reply = m_network.sendCustomRequest(request, action.method.toLatin1(), body);
    reply->setReadBufferSize(readBufferSize);
    auto running = std::make_unique<Running>();
    running->reply = reply;
    running->deadline.setSingleShot(true);
    connect(&running->deadline, &QTimer::timeout, this, [this, id] {
        finish(id, {false, 0, tr("No answer within %1 s").arg(m_config.timeout.count() / 1000.0)});
    });
    connect(reply, &QNetworkReply::readyRead, this, [reply] {
        while (reply->bytesAvailable() > 0)
            reply->skip(reply->bytesAvailable()); // only the status matters
    });
    connect(reply, &QNetworkReply::redirected, this,
            [this, id](const QUrl &target) { onRedirected(id, target); });
    connect(reply, &QNetworkReply::finished, this, [this, id] { onFinished(id); });
    running->deadline.start(m_config.timeout);
    m_running.emplace(id, std::move(running));
    return id;
}

void ActionRunner::refuseLater(quint64 id, const QString &reason)
{
    // Asynchronous like a real request, so callers handle one path only.
    QMetaObject::invokeMethod(
        this,
        [this, id, reason] {
            emit finished(id, {false, 0, reason});
        },
        Qt::QueuedConnection);
}

void ActionRunner::onRedirected(quint64 id, const QUrl &target)
{
    const auto it = m_running.find(id);
    if (it == m_running.end() || !it->second->reply)
        return;
    if (!isSafeToOpen(target)) {
        qCWarning(lcUi).noquote() << "action: refusing a redirect to" << redactedUrl(target);
        finish(id, {false, 0, tr("Refused a redirect to an address that is not http or https")});
        return;
    }
    emit it->second->reply->redirectAllowed();
}

void ActionRunner::onFinished(quint64 id)
{
    const auto it = m_running.find(id);
    if (it == m_running.end() || !it->second->reply)
        return;
    QNetworkReply *reply = it->second->reply;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status >= 200 && status < 300 && reply->error() == QNetworkReply::NoError) {
        finish(id, {true, status, tr("Done")});
        return;
    }
    if (status >= 300) {
        // The reason phrase is the server's text: shown as plain text, and kept short.
        const QString phrase =
            QString::fromUtf8(
                reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toByteArray())
                .simplified()
                .left(80);
        finish(id, {false, status,
                    phrase.isEmpty() ? tr("HTTP error %1").arg(status)
                                     : tr("HTTP error %1 %2").arg(status).arg(phrase)});
        return;
    }
    finish(id, {false, 0, reply->errorString().left(200)});
}

void ActionRunner::finish(quint64 id, const Outcome &outcome)
{
    const auto it = m_running.find(id);
    if (it == m_running.end())
        return;
    const std::unique_ptr<Running> running = std::move(it->second);
    m_running.erase(it);
    running->deadline.stop();
    if (QNetworkReply *reply = running->reply) {
        reply->disconnect(this);
        if (reply->isRunning())
            reply->abort();
        reply->deleteLater();
    }
    emit finished(id, outcome);
}

} // namespace traybeat
