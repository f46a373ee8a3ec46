// A lean hub client for the load generator: one socket (lib/lean-socket.ts) speaking
// MessagePack, hello, requests matched by id, and a swappable frame handler so that fan-out
// readers can count frames without decoding them. Source addresses are spread over 127.0.0.x (localAddress),
// so that tens of thousands of connections do not run out of ephemeral ports on one address.
import { Packr } from 'msgpackr';
import { LeanSocket } from './lean-socket.ts';

// copyBuffers: a frame's bytes are a view into the socket's read buffer, reused by the next read.
const packr = new Packr({ useRecords: false, mapsAsObjects: true, copyBuffers: true });

export type Frame = Record<string, unknown> & { type: string };

/** 127.0.0.2 … 127.0.0.(1+spread): the client side of loopback connections. */
export function sourceAddress(i: number, spread = 64): string {
  return `127.0.0.${2 + (i % spread)}`;
}

export function openSocket(url: string, protocol: string | undefined, localAddress: string): Promise<LeanSocket> {
  return LeanSocket.open(url, protocol, localAddress);
}

export const decode = (data: Buffer): Frame => packr.unpack(data) as Frame;
export const encode = (frame: Record<string, unknown>): Buffer => packr.pack(frame);

export class HubConn {
  /** Replaced by scenarios that only count (`data` is valid during the call only); the default decodes and dispatches. */
  onData: (data: Buffer) => void = (d) => this.dispatch(decode(d));
  onEvent: (frame: Frame) => void = () => {};
  onClose: (code: number) => void = () => {};
  welcome: Frame | undefined;
  private readonly waiting = new Map<string, (f: Frame) => void>();
  private nextId = 1;

  private constructor(
    readonly ws: LeanSocket,
    readonly personId: string,
  ) {
    ws.onMessage = (data) => this.onData(data);
    ws.onClose = (code) => this.onClose(code);
  }

  /** Opens a socket and says hello; resolves with the connection after welcome. */
  static async connect(url: string, personId: string, token: string, opts: { localAddress: string; cursor?: string; beforeWelcome?: (c: HubConn) => void }): Promise<HubConn> {
    const ws = await openSocket(url, 'schoolhub.v1.msgpack', opts.localAddress);
    const c = new HubConn(ws, personId);
    opts.beforeWelcome?.(c);
    const welcome = new Promise<Frame>((resolve, reject) => {
      c.onClose = (code) => reject(new Error(`closed ${code} before welcome (${personId})`));
      c.waiting.set('welcome', resolve);
    });
    ws.send(encode(opts.cursor === undefined ? { type: 'hello', token } : { type: 'hello', token, cursor: opts.cursor }));
    c.welcome = await welcome;
    c.onClose = () => {};
    return c;
  }

  dispatch(f: Frame): void {
    if (f.type === 'event') return this.onEvent(f);
    const key = f.type === 'welcome' ? 'welcome' : typeof f.id === 'string' ? f.id : undefined;
    const w = key === undefined ? undefined : this.waiting.get(key);
    if (w && key !== undefined) {
      this.waiting.delete(key);
      w(f);
    }
  }

  /** Sends a request; resolves with its answer (ok or error), whichever comes. */
  request(type: string, fields: Record<string, unknown> = {}): Promise<Frame> {
    const id = `r${this.nextId++}`;
    const answer = new Promise<Frame>((resolve) => this.waiting.set(id, resolve));
    this.ws.send(encode({ type, id, ...fields }));
    return answer;
  }

  async ok<T>(type: string, fields: Record<string, unknown> = {}): Promise<T> {
    const a = await this.request(type, fields);
    if (a.type !== 'ok') throw new Error(`${type} by ${this.personId} failed: ${JSON.stringify(a)}`);
    return a.result as T;
  }

  close(): void {
    this.ws.terminate();
  }
}

/** Runs `fn` over `items` with at most `concurrency` at a time. */
export async function inPool<T>(items: readonly T[], concurrency: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/** Imports a directory bundle through the hub's API (as a school's system would); the seconds it took. */
export async function importBundle(port: number, adminToken: string, bundle: unknown): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(`http://127.0.0.1:${port}/api/v1/directory/import`, {
    method: 'POST', headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify(bundle),
  });
  if (!res.ok) throw new Error(`import failed: ${res.status} ${await res.text()}`);
  return (performance.now() - t0) / 1000;
}
