// Third-party ntfy clients against a real `traybeat serve` (issue 9): the npm `ntfy` package
// publishes with a Bearer token, tags, priority, actions, icon and a delay; an EventSource
// (npm `eventsource`) reads /sse and, reconnecting with Last-Event-ID, gets what it missed.
// Usage: node ntfyclients.mjs TRAYBEAT-BINARY. Exits 0 when every check passed.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { publish } from 'ntfy';

const require = createRequire(import.meta.url);
const EventSource = require('eventsource');

const token = 'tk_nodeclients_secret';
const binary = process.argv[2];
const folder = mkdtempSync(path.join(tmpdir(), 'traybeat-node-'));

function startServer() {
  const server = spawn(binary, ['serve', '--listen', '127.0.0.1:0', '--db',
    path.join(folder, 'server.db'), '--keepalive', '1s'], {
    env: { ...process.env, TRAYBEAT_TOKEN: token },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    server.stdout.on('data', chunk => {
      output += chunk;
      const match = output.match(/listening on (http:\/\/\S+)/);
      if (match) resolve({ server, url: match[1] });
    });
    server.on('exit', code => reject(new Error(`traybeat serve exited with ${code}`)));
  });
}

// Events of an EventSource, collected; `until(n)` waits for n messages (bounded).
function listen(url, headers = {}) {
  const source = new EventSource(url, { headers: { Authorization: `Bearer ${token}`, ...headers } });
  const messages = [];
  const waiters = [];
  source.onmessage = event => {
    messages.push({ lastEventId: event.lastEventId, data: JSON.parse(event.data) });
    waiters.filter(w => messages.length >= w.count).forEach(w => w.resolve());
  };
  const opened = new Promise(resolve => source.addEventListener('open', () => resolve(), { once: true }));
  const until = (count, timeoutMs = 30000) => new Promise((resolve, reject) => {
    if (messages.length >= count) return resolve();
    waiters.push({ count, resolve });
    // unref: a pending deadline does not keep node running once everything else is done
    setTimeout(() => reject(new Error(`only ${messages.length} of ${count} messages`)), timeoutMs)
      .unref();
  });
  return { source, messages, until, opened };
}

async function main() {
  const { server, url } = await startServer();
  try {
    const server_ = url.replace(/\/$/, '');
    // Unauthorized without the token: the client reports the failure.
    await assert.rejects(publish({ server: server_, topic: 'node', message: 'no token' }));

    const live = listen(`${server_}/node/sse`);
    await live.opened;
    const sent = await publish({
      server: server_, topic: 'node', authorization: token,
      message: 'Backup finished', title: 'Nightly', priority: 4, tags: ['floppy_disk', 'ok'],
      iconURL: 'https://example.com/icon.png',
      actions: [
        { type: 'view', label: 'Open log', url: 'https://example.com/log', clear: true },
        { type: 'http', label: 'Retry', url: 'https://example.com/retry', method: 'put',
          headers: { 'X-Run': 'again' } },
        { type: 'broadcast', label: 'Ping', extras: { cmd: 'ping' } },
      ],
    });
    assert.equal(sent.event, 'message');
    assert.equal(sent.message, 'Backup finished');
    assert.equal(sent.title, 'Nightly');
    assert.equal(sent.priority, 4);
    assert.deepEqual(sent.tags, ['floppy_disk', 'ok']);
    assert.equal(sent.icon, 'https://example.com/icon.png');
    const actions = sent.actions.map(({ id, ...rest }) => rest);
    assert.deepEqual(actions, [
      { action: 'view', label: 'Open log', url: 'https://example.com/log', clear: true },
      { action: 'http', label: 'Retry', url: 'https://example.com/retry', method: 'PUT',
        headers: { 'X-Run': 'again' }, clear: false },
      { action: 'broadcast', label: 'Ping', extras: { cmd: 'ping' }, clear: false },
    ]);
    await live.until(1);
    assert.deepEqual(live.messages[0].data, sent); // arrives as sent
    assert.equal(live.messages[0].lastEventId, sent.id);

    // Delayed by ntfy's minimum, 10 s: answered at once with its delivery time, sent then.
    const before = Date.now();
    const delayed = await publish({ server: server_, topic: 'node', authorization: token,
      message: 'later', delay: '10s' });
    assert.ok(Math.abs(delayed.time * 1000 - (before + 10000)) <= 2000, `time ${delayed.time}`);

    // Resume: the reader goes away; what is published meanwhile comes with Last-Event-ID.
    live.source.close();
    const missed = [];
    for (const text of ['missed 1', 'missed 2', 'missed 3'])
      missed.push(await publish({ server: server_, topic: 'node', authorization: token, message: text }));
    const resumed = listen(`${server_}/node/sse`, { 'Last-Event-ID': sent.id });
    await resumed.until(3);
    assert.deepEqual(resumed.messages.map(m => m.data.message), ['missed 1', 'missed 2', 'missed 3']);
    assert.deepEqual(resumed.messages.map(m => m.lastEventId), missed.map(m => m.id));
    await resumed.until(4, 30000);
    assert.equal(resumed.messages[3].data.message, 'later');
    assert.equal(resumed.messages[3].data.id, delayed.id);
    assert.ok(Date.now() >= delayed.time * 1000, 'the delayed message came early');
    resumed.source.close();
    console.log('ntfy npm client and EventSource: all checks passed');
  } finally {
    server.kill('SIGTERM');
    rmSync(folder, { recursive: true, force: true });
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
