#pragma once

#include "connectionmanager.h"
#include "notification.h"

#include <cstdio>

// Writes `listen`'s output: one JSON object per line, `time` in ms since the epoch (docs/design.md,
// "The listen JSON lines"). Scripts and tests read it as it comes: every call writes and flushes
// before it returns, a batch of messages in one write (one system call instead of one per line).
namespace traybeat {

class JsonLineWriter
{
public:
    explicit JsonLineWriter(std::FILE *out = stdout) : m_out(out) {}

    void state(ConnectionState state, const QString &reason);
    void messages(const NotificationList &notifications);
    void error(const QString &message);

private:
    static QByteArray line(const class QJsonObject &object);
    // A message with tags, actions, an attachment, an icon or a content type, through
    // QJsonObject; a message with text only is written directly (jsonlinewriter.cpp).
    static QByteArray messageLineWithExtras(const Notification &notification);
    void write(const QByteArray &lines);
    std::FILE *m_out;
};

} // namespace traybeat
