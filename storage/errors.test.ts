// storage/errors.ts decides what a PostgreSQL failure means. These are real errors from a real
// server: values it refuses are bad data (`invalid`, a retry cannot help); transient trouble is
// not. Through the protocol: a value that passes the frame schemas but that PostgreSQL refuses
// answers `invalid`, not `unavailable`.
import { describe, expect, it } from 'vitest';
import type { TestHub } from '../hub/testing/harness.ts';
import { useTestHub } from '../hub/testing/lifecycle.ts';
import { withFreshPool } from './test-database.ts';
import { openPool, type Sql } from './pool.ts';
import { isBadData, isConnectionError, storageFailure } from './errors.ts';

let sql: Sql;
withFreshPool(2, async (pool) => {
  sql = pool;
  await sql`create table t2 (id int primary key)`;
  await sql`create table t (s varchar(3), n int not null, d date, r int references t2(id), c int check (c > 0), u int unique, big text)`;
  await sql`create index on t (big)`;
});

const failure = (p: Promise<unknown>) => p.then(() => { throw new Error('PostgreSQL accepted it'); }, (e: unknown) => e);

describe('what a PostgreSQL error means', () => {
  // SQLSTATE, and a statement that makes a real server answer it.
  const refused: [string, () => Promise<unknown>][] = [
    ['22021', () => sql`select ${'a\u0000b'}::text`.execute()], // NUL in text
    ['22P05', () => sql`select ${'{"a":"\\u0000"}'}::text::jsonb`.execute()], // NUL in jsonb
    ['22001', () => sql`insert into t (s, n) values (${'abcd'}, 1)`.execute()],
    ['22003', () => sql`insert into t (n) values (${'3000000000'}::bigint)`.execute()],
    ['22008', () => sql`insert into t (n, d) values (1, ${'2026-13-45'}::text::date)`.execute()],
    ['22007', () => sql`insert into t (n, d) values (1, ${'next tuesday'}::text::date)`.execute()],
    ['22P02', () => sql`select ${'x'}::int`.execute()],
    ['22P02', () => sql`select ${'{"a":'}::text::jsonb`.execute()],
    ['23502', () => sql`insert into t (s) values ('a')`.execute()],
    ['23503', () => sql`insert into t (n, r) values (1, 42)`.execute()],
    ['23514', () => sql`insert into t (n, c) values (1, -1)`.execute()],
    // A btree entry over its limit: a long value that does not compress.
    ['54000', () => sql`insert into t (n, big) select 1, string_agg(md5(i::text), '') from generate_series(1, 300) i`.execute()],
  ];
  for (const [code, run] of refused) {
    it(`${code} is bad data, answered invalid`, async () => {
      const e = await failure(run());
      expect((e as { code: string }).code).toBe(code);
      expect(isBadData(e)).toBe(true);
      expect(storageFailure(e).code).toBe('invalid');
    });
  }

  it('a unique violation is not bad data: idempotent creates resolve it', async () => {
    await sql`insert into t (n, u) values (1, 7)`;
    const e = await failure(sql`insert into t (n, u) values (1, 7)`.execute());
    expect((e as { code: string }).code).toBe('23505');
    expect(isBadData(e)).toBe(false);
  });

  it('transient trouble is unavailable: a cancelled statement, a lost connection', async () => {
    const cancelled = await failure(sql.begin(async (tx) => {
      await tx`set local statement_timeout = 20`;
      await tx`select pg_sleep(1)`;
    }));
    expect((cancelled as { code: string }).code).toBe('57014');
    expect(isBadData(cancelled)).toBe(false);
    expect(storageFailure(cancelled).code).toBe('unavailable');
    const gone = openPool('postgres://postgres@127.0.0.1:1/none', { max: 1 });
    const refused = await failure(gone`select 1`.execute());
    await gone.end({ timeout: 0 });
    expect(isConnectionError(refused)).toBe(true);
    expect(storageFailure(refused)).toMatchObject({ code: 'unavailable', message: expect.stringContaining('nothing was written') });
  });
});

describe('through the protocol', () => {
  let hub: TestHub;
  useTestHub((h) => (hub = h));

  it('a message that PostgreSQL cannot store answers invalid, and a retry answers it again', async () => {
    const mentor = await hub.connect('p-mentor-ek');
    const { conversation } = await mentor.ok<{ conversation: { id: string } }>('conversation.start', { participantIds: ['p-stu-ek-2'], clientKey: 'bad-1' });
    // NUL: the frame schemas may refuse it first (also `invalid`); if they let it through,
    // PostgreSQL refuses it (22021) and that must answer `invalid` too, never `unavailable`.
    for (let i = 0; i < 2; i++) {
      const a = await mentor.request('message.send', { conversationId: conversation.id, body: 'a\u0000b', clientKey: 'nul-1' });
      expect(a).toMatchObject({ type: 'error', code: 'invalid' });
    }
    // Group commit: the refused write fails alone; writes batched with it are stored.
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => mentor.request('message.send', {
      conversationId: conversation.id, body: i === 3 ? 'x\u0000' : `ok ${i}`, clientKey: `batch-${i}`,
    })));
    expect(answers.map((a) => (a.type === 'ok' ? 'ok' : a.code))).toEqual(['ok', 'ok', 'ok', 'invalid', 'ok', 'ok']);
  });
});
