// What the numbers were measured on: printed with every run so that results can be compared.
import os from 'node:os';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { LOADTEST_DIR, TASKSET, fileLimit } from './procs.ts';

/** Read from node_modules directly: some packages do not export their package.json. */
function version(pkg: string): string {
  try {
    return (JSON.parse(readFileSync(path.join(LOADTEST_DIR, '..', 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function gitCommit(): string {
  if (process.env.SCHOOLHUB_COMMIT) return process.env.SCHOOLHUB_COMMIT;
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: LOADTEST_DIR, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return 'unknown';
  }
}

export interface Machine {
  date: string;
  cpu: string;
  cpus: number;
  memoryGiB: number;
  os: string;
  node: string;
  uws: string;
  postgres: string;
  postgresJs: string;
  /** The load generator's WebSocket client. */
  client: string;
  msgpackr: string;
  commit: string;
  pinning: string;
  openFiles: number;
}

export function machine(postgresVersion: string, pinned: boolean): Machine {
  return {
    date: new Date().toISOString(),
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    cpus: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    uws: `@trufflesuite/uws-js-unofficial ${version('@trufflesuite/uws-js-unofficial')}`,
    postgres: postgresVersion,
    postgresJs: version('postgres'),
    client: 'lib/lean-socket.ts (RFC 6455 over net, one shared read buffer)',
    msgpackr: version('msgpackr'),
    commit: gitCommit(),
    pinning: pinned ? 'servers on CPU 0, load generator and orchestrator on CPU 1 (taskset); PostgreSQL unpinned' : TASKSET ? 'taskset failed: unpinned' : 'no taskset: unpinned',
    openFiles: fileLimit().soft,
  };
}
