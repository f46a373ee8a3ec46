// Notification test support: a real HTTP receiver that stands in for a push service and a mail
// server, and minimal real channels that POST each notice to it (hub/notify/channel.ts). The
// Web Push and e-mail channels proper (VAPID, aes128gcm, SMTP) are their own pieces; these
// exercise everything the outbox decides, over real sockets, without pretending to be them.
import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MailChannel, MailTarget, Notice, PushChannel, PushTarget, SendOutcome } from '../notify/channel.ts';
import type { NotifyChannels, NotifyTargets } from '../notify/targets.ts';

export interface Delivery {
  channel: 'push' | 'mail';
  /** The device (push) or the address (mail). */
  to: string;
  personId: string;
  notices: Notice[];
  digest: 'immediate' | 'hourly' | 'daily' | null;
  /** Which node sent it (the channel's `node`). */
  node: string;
  at: number;
}

interface Posted {
  personId: string;
  notices: Notice[];
  digest?: 'immediate' | 'hourly' | 'daily';
}

/** An HTTP server that records every notice POSTed to /push/<device> or /mail/<address>. */
export class NotifyReceiver {
  readonly deliveries: Delivery[] = [];
  /** What to answer a device or address (default 201); a status of 0 never answers. */
  answer: (to: string, channel: 'push' | 'mail') => { status: number; retryAfter?: number } = () => ({ status: 201 });
  /** Wait this long before answering each POST (a push service's latency). */
  delayMs = 0;
  private server: Server | undefined;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.receive(req, res));
    this.server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const [, kind, to] = /^\/(push|mail)\/([^/?]+)/.exec(req.url ?? '') ?? [];
    if (req.method !== 'POST' || !kind || !to) {
      res.writeHead(404).end();
      return;
    }
    const channel = kind as 'push' | 'mail';
    const target = decodeURIComponent(to);
    const { status, retryAfter } = this.answer(target, channel);
    if (status === 0) return;
    if (status >= 200 && status < 300) {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Posted;
      this.deliveries.push({
        channel, to: target, personId: body.personId, notices: body.notices, digest: body.digest ?? null,
        node: String(req.headers['x-node'] ?? ''), at: Date.now(),
      });
    }
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    res.writeHead(status, retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) }).end();
  }

  /** Deliveries to one person (on any device or address). */
  to(personId: string, channel?: 'push' | 'mail'): Delivery[] {
    return this.deliveries.filter((d) => d.personId === personId && (channel === undefined || d.channel === channel));
  }

  /** Resolves once `done()` holds, checking every 20 ms; rejects after `ms`. */
  async until(done: () => boolean, ms = 10_000, what = 'the deliveries'): Promise<void> {
    const end = Date.now() + ms;
    while (!done()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; received ${this.deliveries.length}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** How an HTTP answer maps to a SendOutcome, as a push service's would: 2xx sent, 404/410 gone, 429/5xx retry (Retry-After), else failed. */
// Kept-alive connections, as a push library keeps them to a push service.
const agent = new Agent({ keepAlive: true, maxSockets: 256 });

async function post(url: string, node: string, body: Posted): Promise<SendOutcome> {
  const payload = JSON.stringify(body);
  let status: number;
  let retryAfter: string | undefined;
  try {
    [status, retryAfter] = await new Promise<[number, string | undefined]>((resolve, reject) => {
      const req = request(url, {
        method: 'POST', agent, timeout: 10_000,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), 'x-node': node },
      }, (res) => {
        res.resume();
        res.on('end', () => resolve([res.statusCode ?? 0, res.headers['retry-after'] as string | undefined]));
      });
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', reject);
      req.end(payload);
    });
  } catch (e) {
    return { status: 'retry', reason: `unreachable: ${(e as Error).message}` };
  }
  if (status >= 200 && status < 300) return { status: 'sent' };
  if (status === 404 || status === 410) return { status: 'gone', reason: `push service: ${status}` };
  if (status === 429 || status >= 500) {
    const after = Number(retryAfter);
    return retryAfter !== undefined && Number.isFinite(after) ? { status: 'retry', afterMs: after * 1_000, reason: `${status}` } : { status: 'retry', reason: `${status}` };
  }
  return { status: 'failed', reason: `${status}` };
}

/** A push channel that POSTs the notice to the device's endpoint. */
export function httpPushChannel(node = 'test'): PushChannel {
  return {
    send: (target: PushTarget, notice: Notice) => post(target.endpoint, node, { personId: target.subscriptionId.split('|')[0]!, notices: [notice] }),
  };
}

/** A mail channel that POSTs the notices (one, or a digest) to <receiver>/mail/<address>. */
export function httpMailChannel(receiverUrl: () => string, node = 'test'): MailChannel {
  return {
    send: (target: MailTarget, notices: readonly Notice[], digest) =>
      post(`${receiverUrl()}/mail/${encodeURIComponent(target.address)}`, node, { personId: target.personId, notices: [...notices], digest }),
  };
}

/**
 * Where people are reached, kept here for the tests (the push piece stores subscriptions, the
 * mail piece addresses). A device id is `<person>|<name>`; its endpoint is on the receiver.
 * `everyone` gives every person asked about one device ("phone") and an address, when set.
 */
export class TestTargets implements NotifyTargets {
  readonly devices = new Map<string, PushTarget[]>();
  readonly addresses = new Map<string, MailTarget>();
  readonly removed: string[] = [];
  everyone: { push: boolean; mail: boolean } | undefined;

  constructor(private readonly receiverUrl: () => string) {}

  device(personId: string, name = 'phone'): PushTarget {
    const subscriptionId = `${personId}|${name}`;
    return { subscriptionId, endpoint: `${this.receiverUrl()}/push/${encodeURIComponent(subscriptionId)}`, keys: { p256dh: 'test', auth: 'test' } };
  }

  address(personId: string): MailTarget {
    return { personId, name: personId, address: `${personId}@hem.example`, language: 'sv' };
  }

  async pushTargets(personIds: readonly string[]): Promise<Map<string, PushTarget[]>> {
    const out = new Map<string, PushTarget[]>();
    for (const p of personIds) {
      const list = (this.devices.get(p) ?? (this.everyone?.push ? [this.device(p)] : [])).filter((d) => !this.removed.includes(d.subscriptionId));
      if (list.length > 0) out.set(p, list);
    }
    return out;
  }

  async mailTargets(personIds: readonly string[]): Promise<Map<string, MailTarget>> {
    const out = new Map<string, MailTarget>();
    for (const p of personIds) {
      const a = this.addresses.get(p) ?? (this.everyone?.mail ? this.address(p) : undefined);
      if (a) out.set(p, a);
    }
    return out;
  }

  async removePushTarget(subscriptionId: string): Promise<void> {
    this.removed.push(subscriptionId);
  }
}

/** A receiver, and channels and targets that reach it: what a test hub's `notify` option takes. */
export async function notifyStandIns(node = 'test'): Promise<{ receiver: NotifyReceiver; targets: TestTargets; channels: NotifyChannels }> {
  const receiver = await new NotifyReceiver().start();
  const targets = new TestTargets(() => receiver.url);
  return { receiver, targets, channels: { push: httpPushChannel(node), mail: httpMailChannel(() => receiver.url, node), targets } };
}
