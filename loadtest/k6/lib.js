// Shared by the k6 scenarios: one hub session over k6/ws (k6 0.48 and later) in the JSON
// subprotocol (text frames only, so no binary frames and no Uint8Array anywhere), the
// metrics the thresholds look at, and the tokens file written by `npm run loadtest:tokens`.
// Plain ES2015 on purpose: k6's JavaScript engine is not Node.
import ws from 'k6/ws';
import { check } from 'k6';
import { SharedArray } from 'k6/data';
import { Counter, Rate, Trend } from 'k6/metrics';

export const HUB_WS = __ENV.HUB_WS || 'ws://127.0.0.1:8080/ws';
const TOKENS = __ENV.TOKENS || './data/tokens.json';

/** Send → deliver, measured by the receiver from the "t=<ms>|" prefix of the body. */
export const deliveryLatency = new Trend('delivery_latency', true);
/** Error answers, failed upgrades and unexpected closes, against every request and session. */
export const wsErrors = new Rate('ws_errors');
/** A reconnect with a cursor that got resumed: true and sync.done. */
export const resumeOk = new Rate('resume_ok');
export const resumeTime = new Trend('resume_time', true);
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
  if (m) deliveryLatency.add(Date.now() - Number(m[1]), { kind: kind });
}

/**
 * Opens a session and runs it until it closes: hello (with `cursor` to resume), then
 * `onWelcome(session, welcome)`. Events go to `onEvent(session, frame)`. `request` sends a
 * request and calls back with its answer; errors count against ws_errors.
 */
export function session(opts) {
  let nextId = 1;
  const waiting = {};
  let welcomed = false;
  const res = ws.connect(HUB_WS, { headers: { 'Sec-WebSocket-Protocol': 'schoolhub.v1.json' }, tags: { scenario_role: opts.role } }, function (socket) {
    const s = {
      socket: socket,
      welcome: null,
      request: function (type, fields, cb) {
        const id = String(nextId++);
        const frame = { type: type, id: id };
        for (const k in fields) frame[k] = fields[k];
        waiting[id] = cb || function () {};
        socket.send(JSON.stringify(frame));
      },
    };
    socket.on('open', function () {
      const hello = { type: 'hello', token: opts.token };
      if (opts.cursor) hello.cursor = opts.cursor;
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
      } else if (f.type === 'ok' || f.type === 'error') {
        wsErrors.add(f.type === 'error');
        const cb = waiting[f.id];
        delete waiting[f.id];
        if (cb) cb(f);
      }
    });
    socket.on('close', function (code) {
      // 1000/1005: we closed; 1001: a node draining (the client reconnects). Anything else counts.
      wsErrors.add(!welcomed || (code !== 1000 && code !== 1005 && code !== 1001 && code !== 1006 && code !== undefined));
    });
    socket.on('error', function () {
      wsErrors.add(true);
    });
    // Keep the connection busy enough for proxies; the hub closes one idle for 60 s.
    socket.setInterval(function () {
      s.request('ping', {});
    }, 25000);
    socket.setTimeout(function () {
      socket.close();
    }, opts.seconds * 1000);
  });
  const upgraded = check(res, { 'websocket upgraded (101)': function (r) { return r && r.status === 101; } });
  if (!upgraded) wsErrors.add(true);
  return res;
}
