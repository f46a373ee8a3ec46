// Issue 8, item 6, checked statically: nothing a user writes can become HTML or a script.
// The widgets' sources use no API that parses HTML from a string, no unsafe Lit directive and
// no eval; every `href` is bound in one place (ui/anchor.ts) from a checked http(s) link, every
// image `src` in one place (ui/blob-image.ts) from a blob: URL the page made itself; and
// the built bundle (what portals load) carries none of them either. Its one `innerHTML` is
// Lit's own template compiler, which only ever sees the widgets' static template strings,
// passed through Lit's Trusted Types policy (the demo page enforces that with
// `require-trusted-types-for 'script'; trusted-types lit-html`). The browser tests in
// e2e/hostile.test.ts send hostile text through a real hub and watch what renders.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE, ensureBundle } from './e2e/support/bundle.ts';

const WIDGETS = path.dirname(fileURLToPath(import.meta.url));

/** The widgets' shipped sources: TypeScript and the demo's script, not tests or test support. */
function sources(dir = WIDGETS): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'e2e' && entry.name !== 'node_modules') out.push(...sources(full));
    } else if (/\.(ts|js)$/.test(entry.name) && !entry.name.endsWith('.test.ts')) {
      out.push(full);
    }
  }
  return out;
}

/** Comments say what the code does not do; only the code counts. */
function code(file: string): string {
  return readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '').replace(/\s\/\/ .*$/gm, '');
}

/** Ways to turn a string into markup or code, and Lit's escape hatches. */
const FORBIDDEN = [
  'unsafeHTML', 'unsafeSVG', 'unsafeMathML', 'unsafeStatic', 'unsafe-html', 'unsafe-svg', 'lit/static-html',
  'innerHTML', 'outerHTML', 'insertAdjacentHTML', 'createContextualFragment', 'DOMParser', 'parseFromString',
  'document.write', 'srcdoc', 'eval(', 'new Function', 'setHTMLUnsafe', 'parseHTMLUnsafe', 'javascript:',
];

describe('the widgets never render user text as HTML (sources)', () => {
  const files = sources();
  const rel = (f: string) => path.relative(WIDGETS, f);

  it('finds the sources', () => {
    expect(files.map(rel)).toEqual(expect.arrayContaining(['chat.ts', 'inbox.ts', 'feed.ts', 'ui/anchor.ts', 'demo/demo.js']));
  });

  it('use no HTML parsing, no unsafe directive, no eval', () => {
    const hits = files.flatMap((f) => FORBIDDEN.filter((w) => code(f).includes(w)).map((w) => `${rel(f)}: ${w}`));
    expect(hits).toEqual([]);
  });

  it('bind href, src and event-handler attributes only in ui/anchor.ts (links) and ui/blob-image.ts (images)', () => {
    const hits: string[] = [];
    for (const f of files) {
      const text = code(f);
      for (const m of text.matchAll(/(?<![\w-])(href|src|srcset|action|formaction|xlink:href|on[a-z]+)\s*=\s*\$\{/g)) hits.push(`${rel(f)}: ${m[0]}`);
      for (const m of text.matchAll(/\.(href|src)\s*=(?!=)|setAttribute\(\s*['"`](href|src|on\w+)/g)) hits.push(`${rel(f)}: ${m[0]}`);
    }
    const allowed = new Set(['ui/anchor.ts: href=${', 'ui/blob-image.ts: src=${', 'ui/blob-image.ts: href=${']);
    expect(hits.filter((h) => !allowed.has(h))).toEqual([]);
    expect(hits).toContain('ui/anchor.ts: href=${');
    // What anchor.ts binds is a SafeLink, which only ui/links.ts makes (from http(s) URLs).
    expect(code(path.join(WIDGETS, 'ui/anchor.ts'))).toMatch(/renderLink\(link: SafeLink,/);
    expect(code(path.join(WIDGETS, 'ui/links.ts'))).toMatch(/url\.protocol !== 'http:' && url\.protocol !== 'https:'/);
    // What blob-image.ts binds is a blob: URL this page made from a Blob, never a string from outside.
    const blob = files.find((f) => rel(f) === 'ui/blob-image.ts');
    if (blob) {
      const text = code(blob);
      expect(text).toMatch(/private constructor\(readonly url: string\)/);
      expect(text).toMatch(/URL\.createObjectURL\(blob\)/);
      expect(text).toMatch(/startsWith\('blob:'\)/);
      expect(text).toMatch(/renderImage\(image: BlobImage,/);
      expect(text).toMatch(/renderDownload\(image: BlobImage,/);
    }
  });

  it('open other sites only without an opener and a referrer', () => {
    for (const f of files) {
      for (const m of code(f).matchAll(/target="_blank"[^>]*>/g)) expect(m[0], rel(f)).toContain('rel="noopener noreferrer"');
    }
  });
});

describe('the built bundle', () => {
  // Every chunk a page may load: schoolhub.js and those it imports at once or on demand.
  let bundle: string;
  beforeAll(async () => {
    await ensureBundle();
    const dir = path.dirname(BUNDLE);
    const chunks = readdirSync(dir).filter((n) => n.endsWith('.js'));
    expect(chunks).toContain('schoolhub.js');
    expect(chunks.length).toBeGreaterThan(1);
    bundle = chunks.map((n) => readFileSync(path.join(dir, n), 'utf8')).join('\n');
  });

  it('carries no unsafe directive, HTML parsing from strings, or eval', () => {
    expect(FORBIDDEN.filter((w) => w !== 'innerHTML' && bundle.includes(w))).toEqual([]);
  });

  it("has one innerHTML: Lit's template compiler, behind its Trusted Types policy", () => {
    const at = [...bundle.matchAll(/innerHTML/g)].map((m) => m.index);
    expect(at).toHaveLength(1);
    // `static createElement(html) { const t = d.createElement('template'); t.innerHTML = html; return t }`
    expect(bundle.slice(at[0]! - 80, at[0]! + 20)).toMatch(/createElement\(\s*[`'"]template[`'"]\s*\)\s*;\s*return\s+(\w+)\.innerHTML\s*=/);
    expect(bundle).toMatch(/createPolicy\(\s*[`'"]lit-html[`'"]/);
  });
});
