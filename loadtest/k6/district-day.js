// A district day against a running hub (k6 0.48 and later):
//   guardians connect, read their feed and chat with their children's mentors;
//   mentors stay connected and answer; teachers post to their groups;
//   the head of operations sends one mailing to every school;
//   a reconnect wave: many clients drop and come back with their cursors at once.
// Data: `npm run loadtest:tokens -- --persons N --out loadtest/k6/data` (import its bundle.json
// first; see loadtest/README.md). Run: k6 run -e HUB_WS=wss://hub.example/ws loadtest/k6/district-day.js
import exec from 'k6/execution';
import { check } from 'k6';
import {
  district, guardians, leaders, mentors, pick, recordLatency, resumeOk, resumeTime, session, stamped, teachers, wsErrors,
} from './lib.js';

const num = function (name, dflt) {
  return __ENV[name] ? Number(__ENV[name]) : dflt;
};
const DURATION = __ENV.DURATION || '5m';
const SESSION_S = num('SESSION_S', 120);
const CHAT_EVERY_S = num('CHAT_EVERY_S', 20);
const POST_EVERY_S = num('POST_EVERY_S', 60);

export const options = {
  scenarios: {
    guardians: { executor: 'constant-vus', exec: 'guardian', vus: num('GUARDIANS', 200), duration: DURATION },
    mentors: { executor: 'constant-vus', exec: 'mentor', vus: num('MENTORS', 20), duration: DURATION },
    teachers: { executor: 'constant-vus', exec: 'teacher', vus: num('TEACHERS', 10), duration: DURATION },
    mailing: { executor: 'shared-iterations', exec: 'headOfOperations', vus: 1, iterations: 1, startTime: __ENV.MAILING_AT || '1m', maxDuration: '2m' },
    reconnectWave: { executor: 'per-vu-iterations', exec: 'reconnect', vus: num('WAVE', 200), iterations: 1, startTime: __ENV.WAVE_AT || '2m', maxDuration: '2m' },
  },
  thresholds: {
    // Live delivery of chat messages, posts and mailings, measured at the receiver.
    'delivery_latency{kind:message}': ['p(95)<250', 'p(99)<1000'],
    'delivery_latency{kind:post}': ['p(95)<500', 'p(99)<2000'],
    'delivery_latency{kind:mailing}': ['p(99)<5000'],
    ws_errors: ['rate<0.01'],
    resume_ok: ['rate>0.99'],
    resume_time: ['p(95)<5000'],
    checks: ['rate>0.99'],
  },
};

const vu = function () {
  return exec.vu.idInTest - 1;
};

/** Runs `act` about every `seconds` (from half to one and a half times, so VUs do not act in step). */
function every(s, seconds, act) {
  s.socket.setInterval(act, seconds * 1000 * (0.5 + Math.random()));
}

/** A clientKey of `person`'s n-th write in this iteration. */
function keyOf(person, n) {
  return person.id + '-' + exec.vu.iterationInScenario + '-' + n;
}

/** Checks, under `name`, that answer `a` is ok. */
function answeredOk(a, name) {
  const checks = {};
  checks[name] = function (x) { return x.type === 'ok'; };
  return check(a, checks);
}

/** Who the receiver is: events from oneself (one's other devices) are not deliveries. */
function onDelivery(me) {
  return function (s, f) {
    const d = f.data || {};
    if (f.event === 'message.created' && d.message.senderId !== me) recordLatency('message', d.message.body);
    else if (f.event === 'post.created' && d.post.authorId !== me) recordLatency('post', d.post.body);
    else if (f.event === 'mailing.created' && d.mailing.authorId !== me) recordLatency('mailing', d.mailing.body);
  };
}

/** A day-long session of `person` in `role` that records the deliveries it receives. */
function daySession(role, person, onWelcome) {
  session({ role: role, token: person.token, seconds: SESSION_S, onEvent: onDelivery(person.id), onWelcome: onWelcome });
}

export function guardian() {
  const g = pick(guardians, vu());
  let n = 0;
  daySession('guardian', g, function (s) {
    s.request('feed.get', { limit: 20 }, function (a) {
      answeredOk(a, 'feed read');
    });
    // The message function: one thread per guardian and mentor, started again idempotently.
    s.request('conversation.start', { participantIds: [g.mentorId], clientKey: 'k6-' + g.id }, function (a) {
      if (!answeredOk(a, 'conversation with the mentor')) return;
      const conversationId = a.result.conversation.id;
      every(s, CHAT_EVERY_S, function () {
        s.request('message.send', { conversationId: conversationId, body: stamped('Hej från ' + g.id), clientKey: keyOf(g, n++) });
      });
    });
  });
}

export function mentor() {
  const m = pick(mentors, vu());
  const seen = onDelivery(m.id);
  session({
    role: 'mentor', token: m.token, seconds: SESSION_S,
    onEvent: function (s, f) {
      seen(s, f);
      // Answer about half of what guardians write, a little later.
      if (f.event === 'message.created' && f.data.message.senderId !== m.id && Math.random() < 0.5) {
        const c = f.data.message.conversationId;
        s.socket.setTimeout(function () {
          s.request('message.send', { conversationId: c, body: stamped('Tack för ditt meddelande'), clientKey: m.id + '-re-' + f.data.message.id });
        }, 1000 + Math.random() * 2000);
      }
    },
  });
}

export function teacher() {
  const t = pick(teachers, vu());
  let n = 0;
  daySession('teacher', t, function (s) {
    every(s, POST_EVERY_S, function () {
      const groupId = pick(t.groupIds, n);
      s.request('post.create', {
        schoolId: t.schoolId, title: 'Läxa ' + n, body: stamped('Läs kapitel ' + n + ' till fredag.'), clientKey: keyOf(t, n++),
        audience: { targets: [{ kind: 'group', groupId: groupId }], recipients: { students: true, guardians: true, staff: false } },
      }, function (a) {
        answeredOk(a, 'post created');
      });
    });
  });
}

export function headOfOperations() {
  session({
    role: 'head_of_operations', token: district.hoo.token, seconds: 30,
    onWelcome: function (s) {
      s.request('mailing.create', {
        districtId: district.districtId, schoolIds: district.schoolIds, title: 'Till alla skolor', body: stamped('Information från förvaltningen.'),
        recipients: { students: false, guardians: true, staff: true }, clientKey: 'k6-mailing-' + Date.now(),
      }, function (a) {
        answeredOk(a, 'mailing sent');
        s.socket.close();
      });
    },
  });
}

export function reconnect() {
  // Guardians from the end of the list, so the wave is mostly other people than the chatters.
  const g = pick(guardians, guardians.length - 1 - (vu() % guardians.length));
  let cursor = null;
  session({
    role: 'reconnect', token: g.token, seconds: 10,
    onWelcome: function (s, w) {
      cursor = w.cursor;
      s.socket.close();
    },
  });
  if (!cursor) {
    resumeOk.add(false);
    return;
  }
  const started = Date.now();
  let resumed = false;
  let synced = false;
  session({
    role: 'reconnect', token: g.token, cursor: cursor, seconds: 30,
    onWelcome: function (s, w) {
      resumed = w.resumed === true;
    },
    onEvent: function (s, f) {
      if (f.event === 'sync.done') {
        synced = true;
        resumeTime.add(Date.now() - started);
        s.socket.close();
      } else if (f.event === 'sync.reset') {
        wsErrors.add(true);
        s.socket.close();
      }
    },
  });
  resumeOk.add(resumed && synced);
}

// The leaders are in the tokens file for scripts that post school-wide; referenced here so
// that a trimmed tokens file fails at start rather than mid-run.
export function setup() {
  check(leaders, { 'tokens file has leaders': function (l) { return l.length > 0; } });
  check(guardians, { 'tokens file has guardians': function (l) { return l.length > 0; } });
}
