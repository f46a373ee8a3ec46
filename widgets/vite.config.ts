// Builds the widgets into ES modules, everything bundled (Lit, msgpackr): the entry
// dist/widgets/schoolhub.js (served by the hub at /widgets/schoolhub.js, the one script tag a
// portal adds), the chunk it imports, and the chunks of the widgets that load on demand
// (widgets/lazy.ts), all in dist/widgets and served next to it with content-hashed names.
// `npm run build:widgets` (vite build --config widgets/vite.config.ts).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { sizeBudget } from './build/budget.ts';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here('.'),
  // The bundle runs in any portal: no dev-only code paths, no process.env left behind.
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: here('../dist/widgets'),
    emptyOutDir: true,
    target: 'es2022',
    minify: true,
    sourcemap: false,
    reportCompressedSize: false,
    lib: { entry: here('./index.ts'), formats: ['es'], fileName: () => 'schoolhub.js' },
    // Library mode keeps whitespace in ES output for the sake of re-bundlers; this file goes
    // straight to browsers, so minify it fully.
    // 'allow-extension': modules the entry and an on-demand chunk share stay in (or next to) the
    // entry instead of being split into many small chunks the entry would have to fetch.
    rolldownOptions: { preserveEntrySignatures: 'allow-extension', output: { minify: true, chunkFileNames: '[name]-[hash].js' } },
  },
  plugins: [sizeBudget()],
});
