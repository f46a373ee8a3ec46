// The reference: nothing but uWebSockets.js topic publish, the practical limit of fan-out
// on this machine. Readers connect to /ws and join one topic; whatever a publisher sends
// on /pub is published to that topic as it came. Same socket options as the hub.
// Many topics (the posts phase: a topic per group): a reader of /g/NAME joins topic NAME, and
// what a publisher sends on /pub/NAME goes to that topic.
import { uws, listen, type HttpRequest, type HttpResponse, type us_socket_context_t } from '../hub/uws.ts';
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
interface Named {
  topic: string;
}
/** Keeps the topic named by the path after `prefix` for the socket's lifetime. */
const upgradeNamed = (prefix: string) => (res: HttpResponse, req: HttpRequest, context: us_socket_context_t) => {
  res.upgrade<Named>({ topic: req.getUrl().slice(prefix.length) }, req.getHeader('sec-websocket-key'), req.getHeader('sec-websocket-protocol'), req.getHeader('sec-websocket-extensions'), context);
};
app.ws<Named>('/g/*', {
  ...common,
  upgrade: upgradeNamed('/g/'),
  open: (ws) => {
    connections++;
    ws.subscribe(ws.getUserData().topic);
  },
});
app.ws<Named>('/pub/*', {
  ...common,
  upgrade: upgradeNamed('/pub/'),
  open: () => {
    connections++;
  },
  message: (ws, message, isBinary) => {
    app.publish(ws.getUserData().topic, message, isBinary);
  },
});
const bound = await listen(app, '127.0.0.1', 0);
serveIpc(bound.port, {
  connections: () => connections,
  stop: async () => {
    uws.us_listen_socket_close(bound.socket);
  },
});
