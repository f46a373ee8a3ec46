// The layers of docs/ARCHITECTURE.md as a check: every import of every source file (tests
// aside) against one table of rules. When an import that points back up comes back, this
// fails and names it. The rules live here and nowhere else; the map in ARCHITECTURE.md
// describes them. No I/O beyond reading the source files.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Import {
  /** The importing file, relative to the repository, with `/`. */
  file: string;
  /** A repository path for a relative import (`hub/views/chat.ts`), else the package (`node:fs`, `postgres`). */
  target: string;
  /** `import type` / `export type`, or `import('…')` in a type position: nothing loads at run time. */
  typeOnly: boolean;
}

const STATIC = /^[ \t]*(import|export)[ \t]+(type[ \t]+)?((?:[\w$]+[ \t]*,[ \t]*)?(?:\{[^}]*\}|\*(?:[ \t]+as[ \t]+[\w$]+)?|[\w$]+))\s+from[ \t]+['"]([^'"]+)['"]/gm;
const BARE = /^[ \t]*import[ \t]+['"]([^'"]+)['"]/gm;
const DYNAMIC = /(typeof\s+|:\s*)?\bimport\(\s*['"]([^'"]+)['"]\s*\)(\.(?!then\b)[\w$]+)?/g;

/** The imports of one source text (static, side-effect and dynamic). */
function importsOf(file: string, text: string): Import[] {
  const resolve = (spec: string) => (spec.startsWith('.') ? path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)) : spec);
  const out: Import[] = [];
  for (const m of text.matchAll(STATIC)) out.push({ file, target: resolve(m[4]!), typeOnly: m[2] !== undefined });
  for (const m of text.matchAll(BARE)) out.push({ file, target: resolve(m[1]!), typeOnly: false });
  for (const m of text.matchAll(DYNAMIC)) out.push({ file, target: resolve(m[2]!), typeOnly: m[1] !== undefined || m[3] !== undefined });
  return out;
}

function sourceFiles(): string[] {
  return ['hub', 'storage', 'widgets']
    .flatMap((dir) => readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })
      .filter((f) => f.isFile() && f.name.endsWith('.ts') && !f.name.endsWith('.test.ts'))
      .map((f) => path.relative(ROOT, path.join(f.parentPath, f.name)).split(path.sep).join('/')))
    // Test support (testing/, e2e/) is the tests' and may reach anything (docs/ARCHITECTURE.md).
    .filter((f) => !f.split('/').some((part) => part === 'node_modules' || part === 'testing' || part === 'e2e'));
}

const under = (...folders: string[]) => (p: string) => folders.some((f) => p.startsWith(f));

/** The hub's folders that hub/core.ts (and the audit log beside it) may use: the model, tokens, the wire protocol. */
const CORE_LEVEL_FOLDERS = ['hub/directory/', 'hub/auth/', 'hub/protocol/'];
/** A top-level module of hub/ (hub/publisher.ts), not one inside a folder. */
const hubTopLevel = (p: string) => p.startsWith('hub/') && !p.slice('hub/'.length).includes('/');

/** What widgets/ may load from hub/ at run time: pure constants both sides share (issue 16, point 6). */
const WIDGET_SHARED = ['hub/protocol/limits.ts'];

/** The outbox's rules (docs/NOTIFICATIONS.md): pure, like rules/ and views/; hub/notify/outbox.ts does their I/O. */
const NOTIFY_RULES = ['hub/notify/source.ts', 'hub/notify/who.ts', 'hub/notify/when.ts', 'hub/notify/words.ts'];

/** Modules that do I/O: the database, the network, files, processes. */
const IO = new Set([
  'postgres', 'ioredis', 'ws', '@trufflesuite/uws-js-unofficial', 'uWebSockets.js', 'hub/uws.ts',
  'node:fs', 'node:fs/promises', 'node:net', 'node:http', 'node:https', 'node:http2', 'node:dgram', 'node:dns', 'node:child_process', 'node:worker_threads',
]);

interface LayerRule {
  /** The rule, as a failure reads it. */
  rule: string;
  /** The files it binds. */
  files: (file: string) => boolean;
  /** An import it refuses. */
  refuses: (i: Import) => boolean;
}

const LAYER_RULES: readonly LayerRule[] = [
  {
    rule: 'storage/ imports nothing from hub/ or widgets/: it takes plain rows, the hub calls down into it',
    files: under('storage/'),
    refuses: (i) => under('hub/', 'widgets/')(i.target),
  },
  {
    rule: 'hub/handlers/ is reached through session.ts alone: no folder of hub/ imports it (what others share with handlers is in views/ or beside the core)',
    files: (f) => f.startsWith('hub/') && !hubTopLevel(f) && !f.startsWith('hub/handlers/'),
    refuses: (i) => i.target.startsWith('hub/handlers/'),
  },
  {
    rule: 'hub/handlers/ imports nothing from hub/privacy/ (the audit log is hub/audit.ts)',
    files: under('hub/handlers/'),
    refuses: (i) => i.target.startsWith('hub/privacy/'),
  },
  {
    rule: 'hub/views/ imports nothing from hub/handlers/ or hub/privacy/: both show records through it',
    files: under('hub/views/'),
    refuses: (i) => under('hub/handlers/', 'hub/privacy/')(i.target),
  },
  {
    rule: `hub/core.ts and hub/audit.ts import no feature folder: only top-level hub modules, ${CORE_LEVEL_FOLDERS.join(', ')} and storage/`,
    files: (f) => f === 'hub/core.ts' || f === 'hub/audit.ts',
    refuses: (i) => i.target.startsWith('widgets/') || (i.target.startsWith('hub/') && !hubTopLevel(i.target) && !under(...CORE_LEVEL_FOLDERS)(i.target)),
  },
  {
    rule: 'hub/rules/, hub/directory/ and hub/views/ do no I/O: no storage/ module (its types aside), no database, network, file or uWS module',
    files: under('hub/rules/', 'hub/directory/', 'hub/views/'),
    refuses: (i) => !i.typeOnly && (i.target.startsWith('storage/') || IO.has(i.target)),
  },
  {
    rule: `the rules of the notification outbox (${NOTIFY_RULES.join(', ')}) do no I/O: which events, who, when, what words are pure`,
    files: (f) => NOTIFY_RULES.includes(f),
    refuses: (i) => !i.typeOnly && (i.target.startsWith('storage/') || IO.has(i.target)),
  },
  {
    rule: `widgets/ loads nothing of hub/ or storage/ at run time (import type only), but ${WIDGET_SHARED.join(', ')}`,
    files: under('widgets/'),
    refuses: (i) => under('hub/', 'storage/')(i.target) && !i.typeOnly && !WIDGET_SHARED.includes(i.target),
  },
  {
    rule: 'a hub module the widgets load imports nothing at run time (it goes into the browser bundle)',
    files: (f) => WIDGET_SHARED.includes(f),
    refuses: (i) => !i.typeOnly,
  },
];

/** Imports a rule refuses today, each to be deleted when the change that ends it is merged. */
const EXEMPT: readonly { file: string; target: string }[] = [];
const exempt = (i: Import) => EXEMPT.some((e) => e.file === i.file && e.target === i.target);

describe('layers', () => {
  const imports = sourceFiles().flatMap((f) => importsOf(f, readFileSync(path.join(ROOT, f), 'utf8')));

  it('reads every kind of import', () => {
    const text = [
      "import { a,\n  b } from '../x/y.ts';",
      "import type { T } from './t.ts';",
      "export { c } from '../../storage/c.ts';",
      "export type { U } from 'zod';",
      "import * as ns from 'node:fs';",
      "import d, { e } from 'postgres';",
      "import './side.ts';",
      "const m = await import('./later.ts');",
      "let t: typeof import('./typed.ts');",
      "// import { no } from './comment.ts';",
      "export const s = 'not an import from here';",
    ].join('\n');
    expect(importsOf('hub/h/f.ts', text).map((i) => `${i.target}${i.typeOnly ? ' (type)' : ''}`).sort()).toEqual([
      'hub/h/side.ts', 'hub/h/later.ts', 'hub/h/t.ts (type)', 'hub/h/typed.ts (type)', 'hub/x/y.ts', 'node:fs', 'postgres', 'storage/c.ts', 'zod (type)',
    ].sort());
    // The tree is read: the session dispatches to the handlers.
    expect(imports).toContainEqual({ file: 'hub/session.ts', target: 'hub/handlers/requests.ts', typeOnly: false });
  });

  for (const r of LAYER_RULES) {
    it(r.rule, () => {
      const broken = imports.filter((i) => r.files(i.file) && r.refuses(i) && !exempt(i));
      expect(broken.map((i) => `${i.file} imports ${i.target}`)).toEqual([]);
    });
  }

  it('every exemption is still needed (delete the ones the merged change ended)', () => {
    const stale = EXEMPT.filter((e) => !imports.some((i) => i.file === e.file && i.target === e.target));
    expect(stale).toEqual([]);
  });
});
