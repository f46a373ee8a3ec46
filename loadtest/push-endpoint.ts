// The bench's local push service: a child process that answers every POST with 201 and counts
// them, so that the bench process measures only the hub's side of a push (encryption, VAPID,
// HTTP). Started by loadtest/scenarios/push-sends.ts; tells its port over IPC.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

let received = 0;
let bytes = 0;
const server = http.createServer((req, res) => {
  req.on('data', (c: Buffer) => (bytes += c.length));
  req.on('end', () => {
    received++;
    res.writeHead(201).end();
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => process.send?.({ type: 'ready', port: (server.address() as AddressInfo).port }));
process.on('message', (m: { type: string }) => {
  if (m.type === 'count') process.send?.({ type: 'count', received, bytes });
  if (m.type === 'stop') server.close(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
