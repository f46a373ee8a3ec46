// The page's one connection to the hub (PROTOCOL.md): msgpack frames, hello with the last
// cursor, reconnect with backoff and full jitter, token refresh through `auth`, and a queue
// of requests that survives a lost connection. Widgets never touch the WebSocket; they make
// requests and listen to events here.
import { backoffDelay } from './backoff.ts';
import { decode, encode, SUBPROTOCOL } from './codec.ts';
import { TokenSource, type GetToken } from './token.ts';
import {
  FATAL_CLOSES, HubError, TOKEN_CLOSE, cursorAfter,
  type EventName, type HubEvents, type RequestFields, type RequestResult, type RequestType, type User,
} from './protocol.ts';

/**
 * idle: not started. connecting: never been online yet. online: welcomed. reconnecting: lost
 * the connection and trying again. failed: the hub refused this client for good (4002, 1009).
 */
export type Status = 'idle' | 'connecting' | 'online' | 'reconnecting' | 'failed';

export interface ClientEvents extends HubEvents {
  status: Status;
  /** Views must be (re)loaded: the first welcome, or a resume that the hub could not replay. */
  reload: { user: User };
}

export interface ClientOptions {
  /** ws(s)://host/ws */
  url: string;
  getToken: GetToken;
  /** Another WebSocket implementation (tests use the `ws` package). */
  WebSocket?: new (url: string, protocol: string) => WebSocket;
  random?: () => number;
}

export const CLIENT_TIMING = {
  /** No welcome this long after the socket opened: give up on it and reconnect. */
  welcomeMs: 15_000,
  /** An application ping while online, to notice a dead connection the OS has not noticed. */
  pingEveryMs: 25_000,
  pongWithinMs: 10_000,
  /** `unavailable` and `rate_limited` answers are retried this many times with backoff. */
  retries: 5,
};

export interface RequestOptions {
  /**
   * A signal that only means something now (typing): sent only while online, never queued,
   * never sent again after a lost connection, never retried. Rejects with `closed` otherwise.
   */
  ephemeral?: boolean;
}

interface Pending {
  order: number;
  type: string;
  fields: object;
  tries: number;
  ephemeral?: boolean;
  resolve: (result: unknown) => void;
  reject: (error: HubError) => void;
}

type Listener<T> = (data: T) => void;

export class HubClient {
  status: Status = 'idle';
  user: User | undefined;
  /** Whether the last welcome resumed from the cursor (true) or started over (false). */
  resumed: boolean | undefined;
  /** Why the last connection ended, for the status line. */
  lastClose: { code: number; reason: string } | undefined;

  private ws: WebSocket | undefined;
  private cursor: string | undefined;
  private attempt = 0;
  private freshToken = false;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private welcomeTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private pongTimer: ReturnType<typeof setTimeout> | undefined;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private nextId = 1;
  private order = 0;
  /** Sent on the current socket, by request id. */
  private inflight = new Map<string, Pending>();
  /** Waiting for a connection (or for a retry): sent after the next welcome, in order. */
  private queue: Pending[] = [];
  private listeners = new Map<string, Set<Listener<never>>>();
  private readonly tokens: TokenSource;
  private readonly WS: new (url: string, protocol: string) => WebSocket;
  private readonly random: () => number;

  constructor(private readonly options: ClientOptions) {
    this.tokens = new TokenSource(options.getToken);
    this.WS = options.WebSocket ?? WebSocket;
    this.random = options.random ?? Math.random;
  }

  get url(): string {
    return this.options.url;
  }

  /** The page's token, for the hub's HTTP API (attachments); `fresh` asks the portal anew. */
  token(fresh = false): Promise<string> {
    return this.tokens.current(fresh);
  }

  /** Opens the connection once; later calls do nothing. */
  start(): void {
    if (this.status !== 'idle') return;
    if (typeof window !== 'undefined') {
      // The OS knows first: come back at once when the network returns, let go when it leaves.
      window.addEventListener('online', this.onOnline);
      window.addEventListener('offline', this.onOffline);
    }
    this.setStatus('connecting');
    void this.connect();
  }

  /** Closes the connection for good and rejects everything still waiting. */
  stop(): void {
    if (typeof window !== 'undefined') {
      window.removeEventListener('online', this.onOnline);
      window.removeEventListener('offline', this.onOffline);
    }
    clearTimeout(this.reconnectTimer);
    const ws = this.ws;
    this.detach();
    ws?.close(1000, 'client stopped');
    this.failAll('the client was stopped');
    this.setStatus('idle');
  }

  on<E extends keyof ClientEvents>(name: E, fn: Listener<ClientEvents[E]>): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(fn as Listener<never>);
    return () => set.delete(fn as Listener<never>);
  }

  /** Runs `load` now if online, and again whenever the views must be reloaded. */
  views(load: () => void): () => void {
    if (this.status === 'online') load();
    return this.on('reload', load);
  }

  /**
   * Sends a request and resolves with its result. While offline the request waits in the
   * queue; a request in flight when the connection drops is sent again after the next
   * welcome. Creates carry their clientKey in `fields`, so a repeat returns the stored item.
   */
  request<T extends RequestType>(type: T, fields: RequestFields<T>, options: RequestOptions = {}): Promise<RequestResult<T>> {
    return new Promise((resolve, reject) => {
      const p: Pending = { order: this.order++, type, fields, tries: 0, resolve: resolve as (r: unknown) => void, reject };
      if (this.status === 'failed') return reject(new HubError('closed', this.lastClose?.reason ?? 'not connected'));
      if (options.ephemeral) {
        p.ephemeral = true;
        const id = String(this.nextId++);
        if (this.status !== 'online' || this.queue.length > 0 || !this.sendFrame({ ...fields, type, id })) {
          return reject(new HubError('closed', 'not connected'));
        }
        p.tries = 1;
        this.inflight.set(id, p);
        return;
      }
      this.queue.push(p);
      if (this.status === 'idle') this.start();
      else this.flush();
    });
  }

  private setStatus(status: Status): void {
    if (this.status === status) return;
    this.status = status;
    this.emit('status', status);
  }

  private emit<E extends keyof ClientEvents>(name: E, data: ClientEvents[E]): void {
    for (const fn of [...(this.listeners.get(name) ?? [])]) {
      try {
        (fn as Listener<ClientEvents[E]>)(data);
      } catch (e) {
        // One broken listener must not stop the others or the connection.
        setTimeout(() => {
          throw e;
        });
      }
    }
  }

  private async connect(): Promise<void> {
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    let token: string;
    try {
      token = await this.tokens.current(this.freshToken);
      this.freshToken = false;
    } catch (e) {
      this.lastClose = { code: 0, reason: e instanceof Error ? e.message : 'no token' };
      return this.retryLater();
    }
    if (this.status === 'idle' || this.status === 'failed') return;
    let ws: WebSocket;
    try {
      ws = new this.WS(this.options.url, SUBPROTOCOL);
    } catch (e) {
      this.lastClose = { code: 0, reason: e instanceof Error ? e.message : 'cannot open a WebSocket' };
      return this.retryLater();
    }
    this.ws = ws;
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => {
      this.sendFrame(this.cursor === undefined ? { type: 'hello', token } : { type: 'hello', token, cursor: this.cursor });
      this.welcomeTimer = setTimeout(() => this.drop(ws, 0, 'no welcome from the hub'), CLIENT_TIMING.welcomeMs);
    };
    ws.onmessage = (ev: MessageEvent) => {
      let frame: unknown;
      try {
        frame = decode(ev.data as ArrayBuffer);
      } catch {
        return;
      }
      if (typeof frame === 'object' && frame !== null) this.receive(frame as Record<string, unknown>);
    };
    ws.onclose = (ev: CloseEvent) => this.drop(ws, ev.code, ev.reason);
    ws.onerror = () => {
      // A close event always follows; the reason is there.
    };
  }

  private sendFrame(frame: object): boolean {
    const ws = this.ws;
    if (!ws || ws.readyState !== 1) return false;
    ws.send(encode(frame));
    return true;
  }

  private receive(frame: Record<string, unknown>): void {
    switch (frame.type) {
      case 'welcome':
        return this.welcomed(frame as { user: User; cursor: string; resumed: boolean });
      case 'event':
        return this.event(frame as { event: string; cursor?: string; data: unknown });
      case 'ok':
      case 'error':
        return this.answer(frame);
      case 'pong':
        clearTimeout(this.pongTimer);
        return;
    }
  }

  private welcomed(w: { user: User; cursor: string; resumed: boolean }): void {
    clearTimeout(this.welcomeTimer);
    this.attempt = 0;
    this.user = w.user;
    this.resumed = w.resumed;
    if (!w.resumed) this.cursor = w.cursor;
    this.lastClose = undefined;
    this.setStatus('online');
    this.keepAlive();
    this.scheduleRefresh();
    // Without a replay (first connection, or a gap too old) every view starts over.
    if (!w.resumed) this.emit('reload', { user: w.user });
    this.flush();
  }

  private event(f: { event: string; cursor?: string; data: unknown }): void {
    if (f.event === 'sync.reset' || f.event === 'sync.done') {
      // sync.reset replaces the cursor, even with a lower one (a restored hub): what the views
      // hold is no longer known to be complete.
      if (f.cursor !== undefined && (f.event === 'sync.reset' || cursorAfter(f.cursor, this.cursor))) this.cursor = f.cursor;
      this.emit(f.event as EventName, f.data as never);
      // After a welcome without a replay the views are already reloading; after a resumed one
      // (a replay the hub gave up on part-way) they must reload now.
      if (f.event === 'sync.reset' && this.resumed && this.user) {
        this.resumed = false;
        this.emit('reload', { user: this.user });
      }
      return;
    }
    if (f.cursor !== undefined) {
      // The same event can reach a person through two audiences: keep the first (§4).
      if (!cursorAfter(f.cursor, this.cursor)) return;
      this.cursor = f.cursor;
    }
    if (this.listeners.has(f.event)) this.emit(f.event as EventName, f.data as never);
  }

  private answer(frame: Record<string, unknown>): void {
    const id = typeof frame.id === 'string' ? frame.id : undefined;
    const p = id === undefined ? undefined : this.inflight.get(id);
    if (!p || id === undefined) return;
    this.inflight.delete(id);
    if (frame.type === 'ok') return p.resolve(frame.result ?? {});
    const code = frame.code as HubError['code'];
    const error = new HubError(code, String(frame.message ?? code), (frame.path as (string | number)[] | undefined) ?? []);
    if (code === 'unauthenticated' && !p.ephemeral) {
      this.queue.push(p);
      return;
    }
    if ((code === 'unavailable' || code === 'rate_limited') && p.tries < CLIENT_TIMING.retries && !p.ephemeral) {
      // Nothing was written: the same request (the same clientKey) is safe to send again.
      setTimeout(() => {
        this.queue.push(p);
        this.flush();
      }, backoffDelay(p.tries, this.random) + 200);
      return;
    }
    p.reject(error);
  }

  /** Sends what is queued, oldest first, once welcomed. */
  private flush(): void {
    if (this.status !== 'online') return;
    this.queue.sort((a, b) => a.order - b.order);
    while (this.queue.length > 0) {
      const p = this.queue[0]!;
      const id = String(this.nextId++);
      if (!this.sendFrame({ ...p.fields, type: p.type, id })) return;
      this.queue.shift();
      p.tries++;
      this.inflight.set(id, p);
    }
  }

  private keepAlive(): void {
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => {
      const ws = this.ws;
      if (!ws || !this.sendFrame({ type: 'ping', id: `ping${this.nextId++}` })) return;
      clearTimeout(this.pongTimer);
      this.pongTimer = setTimeout(() => this.drop(ws, 0, 'the hub stopped answering'), CLIENT_TIMING.pongWithinMs);
    }, CLIENT_TIMING.pingEveryMs);
  }

  private scheduleRefresh(): void {
    clearTimeout(this.refreshTimer);
    const inMs = this.tokens.refreshIn();
    if (inMs === undefined) return;
    this.refreshTimer = setTimeout(() => void this.refresh(), Math.min(inMs, 2 ** 31 - 1));
  }

  /** Sends a fresh token before the current one expires; the hub closes 4003 if it is refused. */
  private async refresh(): Promise<void> {
    let token: string;
    try {
      token = await this.tokens.current(true);
    } catch {
      // The portal did not answer: try again soon; if the token expires first, the hub
      // closes with 4003 and the reconnect fetches one.
      this.refreshTimer = setTimeout(() => void this.refresh(), 15_000);
      return;
    }
    if (this.status !== 'online') return;
    const id = `auth${this.nextId++}`;
    this.inflight.set(id, { order: -1, type: 'auth', fields: {}, tries: 1, resolve: () => this.scheduleRefresh(), reject: () => {} });
    this.sendFrame({ type: 'auth', id, token });
  }

  /** The one way a socket ends, whatever ended it. Safe to call more than once. */
  private drop(ws: WebSocket, code: number, reason: string): void {
    if (ws !== this.ws) return;
    this.detach();
    try {
      ws.close();
    } catch {
      // already closing
    }
    this.lastClose = { code, reason };
    // Requests that got no answer go back to the queue, to be sent again after welcome.
    // Ephemeral signals are not: they would arrive too late to mean anything.
    for (const p of this.inflight.values()) {
      if (p.ephemeral) p.reject(new HubError('closed', reason || 'connection lost'));
      else if (p.type !== 'auth') this.queue.push(p);
    }
    this.inflight.clear();
    if (FATAL_CLOSES.has(code)) {
      this.setStatus('failed');
      this.failAll(reason || `closed with ${code}`);
      return;
    }
    if (code === TOKEN_CLOSE) this.freshToken = true;
    this.retryLater();
  }

  private detach(): void {
    const ws = this.ws;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = null;
      // Not null: some implementations (the `ws` package) throw on an error nobody handles.
      ws.onerror = () => {};
    }
    this.ws = undefined;
    clearTimeout(this.welcomeTimer);
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
    clearTimeout(this.refreshTimer);
  }

  private retryLater(): void {
    if (this.status === 'idle' || this.status === 'failed') return;
    if (this.status === 'online') this.setStatus('reconnecting');
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => void this.connect(), backoffDelay(this.attempt++, this.random));
  }

  private failAll(reason: string): void {
    const all = [...this.inflight.values(), ...this.queue];
    this.inflight.clear();
    this.queue = [];
    for (const p of all) p.reject(new HubError('closed', reason));
  }

  private readonly onOnline = (): void => {
    if (this.reconnectTimer !== undefined) {
      this.attempt = 0;
      void this.connect();
    }
  };

  private readonly onOffline = (): void => {
    if (this.ws) this.drop(this.ws, 0, 'offline');
  };
}
