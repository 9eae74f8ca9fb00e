// The peer of `traybeat listen` in the benchmarks: subscribes to an ntfy-style WebSocket
// (ws://HOST:PORT/TOPIC/ws) with reconnecting-websocket over ws, and prints each frame as a
// line on stdout. It keeps nothing: no store, no deduplication.
//   node bench/peer/client.js ws://127.0.0.1:8080/alerts/ws
'use strict';
const ReconnectingWebSocketModule = require('reconnecting-websocket');
const WebSocket = require('ws');

const ReconnectingWebSocket = ReconnectingWebSocketModule.default || ReconnectingWebSocketModule;
const url = process.argv[2];
if (!url) {
    process.stderr.write('usage: node client.js ws://HOST:PORT/TOPIC/ws\n');
    process.exit(2);
}
const socket = new ReconnectingWebSocket(url, [], {WebSocket, maxRetries : Infinity});
socket.addEventListener('message', (event) => { process.stdout.write(String(event.data) + '\n'); });
socket.addEventListener(
    'error',
    (event) => { process.stderr.write(`error: ${event.message || 'connection failed'}\n`); });
process.on('SIGTERM', () => process.exit(0));
