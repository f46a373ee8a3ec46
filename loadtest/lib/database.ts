// The bench's database: a fresh one on the machine's PostgreSQL when it answers (DATABASE_URL
// or 127.0.0.1:5432), else on an embedded server, dropped at the end. Also the baseline the
// chat is compared with: raw single-row INSERTs into the same PostgreSQL.
import postgres from 'postgres';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { startEmbeddedPostgres } from '../../storage/embedded.ts';
import { postgresReachable } from '../../storage/pool.ts';
import { latency, type Latency } from './latency.ts';

export interface BenchDatabase {
  url: string;
  server: string;
  version: string;
  /**
   * A CHECKPOINT now, so that none starts within the next phase's window (checkpoint_timeout
   * counts from the last one: 5 minutes by default, longer than any phase): once a checkpoint
   * starts, the first change to each page writes the whole page to the WAL, and its write-back
   * of the earlier phases' pages competes for the disk. In one run a timed checkpoint started
   * about when the posts after the chat did (hub p99 200 ms, the bare uWS reference's 62.8). The
   * seconds it took, or undefined when the role may not (CHECKPOINT needs a superuser or
   * pg_checkpoint).
   */
  settle(): Promise<number | undefined>;
  drop(): Promise<void>;
}

export async function benchDatabase(adminUrl?: string): Promise<BenchDatabase> {
  let admin: string | undefined;
  let cleanup = async () => {};
  for (const url of [adminUrl, process.env.DATABASE_URL, 'postgres://postgres@127.0.0.1:5432/postgres']) {
    if (url && (await postgresReachable(url))) {
      admin = url;
      break;
    }
  }
  let server = 'local PostgreSQL';
  if (!admin) {
    const dir = mkdtempSync(path.join(tmpdir(), 'schoolhub-bench-'));
    const embedded = await startEmbeddedPostgres(dir);
    admin = embedded.url;
    server = 'embedded PostgreSQL';
    cleanup = async () => {
      await embedded.stop();
      rmSync(dir, { recursive: true, force: true });
    };
  }
  const name = `schoolhub_bench_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const sql = postgres(admin, { max: 1, onnotice: () => {} });
  await sql.unsafe(`create database ${name}`);
  const [v] = await sql<{ version: string }[]>`select version()`;
  await sql.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  const adminUrlFinal = admin;
  return {
    url: url.toString(),
    server,
    version: (v?.version ?? '').split(' on ')[0] ?? '',
    settle: async () => {
      const s = postgres(adminUrlFinal, { max: 1, onnotice: () => {} });
      const t0 = performance.now();
      try {
        await s.unsafe('checkpoint');
        return (performance.now() - t0) / 1000;
      } catch {
        return undefined;
      } finally {
        await s.end();
      }
    },
    drop: async () => {
      const s = postgres(adminUrlFinal, { max: 1, onnotice: () => {} });
      await s.unsafe(`drop database if exists ${name} with (force)`);
      await s.end();
      await cleanup();
    },
  };
}

export interface RawInsertResult {
  insertsPerSec: number;
  inserts: number;
  seconds: number;
  connections: number;
  /** One INSERT's round trip including its commit (the WAL flush): the floor under any write's latency. */
  latencyMs: { p50: number; p99: number; max: number };
}

/**
 * Single-row INSERTs, each its own transaction (autocommit), from `connections` connections
 * (the hub's pool size), for `seconds`: what the same PostgreSQL commits without any hub.
 */
export async function rawInserts(url: string, opts: { seconds: number; connections: number; bodyBytes: number }): Promise<RawInsertResult> {
  const sql = postgres(url, { max: opts.connections, onnotice: () => {} });
  await sql`create table if not exists bench_raw_inserts (id bigserial primary key, conversation_id text not null, body text not null, created_at timestamptz not null default now())`;
  const body = 'x'.repeat(opts.bodyBytes);
  let inserts = 0;
  const took: number[] = [];
  const t0 = performance.now();
  const end = t0 + opts.seconds * 1000;
  await Promise.all(
    Array.from({ length: opts.connections }, async (_, w) => {
      while (performance.now() < end) {
        const started = performance.now();
        await sql`insert into bench_raw_inserts (conversation_id, body) values (${`c${w}`}, ${body})`;
        took.push(performance.now() - started);
        inserts++;
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  await sql.end();
  return { insertsPerSec: inserts / seconds, inserts, seconds, connections: opts.connections, latencyMs: latency(took) };
}

export interface CommitProbeResult {
  everyMs: number;
  /** INSERT + commit, each timed from when it was sent, whatever the ones before it wait for. */
  latencyMs: Latency;
  pastMs: number;
  /** Share of the probe's commits that took longer than `pastMs`. */
  pastShare: number;
}

/**
 * The probe beside a measured write phase (the posts, the chat's paced phases): 25 commits/s
 * (fewer would give a p99 of few samples), and the share past 50 ms (the posts' target).
 */
export const COMMIT_PROBE = { everyMs: 40, pastMs: 50 } as const;

/**
 * An INSERT + commit every `everyMs` on a pool of its own, sent on time whatever the ones
 * before it are waiting for (open loop): what a write that arrives at any moment waits for
 * the disk. rawInserts is closed loop: each of its connections sends the next insert only
 * once the last committed, so a WAL flush that stalls for 300 ms delays ten of its thousands
 * of inserts and its p99 does not show the stall. Writes that arrive at a rate (posts at 250/s)
 * all wait through it: if more than 1% of this probe's commits take longer than a target, no
 * write path that answers after its commit can meet that target at p99 on this disk.
 */
export async function commitProbe(url: string, opts: { everyMs: number; pastMs: number }): Promise<{ stop(): Promise<CommitProbeResult> }> {
  const sql = postgres(url, { max: 8, onnotice: () => {} });
  await sql`create table if not exists bench_commit_probe (id bigserial primary key, at timestamptz not null default now())`;
  const took: number[] = [];
  const pending = new Set<Promise<void>>();
  let failed = 0;
  let stopped = false;
  const t0 = performance.now();
  let sent = 0;
  const tick = () => {
    if (stopped) return;
    for (const due = Math.floor((performance.now() - t0) / opts.everyMs); sent < due; sent++) {
      const started = performance.now();
      const q: Promise<void> = sql`insert into bench_commit_probe default values`.then(
        () => void took.push(performance.now() - started),
        () => void failed++,
      ).finally(() => pending.delete(q));
      pending.add(q);
    }
    setTimeout(tick, opts.everyMs / 2);
  };
  tick();
  return {
    async stop() {
      stopped = true;
      await Promise.all([...pending]);
      await sql.end();
      if (failed > 0) throw new Error(`commit probe: ${failed} of ${sent} inserts failed`);
      const past = took.filter((ms) => ms > opts.pastMs).length;
      return { everyMs: opts.everyMs, latencyMs: latency(took), pastMs: opts.pastMs, pastShare: took.length ? past / took.length : NaN };
    },
  };
}

export interface MarkCostResult {
  marks: number;
  /** One read mark as before read statistics: the INSERT into feed_reads and its commit (ms, p50/p99). */
  plainMs: { p50: number; p99: number };
  /** The same with what it counts inserted in its transaction (storage/read-stats.ts countReads). */
  countedMs: { p50: number; p99: number };
}

/**
 * The cost of one read mark in PostgreSQL, with and without what it counts for the read
 * statistics: `marks` of each, interleaved (the WAL flush rate drifts), each its own transaction
 * on one connection, marks of `personIds` on `itemId` (its counters must exist). The hub's own
 * round trip adds to both alike.
 */
export async function markCost(url: string, itemId: string, personIds: readonly string[], marks: number): Promise<MarkCostResult> {
  const { countReads } = await import('../../storage/read-stats.ts');
  const sql = postgres(url, { max: 1, onnotice: () => {}, transform: postgres.camel });
  const [{ at }] = (await sql<{ at: string }[]>`select directory_import::text as at from feed_read_counts where item_id = ${itemId} limit 1`) as unknown as [{ at: string }];
  const plain: number[] = [];
  const counted: number[] = [];
  for (let i = 0; i < marks; i++) {
    const person = `${personIds[i % personIds.length]}-cost-${i}`;
    let t = performance.now();
    await sql.begin((tx) => tx`insert into feed_reads (person_id, item_id) values (${person}, ${`${itemId}-plain`}) on conflict do nothing`);
    plain.push(performance.now() - t);
    t = performance.now();
    await sql.begin(async (tx) => {
      await tx`insert into feed_reads (person_id, item_id) values (${person}, ${itemId}) on conflict do nothing`;
      await countReads(tx, Number(at), [{ itemId, parts: ['guardians'] }]);
    });
    counted.push(performance.now() - t);
  }
  // Leave the statistics as the hub counted them: these marks were no reader's.
  await sql`delete from feed_reads where person_id like '%-cost-%'`;
  await sql`update feed_read_counts set directory_import = -1 where item_id = ${itemId}`;
  await sql.end();
  const at2 = (xs: number[], p: number) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))] ?? NaN;
  };
  return { marks, plainMs: { p50: at2(plain, 0.5), p99: at2(plain, 0.99) }, countedMs: { p50: at2(counted, 0.5), p99: at2(counted, 0.99) } };
}
