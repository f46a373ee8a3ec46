// A real WebSocket client for the tests (the `ws` package), speaking either subprotocol.
import WebSocket from 'ws';
import { Packr } from 'msgpackr';

const packr = new Packr({ useRecords: false, mapsAsObjects: true });

export type Frame = Record<string, unknown> & { type: string };

export interface ClientOptions {
  codec?: 'msgpack' | 'json';
  origin?: string;
  protocol?: string;
  /** The source address (127.0.0.2, 127.0.0.3…: Linux answers all of 127/8 on lo), to be another client behind a proxy. */
  localAddress?: string;
}

export class TestClient {
  readonly frames: Frame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: { pred: (f: Frame) => boolean; resolve: (f: Frame) => void; reject: (e: Error) => void }[] = [];
  private nextId = 1;
  readonly codec: 'msgpack' | 'json';

  private constructor(readonly ws: WebSocket, codec: 'msgpack' | 'json') {
    this.codec = codec;
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    // A frame that can no longer come fails at once, saying why, instead of timing out blind.
    void this.closed.then(({ code, reason }) => {
      const waiting = this.waiters;
      this.waiters = [];
      for (const w of waiting) w.reject(new Error(`connection closed (${code} ${reason}) while waiting for a frame; got: ${JSON.stringify(this.frames.slice(-5))}`));
    });
    ws.on('message', (data, isBinary) => {
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      const frame = (isBinary ? packr.unpack(buf) : JSON.parse(buf.toString('utf8'))) as Frame;
      this.frames.push(frame);
      this.waiters = this.waiters.filter((w) => {
        if (!w.pred(frame)) return true;
        w.resolve(frame);
        return false;
      });
    });
  }

  static open(url: string, opts: ClientOptions = {}): Promise<TestClient> {
    const codec = opts.codec ?? 'msgpack';
    const protocol = opts.protocol ?? `schoolhub.v1.${codec}`;
    const ws = new WebSocket(url, protocol, {
      ...(opts.origin ? { origin: opts.origin } : {}),
      ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
    });
    return new Promise((resolve, reject) => {
      const client = new TestClient(ws, codec);
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode })));
    });
  }

  sendRaw(data: Buffer | string, binary = this.codec === 'msgpack'): void {
    this.ws.send(data, { binary });
  }

  send(frame: Record<string, unknown>): void {
    if (this.codec === 'msgpack') this.ws.send(packr.pack(frame), { binary: true });
    else this.ws.send(JSON.stringify(frame));
  }

  /** The first frame (already received or still to come) that matches. */
  waitFor(pred: (f: Frame) => boolean, timeoutMs = 5000): Promise<Frame> {
    const seen = this.frames.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for a frame; got: ${JSON.stringify(this.frames.slice(-5))}`)), timeoutMs);
      this.waiters.push({ pred, resolve: (f) => (clearTimeout(timer), resolve(f)), reject: (e) => (clearTimeout(timer), reject(e)) });
    });
  }

  /** Waits for a frame that arrives from now on (ignores those already received). */
  next(pred: (f: Frame) => boolean, timeoutMs = 5000): Promise<Frame> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for the next frame')), timeoutMs);
      this.waiters.push({ pred, resolve: (f) => (clearTimeout(timer), resolve(f)), reject: (e) => (clearTimeout(timer), reject(e)) });
    });
  }

  async hello(token: string, cursor?: string): Promise<Frame> {
    this.send(cursor === undefined ? { type: 'hello', token } : { type: 'hello', token, cursor });
    // Generous: the multi-process suites start hubs and Redis servers on a loaded machine.
    return this.waitFor((f) => f.type === 'welcome', 15_000);
  }

  /**
   * The frames matching `pred` received so far, once a ping is answered: a connection's frames
   * come in order, so every frame published to it before the pong has arrived. For checking
   * that something did not come.
   */
  async receivedSoFar(pred: (f: Frame) => boolean): Promise<Frame[]> {
    await this.ping();
    return this.frames.filter(pred);
  }

  /** ping → pong: proves the connection is open and answering. */
  async ping(): Promise<Frame> {
    const id = `p${this.nextId++}`;
    this.send({ type: 'ping', id });
    return this.waitFor((f) => f.type === 'pong' && f.id === id);
  }

  /** Sends a request and resolves with its answer (ok or error). */
  async request(type: string, fields: Record<string, unknown> = {}): Promise<Frame> {
    const id = `r${this.nextId++}`;
    this.send({ type, id, ...fields });
    return this.waitFor((f) => (f.type === 'ok' || f.type === 'error') && f.id === id, 10_000);
  }

  /** Like request, but throws unless the answer is ok; returns its result. */
  async ok<T = Record<string, unknown>>(type: string, fields: Record<string, unknown> = {}): Promise<T> {
    const answer = await this.request(type, fields);
    if (answer.type !== 'ok') throw new Error(`${type} failed: ${JSON.stringify(answer)}`);
    return answer.result as T;
  }

  events(name?: string): Frame[] {
    return this.frames.filter((f) => f.type === 'event' && (name === undefined || f.event === name));
  }

  lastCursor(): string | undefined {
    const withCursor = this.frames.filter((f) => typeof f.cursor === 'string');
    return withCursor[withCursor.length - 1]?.cursor as string | undefined;
  }

  close(): void {
    this.ws.close();
  }

  terminate(): void {
    this.ws.terminate();
  }
}
