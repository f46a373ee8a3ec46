// Finds the PostgreSQL server the tests use, once per run: DATABASE_URL when set, else the
// machine's server on 127.0.0.1:5432 (trust auth), else an embedded one in a temp folder.
// Each test hub then gets a database of its own on that server (hub/testing/harness.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../storage/embedded.ts';
import { postgresReachable } from '../../storage/pool.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

let embedded: EmbeddedDatabase | undefined;
let tempDir: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  const candidates = [process.env.DATABASE_URL, 'postgres://postgres@127.0.0.1:5432/postgres'].filter((u): u is string => !!u);
  for (const url of candidates) {
    if (await postgresReachable(url)) {
      console.log(`[tests] PostgreSQL: ${url.replace(/:[^:@/]*@/, ':***@')}`);
      project.provide('pgAdminUrl', url);
      return;
    }
  }
  tempDir = mkdtempSync(path.join(tmpdir(), 'schoolhub-test-'));
  embedded = await startEmbeddedPostgres(tempDir);
  console.log('[tests] PostgreSQL: no server reachable, started an embedded one');
  project.provide('pgAdminUrl', embedded.url);
}

export async function teardown(): Promise<void> {
  if (embedded) await embedded.stop();
  if (tempDir) rmSync(tempDir, { recursive: true, force: true });
}
