// Builds dist/widgets/schoolhub.js before the browser tests when it is missing or older than
// the widgets' sources, so a test never runs against a stale bundle.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const WIDGETS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BUNDLE = path.resolve(WIDGETS, '../dist/widgets/schoolhub.js');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'e2e' && entry.name !== 'demo') newest = Math.max(newest, newestSource(full));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
      newest = Math.max(newest, statSync(full).mtimeMs);
    }
  }
  return newest;
}

export async function ensureBundle(): Promise<void> {
  if (existsSync(BUNDLE) && statSync(BUNDLE).mtimeMs >= newestSource(WIDGETS)) return;
  console.log('[widgets e2e] building the widget bundle');
  // Vitest runs with NODE_ENV=test, which would make Vite pick Lit's development build; the
  // bundle under test must be the one `npm run build:widgets` makes.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: path.join(WIDGETS, 'vite.config.ts'), logLevel: 'warn', mode: 'production' });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
}
