// The project's TypeScript runner (register.mjs), in real Node processes: what the hub, the
// bench and the multi-node tests start with. TypeScript's semantics as tsconfig.json sets them,
// stack traces that name the .ts line, a clear error for a file that does not compile, and no
// name-keeping helper in what it makes (the reason it exists: register.mjs).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TYPESCRIPT_IMPORT } from './node-args.ts';
import { compile } from './hooks.mjs';

const dir = mkdtempSync(path.join(tmpdir(), 'schoolhub-ts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

function run(file: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [...TYPESCRIPT_IMPORT, file], { encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('hub/typescript/register.mjs', () => {
  it('runs TypeScript that imports TypeScript, with the class semantics tsconfig.json asks for', () => {
    write('shapes.ts', `
      export enum Kind { Post = 'post', Mailing = 'mailing' }
      export interface Shape { kind: Kind }
      export class Base { seen: string[] = []; set label(v: string) { this.seen.push('setter:' + v); } }
      export class Item extends Base {
        label = 'item';
        constructor(private readonly id: number) { super(); }
        get key(): string { return \`\${this.id}\`; }
      }
    `);
    const main = write('main.ts', `
      import type { Shape } from './shapes.ts';
      import { Item, Kind } from './shapes.ts';
      const shape: Shape = { kind: Kind.Mailing };
      const item = new Item(7);
      const make = () => { const inner = (n: number): number => n * 2; return inner; };
      console.log(JSON.stringify({ kind: shape.kind, key: item.key, seen: item.seen, name: make().name, doubled: make()(21) }));
    `);
    const r = run(main);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    // useDefineForClassFields: false (tsconfig.json): a field initializer assigns, so the base
    // class's setter sees it, as in tsc's output; with define semantics `seen` would be empty.
    expect(JSON.parse(r.stdout)).toEqual({ kind: 'mailing', key: '7', seen: ['setter:item'], name: 'inner', doubled: 42 });
  });

  it('names the .ts file and line in a stack trace', () => {
    const main = write('throws.ts', [
      'type Unused = { a: number };',
      'function fail(reason: string): never {',
      '  throw new Error(reason);',
      '}',
      'fail("on purpose");',
    ].join('\n'));
    const r = run(main);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('Error: on purpose');
    expect(r.stderr).toContain(`${main}:3:`);
  });

  it('refuses a file that does not compile, naming the file and the line', () => {
    const broken = write('broken.ts', 'const ok = 1;\nconst = 2;\n');
    const main = write('imports-broken.ts', `import './broken.ts';\nconsole.log('never');\n`);
    const r = run(main);
    expect(r.status).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${broken}:2:`);
  });

  it('loads .mts files and leaves JavaScript to Node', () => {
    write('helper.mjs', 'export const from = "javascript";\n');
    write('other.mts', 'export const kind: string = "mts";\n');
    const main = write('mixed.ts', `import { from } from './helper.mjs';\nimport { kind } from './other.mts';\nconsole.log(from, kind);\n`);
    const r = run(main);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('javascript mts');
  });

  it('compiles without a name-keeping helper, with an inline source map of mappings only', async () => {
    const code = await compile('/x/example.ts', 'export function outer() { const inner = () => 1; return inner; }\nexport const f = (n: number) => n;\n');
    expect(code).not.toContain('__name');
    expect(code).toContain('const inner = () => 1;');
    // The map names the file and maps lines; it carries no copy of the source.
    const map = JSON.parse(Buffer.from(code.split('//# sourceMappingURL=data:application/json;base64,')[1]!.trim(), 'base64').toString()) as { sources: string[]; mappings: string; sourcesContent?: unknown };
    expect(map.sources).toEqual(['/x/example.ts']);
    expect(map.mappings.length).toBeGreaterThan(0);
    expect(map.sourcesContent).toBeUndefined();
  });
});
