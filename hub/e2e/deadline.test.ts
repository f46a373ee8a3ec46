// Every request is answered within SESSION_LIMITS.requestDeadlineMs, whatever the database
// does: here a real lock, held from another connection, stalls a read; the client gets
// `unavailable` at the deadline, no second answer later, and the node serves again after.
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestHub } from '../testing/harness.ts';
import { useTestHubAndDatabase } from '../testing/lifecycle.ts';
import { SESSION_LIMITS } from '../session.ts';
import { lockTable } from '../../storage/test-database.ts';

let t: TestHub;
let db: postgres.Sql;
useTestHubAndDatabase((hub, sql) => ((t = hub), (db = sql)));

const saved = SESSION_LIMITS.requestDeadlineMs;
beforeAll(() => {
  // This file's own process (each integration file is isolated): a short deadline keeps it quick.
  SESSION_LIMITS.requestDeadlineMs = 1_500;
});
afterAll(() => {
  SESSION_LIMITS.requestDeadlineMs = saved;
});

describe('the request deadline', () => {
  it('answers a request stuck in the database with unavailable, once, and goes on serving', async () => {
    const mentor = await t.connect('p-mentor-ek');
    await mentor.ok('inbox.get');
    // An open transaction holding the table makes every read of it wait.
    const lock = await lockTable(db, 'conversations');
    const started = Date.now();
    const answer = await mentor.request('inbox.get');
    const waited = Date.now() - started;
    expect(answer).toMatchObject({ type: 'error', code: 'unavailable' });
    expect(String(answer.message)).toContain('retry with the same clientKey');
    expect(waited).toBeGreaterThanOrEqual(1_400);
    await lock.release();
    // The stalled read finishes now; its result is not sent as a second answer.
    await new Promise((r) => setTimeout(r, 500));
    expect(mentor.frames.filter((f) => (f.type === 'ok' || f.type === 'error') && f.id === answer.id)).toHaveLength(1);
    expect(await mentor.ok('inbox.get')).toHaveProperty('conversations');
  });
});
