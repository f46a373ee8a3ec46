// Real processes for the multi-node and fault tests: hub nodes (`hub/main.ts`) and a private
// redis-server that a test may stop and start again.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { TYPESCRIPT_IMPORT } from '../typescript/node-args.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface NodeProcess {
  url: string;
  wsUrl: string;
  port: number;
  proc: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): void;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

/** Starts `hub/main.ts` (or another entry, `script`) in its own process; resolves when it listens. */
export async function startNodeProcess(env: Record<string, string>, script = 'hub/main.ts'): Promise<NodeProcess> {
  const port = Number(env.PORT ?? (await freePort()));
  const proc = spawn(process.execPath, [...TYPESCRIPT_IMPORT, script], {
    cwd: ROOT,
    env: { ...process.env, HUB_DEMO: '0', HOST: '127.0.0.1', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hub node did not start:\n${output.join('')}`)), 30_000);
    const onData = (d: Buffer) => {
      output.push(d.toString());
      if (output.join('').includes('listening on')) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`hub node exited with ${code}:\n${output.join('')}`));
    });
  });
  const url = `http://127.0.0.1:${port}`;
  return { url, wsUrl: `ws://127.0.0.1:${port}/ws`, port, proc, output, exited, kill: (signal = 'SIGTERM') => void proc.kill(signal) };
}

/** Is a Redis server answering at this URL? */
export async function redisReachable(url: string): Promise<boolean> {
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1_000, retryStrategy: () => null, enableOfflineQueue: false });
  r.on('error', () => {});
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

export interface PrivateRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** A redis-server of the test's own, on a free port, that can be stopped and started again. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let proc: ChildProcess | undefined;
  const url = `redis://127.0.0.1:${port}`;
  const start = async () => {
    proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      if (await redisReachable(url)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('private redis-server did not start');
  };
  const stop = async () => {
    if (!proc) return;
    const p = proc;
    proc = undefined;
    const gone = new Promise((r) => p.on('exit', r));
    p.kill('SIGKILL');
    await gone;
  };
  await start();
  return { url, port, start, stop };
}

/** Three redis-server processes forming a Redis Cluster (no replicas), on free ports. */
export async function startPrivateRedisCluster(): Promise<{ url: string; stop(): Promise<void> }> {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { execFileSync } = await import('node:child_process');
  const dir = mkdtempSync(path.join(tmpdir(), 'schoolhub-rcluster-'));
  const ports = [await freePort(), await freePort(), await freePort()];
  const procs = ports.map((port) => spawn('redis-server', [
    '--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`,
    '--save', '', '--appendonly', 'no', '--dir', dir,
  ], { stdio: 'ignore' }));
  for (const port of ports) {
    for (let i = 0; i < 100 && !(await redisReachable(`redis://127.0.0.1:${port}`)); i++) await new Promise((r) => setTimeout(r, 50));
  }
  execFileSync('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], { stdio: 'ignore' });
  // Wait until every node agrees the cluster is up.
  for (const port of ports) {
    for (let i = 0; i < 100; i++) {
      const info = execFileSync('redis-cli', ['-p', String(port), 'cluster', 'info']).toString();
      if (info.includes('cluster_state:ok')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url: `redis+cluster://${ports.map((p) => `127.0.0.1:${p}`).join(',')}`,
    async stop() {
      await Promise.all(procs.map((p) => new Promise((r) => { p.on('exit', r); p.kill('SIGKILL'); })));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
