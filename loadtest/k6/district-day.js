// A district day against a running hub (k6 0.48 and later):
//   guardians connect, read their feed and chat with their children's mentors;
//   mentors stay connected and answer; teachers post to their groups;
//   the head of operations sends one mailing to every school;
//   a reconnect wave: guardians go away while their mentor writes to them, come back with
//   their cursors, and must get exactly what they missed.
// Data: `npm run loadtest:tokens -- --persons N --out loadtest/k6/data` (import its bundle.json
// first; see loadtest/README.md). Run: k6 run -e HUB_WS=wss://hub.example/ws loadtest/k6/district-day.js
//
// Who a VU plays: k6 numbers VUs across all scenarios (exec.vu.idInTest), so a VU's place in
// its own scenario is not known; iterations are numbered per scenario
// (exec.scenario.iterationInTest, 0, 1, … over the whole test). A VU plays the person of its
// iteration's number, modulo the scenario's VUs (so the same people session after session).
// setup() lays out who that is: guardian i writes to the mentor that mentor iteration
// i % MENTORS plays, so every mentor played has guardians writing to it.
import exec from 'k6/execution';
import { check } from 'k6';
import {
  cursorAfter, district, guardians, leaders, mentors, pick, recordLatency, replayedMessages, resumeOk, resumeTime, session, stamped, teachers, wsErrors,
} from './lib.js';

const num = function (name, dflt) {
  return __ENV[name] ? Number(__ENV[name]) : dflt;
};
const DURATION = __ENV.DURATION || '5m';
const SESSION_S = num('SESSION_S', 120);
const CHAT_EVERY_S = num('CHAT_EVERY_S', 20);
const POST_EVERY_S = num('POST_EVERY_S', 60);
const GUARDIANS = num('GUARDIANS', 200);
const MENTORS = num('MENTORS', 20);
const TEACHERS = num('TEACHERS', 10);
const WAVE = num('WAVE', 200);
/** How long a wave VU stays away, and how many messages its mentor writes to it meanwhile. */
const AWAY_S = num('AWAY_S', 10);
const AWAY_MESSAGES = num('AWAY_MESSAGES', 5);
const LIVE_WAIT_S = 5;

export const options = {
  scenarios: {
    guardians: { executor: 'constant-vus', exec: 'guardian', vus: GUARDIANS, duration: DURATION },
    mentors: { executor: 'constant-vus', exec: 'mentor', vus: MENTORS, duration: DURATION },
    teachers: { executor: 'constant-vus', exec: 'teacher', vus: TEACHERS, duration: DURATION },
    mailing: { executor: 'shared-iterations', exec: 'headOfOperations', vus: 1, iterations: 1, startTime: __ENV.MAILING_AT || '1m', maxDuration: '2m' },
    reconnectWave: { executor: 'per-vu-iterations', exec: 'reconnect', vus: WAVE, iterations: 1, startTime: __ENV.WAVE_AT || '2m', maxDuration: '2m' },
  },
  thresholds: {
    // Live delivery of chat messages, posts and mailings, measured at the receiver. A Trend
    // or Rate with no samples passes its thresholds in k6, so every one has a count beside it.
    'delivery_latency{kind:message}': ['p(95)<250', 'p(99)<1000'],
    'delivery_latency{kind:post}': ['p(95)<500', 'p(99)<2000'],
    'delivery_latency{kind:mailing}': ['p(99)<5000'],
    'deliveries{kind:message}': ['count>0'],
    'deliveries{kind:post}': ['count>0'],
    'deliveries{kind:mailing}': ['count>0'],
    ws_errors: ['rate<0.01'],
    resume_ok: ['rate>0.99'],
    resume_time: ['p(95)<5000'],
    replayed_messages: ['count>0'],
    checks: ['rate>0.99'],
  },
};

/** This iteration's number within its scenario, read when the iteration starts. */
const slot = function () {
  return exec.scenario.iterationInTest;
};

/** Who the receiver is: events from oneself (one's other devices) are not deliveries. */
function onDelivery(me) {
  return function (s, f) {
    const d = f.data || {};
    if (f.event === 'message.created' && d.message.senderId !== me) recordLatency('message', d.message.body);
    else if (f.event === 'post.created' && d.post.authorId !== me) recordLatency('post', d.post.body);
    else if (f.event === 'mailing.created' && d.mailing.authorId !== me) recordLatency('mailing', d.mailing.body);
  };
}

export function guardian(data) {
  const i = slot();
  const g = guardians[pick(data.guardians, i)];
  let n = 0;
  session({
    role: 'guardian', token: g.token, seconds: SESSION_S, onEvent: onDelivery(g.id),
    onWelcome: function (s) {
      s.request('feed.get', { limit: 20 }, function (a) {
        check(a, { 'feed read': function (x) { return x.type === 'ok'; } });
      });
      // The message function: one thread per guardian and mentor, started again idempotently.
      s.request('conversation.start', { participantIds: [g.mentorId], clientKey: 'k6-' + g.id }, function (a) {
        if (!check(a, { 'conversation with the mentor': function (x) { return x.type === 'ok'; } })) return;
        const conversationId = a.result.conversation.id;
        s.socket.setInterval(function () {
          s.request('message.send', { conversationId: conversationId, body: stamped('Hej från ' + g.id), clientKey: data.runId + '-' + g.id + '-' + i + '-' + n++ });
        }, CHAT_EVERY_S * 1000 * (0.5 + Math.random()));
      });
    },
  });
}

export function mentor(data) {
  const m = pick(mentors, slot() % data.mentorsPlayed);
  const seen = onDelivery(m.id);
  session({
    role: 'mentor', token: m.token, seconds: SESSION_S,
    onEvent: function (s, f) {
      seen(s, f);
      // Answer about half of what guardians write, a little later.
      if (f.event === 'message.created' && f.data.message.senderId !== m.id && Math.random() < 0.5) {
        const c = f.data.message.conversationId;
        s.socket.setTimeout(function () {
          s.request('message.send', { conversationId: c, body: stamped('Tack för ditt meddelande'), clientKey: data.runId + '-' + m.id + '-re-' + f.data.message.id });
        }, 1000 + Math.random() * 2000);
      }
    },
  });
}

export function teacher(data) {
  const i = slot();
  // The same TEACHERS teachers session after session (iteration TEACHERS + k is teacher k again).
  const t = pick(teachers, i % TEACHERS);
  let n = 0;
  session({
    role: 'teacher', token: t.token, seconds: SESSION_S, onEvent: onDelivery(t.id),
    onWelcome: function (s) {
      s.socket.setInterval(function () {
        const groupId = pick(t.groupIds, n);
        s.request('post.create', {
          schoolId: t.schoolId, title: 'Läxa ' + n, body: stamped('Läs kapitel ' + n + ' till fredag.'), clientKey: data.runId + '-' + t.id + '-' + i + '-' + n++,
          audience: { targets: [{ kind: 'group', groupId: groupId }], recipients: { students: true, guardians: true, staff: false } },
        }, function (a) {
          check(a, { 'post created': function (x) { return x.type === 'ok'; } });
        });
      }, POST_EVERY_S * 1000 * (0.5 + Math.random()));
    },
  });
}

export function headOfOperations(data) {
  session({
    role: 'head_of_operations', token: district.hoo.token, seconds: 30,
    onWelcome: function (s) {
      s.request('mailing.create', {
        districtId: district.districtId, schoolIds: district.schoolIds, title: 'Till alla skolor', body: stamped('Information från förvaltningen.'),
        recipients: { students: false, guardians: true, staff: true }, clientKey: data.runId + '-mailing',
      }, function (a) {
        check(a, { 'mailing sent': function (x) { return x.type === 'ok'; } });
        s.close();
      });
    },
  });
}

// The reconnect wave. A wave VU plays a guardian (from the end of a class's list, so mostly
// not one the guardians scenario plays) and, for a while, that guardian's mentor:
//   1. as the guardian: connect, start the conversation with the mentor, note the last cursor, leave;
//   2. as the mentor: write AWAY_MESSAGES messages to the guardian over AWAY_S seconds, with
//      bodies only this run and VU write, and note their ids and seqs from the answers;
//   3. as the guardian again, with the cursor: welcome must say resumed: true, then sync.done
//      must come, and those messages must arrive each once, in the order stored (seqs
//      ascending), with no event's cursor below one already seen. A message committed just
//      before the hello may come live right after sync.done instead of in the replay (the
//      replay reaches what the node had delivered, docs/PROTOCOL.md §5), so the guardian
//      listens up to LIVE_WAIT_S past sync.done for the rest. resume_time is from sending
//      hello to sync.done.
// Steps run one after the other (in k6, ws.connect returns when its socket has closed; the
// shim test awaits each step's socket), so what a step learnt is judged in its onClose or by
// the next step.
export function waveStart(data) {
  const i = slot();
  const p = pick(data.wave, i);
  return { g: guardians[p.g], m: mentors[p.m], tag: data.runId + '-w' + i, cursor: null, conversationId: null, written: [], failed: false, judged: false };
}

function waveFail(w, why) {
  if (w.failed) return;
  w.failed = true;
  resumeOk.add(false);
  check(why, { 'reconnect wave step': function () { return false; } });
}

export function waveLeave(w) {
  session({
    role: 'reconnect', token: w.g.token, seconds: 15,
    onWelcome: function (s, welcome) {
      w.cursor = welcome.cursor;
      s.request('conversation.start', { participantIds: [w.m.id], clientKey: 'k6-' + w.g.id }, function (a) {
        if (a.type === 'ok') w.conversationId = a.result.conversation.id;
        s.close();
      });
    },
    onEvent: function (s, f) {
      if (f.cursor && cursorAfter(f.cursor, w.cursor)) w.cursor = f.cursor;
    },
  });
}

export function waveWrite(w) {
  if (!w.failed && (!w.cursor || !w.conversationId)) waveFail(w, 'leave');
  if (w.failed) return;
  let answered = 0;
  session({
    role: 'reconnect', token: w.m.token, seconds: AWAY_S + 30,
    onWelcome: function (s) {
      for (let k = 0; k < AWAY_MESSAGES; k++) {
        (function (k) {
          s.socket.setTimeout(function () {
            s.request('message.send', { conversationId: w.conversationId, body: 'away ' + w.tag + ' ' + k, clientKey: w.tag + '-' + k }, function (a) {
              answered++;
              if (a.type === 'ok') w.written[k] = { id: a.result.message.id, seq: a.result.message.seq };
              if (answered === AWAY_MESSAGES) s.close();
            });
          }, (k + 1) * AWAY_S * 1000 / AWAY_MESSAGES);
        })(k);
      }
    },
  });
}

export function waveResume(w) {
  for (let k = 0; k < AWAY_MESSAGES; k++) if (!w.failed && !w.written[k]) waveFail(w, 'write');
  if (w.failed) return;
  let resumed = false;
  let synced = false;
  let ordered = true;
  let last = w.cursor;
  const mine = [];
  session({
    role: 'reconnect', token: w.g.token, cursor: w.cursor, seconds: 30,
    onWelcome: function (s, welcome) {
      resumed = welcome.resumed === true;
    },
    onEvent: function (s, f) {
      if (f.event === 'sync.done') {
        synced = true;
        resumeTime.add(Date.now() - s.helloAt);
        if (mine.length >= w.written.length) s.close();
        else s.socket.setTimeout(function () { s.close(); }, LIVE_WAIT_S * 1000);
        return;
      }
      if (f.event === 'sync.reset') {
        wsErrors.add(true);
        s.close();
        return;
      }
      // The same event twice (two audiences) carries the same cursor: allowed. Lower is not.
      if (f.cursor) {
        if (cursorAfter(last, f.cursor)) ordered = false;
        else if (f.cursor !== last) last = f.cursor;
      }
      if (f.event === 'message.created' && f.data.message.conversationId === w.conversationId && f.data.message.body.indexOf('away ' + w.tag + ' ') === 0) {
        mine.push({ id: f.data.message.id, seq: f.data.message.seq });
        if (synced && mine.length >= w.written.length) s.close();
      }
    },
    onClose: function () {
      w.judged = true;
      // In the order stored: sends close together may be stored in either order.
      const stored = w.written.slice().sort(function (a, b) { return a.seq - b.seq; });
      let exact = mine.length === stored.length;
      for (let k = 0; exact && k < mine.length; k++) exact = mine[k].id === stored[k].id && mine[k].seq === stored[k].seq && (k === 0 || mine[k].seq > mine[k - 1].seq);
      check(mine, {
        'resume: welcome resumed': function () { return resumed; },
        'resume: sync.done': function () { return synced; },
        'resume: exactly the missed messages, in order, once': function () { return exact; },
        'resume: cursors ascending': function () { return ordered; },
      });
      if (exact) replayedMessages.add(mine.length);
      resumeOk.add(resumed && synced && exact && ordered);
    },
  });
}

/** A resume whose upgrade failed was never judged. */
export function waveEnd(w) {
  if (!w.failed && !w.judged) waveFail(w, 'resume');
}

export const waveSteps = [waveLeave, waveWrite, waveResume, waveEnd];

export function reconnect(data) {
  const w = waveStart(data);
  for (let k = 0; k < waveSteps.length; k++) waveSteps[k](w);
}

/**
 * Checks the tokens file and lays out who plays whom, once for all VUs (k6 hands the result
 * to every VU): a run id for this run's clientKeys (RUN_ID, else random: a second run against
 * the same deployment must not reuse the first run's keys), guardian i → a guardian of mentor
 * i % MENTORS's class, wave VU w → a guardian from the end of mentor w's class list.
 */
export function setup() {
  check(leaders, { 'tokens file has leaders': function (l) { return l.length > 0; } });
  check(guardians, { 'tokens file has guardians': function (l) { return l.length > 0; } });
  check(mentors, { 'tokens file has mentors': function (l) { return l.length > 0; } });
  const runId = __ENV.RUN_ID || 'k6-' + Date.now().toString(36) + '-' + Math.floor(Math.random() * 1e9).toString(36);
  const mentorIndex = {};
  for (let j = 0; j < mentors.length; j++) mentorIndex[mentors[j].id] = j;
  const byMentor = {};
  for (let i = 0; i < guardians.length; i++) {
    const m = guardians[i].mentorId;
    if (!byMentor[m]) byMentor[m] = [];
    byMentor[m].push(i);
  }
  const classOf = function (j) {
    return byMentor[mentors[j % mentors.length].id] || [];
  };
  const mentorsPlayed = Math.max(1, Math.min(MENTORS, mentors.length));
  const plan = { runId: runId, mentorsPlayed: mentorsPlayed, guardians: [], wave: [] };
  for (let i = 0; i < Math.max(1, GUARDIANS); i++) {
    const list = classOf(i % mentorsPlayed);
    plan.guardians.push(list.length ? list[Math.floor(i / mentorsPlayed) % list.length] : i % guardians.length);
  }
  for (let w = 0; w < Math.max(1, WAVE); w++) {
    const list = classOf(w);
    const g = list.length ? list[list.length - 1 - (Math.floor(w / mentors.length) % list.length)] : guardians.length - 1 - (w % guardians.length);
    plan.wave.push({ g: g, m: mentorIndex[guardians[g].mentorId] });
  }
  return plan;
}
