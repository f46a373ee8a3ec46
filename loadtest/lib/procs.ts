// Child processes of the bench: servers and the load generator, each a Node process running
// TypeScript (hub/typescript/register.mjs), pinned to one CPU with taskset when the machine has
// it, with an IPC channel for stats and results.
import { fork, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { FromServer, ProfileCommand, ServerStats, ToServer } from './ipc.ts';
import { TYPESCRIPT_IMPORT } from '../../hub/typescript/node-args.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const LOADTEST_DIR = path.resolve(HERE, '..');

function which(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const p = path.join(dir, cmd);
    if (dir && existsSync(p)) return p;
  }
  return undefined;
}

export const TASKSET = which('taskset');
const PRLIMIT = which('prlimit');

/** Pins this process (all its threads) to `cpu`; false when it cannot. */
export function pinSelf(cpu: number): boolean {
  if (!TASKSET) return false;
  try {
    execFileSync(TASKSET, ['-a', '-p', '-c', String(cpu), String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The soft and hard limits on open files of this process. */
export function fileLimit(): { soft: number; hard: number } {
  const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files')) ?? '';
  const [soft, hard] = line.replace('Max open files', '').trim().split(/\s+/).map((x) => (x === 'unlimited' ? Infinity : Number(x)));
  return { soft: soft ?? 1024, hard: hard ?? 1024 };
}

/** Raises a child's open-file limit to `want` when its inherited limit is lower (root may go past the hard limit). */
function raiseFiles(pid: number, want: number): void {
  const { soft } = fileLimit();
  if (soft >= want || !PRLIMIT) return;
  try {
    execFileSync(PRLIMIT, ['--pid', String(pid), `--nofile=${want}:${want}`], { stdio: 'ignore' });
  } catch {
    console.error(`[bench] could not raise the open-file limit of ${pid} to ${want} (ulimit -n is ${soft})`);
  }
}

export interface Child {
  name: string;
  proc: ChildProcess;
  pid: number;
  pinned: boolean;
}

export interface SpawnOptions {
  name: string;
  /** A CPU, or a taskset list ('0-1': any CPU, undoing the orchestrator's pinning a fork inherits). */
  cpu: number | string | undefined;
  env?: NodeJS.ProcessEnv;
  nodeFlags?: string[];
  files?: number;
}

export function spawnChild(file: string, opts: SpawnOptions): Child {
  const nodeArgs = [...TYPESCRIPT_IMPORT, ...(opts.nodeFlags ?? [])];
  const pinned = opts.cpu !== undefined && TASKSET !== undefined;
  // taskset execs node, so the IPC channel (an inherited fd) survives and every thread the
  // process ever starts inherits the CPU.
  const proc = pinned
    ? fork(path.join(LOADTEST_DIR, file), [], { execPath: TASKSET, execArgv: ['-c', String(opts.cpu), process.execPath, ...nodeArgs], env: opts.env ?? process.env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    : fork(path.join(LOADTEST_DIR, file), [], { execArgv: nodeArgs, env: opts.env ?? process.env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  if (proc.pid === undefined) throw new Error(`could not start ${file}`);
  if (opts.files) raiseFiles(proc.pid, opts.files);
  return { name: opts.name, proc, pid: proc.pid, pinned };
}

/** A server child: waits for 'ready', then answers stats and stop requests. */
export class ServerChild {
  private readonly waiting = new Map<number, (m: FromServer) => void>();
  private nextId = 1;
  port = 0;

  private constructor(readonly child: Child) {
    child.proc.on('message', (raw) => {
      const m = raw as FromServer;
      if (m.type === 'ready') return;
      this.waiting.get(m.id)?.(m);
      this.waiting.delete(m.id);
    });
  }

  static async start(file: string, opts: SpawnOptions): Promise<ServerChild> {
    const child = spawnChild(file, opts);
    const s = new ServerChild(child);
    s.port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${opts.name} did not start within 60 s`)), 60_000);
      child.proc.on('message', (raw) => {
        const m = raw as FromServer;
        if (m.type === 'ready') {
          clearTimeout(timer);
          resolve(m.port);
        }
      });
      child.proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${opts.name} exited with ${code} before it was ready`));
      });
    });
    return s;
  }

  private ask(msg: ToServer): Promise<FromServer> {
    return new Promise((resolve) => {
      this.waiting.set(msg.id, resolve);
      this.child.proc.send(msg);
    });
  }

  async stats(gc = false, rows = false, profile?: ProfileCommand): Promise<ServerStats> {
    const m = await this.ask({ type: 'stats', id: this.nextId++, gc, rows, ...(profile ? { profile } : {}) });
    if (m.type !== 'stats') throw new Error('unexpected answer');
    return m.stats;
  }

  /** Stops gracefully (so that --cpu-prof writes its profile), then waits for the exit. */
  async stop(): Promise<void> {
    if (this.child.proc.exitCode !== null) return;
    const exited = new Promise<void>((r) => this.child.proc.once('exit', () => r()));
    const timer = setTimeout(() => this.child.proc.kill('SIGKILL'), 20_000);
    await this.ask({ type: 'stop', id: this.nextId++ }).catch(() => {});
    await exited;
    clearTimeout(timer);
  }
}
