// For tests: a database of their own on the test PostgreSQL server, whose admin URL
// hub/testing/global-setup.ts provides. Here so that storage's tests need nothing from hub/.
import postgres from 'postgres';
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';

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
