// message.send runs the same few statements for every message: the read of the conversation
// with its members, the append, the mark and the event insert. Each must be planned once per
// connection and then run from PostgreSQL's cached (generic) plan. A statement the planner
// never caches is planned again for every message: `c.id = any($1)` with one id cost about
// 70 µs of the database's CPU per message that way (loadtest/RESULTS.md). Read from
// pg_prepared_statements on the pool's only connection, which counts each statement's plans.
import { describe, expect, it } from 'vitest';
import { withFreshPool } from './test-database.ts';
import type { Sql } from './pool.ts';
import { migrate } from './migrate.ts';
import { appendMessage, getConversation, messageDraft } from './chat.ts';
import { commitWithEvents } from './events.ts';

let sql: Sql;
withFreshPool(1, async (pool) => {
  sql = pool;
  await migrate(pool);
  await pool`insert into conversations (id, creator_id, client_key) select 'c' || g, 'p-' || g, 'k' from generate_series(1, 20) g`;
  await pool`insert into conversation_members (conversation_id, person_id) select 'c' || g, 'p-' || g from generate_series(1, 20) g`;
});

interface Plans {
  statement: string;
  genericPlans: number;
  customPlans: number;
}

describe('the statements of a message', () => {
  it('are planned once per connection, then run from the cached plan', async () => {
    const sends = 20;
    for (let n = 1; n <= sends; n++) {
      // As message.send does: the read first, then the append not awaited, with its events.
      const conv = await getConversation(sql, `c${n}`);
      expect(conv?.participantIds).toEqual([`p-${n}`]);
      const m = { id: `m${n}`, senderId: `p-${n}`, body: `nr ${n}`, clientKey: `k${n}`, quietHours: false };
      let stored: Promise<unknown> = Promise.resolve();
      await commitWithEvents(sql, async (tx) => {
        stored = appendMessage(tx, conv!, m);
        return [{ name: 'message.created', keys: [`p:${n}`], data: { message: messageDraft(conv!, m) }, ofRow: { table: 'messages', id: m.id, seqAt: ['message', 'seq'] } }];
      });
      expect(await stored).toMatchObject({ id: m.id, seq: 1 });
    }
    const rows = await sql<Plans[]>`
      select statement, generic_plans::int as generic_plans, custom_plans::int as custom_plans
      from pg_prepared_statements where not from_sql and generic_plans + custom_plans >= ${sends}`;
    const shapes = (part: string) => rows.filter((r) => r.statement.includes(part));
    // Each statement of the path is there, once: the read, the append, the mark, the event insert.
    for (const part of ['participant_ids from conversations c where c.id', 'insert into messages', 'set_config', 'insert into events']) {
      expect(shapes(part), part).toHaveLength(1);
    }
    // PostgreSQL makes five custom plans before it weighs the generic one; after that, none.
    expect(rows.filter((r) => r.customPlans > 5).map((r) => `${r.customPlans} plans of: ${r.statement.slice(0, 80)}`)).toEqual([]);
    expect(rows.length).toBeGreaterThanOrEqual(4);
  });
});
