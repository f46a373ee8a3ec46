// What a reaction's lock holds up (issue 14: no write waits on another's lock through its
// commit unless it must). Reactions of one target are applied one at a time, so that each
// event carries the counts after every earlier change: a second reaction waits for the first's
// commit, and so does a delete of the target. Nothing else must: an answer to the post (its
// foreign key takes a key-share lock on the post) and a read-statistics recount (a key-share
// lock too) go on while a reaction's transaction is open.
import { describe, expect, it } from 'vitest';
import { withFreshPool } from './test-database.ts';
import type { Sql, Tx } from './pool.ts';
import { migrate } from './migrate.ts';
import { lockTarget, setReaction } from './reactions.ts';
import { saveAnswer } from './post-answers.ts';
import { recountReads } from './read-stats.ts';

let sql: Sql;
withFreshPool(6, async (pool) => {
  sql = pool;
  await migrate(pool);
  await sql`insert into posts (id, school_id, author_id, title, body, audience, keys, client_key, ask)
            values ('post-r', 's', 'a', 't', 'b', '{}', '{}', 'post-r', '{"kind": "ack"}')`;
});

const post = { kind: 'post', id: 'post-r' } as const;

/** Runs `work` in a transaction that gives up on any lock after 500 ms: 'done', or the error's code. */
const within500ms = (work: (tx: Tx) => Promise<unknown>) => sql.begin(async (tx) => {
  await tx`set local lock_timeout = '500ms'`;
  await work(tx);
}).then(() => 'done', (e: { code?: string }) => e.code ?? String(e));

describe("a reaction's lock on its post", () => {
  it('holds up another reaction and a delete of the post; not an answer, nor a recount', async () => {
    const open = await sql.reserve();
    try {
      await open`begin`;
      expect(await lockTarget(open as unknown as Tx, post)).toBe(true);
      expect(await setReaction(open as unknown as Tx, post, 'p-1', 'like', true)).toBe(true);
      // 55P03: lock_not_available (the lock timeout).
      expect(await within500ms(async (tx) => lockTarget(tx, post))).toBe('55P03');
      expect(await within500ms(async (tx) => tx`delete from posts where id = 'post-r'`)).toBe('55P03');
      expect(await within500ms(async (tx) => saveAnswer(tx, { postId: 'post-r', personId: 'p-2', forId: 'p-2', choice: null }))).toBe('done');
      const late = new Promise((r) => setTimeout(() => r('waited'), 500));
      expect(await Promise.race([recountReads(sql, 'post-r', 7, () => ['students']), late])).toEqual({ students: 0, guardians: 0, staff: 0 });
      await open`commit`;
    } finally {
      open.release();
    }
    expect(await within500ms(async (tx) => setReaction(tx, post, 'p-3', 'like', true))).toBe('done');
  });
});
