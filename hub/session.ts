// One WebSocket connection: connecting → authenticating → connected → closed, with one exit
// (close) and a check for `closed` at every entry point. Frames are decoded once, validated
// once, and dispatched by type; nothing is thrown across the socket.
import { z } from 'zod';
import type { HttpRequest, HttpResponse, TemplatedApp, WebSocket, us_socket_context_t } from './uws.ts';
import { chooseSubprotocol, codecFor, type Codec } from './protocol/codec.ts';
import { CLOSE, RequestError, type CloseCode, type ErrorCode } from './protocol/codes.ts';
import { LIMITS, MAX_TOKEN_CHARS, firstIssue, helloSchema, requestSchemas, type RequestType } from './protocol/frames.ts';
import { TokenError } from './auth/tokens.ts';
import { storageFailure } from '../storage/errors.ts';
import { liveTopicsOf, readKeysOf } from './audience.ts';
import { eventFrame } from './fanout.ts';
import { TokenBucket } from './rate.ts';
import { ABUSE_LIMITS, Counts, KeyedBuckets } from './limits.ts';
import type { HandlerContext, Handler } from './handlers/context.ts';
import { createMailing, createPost, getFeed, readFeed } from './handlers/feed.ts';
import { getAudience, getContacts } from './handlers/directory.ts';
import { getHistory, getInbox, readConversation, sendMessage, startConversation } from './handlers/chat.ts';
import { deleteOwnMessage, editOwnMessage } from './handlers/chat-edit.ts';
import { searchOwnMessages } from './handlers/chat-search.ts';
import { relayTyping } from './handlers/typing.ts';
import { closeItem, createItem, getItems, getOneItem, hideItem, publishItem, updateItem } from './handlers/items.ts';
import { closeOneConference, createConference, getConferences, getOneConference } from './handlers/conferences.ts';
import { DEVELOPMENT_HANDLERS } from './handlers/development.ts';
import type { HubCore } from './core.ts';

type State = 'connecting' | 'authenticating' | 'connected' | 'closed';
type Replay = { events: { id: number; name: string; data: unknown }[]; upTo: number };

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
  /** uWS drops sends above this; it is far above slowReaderBytes so that the sweep closes first. */
  maxBackpressure: 8 * 1024 * 1024,
  /** Events replayed on resume at the most; beyond that the client reloads (sync.reset). */
  maxReplay: 5_000,
};

const HANDLERS: { [T in RequestType]?: Handler<T> } = {
  'post.create': createPost,
  'mailing.create': createMailing,
  'feed.get': getFeed,
  'feed.read': readFeed,
  'conversation.start': startConversation,
  'message.send': sendMessage,
  'conversation.read': readConversation,
  'inbox.get': getInbox,
  'history.get': getHistory,
  'contacts.get': getContacts,
  'audience.get': getAudience,
  'message.edit': editOwnMessage,
  'message.delete': deleteOwnMessage,
  'messages.search': searchOwnMessages,
  typing: relayTyping,
  'item.create': createItem,
  'item.update': updateItem,
  'item.publish': publishItem,
  'item.hide': hideItem,
  'item.close': closeItem,
  'item.get': getOneItem,
  'items.get': getItems,
  'conference.create': createConference,
  'conference.close': closeOneConference,
  'conference.get': getOneConference,
  'conferences.get': getConferences,
  ...DEVELOPMENT_HANDLERS,
};

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
      maxPayloadLength: LIMITS.hardFrameBytes,
      maxBackpressure: SESSION_LIMITS.maxBackpressure,
      closeOnBackpressureLimit: 0,
      idleTimeout: 60,
      sendPingsAutomatically: true,
      upgrade: (res, req, context) => this.upgrade(res, req, context),
      open: (ws) => this.open(ws),
      message: (ws, message) => this.message(ws, message),
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
    const ip = Buffer.from(res.getRemoteAddressAsText()).toString();
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
  }

  /** The one way the hub ends a connection. Safe to call from anywhere, any number of times. */
  close(s: Session, code: CloseCode, reason: string): void {
    const ws = s.ws;
    if (s.state === 'closed' || !ws) return;
    this.core.metrics.closes.inc({ code: String(code) });
    ws.cork(() => ws.end(code, reason));
  }

  /** Sends one frame to one connection (replies, replays). Corked: callers may be after an await. */
  send(s: Session, frame: unknown): void {
    const ws = s.ws;
    if (s.state === 'closed' || !ws) return;
    const bytes = s.codec.encode(frame);
    this.core.metrics.framesOut.inc();
    ws.cork(() => ws.send(bytes, s.codec.binary));
  }

  private reply(s: Session, id: string | null, code: ErrorCode, message: string, path?: (string | number)[]): void {
    this.core.metrics.errors.inc({ code });
    this.send(s, path ? { type: 'error', id, code, message, path } : { type: 'error', id, code, message });
  }

  private message(ws: WebSocket<Session>, message: ArrayBuffer): void {
    const s = ws.getUserData();
    if (s.state === 'closed') return;
    this.core.metrics.framesIn.inc();
    if (message.byteLength > LIMITS.frameBytes) {
      if (s.state === 'connecting') return this.close(s, CLOSE.BAD_FIRST_FRAME, 'first frame too large');
      return this.reply(s, null, 'too_large', `frames are at most ${LIMITS.frameBytes} bytes`);
    }
    // Decoding copies everything out of the buffer, which uWS detaches after this callback.
    let frame: unknown;
    try {
      frame = s.codec.decode(message);
    } catch {
      if (s.state === 'connecting') return this.close(s, CLOSE.BAD_FIRST_FRAME, 'first frame is not a hello');
      return this.reply(s, null, 'invalid', `not a ${s.codec.name} frame`, []);
    }
    const id = typeof (frame as { id?: unknown } | null)?.id === 'string' || typeof (frame as { id?: unknown } | null)?.id === 'number'
      ? String((frame as { id: string | number }).id)
      : null;
    if (!s.bucket.take()) {
      if (s.bucket.refusedInARow >= SESSION_LIMITS.floodClose) return this.close(s, CLOSE.RATE_LIMIT, 'too many frames');
      return this.reply(s, id, 'rate_limited', 'too many frames; slow down');
    }
    if (s.state === 'connecting') {
      void this.hello(s, frame);
      return;
    }
    if (s.state === 'authenticating') return this.reply(s, id, 'unauthenticated', 'wait for welcome before sending requests');
    void this.request(s, id, frame);
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
      let replay: Replay | 'reset' | undefined;
      if (parsed.data.cursor !== undefined) {
        // Until the replay ends exactly at what this node has delivered (rarely more than once).
        for (let round = 0; ; round++) {
          replay = await this.replay(personId, parsed.data.cursor, replay === 'reset' ? undefined : replay);
          if (replay === 'reset' || replay.upTo === this.core.delivery.lastDeliveredId) break;
          if (round === 20) replay = 'reset';
        }
      }
      if ((s.state as State) === 'closed' || !s.ws) return;
      const ws = s.ws;
      const user = { id: personId, name: person.name, roles: dir.rolesOf(personId) };
      // From here to the end of the cork nothing can interleave: the replay ends at the last
      // event this node has delivered, and every later one arrives through the topics.
      const upTo = this.core.delivery.lastDeliveredId;
      ws.cork(() => {
        if (replay === undefined) {
          this.send(s, { type: 'welcome', user, cursor: String(upTo), resumed: false });
        } else if (replay === 'reset') {
          this.send(s, { type: 'welcome', user, cursor: String(upTo), resumed: false });
          this.send(s, { type: 'event', event: 'sync.reset', cursor: String(upTo), data: { reason: 'the gap is too old to replay; reload your views' } });
        } else {
          this.send(s, { type: 'welcome', user, cursor: parsed.data.cursor, resumed: true });
          // Events above upTo are committed but not yet delivered here: they come through the topics.
          for (const e of replay.events) if (e.id <= upTo) this.send(s, eventFrame(e));
          this.send(s, { type: 'event', event: 'sync.done', cursor: String(Math.max(upTo, Number(parsed.data.cursor))), data: {} });
        }
        this.core.fanout.join(ws, s.codec, s.topics);
        s.state = 'connected';
      });
    } catch (e) {
      this.core.log('hello failed', e);
      this.close(s, CLOSE.GOING_AWAY, 'hub unavailable; reconnect with your cursor');
    }
  }

  /**
   * Events after `cursor` that the person may see, up to at least `upTo`, the last event this
   * node had delivered when the last query began (every event up to it was committed then,
   * so the query saw it). 'reset' when the cursor is not one of ours or the gap is too long.
   */
  private async replay(personId: string, cursor: string, sofar?: Replay): Promise<Replay | 'reset'> {
    if (!/^\d{1,15}$/.test(cursor)) return 'reset';
    const from = Number(cursor);
    if (!sofar && (await this.core.replays.firstEventId()) > from + 1) return 'reset'; // no longer kept
    const keys = readKeysOf(this.core.directory(), personId);
    const events = sofar ? [...sofar.events] : [];
    let after = events.length > 0 ? events[events.length - 1]!.id : from;
    for (;;) {
      const page = await this.core.replays.fetch(after, keys);
      events.push(...page.rows);
      if (events.length > SESSION_LIMITS.maxReplay) return 'reset';
      if (page.complete) return { events, upTo: page.upTo };
      after = Math.max(after, page.scannedTo);
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
    const type = (frame as { type?: unknown } | null)?.type;
    if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) return this.reply(s, id, 'invalid', 'a frame is a map', []);
    if (typeof type !== 'string' || !(type in requestSchemas)) return this.reply(s, id, 'invalid', 'unknown request type', ['type']);
    const schema = requestSchemas[type as RequestType] as z.ZodType;
    const parsed = schema.safeParse(frame);
    if (!parsed.success) {
      const issue = firstIssue(parsed.error);
      const tooBig = parsed.error.issues[0]?.code === 'too_big';
      return this.reply(s, id, tooBig ? 'too_large' : 'invalid', issue.message, issue.path);
    }
    const req = parsed.data as { type: RequestType; id?: string; token?: string };
    const rid = req.id ?? null;
    if (req.type === 'ping') return this.send(s, { type: 'pong', id: rid });
    if (req.type === 'auth') return this.refresh(s, rid, req.token!);
    const handler = HANDLERS[req.type] as Handler<RequestType> | undefined;
    if (!handler || !s.personId) return this.reply(s, rid, 'invalid', 'unknown request type', ['type']);
    // Writes are limited per person, over all their devices; reads only per connection.
    if (!req.type.endsWith('.get') && !this.writesPerPerson.take(s.personId)) {
      this.core.metrics.limited.inc({ limit: 'writes_per_person' });
      return this.reply(s, rid, 'rate_limited', 'too many writes; slow down');
    }
    const ctx: HandlerContext = {
      personId: s.personId, dir: this.core.directory(), sql: this.core.sql, publisher: this.core.publisher,
      links: this.core.links, typing: this.core.typing, connection: s, auditLog: this.core.auditLog,
      attachmentFiles: this.core.attachmentFiles, log: (message, error) => this.core.log(message, error),
    };
    try {
      const result = await handler(ctx, parsed.data as never);
      this.send(s, { type: 'ok', id: rid, result });
    } catch (e) {
      if (e instanceof RequestError) return this.reply(s, rid, e.code, e.message, e.path);
      // storage/errors.ts decides: refused values are `invalid`; a lost connection says
      // whether the write may have been stored.
      const failure = storageFailure(e);
      if (failure.code === 'unavailable' && failure.logged) this.core.log(`request ${req.type} failed`, e);
      this.reply(s, rid, failure.code, failure.message);
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

  /** Rights follow the directory: after an import every connection gets the topics it now has. */
  async refreshRights(): Promise<void> {
    const dir = this.core.directory();
    for (const s of [...this.all]) {
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
        if (s.ws && s.state === 'connected') this.core.fanout.join(s.ws, s.codec, added);
      }
    }
  }

  private closeSlowReaders(): void {
    for (const s of this.all) {
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
