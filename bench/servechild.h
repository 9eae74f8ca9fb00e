#pragma once

#include <QProcess>
#include <QRegularExpression>
#include <cstdio>

// `traybeat serve` as a child process of a benchmark: on 127.0.0.1, port 0, with its database
// at `db` and `extra` arguments. Returns the port it says it listens on, or 0 when it did not
// start within 10 s (said on stderr).
inline quint16 startServe(QProcess &server, const QString &binary, const QString &db,
                          const QStringList &extra = {})
{
    server.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    server.start(binary,
                 QStringList{QStringLiteral("serve"), QStringLiteral("--listen=127.0.0.1:0"),
                             QStringLiteral("--db"), db} +
                     extra);
    static const QRegularExpression pattern(
        QStringLiteral("listening on http://127\\.0\\.0\\.1:(\\d+)"));
    QByteArray output;
    while (server.waitForReadyRead(10000)) {
        output += server.readAll();
        const auto match = pattern.match(QString::fromUtf8(output));
        if (match.hasMatch())
            return quint16(match.captured(1).toUInt());
    }
    std::fprintf(stderr, "bench: the server did not start (%s)\n", qPrintable(binary));
    return 0;
}
