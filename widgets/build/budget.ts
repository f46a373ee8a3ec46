// A Vite plugin that prints every chunk's gzipped size and fails the build when what a portal
// page loads at once is over the budget (issue 5: all widgets, Lit and msgpackr included, at
// most 60 KB gzipped). "At once" is the entry, schoolhub.js, with every chunk it imports
// statically; the widgets that load on demand (widgets/lazy.ts) are paid for only by pages
// that show them, so they are printed but not counted.
import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

export const BUDGET_BYTES = 60 * 1024;

interface ChunkSize {
  fileName: string;
  raw: number;
  gz: number;
  imports: string[];
  isEntry: boolean;
}

/** The entry's chunks and those it imports statically, transitively (what the script tag loads). */
export function initialChunks(chunks: ChunkSize[]): ChunkSize[] {
  const byName = new Map(chunks.map((c) => [c.fileName, c]));
  const seen = new Set<string>();
  const visit = (c: ChunkSize) => {
    if (seen.has(c.fileName)) return;
    seen.add(c.fileName);
    for (const i of c.imports) {
      const next = byName.get(i);
      if (next) visit(next);
    }
  };
  for (const c of chunks) if (c.isEntry) visit(c);
  return chunks.filter((c) => seen.has(c.fileName));
}

export function sizeBudget(limit = BUDGET_BYTES): Plugin {
  return {
    name: 'schoolhub-size-budget',
    apply: 'build',
    generateBundle(_options, bundle) {
      const chunks: ChunkSize[] = [];
      for (const file of Object.values(bundle)) {
        if (file.type !== 'chunk') continue;
        chunks.push({
          fileName: file.fileName,
          raw: Buffer.byteLength(file.code),
          gz: gzipSync(file.code, { level: 9 }).byteLength,
          imports: file.imports,
          isEntry: file.isEntry,
        });
      }
      const initial = initialChunks(chunks);
      const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
      const sum = (cs: ChunkSize[]) => cs.reduce((n, c) => n + c.gz, 0);
      for (const c of chunks) {
        const when = initial.includes(c) ? 'at once' : 'on demand';
        console.log(`[widgets] ${c.fileName}: ${kb(c.raw)} minified, ${kb(c.gz)} gzipped (${when})`);
      }
      const atOnce = sum(initial);
      console.log(`[widgets] at once (${initial.map((c) => c.fileName).join(' + ')}): ${kb(atOnce)} gzipped (budget ${kb(limit)})`);
      console.log(`[widgets] all chunks: ${kb(sum(chunks))} gzipped`);
      if (atOnce > limit) this.error(`the script tag loads ${kb(atOnce)} gzipped at once, over the budget of ${kb(limit)}`);
    },
  };
}
