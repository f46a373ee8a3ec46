// The browser client against a scripted socket: queueing, resume with the cursor, dedupe by
// cursor, retries with the same clientKey, close codes, token refresh and keepalive.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HubClient, CLIENT_TIMING, type ClientOptions } from './client.ts';
import { decode, encode } from './codec.ts';

type Frame = Record<string, unknown>;

class FakeSocket {
  static all: FakeSocket[] = [];
  readyState = 0;
  binaryType = '';
  sent: Frame[] = [];
  /** Answer pings like a live hub. */
  autoPong = true;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: Uint8Array }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;

  constructor(
    readonly url: string,
    readonly protocol: string,
  ) {
    FakeSocket.all.push(this);
  }

  static get last(): FakeSocket {
    return FakeSocket.all[FakeSocket.all.length - 1]!;
  }

  send(bytes: Uint8Array): void {
    const frame = decode(bytes) as Frame;
    this.sent.push(frame);
    if (frame.type === 'ping' && this.autoPong) queueMicrotask(() => this.push({ type: 'pong', id: frame.id }));
  }

  close(): void {
    this.readyState = 3;
  }

  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  push(frame: Frame): void {
    this.onmessage?.({ data: encode(frame) });
  }

  serverClose(code: number, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }

  requests(type: string): Frame[] {
    return this.sent.filter((f) => f.type === type);
  }
}

function jwt(expSeconds: number): string {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'HS256' })}.${b64({ sub: 'p-1', exp: expSeconds })}.sig`;
}

const user = { id: 'p-1', name: 'Ett', roles: [] };
let tokens: number;

function newClient(getToken?: ClientOptions['getToken']): HubClient {
  return new HubClient({
    url: 'ws://hub/ws',
    getToken: getToken ?? (() => (tokens++, jwt(Math.floor(Date.now() / 1000) + 3600))),
    WebSocket: FakeSocket as unknown as ClientOptions['WebSocket'],
    random: () => 0,
  });
}

/** Starts a client and gets it welcomed on a fresh socket. */
async function online(client: HubClient, welcome: Frame = { cursor: '1', resumed: false }): Promise<FakeSocket> {
  if (client.status === 'idle') client.start();
  await vi.advanceTimersByTimeAsync(0);
  const ws = FakeSocket.last;
  ws.open();
  ws.push({ type: 'welcome', user, ...welcome });
  return ws;
}

beforeEach(() => {
  vi.useFakeTimers();
  FakeSocket.all = [];
  tokens = 0;
});
afterEach(() => {
  vi.useRealTimers();
});

describe('HubClient', () => {
  it('says hello with the msgpack subprotocol, and queues requests until welcome', async () => {
    const client = newClient();
    const reloads: unknown[] = [];
    client.on('reload', (r) => reloads.push(r));
    const answer = client.request('inbox.get', { limit: 5 });
    await vi.advanceTimersByTimeAsync(0);
    const ws = FakeSocket.last;
    expect(ws.protocol).toBe('schoolhub.v1.msgpack');
    ws.open();
    expect(ws.sent).toEqual([{ type: 'hello', token: expect.any(String) }]);
    expect(ws.requests('inbox.get')).toEqual([]);
    ws.push({ type: 'welcome', user, cursor: '7', resumed: false });
    expect(client.status).toBe('online');
    expect(reloads).toHaveLength(1);
    const [req] = ws.requests('inbox.get');
    expect(req).toMatchObject({ limit: 5, id: expect.any(String) });
    ws.push({ type: 'ok', id: req!.id, result: { conversations: [], unreadTotal: 0, next: null } });
    await expect(answer).resolves.toEqual({ conversations: [], unreadTotal: 0, next: null });
  });

  it('drops an event whose cursor is not after the last one (compared as numbers of any length)', async () => {
    const client = newClient();
    const seen: string[] = [];
    client.on('message.created', ({ message }) => seen.push(message.body));
    const ws = await online(client, { cursor: '8', resumed: false });
    const ev = (cursor: string, body: string) => ws.push({ type: 'event', event: 'message.created', cursor, data: { message: { body } } });
    ev('9', 'a');
    ev('9', 'a again');
    ev('8', 'old');
    ev('10', 'b');
    ev('9', 'older than 10');
    expect(seen).toEqual(['a', 'b']);
  });

  it('reconnects with the cursor, resends what was unanswered with the same clientKey, and does not reload on resume', async () => {
    const client = newClient();
    const reloads: unknown[] = [];
    client.on('reload', (r) => reloads.push(r));
    const ws = await online(client, { cursor: '3', resumed: false });
    ws.push({ type: 'event', event: 'feed.read', cursor: '4', data: {} });
    const sent = client.request('message.send', { conversationId: 'c', body: 'hej', clientKey: 'k-1' });
    expect(ws.requests('message.send')).toHaveLength(1);
    ws.serverClose(1001, 'node shutting down');
    expect(client.status).toBe('reconnecting');
    const again = await online(client, { cursor: '4', resumed: true });
    expect(again.sent[0]).toEqual({ type: 'hello', token: expect.any(String), cursor: '4' });
    const [resent] = again.requests('message.send');
    expect(resent).toMatchObject({ conversationId: 'c', body: 'hej', clientKey: 'k-1' });
    again.push({ type: 'ok', id: resent!.id, result: { message: { seq: 1 } } });
    await expect(sent).resolves.toEqual({ message: { seq: 1 } });
    expect(reloads).toHaveLength(1);
    expect(client.resumed).toBe(true);
  });

  it('reloads the views when the hub cannot replay (sync.reset) and continues from the new cursor', async () => {
    const client = newClient();
    const reloads: unknown[] = [];
    client.on('reload', (r) => reloads.push(r));
    const ws = await online(client, { cursor: '3', resumed: false });
    ws.serverClose(4009);
    const again = await online(client, { cursor: '900', resumed: false });
    again.push({ type: 'event', event: 'sync.reset', cursor: '900', data: { reason: 'too old' } });
    expect(reloads).toHaveLength(2);
    again.serverClose(1001);
    const third = await online(client, { cursor: '900', resumed: true });
    expect(third.sent[0]).toMatchObject({ cursor: '900' });
  });

  it('reloads the views when a resumed replay ends in sync.reset, and goes on from its cursor even if lower', async () => {
    const client = newClient();
    const reloads: unknown[] = [];
    const seen: string[] = [];
    client.on('reload', (r) => reloads.push(r));
    client.on('message.created', ({ message }) => seen.push(message.body));
    const ws = await online(client, { cursor: '900', resumed: false });
    ws.serverClose(1001);
    const again = await online(client, { cursor: '900', resumed: true });
    expect(reloads).toHaveLength(1);
    again.push({ type: 'event', event: 'sync.reset', cursor: '40', data: { reason: 'restored' } });
    expect(reloads).toHaveLength(2);
    again.push({ type: 'event', event: 'message.created', cursor: '41', data: { message: { body: 'after the restore' } } });
    expect(seen).toEqual(['after the restore']);
  });

  it('retries `unavailable` with the same request, and rejects other errors with the code and path', async () => {
    const client = newClient();
    const ws = await online(client);
    const post = client.request('post.create', {
      schoolId: 's', title: 't', body: 'b', audience: { targets: [{ kind: 'school' }], recipients: { students: true, guardians: false, staff: false } }, clientKey: 'p-1',
    });
    const first = ws.requests('post.create')[0]!;
    ws.push({ type: 'error', id: first.id, code: 'unavailable', message: 'storage down' });
    await vi.advanceTimersByTimeAsync(1_000);
    const second = ws.requests('post.create')[1]!;
    expect(second.clientKey).toBe('p-1');
    expect(second.id).not.toBe(first.id);
    ws.push({ type: 'error', id: second.id, code: 'forbidden', message: 'not your group', path: ['audience', 'targets', 0] });
    await expect(post).rejects.toMatchObject({ code: 'forbidden', message: 'not your group', path: ['audience', 'targets', 0] });
  });

  it('sends ephemeral signals (typing) only while online: never queued, resent or retried', async () => {
    const client = newClient();
    const typing = { conversationId: 'c', typing: true };
    // Before the first welcome: refused at once, nothing is queued.
    await expect(client.request('typing', typing, { ephemeral: true })).rejects.toMatchObject({ code: 'closed' });
    const ws = await online(client);
    expect(ws.requests('typing')).toEqual([]);
    const answered = client.request('typing', typing, { ephemeral: true });
    const [sent] = ws.requests('typing');
    ws.push({ type: 'ok', id: sent!.id, result: { relayed: true } });
    await expect(answered).resolves.toEqual({ relayed: true });
    // rate_limited is not retried.
    const limited = client.request('typing', typing, { ephemeral: true });
    ws.push({ type: 'error', id: ws.requests('typing')[1]!.id, code: 'rate_limited', message: 'slow down' });
    await expect(limited).rejects.toMatchObject({ code: 'rate_limited' });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(ws.requests('typing')).toHaveLength(2);
    // In flight when the connection drops: rejected, not sent again after the next welcome.
    const lost = client.request('typing', typing, { ephemeral: true });
    ws.serverClose(1006);
    await expect(lost).rejects.toMatchObject({ code: 'closed' });
    await expect(client.request('typing', typing, { ephemeral: true })).rejects.toMatchObject({ code: 'closed' });
    await vi.advanceTimersByTimeAsync(1_000);
    const again = await online(client, { cursor: '1', resumed: true });
    expect(again.requests('typing')).toEqual([]);
  });

  it('fetches a fresh token after 4003, and gives up for good after 4002', async () => {
    const client = newClient();
    const ws = await online(client);
    expect(tokens).toBe(1);
    ws.serverClose(4003, 'token expired');
    await online(client);
    expect(tokens).toBe(2);
    const pending = client.request('inbox.get', {});
    FakeSocket.last.serverClose(4002, 'bad hello');
    expect(client.status).toBe('failed');
    await expect(pending).rejects.toMatchObject({ code: 'closed' });
    await expect(client.request('inbox.get', {})).rejects.toMatchObject({ code: 'closed' });
  });

  it('refreshes the token with `auth` before it expires', async () => {
    let n = 0;
    const client = newClient(() => jwt(Math.floor(Date.now() / 1000) + 120 + n++));
    const ws = await online(client);
    await vi.advanceTimersByTimeAsync(80_000);
    expect(ws.requests('auth')).toEqual([]);
    await vi.advanceTimersByTimeAsync(15_000);
    const [auth] = ws.requests('auth');
    expect(auth).toMatchObject({ token: expect.any(String) });
    expect(auth!.token).not.toBe((ws.sent[0] as { token: string }).token);
    ws.push({ type: 'ok', id: auth!.id, result: { expiresAt: new Date().toISOString() } });
    expect(client.status).toBe('online');
    expect(FakeSocket.all).toHaveLength(1);
  });

  it('notices a dead connection by its missing pong and reconnects', async () => {
    const client = newClient();
    const ws = await online(client);
    ws.autoPong = false;
    await vi.advanceTimersByTimeAsync(CLIENT_TIMING.pingEveryMs);
    const [ping] = ws.requests('ping');
    expect(ping).toBeDefined();
    await vi.advanceTimersByTimeAsync(CLIENT_TIMING.pongWithinMs);
    expect(client.status).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(10);
    expect(FakeSocket.all).toHaveLength(2);
  });

  it('keeps trying with backoff while the hub is down, without losing the queue', async () => {
    const client = new HubClient({
      url: 'ws://hub/ws', getToken: () => jwt(Math.floor(Date.now() / 1000) + 3600),
      WebSocket: FakeSocket as unknown as ClientOptions['WebSocket'], random: () => 1,
    });
    const ws = await online(client);
    ws.serverClose(1006);
    const queued = client.request('feed.get', {});
    // Waits grow: 0.5 s, 1 s, 2 s … (full jitter with random() = 1 gives the cap).
    for (const wait of [500, 1000, 2000]) {
      const before = FakeSocket.all.length;
      await vi.advanceTimersByTimeAsync(wait - 1);
      expect(FakeSocket.all.length).toBe(before);
      await vi.advanceTimersByTimeAsync(1);
      expect(FakeSocket.all.length).toBe(before + 1);
      FakeSocket.last.serverClose(1006);
    }
    await vi.advanceTimersByTimeAsync(4000);
    const back = FakeSocket.last;
    back.open();
    back.push({ type: 'welcome', user, cursor: '1', resumed: true });
    const [req] = back.requests('feed.get');
    back.push({ type: 'ok', id: req!.id, result: { items: [], next: null } });
    await expect(queued).resolves.toEqual({ items: [], next: null });
  });
});
