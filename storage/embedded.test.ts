// The embedded PostgreSQL that `npm start` uses when DATABASE_URL is unset: it must start as
// root (CI; it then runs as the postgres user) and as a normal user.
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { clusterDir, linksResolve, startEmbeddedPostgres, traversableByOthers } from './embedded.ts';
import { TYPESCRIPT_IMPORT } from '../hub/typescript/node-args.ts';

const asRoot = userInfo().uid === 0;
const ROOT = path.resolve(import.meta.dirname, '..');

describe('embedded PostgreSQL', () => {
  it(`starts, answers queries, stops and starts again on the same data (running as ${asRoot ? 'root' : 'a normal user'})`, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'schoolhub-emb-'));
    try {
      for (let round = 0; round < 2; round++) {
        const db = await startEmbeddedPostgres(dir);
        const sql = postgres(db.url, { max: 1, onnotice: () => {} });
        if (round === 0) await sql`create table kept (x int)`;
        else expect(await sql`select count(*)::int as n from kept`).toEqual([{ n: 0 }]);
        await sql.end();
        await db.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(clusterDir(dir, asRoot), { recursive: true, force: true });
    }
  }, 120_000);

  it('a copy of the binaries whose links lead into a deleted checkout is not trusted (it is made again)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'schoolhub-links-'));
    try {
      const gone = path.join(dir, 'gone');
      mkdirSync(gone);
      mkdirSync(path.join(dir, 'modules'));
      symlinkSync(gone, path.join(dir, 'modules', 'pg'));
      mkdirSync(path.join(dir, 'modules', 'real'));
      expect(linksResolve(path.join(dir, 'modules'))).toBe(true);
      rmSync(gone, { recursive: true });
      expect(linksResolve(path.join(dir, 'modules'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('as root, moves the cluster out of a folder the postgres user cannot enter', () => {
    const closed = mkdtempSync(path.join(tmpdir(), 'schoolhub-closed-'));
    chmodSync(closed, 0o700);
    const inside = path.join(closed, 'data');
    expect(clusterDir(inside, false)).toBe(path.join(inside, 'pg'));
    expect(clusterDir(inside, true).startsWith(path.join(tmpdir(), 'schoolhub-pg-'))).toBe(true);
    expect(clusterDir(inside, true)).toBe(clusterDir(inside, true)); // the same folder every time
    rmSync(closed, { recursive: true, force: true });
  });

  // Switching user needs root; run as a normal user, the first test above is this case already.
  // The other user must be able to read this checkout (not so in a clone made with mktemp -d).
  const openCheckout = traversableByOthers(path.join(ROOT, 'storage', 'embedded.ts'));
  if (asRoot && !openCheckout) console.warn(`[embedded tests] SKIPPED (normal user): ${ROOT} is closed to other users, so no other user can run this checkout`);
  it.runIf(asRoot && openCheckout)('starts as a normal (non-root) user too (runs only as root, which can switch user)', () => {
    // Run the same start-up as an unprivileged user, in a folder that user owns.
    const user = 'nobody';
    const dir = mkdtempSync(path.join(tmpdir(), 'schoolhub-user-'));
    chmodSync(dir, 0o755);
    const data = path.join(dir, 'data');
    mkdirSync(data);
    const uid = Number(execFileSync('id', ['-u', user]).toString());
    const gid = Number(execFileSync('id', ['-g', user]).toString());
    chownSync(data, uid, gid);
    const script = `import { startEmbeddedPostgres } from ${JSON.stringify(path.join(ROOT, 'storage/embedded.ts'))};
      import postgres from 'postgres';
      const db = await startEmbeddedPostgres(${JSON.stringify(data)});
      const sql = postgres(db.url, { max: 1 });
      const [r] = await sql\`select current_user as u\`;
      console.log('USER=' + r.u);
      await sql.end(); await db.stop();`;
    const run = spawnSync('runuser', ['-u', user, '--', process.execPath, ...TYPESCRIPT_IMPORT, '--input-type=module', '-e', script], {
      cwd: ROOT, encoding: 'utf8', timeout: 90_000, env: { ...process.env, HOME: dir },
    });
    rmSync(dir, { recursive: true, force: true });
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.stdout).toContain('USER=postgres');
  }, 120_000);
});
