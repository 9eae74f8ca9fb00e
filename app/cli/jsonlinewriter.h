#pragma once

#include "connectionmanager.h"
#include "notification.h"

#include <cstdio>

// Writes `listen`'s output: one JSON object per line, flushed per line, `time` in ms since the
// epoch (docs/design.md, "The listen JSON lines"). Scripts and tests read it as it comes.
namespace traybeat {

class JsonLineWriter
{
public:
    explicit JsonLineWriter(std::FILE *out = stdout) : m_out(out) {}

    void state(ConnectionState state, const QString &reason);
    void message(const Notification &notification);
    void error(const QString &message);

private:
    void write(const class QJsonObject &object);
    std::FILE *m_out;
};

} // namespace traybeat
