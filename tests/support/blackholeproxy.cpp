#include "blackholeproxy.h"

#include <QTcpSocket>
#include <algorithm>

struct BlackholeProxy::Pair
{
    QTcpSocket *client = nullptr;   // owned by the QTcpServer until we reparent it
    QTcpSocket *upstream = nullptr; // null while held in a blackhole
};

BlackholeProxy::BlackholeProxy(quint16 targetPort, QObject *parent)
    : QObject(parent), m_targetPort(targetPort)
{
    connect(&m_server, &QTcpServer::newConnection, this, &BlackholeProxy::onNewConnection);
}

BlackholeProxy::~BlackholeProxy()
{
    dropConnections();
}

bool BlackholeProxy::listen(quint16 port)
{
    return m_server.listen(QHostAddress::LocalHost, port);
}

void BlackholeProxy::close()
{
    m_server.close();
    dropConnections();
}

void BlackholeProxy::setBlackholed(bool blackholed)
{
    m_blackholed = blackholed;
    if (blackholed)
        return;
    // Connections that arrived while blackholed have long been given up by their clients;
    // what remains of them is dropped so that nothing stale is relayed.
    std::vector<Pair *> held;
    for (const auto &pair : m_pairs)
        if (!pair->upstream)
            held.push_back(pair.get());
    for (Pair *pair : held)
        removePair(pair);
}

int BlackholeProxy::openCount() const
{
    return int(std::count_if(m_pairs.begin(), m_pairs.end(), [](const auto &pair) {
        return pair->client->state() == QAbstractSocket::ConnectedState;
    }));
}

void BlackholeProxy::dropConnections()
{
    while (!m_pairs.empty())
        removePair(m_pairs.back().get());
}

void BlackholeProxy::onNewConnection()
{
    while (QTcpSocket *client = m_server.nextPendingConnection()) {
        ++m_acceptedCount;
        auto pair = std::make_unique<Pair>();
        pair->client = client;
        Pair *raw = pair.get();
        m_pairs.push_back(std::move(pair));
        connect(client, &QTcpSocket::disconnected, this, [this, raw] {
            emit clientClosed();
            removePair(raw);
        });
        if (m_blackholed) {
            // Accepted by the kernel, never answered: the client's handshake hangs.
            connect(client, &QTcpSocket::readyRead, client, [client] { client->readAll(); });
        } else {
            raw->upstream = new QTcpSocket(this);
            connect(raw->upstream, &QTcpSocket::disconnected, this,
                    [this, raw] { removePair(raw); });
            connect(client, &QTcpSocket::readyRead, this,
                    [this, raw] { relay(raw->client, raw->upstream); });
            connect(raw->upstream, &QTcpSocket::readyRead, this,
                    [this, raw] { relay(raw->upstream, raw->client); });
            raw->upstream->connectToHost(QHostAddress::LocalHost, m_targetPort);
        }
        emit accepted();
    }
}

void BlackholeProxy::relay(QTcpSocket *from, QTcpSocket *to)
{
    const QByteArray bytes = from->readAll();
    // In a blackhole the bytes are lost on the way, like packets on a dead path.
    if (!m_blackholed && to)
        to->write(bytes);
}

void BlackholeProxy::removePair(Pair *pair)
{
    auto it = std::find_if(m_pairs.begin(), m_pairs.end(),
                           [pair](const auto &owned) { return owned.get() == pair; });
    if (it == m_pairs.end())
        return;
    std::unique_ptr<Pair> owned = std::move(*it);
    m_pairs.erase(it);
    for (QTcpSocket *socket : {owned->client, owned->upstream}) {
        if (!socket)
            continue;
        socket->disconnect(this);
        socket->abort();
        socket->deleteLater();
    }
}
