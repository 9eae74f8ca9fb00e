#pragma once

#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QTcpServer>
#include <memory>

class QTcpSocket;

// A TCP relay between a client under test and a real server on loopback that can simulate the
// failures a network produces without telling anyone:
//  - blackhole: bytes stop moving in both directions, nothing is closed, no FIN, no RST — the
//    half-open link. New connections are accepted but never relayed (a hanging handshake).
//  - dropConnections: every relayed connection is cut abruptly (RST to both sides).
class BlackholeProxy final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BlackholeProxy)
public:
    explicit BlackholeProxy(quint16 targetPort, QObject *parent = nullptr);
    ~BlackholeProxy() override;

    bool listen(quint16 port = 0);
    void close(); // stop listening (new connections are refused) and drop everything
    quint16 port() const { return m_server.serverPort(); }
    void setTargetPort(quint16 port) { m_targetPort = port; }

    void setBlackholed(bool blackholed);
    bool isBlackholed() const { return m_blackholed; }
    void dropConnections();

    int acceptedCount() const { return m_acceptedCount; }
    // Client-side connections currently open through the proxy (relayed or held).
    int openCount() const;

signals:
    void accepted();
    void clientClosed();

private:
    struct Pair;
    void onNewConnection();
    void relay(QTcpSocket *from, QTcpSocket *to);
    void removePair(Pair *pair);

    QTcpServer m_server;
    quint16 m_targetPort;
    bool m_blackholed = false;
    int m_acceptedCount = 0;
    std::vector<std::unique_ptr<Pair>> m_pairs;
};
