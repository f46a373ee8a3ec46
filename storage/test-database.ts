// For tests: a database of their own on the test PostgreSQL server, whose admin URL
// hub/testing/global-setup.ts provides. Here so that storage's tests need nothing from hub/.
import postgres from 'postgres';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, inject } from 'vitest';
import { openPool, type Sql } from './pool.ts';
import { migrate } from './migrate.ts';

/** A fresh database on the test server; dropped by stop(). */
export async function freshDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin = inject('pgAdminUrl');
  const name = `schoolhub_t_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const sql = postgres(admin, { max: 1, onnotice: () => {} });
  await sql.unsafe(`create database ${name}`);
  await sql.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const s = postgres(admin, { max: 1, onnotice: () => {} });
      await s.unsafe(`drop database if exists ${name} with (force)`);
      await s.end();
    },
  };
}

/**
 * For a test file: a pool of `max` connections on a fresh database, opened before the file's
 * tests and handed to `ready` with the database's URL (it keeps the pool, and may migrate,
 * create tables or open a connection of its own); closed and the database dropped after them.
 */
export function withFreshPool(max: number, ready: (sql: Sql, url: string) => Promise<unknown>, timeoutMs?: number): void {
  let sql: Sql | undefined;
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const db = await freshDatabase();
    drop = db.drop;
    sql = openPool(db.url, { max });
    await ready(sql, db.url);
  }, timeoutMs);
  afterAll(async () => {
    await sql?.end();
    await drop?.();
  });
}

/**
 * Locks `table` (ACCESS EXCLUSIVE) in a transaction of its own on `db`, so that every other
 * use of the table waits, as behind a long migration or a stuck writer. Resolves once the
 * lock is held; `release()` ends that transaction and resolves when it has ended.
 */
export async function lockTable(db: postgres.Sql, table: string): Promise<{ release: () => Promise<void> }> {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let locked!: () => void;
  const isLocked = new Promise<void>((r) => (locked = r));
  const held = db.begin(async (tx) => {
    await tx`lock table ${tx(table)} in access exclusive mode`;
    locked();
    await released;
  });
  // A lock that cannot be taken fails here instead of leaving the test waiting.
  await Promise.race([isLocked, held]);
  return {
    release: async () => {
      release();
      await held;
    },
  };
}

/**
 * Counts the statements that insert messages in a test's own database: each committed one
 * adds how many messages it stored to `message_statements`. `messageStatements` reads (and
 * clears) them, oldest first. A statement of a transaction that rolled back is not counted.
 */
export async function countMessageStatements(db: Sql): Promise<void> {
  await db`create table message_statements (at bigserial primary key, n int not null)`;
  await db.unsafe(`
    create function count_message_statements() returns trigger language plpgsql as
      $$ begin insert into message_statements (n) select count(*) from added; return null; end $$;
    create trigger count_message_statements after insert on messages referencing new table as added
      for each statement execute function count_message_statements()`);
}

export async function messageStatements(db: Sql): Promise<number[]> {
  const rows = await db<{ at: number; n: number }[]>`delete from message_statements returning at, n`;
  return rows.sort((a, b) => a.at - b.at).map((r) => r.n);
}

/**
 * What reads cost in rows, by PostgreSQL's own statistics: `readBy(table, read)` runs `read`
 * seven times on `sql` (past a prepared statement's five custom plans, onto the generic one if
 * PostgreSQL takes it) and answers the rows of `table` each run took on average: read by
 * whole-table scans and through indexes, and its indexes' entries read. `sql` must be a pool
 * of one connection, because the statistics are those of the session that made them; `stats`
 * (another connection to the same database) reads them.
 */
function rowsReadCounter(sql: Sql, stats: postgres.Sql): RowsRead {
  const rowsRead = async (table: string): Promise<number> => {
    await sql`select pg_stat_force_next_flush()`;
    await sql`select 1`;
    const [r] = await stats<{ n: number }[]>`
      select (coalesce(t.seq_tup_read, 0) + coalesce(t.idx_tup_fetch, 0)
              + (select coalesce(sum(i.idx_tup_read), 0) from pg_stat_user_indexes i where i.relid = t.relid))::int as n
      from pg_stat_user_tables t where t.relname = ${table}`;
    return r!.n;
  };
  return async (table, read) => {
    const before = await rowsRead(table);
    for (let i = 0; i < 7; i++) await read();
    return ((await rowsRead(table)) - before) / 7;
  };
}

export type RowsRead = (table: string, read: () => Promise<unknown>) => Promise<number>;

/**
 * For a test file that counts what reads cost: a migrated fresh database of one connection,
 * handed to `fill` before the file's tests, and the file's rowsReadCounter on it.
 */
export function withCountedReads(fill: (sql: Sql) => Promise<unknown>, timeoutMs?: number): RowsRead {
  let stats: postgres.Sql | undefined;
  let counter: RowsRead | undefined;
  withFreshPool(1, async (sql, url) => {
    stats = postgres(url, { max: 1, onnotice: () => {} });
    counter = rowsReadCounter(sql, stats);
    await migrate(sql);
    await fill(sql);
  }, timeoutMs);
  // Hooks after the tests run in reverse: this one ends before the database is dropped.
  afterAll(() => stats?.end());
  return (table, read) => counter!(table, read);
}
