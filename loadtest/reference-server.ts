// The reference: nothing but uWebSockets.js topic publish, the practical limit of fan-out
// on this machine. Readers connect to /ws and join one topic; whatever a publisher sends
// on /pub is published to that topic as it came. Same socket options as the hub.
import { uws, listen } from '../hub/uws.ts';
import { serveIpc } from './lib/server-ipc.ts';

const TOPIC = 'all';
let connections = 0;
const app = uws.App();
const common = {
  maxPayloadLength: 1024 * 1024,
  maxBackpressure: 8 * 1024 * 1024,
  closeOnBackpressureLimit: 0,
  idleTimeout: 60,
  sendPingsAutomatically: true,
  close: () => {
    connections--;
  },
} as const;
app.ws('/ws', {
  ...common,
  open: (ws) => {
    connections++;
    ws.subscribe(TOPIC);
  },
});
app.ws('/pub', {
  ...common,
  open: () => {
    connections++;
  },
  message: (_ws, message, isBinary) => {
    app.publish(TOPIC, message, isBinary);
  },
});
const bound = await listen(app, '127.0.0.1', 0);
serveIpc(bound.port, {
  connections: () => connections,
  stop: async () => {
    uws.us_listen_socket_close(bound.socket);
  },
});
