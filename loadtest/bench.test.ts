// A smoke run of the whole bench harness at a tiny size: real hub, reference server and load
// generator processes, every scenario, the report. It checks that the harness works and
// that what it counts adds up; it asserts nothing about speed (that is the bench's job).
import { existsSync } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';
import { PHASES, SCALES, runBench } from './bench.ts';
import { notifyComplete, render, summarize, verdicts } from './report.ts';
import { syntheticDistrict } from './district.ts';
import { bundleSchema } from '../hub/directory/schema.ts';
import { redisReachable } from '../hub/testing/processes.ts';
import { POOL_MAX } from '../storage/pool.ts';

describe('bench harness (tiny)', () => {
  it('the synthetic district is a valid bundle with the size asked for', () => {
    const { bundle, plan } = syntheticDistrict(SCALES.tiny.district);
    expect(bundleSchema.parse(bundle)).toEqual(bundle);
    expect(bundle.persons).toHaveLength(plan.persons);
    expect(new Set(bundle.persons.map((p) => p.id)).size).toBe(plan.persons);
  });

  it('runs every scenario end to end and reports consistent counts', async () => {
    const lines: string[] = [];
    const scale = SCALES.tiny;
    const r = await runBench({ scale, phases: PHASES, adminUrl: inject('pgAdminUrl'), pin: false, log: (l) => lines.push(l) });
    const s = summarize(r);
    const v = verdicts(r, s);

    expect(r.fanout!.hub.delivered).toBe(r.fanout!.hub.readers * scale.fanout.posts);
    expect(r.fanout!.ref.timed.delivered).toBe(r.fanout!.hub.readers * scale.fanout.posts);
    expect(r.fanout!.hub.errors).toBe(0);
    // The author, the school's leaders, its students and its guardians: four audience topics.
    expect(r.fanout!.hub.brokerPublishesPerEvent).toBe(4);
    expect(r.fanout!.hub.brokerControlPublishesPerEvent).toBeLessThanOrEqual(1);
    expect(r.idle!.hubConnections).toBe(scale.idle.connections);
    expect(r.chat!.steady.missing).toBe(0);
    expect(r.chat!.saturation.acked).toBeGreaterThan(0);
    // The slowest deliveries sit in at least one of the windows the phase spans.
    expect(r.chat!.steady.lateWindows.late).toBeGreaterThanOrEqual(1);
    expect(r.chat!.steady.lateWindows.late).toBeLessThanOrEqual(r.chat!.steady.lateWindows.of);
    // The pool size each chat phase settled at: the hub's sessions, told by their name, were
    // seen open in every phase (the hub writes in each), never more than the pool's limit.
    for (const x of [r.chat!.steady, r.chat!.high, r.chat!.contended, r.chat!.saturation].filter((p) => p !== undefined)) {
      const w = x.dbWaits!;
      expect(w.pool.maxOpen).toBeGreaterThanOrEqual(1);
      expect(w.pool.maxOpen).toBeLessThanOrEqual(POOL_MAX);
      expect(w.pool.open).toBeGreaterThanOrEqual(w.pool.busy);
    }
    // The open-loop commit probe ran beside each paced chat phase, and is in the table.
    for (const x of [r.chat!.steady, r.chat!.high, r.chat!.contended].filter((p) => p !== undefined)) {
      expect(x.commitProbe!.latencyMs.count).toBeGreaterThan(0);
    }
    expect(render(r)).toContain('the disk under the chat at');
    // Each chat phase says how long the hub, the load generator and PostgreSQL waited for a
    // CPU (Linux's schedstat): each ran, and none waited more than the phase lasted.
    if (existsSync('/proc/thread-self/schedstat')) {
      for (const x of [r.chat!.steady, r.chat!.high, r.chat!.contended, r.chat!.saturation].filter((p) => p !== undefined)) {
        for (const who of ['server', 'loadgen', 'postgres'] as const) {
          const w = x.window.cpuWaits[who]!;
          expect(w.runUs, who).toBeGreaterThan(0);
          expect(w.slices, who).toBeGreaterThan(0);
          expect(w.waitUs, who).toBeGreaterThanOrEqual(0);
          if (who !== 'postgres') expect(w.waitUs, who).toBeLessThan(x.window.wallMs * 1000);
        }
      }
      expect(render(r)).toMatch(/chat saturation .*\n +waited for a CPU: hub \d+% of its run time, \d+ µs a wait; load generator \d+% of its run time, \d+ µs a wait; PostgreSQL \d+% of its run time, \d+ µs a wait/);
    } else {
      console.warn('[bench.test] the CPU waits not checked: no /proc/thread-self/schedstat (not Linux)');
    }
    expect(render(r)).toMatch(/the hub's pool at .* msg\/s .* saturation: connections open on average \(at most\), of up to 24, and busy on average .*\| [\d.]+ \(\d+\), [\d.]+( \/ [\d.]+ \(\d+\), [\d.]+)+ /);
    expect(render(r)).toMatch(/database sessions at saturation, average by state: .*; the hub's pool: [\d.]+ connections open on average \(at most \d+\), [\d.]+ busy/);
    expect(r.rawInserts!.before.inserts).toBeGreaterThan(0);
    expect(r.rawInserts!.after.inserts).toBeGreaterThan(0);
    expect(r.storm!.resumed).toBe(scale.storm.clients);
    expect(v.stormComplete).toBe(true);
    expect(v.mailing).toBe(true);
    // Read statistics on their own district: every guardian in the audience, every mark counted.
    expect(r.readstats!.guardians).toBe(syntheticDistrict(scale.readstats.district).plan.schools.length * scale.readstats.district.classesPerSchool * scale.readstats.district.studentsPerClass * 2);
    expect(r.readstats!.finalRead).toBe(scale.readstats.readers);
    expect(r.readstats!.markCost.marks).toBe(scale.readstats.marks);
    // What the database waited on while the marks landed (Lock waits: marks queued on each other).
    expect(r.readstats!.dbWaits!.samples).toBeGreaterThan(0);
    // Posts to groups, on their own district: every post of the window reached every student of its group, once, at both servers.
    const posts = r.posts!;
    const perPost = scale.posts.district.studentsPerClass;
    expect(posts.hub.readers).toBe(scale.posts.groups * perPost);
    expect(posts.hub.sent).toBeGreaterThan(0);
    expect(posts.hub.expected).toBe(posts.hub.sent * perPost);
    expect(posts.hub.delivered).toBe(posts.hub.expected);
    expect(posts.hub.latencyMs.count).toBe(posts.hub.delivered);
    expect(posts.hub.errors).toEqual({});
    expect(posts.hub.otherFrames).toBe(0);
    expect(posts.ref!.sent).toBeGreaterThan(0);
    expect(posts.ref!.delivered).toBe(posts.ref!.sent * perPost);
    expect(v.posts === undefined).toBe(false);
    expect(posts.hub.lateWindows.late).toBeGreaterThanOrEqual(1);
    expect(posts.hub.lateWindows.late).toBeLessThanOrEqual(posts.hub.lateWindows.of);
    // The commit probe ran beside the measured posts (25 a second) and is in the table.
    expect(posts.hub.commitProbe!.latencyMs.count).toBeGreaterThan(0);
    expect(posts.hub.commitProbe!.pastShare).toBeGreaterThanOrEqual(0);
    expect(render(r)).toContain('the disk under the posts: an INSERT + commit every 40 ms');
    // The hub's own clock of each post.create, over the window.
    expect(posts.hub.stages!.post.count).toBeGreaterThan(0);
    expect(render(r)).toContain('post.create from its frame read to its ok sent');
    // Each write phase began with a CHECKPOINT (the test server's role is a superuser).
    expect(Object.keys(r.settled!)).toEqual(['chat', 'posts', 'read statistics']);
    for (const sec of Object.values(r.settled!)) expect(sec).toBeGreaterThanOrEqual(0);
    expect(render(r)).toContain('before each write phase, a CHECKPOINT');
    // Notifications: every guardian's device got the mailing once through the real Web Push
    // channel, a sample verified by the endpoint; with Redis, by one node and by two.
    const notify = r.notify!;
    const guardians = scale.notify.schools * scale.notify.classesPerSchool * scale.notify.studentsPerClass * 2;
    expect(notify.runs.map((x) => x.nodes)).toEqual((await redisReachable(process.env.REDIS_URL || 'redis://127.0.0.1:6379')) ? [1, 2] : [1]);
    for (const run of notify.runs) {
      expect(run.pushes).toBe(guardians);
      expect(run.outbox).toEqual({ sent: guardians });
      expect(run.verified).toBe(guardians / scale.notify.verifyEvery);
      expect(run.failures).toEqual([]);
      expect(notifyComplete(run)).toBe(true);
      expect(run.cpuUsPerPush).toBeGreaterThan(0);
    }
    const { notify_ratio: ratio, ...measured } = s;
    if (notify.runs.length === 2) expect(Number.isFinite(ratio)).toBe(true);
    for (const x of Object.values(measured)) expect(Number.isFinite(x)).toBe(true);

    const out = render(r);
    expect(out.trimEnd().split('\n').at(-1)).toMatch(/^fanout_cpu_ratio=[\d.]+ idle_kb_per_conn=-?[\d.]+ chat_p99_ms=[\d.]+ persist_ratio=[\d.]+ storm_s=[\d.]+ posts_p99_ms=[\d.]+ notify_per_core=\d+ notify_ratio=([\d.]+|n\/a)$/);
    expect(out).toContain('JSON:');
  }, 180_000);
});
