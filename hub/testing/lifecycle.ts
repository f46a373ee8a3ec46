// The lifecycle most hub tests share: one test hub (and, when asked, a database connection
// to it) started before the tests of the enclosing file or describe block, and stopped after.
// Tests keep their own `let t: TestHub`, handed over by the callback, so they read as before.
import { afterAll, beforeAll } from 'vitest';
import postgres from 'postgres';
import { startTestHub, type TestHub } from './harness.ts';
import type { ClientOptions, TestClient } from './client.ts';

type StartOptions = Parameters<typeof startTestHub>[0];

/** Starts a test hub before the tests of this file or block and stops it after them. */
export function useTestHub(use: (t: TestHub) => void, opts?: StartOptions): void {
  let t: TestHub | undefined;
  beforeAll(async () => {
    t = await startTestHub(opts);
    use(t);
  });
  afterAll(async () => {
    await t?.stop();
  });
}

/** As useTestHub, with a postgres.js connection (`max` connections) to the hub's own database. */
export function useTestHubAndDatabase(use: (t: TestHub, db: postgres.Sql) => void, opts?: StartOptions & { max?: number }): void {
  let t: TestHub | undefined;
  let db: postgres.Sql | undefined;
  beforeAll(async () => {
    t = await startTestHub(opts);
    db = postgres(t.databaseUrl, { max: opts?.max ?? 2, onnotice: () => {} });
    use(t, db);
  });
  afterAll(async () => {
    await db?.end();
    await t?.stop();
  });
}

/** Connects each person in turn (one after the other, as the tests did by hand); `[sub, options]` for a second device or codec. */
export async function connectEach<P extends (string | [string, ClientOptions])[]>(t: TestHub, ...people: P): Promise<{ [K in keyof P]: TestClient }> {
  const clients: TestClient[] = [];
  for (const p of people) clients.push(typeof p === 'string' ? await t.connect(p) : await t.connect(p[0], p[1]));
  return clients as { [K in keyof P]: TestClient };
}
