// One WebSocket connection: connecting → authenticating → connected → closed, with one exit
// (close) and a check for `closed` at every entry point. Frames are decoded once, validated
// once, and dispatched by type; nothing is thrown across the socket.
import type { HttpRequest, HttpResponse, TemplatedApp, WebSocket, us_socket_context_t } from './uws.ts';
import { FrameError, chooseSubprotocol, codecFor, type Codec } from './protocol/codec.ts';
import { CLOSE, RequestError, type CloseCode, type ErrorCode } from './protocol/codes.ts';
import { MAX_TOKEN_CHARS, firstIssue, helloSchema } from './protocol/frames.ts';
import { TokenError } from './auth/tokens.ts';
import { UNFORESEEN_FAILURE, storageFailure } from '../storage/errors.ts';
import { liveTopicsOf, readKeysOf } from './audience.ts';
import { eventFrame } from './fanout.ts';
import { eventsFinal } from '../storage/events.ts';
import type { ReplayRow } from './replay.ts';
import { TokenBucket } from './rate.ts';
import { ABUSE_LIMITS, Counts, KeyedBuckets } from './limits.ts';
import { LIMITS } from './protocol/limits.ts';
import type { HandlerContext } from './handlers/context.ts';
import { REQUESTS, type RequestEntry } from './handlers/requests.ts';
import { unstorableString } from './protocol/strings.ts';
import type { HubCore } from './core.ts';


type State = 'connecting' | 'authenticating' | 'connected' | 'closed';

const LATE = Symbol('deadline passed');
const DEADLINE_PASSED = 'the hub could not finish this in time; this may have been stored; retry with the same clientKey';
/** Events after a point, complete up to `to`: every event up to it the person may see is in `events`. */
type Replay = { events: ReplayRow[]; to: number };

/** uWS WebSocket.send's answer when the frame went over maxBackpressure and was dropped. */
const SEND_DROPPED = 2;

export interface Session {
  state: State;
  codec: Codec;
  ip: string;
  personId: string | null;
  topics: Set<string>;
  expiresAt: number;
  helloTimer: NodeJS.Timeout | undefined;
  expiryTimer: NodeJS.Timeout | undefined;
  bucket: TokenBucket;
  ws: WebSocket<Session> | undefined;
  /** Welcomed and answering requests, but still sending a resume replay: not yet in its topics. */
  replaying: boolean;
  /** Wakes a replay waiting for the send buffer to drain (uWS drain, or the connection closed). */
  drained: (() => void) | undefined;
}

export const SESSION_LIMITS = {
  helloMs: 10_000,
  /** Frames per second per connection, and the burst allowed. */
  rate: 20,
  burst: 40,
  /** Refused frames in a row before the connection is closed with 4008. */
  floodClose: 40,
  /** Send buffer above which a reader is too slow and is closed with 4009. */
  slowReaderBytes: 1024 * 1024,
  /** uWS closes a connection whose send buffer would go past this (never drops); far above slowReaderBytes so that the sweep closes first, with 4009. */
  maxBackpressure: 8 * 1024 * 1024,
  /**
   * Every request is answered within this: above the publisher's own bound on a write
   * (queue and commit deadline, docs/ARCHITECTURE.md), so it only acts when a read or the
   * driver itself is stuck.
   */
  requestDeadlineMs: 20_000,
  /** Events replayed on resume at the most; beyond that the client reloads (sync.reset). */
  maxReplay: 5_000,
  /**
   * A replay sends its next event only while less than this waits in the send buffer, and
   * otherwise waits for uWS's drain: far under slowReaderBytes, so that the sweep never closes a
   * client that we are pacing, and under maxBackpressure, so that nothing is dropped.
   */
  replayHighWater: 256 * 1024,
  /** A replay whose send buffer does not drain at all for this long is given up (4009). */
  replayStallMs: 30_000,
  /** Rounds of catching up with what was delivered during a replay before giving up (sync.reset). */
  replayRounds: 50,
  /** How long a replay waits for this node to deliver up to a cursor committed on another node. */
  replayCatchUpMs: 5_000,
};

/** Connections whose rights refreshRights recomputes between two turns of the event loop. */
const REFRESH_SLICE = 1_000;

export class Sessions {
  readonly all = new Set<Session>();
  private sweep: NodeJS.Timeout;
  private readonly perPerson = new Counts();
  private readonly perAddress = new Counts();
  private readonly upgradesPerAddress = new KeyedBuckets(() => ABUSE_LIMITS.upgradesPerAddress);
  private readonly writesPerPerson = new KeyedBuckets(() => ABUSE_LIMITS.writesPerPerson);

  constructor(private readonly core: HubCore) {
    this.sweep = setInterval(() => this.closeSlowReaders(), 500);
    this.sweep.unref();
  }

  register(app: TemplatedApp): void {
    app.ws<Session>('/ws', {
      // uWS cuts the TCP connection without a close frame on a frame over this
      // (uNetworking/uWebSockets#1025): it is set above the documented limit so that the hub
      // sees frames up to it and closes them with 1009 itself (message below).
      maxPayloadLength: LIMITS.uwsFrameBytes,
      maxBackpressure: SESSION_LIMITS.maxBackpressure,
      // Past maxBackpressure uWS would drop frames silently (a live event, a reply), and the next
      // event would move the client's cursor past the hole: close instead, the client resumes.
      closeOnBackpressureLimit: 1,
      idleTimeout: 60,
      sendPingsAutomatically: true,
      upgrade: (res, req, context) => this.upgrade(res, req, context),
      open: (ws) => this.open(ws),
      message: (ws, message) => this.message(ws, message),
      drain: (ws) => ws.getUserData().drained?.(),
      close: (ws) => this.closed(ws),
    });
  }

  stop(): void {
    clearInterval(this.sweep);
  }

  private upgrade(res: HttpResponse, req: HttpRequest, context: us_socket_context_t): void {
    // The request lives only in this synchronous call: copy what we need first.
    const key = req.getHeader('sec-websocket-key');
    const protocols = req.getHeader('sec-websocket-protocol');
    const extensions = req.getHeader('sec-websocket-extensions');
    const origin = req.getHeader('origin');
    const ip = this.core.clientAddress(res, req);
    if (this.core.draining) {
      res.writeStatus('503 Service Unavailable').end('shutting down');
      return;
    }
    if (this.perAddress.get(ip) >= ABUSE_LIMITS.connectionsPerAddress || !this.upgradesPerAddress.take(ip)) {
      this.core.metrics.limited.inc({ limit: this.perAddress.get(ip) >= ABUSE_LIMITS.connectionsPerAddress ? 'connections_per_address' : 'upgrades_per_address' });
      res.writeStatus('429 Too Many Requests').writeHeader('retry-after', '5').end('too many connections from this address; retry later');
      return;
    }
    if (!this.core.originAllowed(origin)) {
      this.core.metrics.http.inc({ route: '/ws', status: '403' });
      res.writeStatus('403 Forbidden').end('origin not allowed');
      return;
    }
    const protocol = chooseSubprotocol(protocols);
    const codec = protocol && codecFor(protocol);
    if (!protocol || !codec) {
      res.writeStatus('400 Bad Request').end('offer the subprotocol schoolhub.v1.msgpack or schoolhub.v1.json');
      return;
    }
    const session: Session = {
      state: 'connecting', codec, ip, personId: null, topics: new Set(), expiresAt: 0,
      helloTimer: undefined, expiryTimer: undefined, bucket: new TokenBucket(SESSION_LIMITS.rate, SESSION_LIMITS.burst), ws: undefined,
      replaying: false, drained: undefined,
    };
    res.upgrade(session, key, protocol, extensions, context);
  }

  private open(ws: WebSocket<Session>): void {
    const s = ws.getUserData();
    s.ws = ws;
    this.all.add(s);
    this.perAddress.add(s.ip);
    s.helloTimer = setTimeout(() => this.close(s, CLOSE.NO_HELLO, 'no hello within 10 s'), SESSION_LIMITS.helloMs);
  }

  private closed(ws: WebSocket<Session>): void {
    const s = ws.getUserData();
    s.state = 'closed';
    s.ws = undefined;
    clearTimeout(s.helloTimer);
    clearTimeout(s.expiryTimer);
    this.all.delete(s);
    this.perAddress.remove(s.ip);
    if (s.personId) this.perPerson.remove(s.personId);
    this.core.fanout.released(s.topics);
    s.topics.clear();
    s.drained?.();
  }

  /** The one way the hub ends a connection. Safe to call from anywhere, any number of times. */
  close(s: Session, code: CloseCode, reason: string): void {
    const ws = s.ws;
    if (s.state === 'closed' || !ws) return;
    this.core.metrics.closes.inc({ code: String(code) });
    ws.cork(() => ws.end(code, reason));
  }

  /**
   * Sends one frame to one connection (replies, replays). Corked: callers may be after an await.
   * trySend says whether it was sent. A frame that would take the send buffer over
   * maxBackpressure is not sent (status 2): the connection is closed then (by uWS, or here with
   * 4009), so that the client resumes with its cursor and resends what is unanswered, instead
   * of silently missing the frame.
   */
  send(s: Session, frame: unknown): void {
    this.trySend(s, frame);
  }

  /** The bytes sent, or -1 when the frame was not sent. */
  private trySend(s: Session, frame: unknown): number {
    const ws = s.ws;
    if (s.state === 'closed' || !ws) return -1;
    const bytes = s.codec.encode(frame);
    this.core.metrics.framesOut.inc();
    let status = 0;
    ws.cork(() => {
      status = ws.send(bytes, s.codec.binary);
    });
    if (status !== SEND_DROPPED) return bytes.byteLength;
    this.close(s, CLOSE.SLOW_READER, 'send buffer full; reconnect with your cursor');
    return -1;
  }

  /**
   * Sends replayed events while the send buffer holds less than replayHighWater, and waits for
   * uWS's drain otherwise: a replay goes out as fast as the client reads, never faster. Each
   * run goes in one cork (one write), at most replayHighWater bytes of it. False when the
   * connection is gone (or closed here because it read nothing for replayStallMs).
   */
  private async sendPaced(s: Session, events: ReplayRow[]): Promise<boolean> {
    let i = 0;
    for (;;) {
      const ws = s.ws;
      if (s.state === 'closed' || !ws) return false;
      if (i === events.length) return true;
      const room = SESSION_LIMITS.replayHighWater - ws.getBufferedAmount();
      if (room > 0) {
        ws.cork(() => {
          for (let sent = 0; sent < room && i < events.length && s.state !== 'closed'; i++) {
            const n = this.trySend(s, eventFrame(events[i]!));
            if (n < 0) break;
            sent += n;
          }
        });
        continue;
      }
      const drained = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), SESSION_LIMITS.replayStallMs);
        // Bound first, then stored: see docs/ARCHITECTURE.md, "Garbage collection pauses".
        const onDrained = () => {
          clearTimeout(timer);
          resolve(true);
        };
        s.drained = onDrained;
      });
      s.drained = undefined;
      if (!drained) {
        this.close(s, CLOSE.SLOW_READER, 'too slow to read; reconnect with your cursor');
        return false;
      }
    }
  }

  private reply(s: Session, id: string | null, code: ErrorCode, message: string, path?: (string | number)[]): void {
    this.core.metrics.errors.inc({ code });
    this.send(s, path ? { type: 'error', id, code, message, path } : { type: 'error', id, code, message });
  }

  private message(ws: WebSocket<Session>, message: ArrayBuffer): void {
    const s = ws.getUserData();
    if (s.state === 'closed') return;
    this.core.metrics.framesIn.inc();
    if (message.byteLength > LIMITS.hardFrameBytes) return this.close(s, CLOSE.TOO_LARGE, `frames are at most ${LIMITS.hardFrameBytes} bytes`);
    if (message.byteLength > LIMITS.frameBytes) {
      if (s.state === 'connecting') return this.close(s, CLOSE.BAD_FIRST_FRAME, 'first frame too large');
      return this.reply(s, null, 'too_large', `frames are at most ${LIMITS.frameBytes} bytes`);
    }
    // Decoding copies everything out of the buffer, which uWS detaches after this callback.
    let frame: unknown;
    try {
      frame = s.codec.decode(message);
    } catch (e) {
      if (s.state === 'connecting') return this.close(s, CLOSE.BAD_FIRST_FRAME, 'first frame is not a hello');
      return e instanceof FrameError ? this.reply(s, null, 'invalid', e.message, e.path) : this.reply(s, null, 'invalid', `not a ${s.codec.name} frame`, []);
    }
    const id = typeof (frame as { id?: unknown } | null)?.id === 'string' || typeof (frame as { id?: unknown } | null)?.id === 'number'
      ? String((frame as { id: string | number }).id)
      : null;
    if (!s.bucket.take()) {
      if (s.bucket.refusedInARow >= SESSION_LIMITS.floodClose) return this.close(s, CLOSE.RATE_LIMIT, 'too many frames');
      return this.reply(s, id, 'rate_limited', 'too many frames; slow down');
    }
    if (s.state === 'connecting') {
      this.hello(s, frame).catch((e: unknown) => {
        this.core.log('hello failed unexpectedly', e);
        this.close(s, CLOSE.GOING_AWAY, 'hub unavailable; reconnect with your cursor');
      });
      return;
    }
    if (s.state === 'authenticating') return this.reply(s, id, 'unauthenticated', 'wait for welcome before sending requests');
    // No exception while answering one request may end the process (issue 15 item 1): what
    // escapes request() is logged and answered like any other failure we did not foresee.
    this.request(s, id, frame).catch((e: unknown) => {
      this.core.log('request failed unexpectedly', e);
      this.reply(s, id, 'unavailable', UNFORESEEN_FAILURE);
    });
  }

  private async hello(s: Session, frame: unknown): Promise<void> {
    const parsed = helloSchema.safeParse(frame);
    if (!parsed.success) return this.close(s, CLOSE.BAD_FIRST_FRAME, `bad hello: ${firstIssue(parsed.error).path.join('.') || 'type'}`);
    s.state = 'authenticating';
    clearTimeout(s.helloTimer);
    if (parsed.data.token.length > MAX_TOKEN_CHARS) return this.close(s, CLOSE.TOKEN, 'token invalid: too large');
    let personId: string;
    try {
      const token = await this.core.verifyToken(parsed.data.token);
      personId = token.sub;
      s.expiresAt = token.expiresAt;
    } catch (e) {
      return this.close(s, CLOSE.TOKEN, e instanceof TokenError ? e.message : 'token invalid');
    }
    if ((s.state as State) === 'closed') return;
    // The import that added this person may have landed on another node a moment ago, its
    // broker message not yet here: look at the import log once before refusing.
    if (!this.core.directory().person(personId)) {
      await this.core.catchUpDirectory().catch((e) => this.core.log('directory check failed', e));
      if ((s.state as State) === 'closed') return;
    }
    const dir = this.core.directory();
    const person = dir.person(personId);
    if (!person) return this.close(s, CLOSE.TOKEN, 'token subject is not in the directory');
    if (this.perPerson.get(personId) >= ABUSE_LIMITS.connectionsPerPerson) {
      this.core.metrics.limited.inc({ limit: 'connections_per_person' });
      return this.close(s, CLOSE.RATE_LIMIT, 'too many connections for this person');
    }
    this.perPerson.add(personId);
    s.personId = personId; // from here on counted: closed() counts it down
    this.armExpiry(s);
    const topics = liveTopicsOf(dir, personId);
    for (const t of topics) s.topics.add(t);
    try {
      await this.core.fanout.ensure(topics);
      const from = parsed.data.cursor === undefined ? undefined : await this.resumePoint(parsed.data.cursor);
      // The gap is read before welcome, so that one too long to replay is a plain start over.
      const first = typeof from === 'number' ? await this.collect(personId, from, SESSION_LIMITS.maxReplay) : from;
      if ((s.state as State) === 'closed' || !s.ws) return;
      const ws = s.ws;
      const user = { id: personId, name: person.name, roles: dir.rolesOf(personId) };
      if (first === undefined || first === 'reset') {
        // From here to the end of the cork nothing can interleave: later events come through the topics.
        const upTo = this.core.delivery.lastDeliveredId;
        ws.cork(() => {
          this.send(s, { type: 'welcome', user, cursor: String(upTo), resumed: false });
          if (first === 'reset') this.send(s, { type: 'event', event: 'sync.reset', cursor: String(upTo), data: { reason: 'the gap cannot be replayed; reload your views' } });
          if ((s.state as State) === 'closed') return; // a send was dropped and closed it
          this.core.fanout.join(ws, s.codec, s.topics);
          s.state = 'connected';
        });
        return;
      }
      // Welcomed: requests are answered while the replay goes out; the topics join after it.
      s.state = 'connected';
      s.replaying = true;
      if (this.trySend(s, { type: 'welcome', user, cursor: parsed.data.cursor, resumed: true }) < 0) return;
      await this.replay(s, personId, first);
    } catch (e) {
      this.core.log('hello failed', e);
      this.close(s, CLOSE.GOING_AWAY, 'hub unavailable; reconnect with your cursor');
    }
  }

  /**
   * The event id to resume after, or 'reset' when the cursor is not one of ours: not a number,
   * older than the first kept event, or newer than the newest event committed (a restored
   * database, another hub). A cursor past what this node has delivered may be real: an event
   * committed on another node that this node has not delivered yet. So the bound is the newest
   * id in PostgreSQL, read after the hello arrived: a cursor the client was sent names a
   * committed event, visible to that read. Only such cursors cost the query.
   */
  private async resumePoint(cursor: string): Promise<number | 'reset'> {
    if (!/^\d{1,15}$/.test(cursor)) return 'reset';
    const from = Number(cursor);
    if (from > this.core.delivery.lastDeliveredId && from > (await eventsFinal(this.core.sql))) return 'reset';
    if ((await this.core.replays.firstEventId()) > from + 1) return 'reset'; // no longer kept
    return from;
  }

  /**
   * Sends a replay as the socket drains, then catches up with what this node delivered
   * meanwhile (read again from PostgreSQL), until the replay ends exactly at the last event
   * delivered here; then, in one synchronous step, sync.done and the topics: nothing falls
   * between replay and live, and nothing comes twice. Gives up with sync.reset when it cannot
   * catch up (more than maxReplay events, or replayRounds rounds).
   */
  private async replay(s: Session, personId: string, first: Replay): Promise<void> {
    let batch: Replay | 'reset' = first;
    let sent = 0;
    let rounds = 0;
    const waitUntil = Date.now() + SESSION_LIMITS.replayCatchUpMs;
    for (;;) {
      if (batch === 'reset') return this.endReplay(s, 'reset');
      if (!(await this.sendPaced(s, batch.events))) return;
      sent += batch.events.length;
      const to: number = batch.to;
      const delivered = this.core.delivery.lastDeliveredId;
      if (delivered === to) return this.endReplay(s, to);
      if (delivered < to) {
        // The cursor names an event committed elsewhere that this node has not delivered yet:
        // wait for its chain to get there (a tick, or the poll within a second).
        if (Date.now() > waitUntil) return this.endReplay(s, 'reset');
        await new Promise((r) => setTimeout(r, 20));
        if ((s.state as State) === 'closed') return;
        batch = { events: [], to };
      } else {
        if (++rounds > SESSION_LIMITS.replayRounds) return this.endReplay(s, 'reset');
        batch = await this.collect(personId, to, SESSION_LIMITS.maxReplay - sent);
      }
    }
  }

  /** The last step of a replay, synchronous: sync.done (or sync.reset), then the live topics. */
  private endReplay(s: Session, to: number | 'reset'): void {
    const ws = s.ws;
    if (s.state === 'closed' || !ws) return;
    const upTo = this.core.delivery.lastDeliveredId;
    ws.cork(() => {
      if (to === 'reset') this.send(s, { type: 'event', event: 'sync.reset', cursor: String(upTo), data: { reason: 'the replay could not catch up; reload your views' } });
      else this.send(s, { type: 'event', event: 'sync.done', cursor: String(to), data: {} });
      if (s.state === 'closed') return;
      this.core.fanout.join(ws, s.codec, s.topics);
      s.replaying = false;
    });
  }

  /**
   * Events after `after` that the person may see, complete up to the last event this node had
   * delivered when the last query began (every event up to it was committed then, so the query
   * saw it), or up to `after` itself if that is further. Events past that line are left out:
   * they come later, by the next round or through the topics. 'reset' beyond `budget` events,
   * or from too far back for the person's many keys (ReplayBatcher.tooFar).
   */
  private async collect(personId: string, after: number, budget: number): Promise<Replay | 'reset'> {
    const keys = readKeysOf(this.core.directory(), personId);
    if (this.core.replays.tooFar(after, keys.length)) return 'reset';
    const events: ReplayRow[] = [];
    let from = after;
    for (;;) {
      const page = await this.core.replays.fetch(from, keys);
      events.push(...page.rows);
      if (events.length > budget) return 'reset';
      if (page.complete) return { events: events.filter((e) => e.id <= page.upTo), to: Math.max(after, page.upTo) };
      from = Math.max(from, page.scannedTo);
    }
  }

  private armExpiry(s: Session): void {
    clearTimeout(s.expiryTimer);
    const ms = Math.max(0, s.expiresAt - Date.now());
    // setTimeout holds at most ~24.8 days; a token lasting longer is re-armed when it fires.
    s.expiryTimer = setTimeout(() => {
      if (Date.now() >= s.expiresAt) this.close(s, CLOSE.TOKEN, 'token expired');
      else this.armExpiry(s);
    }, Math.min(ms, 2 ** 31 - 1));
  }

  private async request(s: Session, id: string | null, frame: unknown): Promise<void> {
    if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) return this.reply(s, id, 'invalid', 'a frame is a map', []);
    const type = (frame as { type?: unknown }).type;
    // Own entries only: "constructor", "__proto__", "toString" ... are unknown types.
    const entry = typeof type === 'string' ? REQUESTS.get(type) : undefined;
    if (!entry) return this.reply(s, id, 'invalid', 'unknown request type', ['type']);
    const began = performance.now();
    try {
      await this.answer(s, id, frame, entry);
    } finally {
      // Every answer counts, refusals and failures too: they are what a slow hub answers.
      this.core.metrics.requestSeconds.observe((performance.now() - began) / 1000, { type: entry.type });
    }
  }

  private async answer(s: Session, id: string | null, frame: object, entry: RequestEntry): Promise<void> {
    const unstorable = unstorableString(frame);
    if (unstorable) return this.reply(s, id, 'invalid', unstorable.message, unstorable.path);
    const parsed = entry.schema.safeParse(frame);
    if (!parsed.success) {
      const issue = firstIssue(parsed.error);
      const tooBig = parsed.error.issues[0]?.code === 'too_big';
      return this.reply(s, id, tooBig ? 'too_large' : 'invalid', issue.message, issue.path);
    }
    const req = parsed.data as { id?: string; token?: string };
    const rid = req.id ?? null;
    if (entry.kind === 'session') {
      if (entry.type === 'ping') return this.send(s, { type: 'pong', id: rid });
      return this.refresh(s, rid, req.token!);
    }
    if (!s.personId) return this.reply(s, rid, 'unauthenticated', 'wait for welcome before sending requests');
    // Writes are limited per person, over all their devices; reads and ephemeral signals only
    // per connection (hub/handlers/requests.ts says which is which).
    if (entry.kind === 'write' && !this.writesPerPerson.take(s.personId)) {
      this.core.metrics.limited.inc({ limit: 'writes_per_person' });
      return this.reply(s, rid, 'rate_limited', 'too many writes; slow down');
    }
    const ctx: HandlerContext = {
      personId: s.personId, dir: this.core.directory(), sql: this.core.sql, publisher: this.core.publisher, conversations: this.core.conversations,
      links: this.core.links, push: this.core.push, typing: this.core.typing, connection: s, auditLog: this.core.auditLog,
      attachmentFiles: this.core.attachmentFiles, log: (message, error) => this.core.log(message, error),
    };
    // Every request is answered within a deadline, whatever the database does: a handler
    // stuck on a connection the driver lost would otherwise leave the client waiting for good.
    // What it does after the deadline is logged and not sent (the client already retries).
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<typeof LATE>((resolve) => {
      timer = setTimeout(() => resolve(LATE), SESSION_LIMITS.requestDeadlineMs);
    });
    const work = entry.handle(ctx, parsed.data as never);
    try {
      const result = await Promise.race([work, late]);
      if (result === LATE) {
        work.then(() => this.core.log(`request ${entry.type} finished after its deadline`), (e: unknown) => this.core.log(`request ${entry.type} failed after its deadline`, e));
        return this.reply(s, rid, 'unavailable', DEADLINE_PASSED);
      }
      this.send(s, { type: 'ok', id: rid, result });
    } catch (e) {
      if (e instanceof RequestError) return this.reply(s, rid, e.code, e.message, e.path);
      // storage/errors.ts decides: refused values are `invalid`; a lost connection says
      // whether the write may have been stored.
      const failure = storageFailure(e);
      if (failure.code === 'unavailable' && failure.logged) this.core.log(`request ${entry.type} failed`, e);
      this.reply(s, rid, failure.code, failure.message);
    } finally {
      clearTimeout(timer);
    }
  }

  private async refresh(s: Session, id: string | null, token: string): Promise<void> {
    if (token.length > MAX_TOKEN_CHARS) return this.close(s, CLOSE.TOKEN, 'token invalid: too large');
    try {
      const t = await this.core.verifyToken(token);
      if (t.sub !== s.personId) return this.close(s, CLOSE.TOKEN, 'token is for another person');
      s.expiresAt = t.expiresAt;
      this.armExpiry(s);
      this.send(s, { type: 'ok', id, result: { expiresAt: new Date(t.expiresAt).toISOString() } });
    } catch (e) {
      this.close(s, CLOSE.TOKEN, e instanceof TokenError ? e.message : 'token invalid');
    }
  }

  /**
   * Rights follow the directory: after an import every connection gets the topics it now has.
   * A turn of the event loop after every REFRESH_SLICE connections: 45,000 of them take about
   * 0.2 s, which deliveries should not wait for. A connection that arrives meanwhile gets the
   * new view at its hello.
   */
  async refreshRights(): Promise<void> {
    const dir = this.core.directory();
    let seen = 0;
    for (const s of [...this.all]) {
      if (++seen % REFRESH_SLICE === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      if (s.state !== 'connected' || !s.personId || !s.ws) continue;
      if (!dir.person(s.personId)) {
        this.close(s, CLOSE.TOKEN, 'no longer in the directory');
        continue;
      }
      const next = new Set(liveTopicsOf(dir, s.personId));
      const gone = [...s.topics].filter((t) => !next.has(t));
      const added = [...next].filter((t) => !s.topics.has(t));
      if (gone.length) {
        this.core.fanout.unsubscribe(s.ws, s.codec, gone);
        for (const t of gone) s.topics.delete(t);
      }
      if (added.length) {
        for (const t of added) s.topics.add(t);
        await this.core.fanout.ensure(added);
        // A connection still replaying joins all its topics when the replay ends.
        if (s.ws && s.state === 'connected' && !s.replaying) this.core.fanout.join(s.ws, s.codec, added);
      }
    }
  }

  private closeSlowReaders(): void {
    for (const s of this.all) {
      // A replay keeps its own part of the buffer small, but a large reply (history.get) on top
      // could pass 1 MiB: a replaying reader is closed by the replay when it drains nothing for
      // replayStallMs, and uWS caps its buffer at maxBackpressure.
      if (s.replaying) continue;
      if (s.ws && s.state !== 'closed' && s.ws.getBufferedAmount() > SESSION_LIMITS.slowReaderBytes) {
        this.close(s, CLOSE.SLOW_READER, 'too slow to read; reconnect with your cursor');
      }
    }
  }

  /** Closes every connection with 1001, spread over `ms` so that clients do not reconnect at once. */
  async drain(ms: number): Promise<void> {
    const list = [...this.all];
    const step = list.length > 0 ? ms / list.length : 0;
    for (const s of list) {
      this.close(s, CLOSE.GOING_AWAY, 'node shutting down; reconnect with your cursor');
      if (step >= 1) await new Promise((r) => setTimeout(r, step));
    }
  }
}
