// Builds the widgets into one ES module, everything bundled (Lit, msgpackr):
// dist/widgets/schoolhub.js, served by the hub at /widgets/schoolhub.js.
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
    rolldownOptions: { output: { minify: true } },
  },
  plugins: [sizeBudget()],
});
