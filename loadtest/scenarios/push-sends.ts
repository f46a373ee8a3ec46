// Web Push sends per second per core: the channel part of "a mailing to 100,000 guardians with
// one push subscription each" (the notify phase of `npm run bench` runs the whole scenario). One
// subscription per guardian, each with its own browser key pair and auth secret, all sent to
// a local push service (loadtest/push-endpoint.ts, a child process on another CPU) through
// the real WebPushChannel: the SSRF guard, the VAPID token kept per origin, the aes128gcm
// encryption per recipient (web-push), and HTTP with kept-open connections.
//
// Reports pushes per second (wall), CPU per push (this process: user + system), hence pushes
// per second per core, and the share of CPU that the per-recipient encryption alone takes
// (measured on its own over a sample), which is what limits it.
import { createECDH, randomBytes } from 'node:crypto';
import webPush from 'web-push';
import { WebPushChannel } from '../../hub/notify/push-channel.ts';
import type { Notice, PushTarget } from '../../hub/notify/channel.ts';
import { spawnChild, pinSelf } from '../lib/procs.ts';

export interface PushSendParams {
  /** Subscriptions, one per guardian. */
  subscriptions: number;
  /** Pushes in flight at once. */
  concurrency: number;
  /** CPUs to pin the sender (this process) and the push endpoint to; undefined: not pinned. */
  senderCpu?: number;
  endpointCpu?: number;
}

export interface PushSendResult {
  subscriptions: number;
  sent: number;
  received: number;
  failed: Record<string, number>;
  wallSeconds: number;
  pushesPerSecond: number;
  cpuMicrosPerPush: number;
  pushesPerCoreSecond: number;
  /** CPU of the encryption + request building alone (web-push's generateRequestDetails), per push. */
  encryptMicrosPerPush: number;
  setupSeconds: number;
  pinned: boolean;
}

function subscriptionsFor(n: number, endpoint: string): PushTarget[] {
  const out: PushTarget[] = [];
  for (let i = 0; i < n; i++) {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    out.push({ subscriptionId: `dev_${i}`, endpoint: `${endpoint}/push/${i.toString(36)}`, keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') } });
  }
  return out;
}

const NOTICE: Notice = {
  id: 'out_bench', eventId: '1', kind: 'mailing', urgent: false, at: new Date(0).toISOString(), target: { kind: 'mailing', id: 'mail_bench' },
  title: 'Nytt utskick från Exempelstads kommun', body: 'Information om höstlovet: skolorna är stängda vecka 44. Fritidshemmen har öppet som vanligt.',
};

export async function measurePushSends(p: PushSendParams): Promise<PushSendResult> {
  const child = spawnChild('push-endpoint.ts', { name: 'push-endpoint', cpu: p.endpointCpu });
  const pinned = p.senderCpu !== undefined && pinSelf(p.senderCpu);
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.proc.once('message', (m: { type: string; port: number }) => (m.type === 'ready' ? resolve(m.port) : reject(new Error(String(m.type)))));
      child.proc.once('exit', (code) => reject(new Error(`push endpoint exited ${code}`)));
    });
    const origin = `http://127.0.0.1:${port}`;
    const setup0 = Date.now();
    const targets = subscriptionsFor(p.subscriptions, origin);
    const setupSeconds = (Date.now() - setup0) / 1000;
    const vapid = { ...webPush.generateVAPIDKeys(), subject: 'mailto:bench@example.invalid' };
    const channel = new WebPushChannel({ vapid, policy: { allowedHosts: ['127.0.0.1'], allowLoopback: true }, link: 'https://portal.example/{kind}/{id}' });

    // The encryption alone, on a sample: what each recipient costs before any I/O.
    const sample = targets.slice(0, Math.min(2_000, targets.length));
    const e0 = process.cpuUsage();
    for (const t of sample) webPush.generateRequestDetails({ endpoint: t.endpoint, keys: t.keys }, JSON.stringify(NOTICE), { vapidDetails: null, contentEncoding: 'aes128gcm' } as unknown as webPush.RequestOptions);
    const e1 = process.cpuUsage(e0);
    const encryptMicrosPerPush = (e1.user + e1.system) / sample.length;

    const failed: Record<string, number> = {};
    let sent = 0;
    let next = 0;
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    await Promise.all(Array.from({ length: p.concurrency }, async () => {
      while (next < targets.length) {
        const target = targets[next++]!;
        const outcome = await channel.send(target, NOTICE);
        if (outcome.status === 'sent') sent++;
        else {
          const why = `${outcome.status}: ${outcome.reason}`;
          failed[why] = (failed[why] ?? 0) + 1;
        }
      }
    }));
    const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    channel.close();
    const received = await new Promise<number>((resolve) => {
      child.proc.once('message', (m: { type: string; received: number }) => resolve(m.received));
      child.proc.send({ type: 'count' });
    });
    const cpuMicrosPerPush = (cpu.user + cpu.system) / Math.max(1, sent);
    return {
      subscriptions: p.subscriptions, sent, received, failed, wallSeconds,
      pushesPerSecond: sent / wallSeconds, cpuMicrosPerPush, pushesPerCoreSecond: 1e6 / cpuMicrosPerPush,
      encryptMicrosPerPush, setupSeconds, pinned,
    };
  } finally {
    child.proc.send({ type: 'stop' });
    child.proc.kill();
  }
}
