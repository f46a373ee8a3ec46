// Static routes: the widget bundle and, in demo mode, the demo portal. (Filled in by the
// widgets work; until the bundle is built, /widgets/schoolhub.js answers 404 with a hint.)
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TemplatedApp } from './uws.ts';
import type { HubConfig } from './config.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function registerStatic(app: TemplatedApp, _config: HubConfig): void {
  const bundle = path.join(ROOT, 'dist', 'widgets', 'schoolhub.js');
  app.get('/widgets/schoolhub.js', (res) => {
    if (!existsSync(bundle)) {
      res.writeStatus('404 Not Found').end('widget bundle not built: run npm run build\n');
      return;
    }
    res.writeStatus('200 OK').writeHeader('content-type', 'text/javascript; charset=utf-8').end(readFileSync(bundle));
  });
}
