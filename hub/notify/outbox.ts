// The notification outbox's work on one node (docs/NOTIFICATIONS.md). Three loops, each taking
// its piece of shared work from PostgreSQL with FOR UPDATE SKIP LOCKED, so that any number of
// nodes share it and none does a piece twice:
//   derive  follows the event log by the cursor (one node at a time) and makes a job of every
//           event someone is told of; it reads only below the latest committed point that
//           storage/events.ts reports, never from the request path;
//   expand  turns a job's audience into outbox rows, 1,000 people per transaction, after the
//           thing's own commit (a district mailing never writes a row per recipient in it);
//   send    claims due rows by a lease, checks them again against the directory, preferences,
//           quiet hours and read marks as they are now, and hands them to the channels.
import { randomUUID } from 'node:crypto';
import type { Sql, Tx } from '../../storage/pool.ts';
import type { Directory } from '../directory/model.ts';
import type { Metrics } from '../metrics.ts';
import { finalEventsAfter } from '../../storage/events.ts';
import { preferencesOf, type Preferences } from '../../storage/notification-preferences.ts';
import {
  claimDue, finishRows, lapseSending, markSending, outboxStats, readAlready, releaseRows, waitAgain, withCursor, withOpenJob,
  type ClaimedRow, type NewJob, type NewOutboxRow, type OutboxStats,
} from '../../storage/notification-outbox.ts';
import type { MailTarget, Notice, PushTarget, SendOutcome } from './channel.ts';
import type { NotifyChannels } from './targets.ts';
import { noticeSourceOf, type NoticeSource } from './source.ts';
import { RecipientCache } from './who.ts';
import { backoffMs, emailDue, pushDue, quietUntil } from './when.ts';
import { lockScreenFor, noticeWords } from './words.ts';

export interface OutboxOptions {
  sql: Sql;
  directory: () => Directory;
  channels: NotifyChannels;
  metrics: Metrics;
  log: (message: string, error?: unknown) => void;
  /** HUB_NOTIFY_GRACE_MS: a live read within this long after the thing makes its notice unnecessary. */
  graceMs: number;
  /** HUB_NOTIFY_MAX_TRIES: tries of one send before it is given up (and kept as given up). */
  maxTries: number;
  /** How often an idle loop looks for work (ms). */
  pollMs?: number;
  /** How long a claim holds rows (LEASE_MS unless a test needs a node's death noticed sooner). */
  leaseMs?: number;
}

/** People per expansion transaction. */
export const EXPAND_BATCH = 1_000;
/** Events the deriver reads at a time. */
const DERIVE_BATCH = 1_000;
/**
 * Events older than this when the deriver reaches them tell nobody: after the outbox was off
 * (no channel configured, every node HUB_NOTIFY=0) a day's backlog would be noise, not news.
 */
export const STALE_MS = 24 * 3_600_000;
/** Rows one claim takes. */
export const SEND_CLAIM = 500;
/**
 * Sends are marked `sending` in chunks of SEND_CHUNK, right before they go, and SEND_CHUNKS
 * chunks are in flight at once: SEND_CONCURRENCY sends, and at most that many of unknown
 * outcome when the node dies. A chunk's sent rows are recorded in one statement.
 */
export const SEND_CHUNK = 16;
export const SEND_CHUNKS = 4;
export const SEND_CONCURRENCY = SEND_CHUNK * SEND_CHUNKS;
/** How long a claim holds rows: far longer than a send takes (channels time out well within it). */
export const LEASE_MS = 60_000;
type Loop = 'derive' | 'expand' | 'send' | 'lapse' | 'stats';

export class NotificationOutbox {
  readonly nodeId = randomUUID();
  private readonly recipients = new RecipientCache();
  private readonly timers = new Map<Loop, NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private stopped = false;
  private stats: OutboxStats = { backlog: { push: 0, email: 0 }, oldestDueSeconds: 0 };
  private readonly pollMs: number;
  private readonly leaseMs: number;

  constructor(private readonly o: OutboxOptions) {
    this.pollMs = o.pollMs ?? 500;
    this.leaseMs = o.leaseMs ?? LEASE_MS;
    const m = o.metrics;
    for (const channel of ['push', 'email'] as const) {
      m.notificationsWaiting.set(() => this.stats.backlog[channel], { channel });
    }
    m.notificationOldestSeconds.set(() => this.stats.oldestDueSeconds);
  }

  start(): void {
    this.loop('derive', () => this.deriveOnce(), this.pollMs);
    this.loop('expand', () => this.expandOnce(), this.pollMs);
    this.loop('send', () => this.sendOnce(), this.pollMs);
    this.loop('lapse', async () => {
      for (const { channel, n } of await lapseSending(this.o.sql)) this.o.metrics.notificationsGivenUp.inc({ channel, reason: 'outcome_unknown' }, n);
      return false;
    }, this.leaseMs / 4);
    this.loop('stats', async () => {
      this.stats = await outboxStats(this.o.sql);
      return false;
    }, 2_000);
  }

  /** Stops taking work and waits for what is in hand (sends in flight finish and are recorded). */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    await Promise.allSettled([...this.running]);
  }

  /** Runs `step` until it finds nothing to do, then again after `idleMs`; a failure is logged and retried after `idleMs`. */
  private loop(name: Loop, step: () => Promise<boolean>, idleMs: number): void {
    const run = async () => {
      if (this.stopped) return;
      let busy = false;
      const work = (async () => {
        try {
          busy = await step();
        } catch (e) {
          this.o.log(`notifications: ${name} failed (tried again)`, e);
        }
      })();
      this.running.add(work);
      await work;
      this.running.delete(work);
      if (this.stopped) return;
      const t = setTimeout(() => void run(), busy ? 0 : idleMs);
      t.unref();
      this.timers.set(name, t);
    };
    const t = setTimeout(() => void run(), 0);
    t.unref();
    this.timers.set(name, t);
  }

  /** One step of the deriver: true when it moved the cursor (there may be more). */
  async deriveOnce(): Promise<boolean> {
    let moved = false;
    await withCursor(this.o.sql, async (tx, after) => {
      // Only what is final: no event can appear at or below `upto` later.
      const { events, reached: upto } = await finalEventsAfter(tx, after, DERIVE_BATCH);
      const jobs: NewJob[] = [];
      const oldest = Date.now() - STALE_MS;
      for (const e of events) {
        const source = noticeSourceOf(e);
        if (source && !(Date.parse(source.at) < oldest)) jobs.push({ eventId: e.id, source, keys: e.keys, schoolId: source.schoolId });
      }
      moved = upto > after;
      return { upto, jobs };
    });
    return moved;
  }

  /** One batch of one job's audience: true when there was a job (there may be more). */
  async expandOnce(now = new Date()): Promise<boolean> {
    const { push, mail, targets } = this.o.channels;
    return withOpenJob(this.o.sql, async (tx, job) => {
      const src = job.source as NoticeSource;
      const { list } = this.recipients.of(this.o.directory(), job.eventId, src, job.keys);
      const from = firstAfter(list, job.nextPerson);
      const batch = list.slice(from, from + EXPAND_BATCH);
      const done = from + batch.length >= list.length;
      if (batch.length === 0) return { rows: [], nextPerson: job.nextPerson, done: true };
      const dir = this.o.directory();
      const [prefs, devices, addresses] = await Promise.all([
        preferencesOf(tx, batch),
        push ? targets.pushTargets(batch) : Promise.resolve(new Map<string, PushTarget[]>()),
        mail ? targets.mailTargets(batch) : Promise.resolve(new Map<string, MailTarget>()),
      ]);
      const rows: NewOutboxRow[] = [];
      for (const personId of batch) {
        const p = prefs.get(personId)!;
        const on = p.kinds[src.kind];
        if (on.push) {
          for (const d of devices.get(personId) ?? []) {
            rows.push({ personId, channel: 'push', target: d.subscriptionId, digest: 'immediate', dueAt: pushDue(dir, personId, src, p.quietHours, now, this.o.graceMs) });
          }
        }
        const address = addresses.get(personId);
        if (on.email && p.email !== 'off' && address) {
          const { digest, dueAt } = emailDue(dir, personId, src, p.email, p.quietHours, now, this.o.graceMs);
          rows.push({ personId, channel: 'email', target: address.address.toLowerCase(), digest, dueAt });
        }
      }
      for (const r of rows) this.o.metrics.notificationsQueued.inc({ channel: r.channel });
      return { rows, nextPerson: batch[batch.length - 1]!, done };
    });
  }

  /** Claims due rows and sends them: true when there were any. */
  async sendOnce(now = new Date()): Promise<boolean> {
    if (this.stopped) return false;
    const { sql } = this.o;
    const claimed = await claimDue(sql, this.nodeId, SEND_CLAIM, this.leaseMs);
    if (claimed.length === 0) return false;
    try {
      await this.handle(claimed, now);
    } finally {
      // Anything still only claimed (a failure half-way) waits for the next claim at once.
      await releaseRows(sql, this.nodeId, claimed.map((r) => r.id)).catch(() => {});
    }
    return true;
  }

  private async handle(claimed: ClaimedRow[], now: Date): Promise<void> {
    const { sql, channels } = this.o;
    const dir = this.o.directory();
    const people = [...new Set(claimed.map((r) => r.personId))];
    const prefs = await preferencesOf(sql, people);
    const skip = new Map<string, string[]>();
    const skipRow = (r: ClaimedRow, reason: string) => {
      let ids = skip.get(reason);
      if (!ids) skip.set(reason, (ids = []));
      ids.push(r.id);
    };
    const holds = new Map<number, { until: Date; ids: string[] }>();
    let live: { row: ClaimedRow; src: NoticeSource; p: Preferences }[] = [];
    for (const row of claimed) {
      const src = row.source as NoticeSource;
      const p = prefs.get(row.personId)!;
      const { set } = this.recipients.of(dir, row.eventId, src, row.keys);
      if (!set.has(row.personId)) skipRow(row, 'may not read it now');
      else if (!p.kinds[src.kind][row.channel === 'push' ? 'push' : 'email'] || (row.channel === 'email' && p.email === 'off')) skipRow(row, 'turned off');
      else {
        const quiet = src.urgent ? null : quietUntil(dir, row.personId, p.quietHours, now);
        if (quiet) {
          const h = holds.get(quiet.getTime()) ?? { until: quiet, ids: [] };
          h.ids.push(row.id);
          holds.set(quiet.getTime(), h);
        } else live.push({ row, src, p });
      }
    }
    for (const h of holds.values()) await waitAgain(sql, h.ids, h.until, 'quiet hours');
    // A live read (the grace period, a digest's gathering) makes a notice unnecessary.
    const read = await readAlready(sql, live.map(({ row, src }) => (src.read ? { personId: row.personId, ...src.read } : { personId: row.personId, itemId: '' })));
    live = live.filter((x, i) => {
      if (x.src.read && read.has(i)) skipRow(x.row, 'read');
      return !(x.src.read && read.has(i));
    });
    const [devices, addresses] = await Promise.all([
      live.some((x) => x.row.channel === 'push') ? channels.targets.pushTargets(people) : new Map<string, PushTarget[]>(),
      live.some((x) => x.row.channel === 'email') ? channels.targets.mailTargets(people) : new Map<string, MailTarget>(),
    ]);
    const sends: { rows: ClaimedRow[]; go: () => Promise<SendOutcome> }[] = [];
    const digests = new Map<string, { target: MailTarget; digest: 'hourly' | 'daily'; rows: ClaimedRow[]; notices: Notice[] }>();
    for (const { row, src, p } of live) {
      const notice = this.notice(dir, row, src, p);
      if (row.channel === 'push') {
        const device = channels.push && devices.get(row.personId)?.find((d) => d.subscriptionId === row.target);
        if (!device) skipRow(row, channels.push ? 'device gone' : 'no push channel');
        else sends.push({ rows: [row], go: () => channels.push!.send(device, notice) });
        continue;
      }
      const address = addresses.get(row.personId);
      if (!channels.mail || !address || address.address.toLowerCase() !== row.target) {
        skipRow(row, channels.mail ? 'address changed' : 'no mail channel');
        continue;
      }
      const target = { ...address, language: p.language };
      if (row.digest === 'immediate') sends.push({ rows: [row], go: () => channels.mail!.send(target, [notice], 'immediate') });
      else {
        const k = `${row.personId}\n${row.target}\n${row.digest}`;
        const d = digests.get(k) ?? { target, digest: row.digest, rows: [], notices: [] };
        d.rows.push(row);
        d.notices.push(notice);
        digests.set(k, d);
      }
    }
    for (const d of digests.values()) sends.push({ rows: d.rows, go: () => channels.mail!.send(d.target, d.notices, d.digest) });
    for (const [reason, ids] of skip) await finishRows(sql, ids, 'skipped', reason);
    // From here each row is sent at most once: marked `sending` right before its send, a
    // chunk at a time, so that a node that dies leaves at most one chunk of unknown outcome.
    const chunks: (typeof sends)[] = [];
    for (let i = 0; i < sends.length; i += SEND_CHUNK) chunks.push(sends.slice(i, i + SEND_CHUNK));
    let next = 0;
    const worker = async () => {
      while (next < chunks.length && !this.stopped) {
        const chunk = chunks[next++]!;
        const mine = await markSending(sql, this.nodeId, chunk.flatMap((s) => s.rows.map((r) => r.id)), this.leaseMs);
        const ready = chunk.filter((s) => s.rows.every((r) => mine.has(r.id)));
        const sent = await Promise.all(ready.map((s) => this.deliver(s.rows, s.go)));
        await finishRows(sql, sent.flat(), 'sent', null);
      }
    };
    await Promise.all(Array.from({ length: Math.min(SEND_CHUNKS, chunks.length) }, worker));
  }

  private notice(dir: Directory, row: ClaimedRow, src: NoticeSource, p: Preferences): Notice {
    const words = noticeWords(dir, row.personId, src, p.language, lockScreenFor(dir, row.personId, src.schoolId));
    return { id: row.id, eventId: String(row.eventId), kind: src.kind, urgent: src.urgent, at: src.at, target: src.target, ...words };
  }

  /** One send and its record: retried later, the device forgotten, or given up; sent rows are returned for the chunk to record. */
  private async deliver(rows: ClaimedRow[], go: () => Promise<SendOutcome>): Promise<string[]> {
    const { sql, metrics } = this.o;
    const channel = rows[0]!.channel;
    const ids = rows.map((r) => r.id);
    let outcome: SendOutcome;
    try {
      outcome = await go();
    } catch (e) {
      outcome = { status: 'retry', reason: `channel failed: ${e instanceof Error ? e.message : String(e)}` };
    }
    const tries = Math.max(...rows.map((r) => r.tries)) + 1;
    switch (outcome.status) {
      case 'sent':
        metrics.notificationsSent.inc({ channel }, rows.length);
        return ids;
      case 'gone':
        await this.o.channels.targets.removePushTarget(rows[0]!.target).catch((e) => this.o.log('notifications: could not forget a gone device', e));
        metrics.notificationsGivenUp.inc({ channel, reason: 'gone' }, rows.length);
        await finishRows(sql, ids, 'gone', outcome.reason);
        return [];
      case 'failed':
        metrics.notificationsGivenUp.inc({ channel, reason: 'failed' }, rows.length);
        await finishRows(sql, ids, 'given_up', outcome.reason);
        return [];
      case 'retry':
        metrics.notificationsFailed.inc({ channel }, rows.length);
        if (tries >= this.o.maxTries) {
          metrics.notificationsGivenUp.inc({ channel, reason: 'tries' }, rows.length);
          await finishRows(sql, ids, 'given_up', `gave up after ${tries} tries: ${outcome.reason}`);
          return [];
        }
        await waitAgain(sql, ids, new Date(Date.now() + backoffMs(tries, outcome.afterMs)), outcome.reason);
        return [];
    }
  }
}

/** The index of the first id in the sorted `list` after `after` ('' → 0). */
function firstAfter(list: readonly string[], after: string): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]! <= after) lo = mid + 1;
    else hi = mid;
  }
  return after === '' ? 0 : lo;
}
