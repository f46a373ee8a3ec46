// The outbox's storage promises (migration 016): one row per (person, channel, target, event);
// a row is claimed by one node at a time; the cursor and a job by one transaction at a time; a
// row left `sending` by a dead node is given up and kept, never sent again; retention spares
// what is open and what is held.
import { describe, expect, it } from 'vitest';
import { withFreshPool } from './test-database.ts';
import type { Sql } from './pool.ts';
import { migrate } from './migrate.ts';
import {
  claimDue, expireOutbox, finishRows, lapseSending, markSending, OUTCOME_UNKNOWN, withCursor, withOpenJob, type NewOutboxRow,
} from './notification-outbox.ts';

let sql: Sql;
withFreshPool(8, async (pool) => {
  sql = pool;
  await migrate(pool);
});

const row = (personId: string, dueAt = new Date(Date.now() - 1_000)): NewOutboxRow => ({ personId, channel: 'push', target: `${personId}|phone`, digest: 'immediate', dueAt });
let nextEvent = 1_000;

/** A job for a new event, expanded to `rows` in one batch. */
async function expanded(rows: NewOutboxRow[]): Promise<number> {
  const eventId = ++nextEvent;
  await withCursor(sql, async () => ({ upto: 0, jobs: [{ eventId, source: { kind: 'post' }, keys: ['p:x'], schoolId: null }] }));
  while (await withOpenJob(sql, async () => ({ rows, nextPerson: 'z', done: true })));
  return eventId;
}

describe('notification outbox storage', () => {
  it('the unique key keeps one row per person, channel, target and event, whatever is inserted twice', async () => {
    const eventId = ++nextEvent;
    await withCursor(sql, async () => ({ upto: 0, jobs: [{ eventId, source: {}, keys: [], schoolId: null }] }));
    await withOpenJob(sql, async () => ({ rows: [row('u1'), row('u2')], nextPerson: 'u2', done: false }));
    await withOpenJob(sql, async () => ({ rows: [row('u1'), row('u2'), row('u3')], nextPerson: 'z', done: true }));
    const rows = await sql<{ personId: string }[]>`select person_id from notification_outbox where event_id = ${eventId} order by person_id`;
    expect(rows.map((r) => r.personId)).toEqual(['u1', 'u2', 'u3']);
  });

  it('two claimers racing for the same rows get disjoint sets, and together all of them', async () => {
    const people = Array.from({ length: 300 }, (_, i) => `c${String(i).padStart(3, '0')}`);
    const eventId = await expanded(people.map((p) => row(p)));
    const claims = await Promise.all(['a', 'b', 'c', 'd'].map((node) => claimDue(sql, node, 120, 60_000)));
    const ids = claims.flat().filter((r) => r.eventId === eventId).map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(300);
    // Claimed rows are not claimed again while leased; nor are rows not yet due.
    expect((await claimDue(sql, 'e', 500, 60_000)).filter((r) => r.eventId === eventId)).toEqual([]);
    const later = await expanded([row('later', new Date(Date.now() + 60_000))]);
    expect((await claimDue(sql, 'e', 500, 60_000)).filter((r) => r.eventId === later)).toEqual([]);
  });

  it('only the claiming node marks a row sending; a row left sending past its lease is given up and kept, never claimed again', async () => {
    const eventId = await expanded([row('s1'), row('s2')]);
    const claimed = (await claimDue(sql, 'node-a', 10, 100)).filter((r) => r.eventId === eventId);
    expect(await markSending(sql, 'node-b', claimed.map((r) => r.id), 100)).toEqual(new Set());
    const mine = await markSending(sql, 'node-a', claimed.map((r) => r.id), 100);
    expect(mine.size).toBe(2);
    await finishRows(sql, [claimed[0]!.id], 'sent', null);
    await new Promise((r) => setTimeout(r, 150)); // node-a "dies": its lease lapses
    expect((await claimDue(sql, 'node-b', 500, 60_000)).filter((r) => r.eventId === eventId)).toEqual([]);
    expect(await lapseSending(sql)).toEqual([{ channel: 'push', n: 1 }]);
    const rows = await sql<{ personId: string; state: string; reason: string | null }[]>`
      select person_id, state, reason from notification_outbox where event_id = ${eventId} order by person_id`;
    expect(rows).toEqual([{ personId: 's1', state: 'sent', reason: null }, { personId: 's2', state: 'given_up', reason: OUTCOME_UNKNOWN }]);
  });

  it('the cursor is held by one transaction at a time: a second deriver skips it', async () => {
    let release!: () => void;
    const holding = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    const first = withCursor(sql, async (_tx, after) => {
      entered();
      await holding;
      return { upto: after, jobs: [] };
    });
    await inside;
    expect(await withCursor(sql, async (_tx, after) => ({ upto: after, jobs: [] }))).toBe(false);
    release();
    expect(await first).toBe(true);
  });

  it('retention deletes finished rows older than the cutoff, not open ones, not those of a held person', async () => {
    const eventId = await expanded([row('r-old'), row('r-held'), row('r-open')]);
    const ids = await sql<{ id: string; personId: string }[]>`select id, person_id from notification_outbox where event_id = ${eventId}`;
    await finishRows(sql, ids.filter((r) => r.personId !== 'r-open').map((r) => String(r.id)), 'sent', null);
    await sql`update notification_outbox set created_at = now() - interval '400 days' where event_id = ${eventId}`;
    await sql`update notification_jobs set created_at = now() - interval '400 days' where event_id = ${eventId}`;
    const cutoff = new Date(Date.now() - 365 * 86_400_000).toISOString();
    const out = await expireOutbox(sql, cutoff, { persons: ['r-held'], personKeys: ['p:r-held'], conversations: [], items: [] }, 1_000);
    expect(out.rows).toBeGreaterThanOrEqual(1);
    const left = await sql<{ personId: string }[]>`select person_id from notification_outbox where event_id = ${eventId} order by person_id`;
    expect(left.map((r) => r.personId)).toEqual(['r-held', 'r-open']);
  });
});
