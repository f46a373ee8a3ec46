// A stand-in school portal on its own origin (another port than the hub): it serves pages
// that embed the widgets with one script tag, and a token endpoint for "the signed-in user"
// (?as=), minted with the hub's test secret as a real portal would.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestHub } from '../../../hub/testing/harness.ts';

export interface Portal {
  url: string;
  /** Serves `html` at `path` (e.g. "/mentor"); another `type` for a script (a service worker). */
  page(path: string, html: string, type?: string): void;
  close(): Promise<void>;
}

export async function startPortal(t: TestHub): Promise<Portal> {
  const pages = new Map<string, { body: string; type: string }>();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://portal');
    if (url.pathname === '/token' || url.pathname === '/token.json') {
      const as = url.searchParams.get('as') ?? '';
      t.token(as, { ttlSeconds: Number(url.searchParams.get('ttl') ?? 600) }).then((token) => {
        // Both answers a portal may give: the JWT as text, or JSON {token}.
        if (url.pathname === '/token.json') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token }));
        else res.writeHead(200, { 'content-type': 'text/plain' }).end(token);
      });
      return;
    }
    // Like a real portal, it has a favicon (an empty one): Chromium asks for it on every page.
    if (url.pathname === '/favicon.ico') return void res.writeHead(204).end();
    const page = pages.get(url.pathname);
    if (page === undefined) return void res.writeHead(404).end('not found');
    res.writeHead(200, { 'content-type': page.type }).end(page.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    page: (path, html, type = 'text/html; charset=utf-8') => void pages.set(path, { body: html, type }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A portal page: the bundle from the hub (`t`, or a hub URL), the widgets in `body`, optional extra CSS. */
export function portalPage(t: TestHub | string, opts: { body: string; css?: string; lang?: string; title?: string }): string {
  const hub = typeof t === 'string' ? t : t.url;
  return `<!doctype html>
<html lang="${opts.lang ?? 'sv'}">
<head>
  <meta charset="utf-8">
  <title>${opts.title ?? 'Skolportal'}</title>
  <script type="module" src="${hub}/widgets/schoolhub.js"></script>
  ${opts.css ? `<style>${opts.css}</style>` : ''}
</head>
<body>
  <main>
    <h1>${opts.title ?? 'Skolportal'}</h1>
    ${opts.body}
  </main>
</body>
</html>`;
}

/** A portal page with `as`'s unread badge and the chat of one conversation, the bundle from `hub`. */
export function badgeAndChatPage(hub: TestHub | string, as: string, conversationId: string): string {
  return portalPage(hub, {
    body: `<schoolhub-unread-badge token-url="/token?as=${as}"></schoolhub-unread-badge>
             <schoolhub-chat conversation-id="${conversationId}"></schoolhub-chat>`,
  });
}

/** A portal page with `<schoolhub-feed>` for `as` (its token from the stand-in portal), in `lang`. */
export function feedPage(t: TestHub, as: string, lang = 'sv'): string {
  return portalPage(t, { lang, body: `<schoolhub-feed token-url="/token?as=${as}"></schoolhub-feed>` });
}
