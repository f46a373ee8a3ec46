// Shared by the k6 scenarios: one hub session over k6/ws (k6 0.48 and later) in the JSON
// subprotocol (text frames only, so no binary frames and no Uint8Array anywhere), the
// metrics the thresholds look at, and the tokens file written by `npm run loadtest:tokens`.
// Plain ES2015 on purpose: k6's JavaScript engine is not Node.
import ws from 'k6/ws';
import { check, sleep } from 'k6';
import { SharedArray } from 'k6/data';
import { Counter, Rate, Trend } from 'k6/metrics';

export const HUB_WS = __ENV.HUB_WS || 'ws://127.0.0.1:8080/ws';
// k6 resolves open() against the script's folder: this is loadtest/k6/data/tokens.json.
const TOKENS = __ENV.TOKENS || './data/tokens.json';

/** Send → deliver, measured by the receiver from the "t=<ms>|" prefix of the body. */
export const deliveryLatency = new Trend('delivery_latency', true);
/**
 * Live deliveries, tagged like delivery_latency. A Trend's thresholds pass when it has no
 * samples at all (k6 has no `count` for a Trend), so the counts are thresholds of their own.
 */
export const deliveries = new Counter('deliveries');
/** Error answers, failed upgrades and unexpected closes, against every request and session. */
export const wsErrors = new Rate('ws_errors');
/**
 * A reconnect wave VU: away while its conversation partner wrote to it, then back with its
 * cursor: resumed: true, exactly the messages written meanwhile in the replay (in order,
 * once), then sync.done.
 */
export const resumeOk = new Rate('resume_ok');
/** From sending `hello` with the cursor to `sync.done`. */
export const resumeTime = new Trend('resume_time', true);
/** Messages written to an absent person that its replay brought as expected. */
export const replayedMessages = new Counter('replayed_messages');
export const eventsReceived = new Counter('events_received');

// SharedArray: one copy of the tokens for all VUs, not one per VU.
function role(name) {
  return new SharedArray(name, function () {
    return JSON.parse(open(TOKENS))[name];
  });
}
export const guardians = role('guardians');
export const mentors = role('mentors');
export const teachers = role('teachers');
export const leaders = role('leaders');
export const district = new SharedArray('district', function () {
  const t = JSON.parse(open(TOKENS));
  return [{ districtId: t.districtId, schoolIds: t.schoolIds, hoo: t.hoo }];
})[0];

/** The i-th element, wrapping around: several VUs may be one person's several devices. */
export function pick(list, i) {
  return list[i % list.length];
}

export function stamped(text) {
  return 't=' + Date.now() + '|' + text;
}

/** Records the latency of an event whose body (or title) carries a stamp. */
export function recordLatency(kind, text) {
  const m = /^t=(\d+)\|/.exec(text || '');
  if (!m) return;
  deliveryLatency.add(Date.now() - Number(m[1]), { kind: kind });
  deliveries.add(1, { kind: kind });
}

/** Cursors are decimal strings of any length: compare length, then text (docs/PROTOCOL.md §4). */
export function cursorAfter(a, b) {
  if (b === null || b === undefined) return true;
  return a.length !== b.length ? a.length > b.length : a > b;
}

/**
 * Opens a session and runs it until it closes: hello (with `cursor` to resume), then
 * `onWelcome(session, welcome)`. Events go to `onEvent(session, frame)`, and `onClose(session)`
 * is called once it has closed (not when the upgrade failed). `request` sends a
 * request and calls back with its answer; errors count against ws_errors. `session.close()`
 * ends it; `session.helloAt` is when hello was sent. In k6, connect() returns when the
 * socket has closed.
 */
/** Sessions in a row of this VU that never got welcome (a VU is its own JavaScript runtime). */
let failuresInARow = 0;

export function session(opts) {
  let nextId = 1;
  const waiting = {};
  let welcomed = false;
  let closedByUs = false;
  let failed = false;
  const res = ws.connect(HUB_WS, { headers: { 'Sec-WebSocket-Protocol': 'schoolhub.v1.json' }, tags: { scenario_role: opts.role } }, function (socket) {
    const s = {
      socket: socket,
      welcome: null,
      helloAt: 0,
      request: function (type, fields, cb) {
        const id = String(nextId++);
        const frame = { type: type, id: id };
        for (const k in fields) frame[k] = fields[k];
        waiting[id] = cb || function () {};
        socket.send(JSON.stringify(frame));
      },
      close: function () {
        closedByUs = true;
        socket.close(1000);
      },
    };
    socket.on('open', function () {
      const hello = { type: 'hello', token: opts.token };
      if (opts.cursor) hello.cursor = opts.cursor;
      s.helloAt = Date.now();
      socket.send(JSON.stringify(hello));
    });
    socket.on('message', function (text) {
      const f = JSON.parse(text);
      if (f.type === 'welcome') {
        welcomed = true;
        s.welcome = f;
        if (opts.onWelcome) opts.onWelcome(s, f);
      } else if (f.type === 'event') {
        eventsReceived.add(1);
        if (opts.onEvent) opts.onEvent(s, f);
      } else if (f.type === 'ok' || f.type === 'error' || f.type === 'pong') {
        // pong answers our keepalive ping: it is a request too, and its callback is dropped here.
        if (f.type !== 'pong') wsErrors.add(f.type === 'error');
        const cb = waiting[f.id];
        delete waiting[f.id];
        if (cb) cb(f);
      }
    });
    // k6 calls 'error' and then 'close' for one unexpected close (any code but 1000 and 1001,
    // 1006 included; a broken connection closes as 1001 after its 'error'), and 'close' with
    // the code it sent when the script closes (close() without a code sends 1001; s.close()
    // sends 1000). So one session is one sample: failed when it never got welcome, when k6
    // saw an error, or when the hub closed it with anything but 1001 (a node draining: a
    // real client reconnects with its cursor).
    socket.on('error', function () {
      failed = true;
    });
    socket.on('close', function (code) {
      wsErrors.add(!welcomed || failed || (!closedByUs && code !== 1001));
      if (opts.onClose) opts.onClose(s);
    });
    // Keep the connection busy enough for proxies; the hub closes one idle for 60 s.
    socket.setInterval(function () {
      s.request('ping', {});
    }, 25000);
    socket.setTimeout(function () {
      s.close();
    }, opts.seconds * 1000);
  });
  const upgraded = check(res, { 'websocket upgraded (101)': function (r) { return r && r.status === 101; } });
  if (!upgraded) wsErrors.add(true);
  // A session refused (bad token, upgrade refused, hub down) would otherwise be retried at
  // once, hundreds of times a second per VU: back off as clients must (docs/PROTOCOL.md §5),
  // with full jitter, up to 30 s.
  if (welcomed) failuresInARow = 0;
  else sleep(Math.random() * Math.min(30, 0.5 * Math.pow(2, failuresInARow++)));
  return res;
}
