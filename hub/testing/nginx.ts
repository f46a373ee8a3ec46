// A real nginx for the tests: the shipped deploy/nginx.conf with its upstreams pointed at test
// hubs and its port at a free loopback one, run as a child process (no daemon) in a temp dir.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './processes.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CANDIDATES = ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx'];

/** Where nginx is, or undefined (`apt-get install nginx`; .ci/run installs it). */
export function nginxBinary(): string | undefined {
  return CANDIDATES.find((p) => existsSync(p));
}

export interface Nginx {
  url: string;
  port: number;
  output: string[];
  stop(): Promise<void>;
}

/** The shipped config with `server hubN:8080` replaced by the given upstreams and `listen` by `port`. */
export function shippedConfig(upstreams: readonly number[], port: number, dir: string): string {
  let conf = readFileSync(path.join(ROOT, 'deploy', 'nginx.conf'), 'utf8');
  const servers = /(\s*)server hub\d:8080[^;]*;(?:\s*server hub\d:8080[^;]*;)*/.exec(conf);
  if (!servers) throw new Error('deploy/nginx.conf: no `server hubN:8080` lines to replace');
  conf = conf.replace(servers[0], upstreams.map((p) => `${servers[1]}server 127.0.0.1:${p} max_fails=1 fail_timeout=5s;`).join(''));
  if (!/listen 8080;/.test(conf)) throw new Error('deploy/nginx.conf: no `listen 8080;`');
  conf = conf.replace('listen 8080;', `listen 127.0.0.1:${port};`);
  // Everything nginx writes stays in the temp dir; a small worker_connections fits any ulimit.
  const temps = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${path.join(dir, t)};`).join('\n');
  conf = conf.replace(/worker_connections \d+;/, 'worker_connections 1024;');
  conf = conf.replace(/^http \{/m, `http {\n  access_log off;\n${temps}`);
  const user = process.getuid?.() === 0 ? 'user root;\n' : '';
  return `${user}worker_processes 1;\npid ${path.join(dir, 'nginx.pid')};\nerror_log ${path.join(dir, 'error.log')} warn;\n${conf}`;
}

export async function startNginx(upstreams: readonly number[]): Promise<Nginx> {
  const bin = nginxBinary();
  if (!bin) throw new Error('nginx is not installed');
  const dir = mkdtempSync(path.join(tmpdir(), 'schoolhub-nginx-'));
  for (const t of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(path.join(dir, t));
  const port = await freePort();
  const confFile = path.join(dir, 'nginx.conf');
  writeFileSync(confFile, shippedConfig(upstreams, port, dir));
  const proc: ChildProcess = spawn(bin, ['-p', dir, '-e', path.join(dir, 'error.log'), '-c', confFile, '-g', 'daemon off;'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  proc.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
  proc.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
  const exited = new Promise<void>((resolve) => proc.on('exit', () => resolve()));
  let up = false;
  for (let i = 0; i < 100 && proc.exitCode === null && !up; i++) {
    up = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => (s.destroy(), resolve(true)));
      s.on('error', () => resolve(false));
    });
    if (!up) await new Promise((r) => setTimeout(r, 50));
  }
  if (!up) {
    proc.kill('SIGKILL');
    const log = existsSync(path.join(dir, 'error.log')) ? readFileSync(path.join(dir, 'error.log'), 'utf8') : '';
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`nginx did not start:\n${output.join('')}${log}`);
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    output,
    async stop() {
      proc.kill('SIGQUIT'); // graceful: the master ends its worker
      const killer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
