// One connection per page: the first configuration (a widget's `hub-url`/`token-url`
// attributes, or a script's configure() call) creates the page's client, and every widget
// on the page uses it. It is kept on globalThis so that two copies of the bundle on one
// page still share one connection.
import { HubClient, type ClientOptions } from './client.ts';
import { tokenFromUrl, type GetToken } from './token.ts';

export interface ClientConfig {
  /** The hub: ws(s)://host/ws or http(s)://host. Defaults to the hub that served the bundle. */
  hubUrl?: string;
  /** The portal's token endpoint: GET answers a JWT as text or JSON {"token": "…"}. */
  tokenUrl?: string;
  /** Or a callback that returns a fresh JWT for the signed-in user. */
  getToken?: GetToken;
  /** For tests: another WebSocket implementation. */
  WebSocket?: ClientOptions['WebSocket'];
}

interface PageState {
  client: HubClient | undefined;
  /** A `hub-url` seen on a widget before a script configured the token. */
  hubUrl: string | undefined;
  waiters: Set<(client: HubClient) => void>;
}

const KEY = Symbol.for('schoolhub.page');

function page(): PageState {
  const g = globalThis as { [KEY]?: PageState };
  return (g[KEY] ??= { client: undefined, hubUrl: undefined, waiters: new Set() });
}

/** ws(s)://…/ws from what a portal writes: a ws URL, an http URL of the hub, or a path. */
export function toWsUrl(input: string, base: string): string {
  const url = new URL(input, base);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/ws';
  return url.toString();
}

/** The hub this bundle was loaded from (the hub serves /widgets/schoolhub.js). */
function defaultHubUrl(): string | undefined {
  const here = import.meta.url;
  return /^https?:/.test(here) ? toWsUrl('/ws', here) : undefined;
}

function pageBase(): string {
  return typeof document !== 'undefined' ? document.baseURI : import.meta.url;
}

/** Configures the page's connection. The first configuration wins; later calls return the same client. */
export function configure(config: ClientConfig): HubClient {
  const s = page();
  if (s.client) return s.client;
  const getToken = config.getToken ?? (config.tokenUrl ? tokenFromUrl(new URL(config.tokenUrl, pageBase()).toString()) : undefined);
  if (!getToken) throw new Error('schoolhub: configure needs tokenUrl or getToken');
  const raw = config.hubUrl ?? s.hubUrl ?? defaultHubUrl();
  if (!raw) throw new Error('schoolhub: configure needs hubUrl (the bundle was not loaded from a hub)');
  const client = new HubClient({ url: toWsUrl(raw, pageBase()), getToken, ...(config.WebSocket ? { WebSocket: config.WebSocket } : {}) });
  s.client = client;
  for (const w of [...s.waiters]) w(client);
  s.waiters.clear();
  return client;
}

/** Called by widgets with their attributes: configures the page if the attributes suffice. */
export function configureFromAttributes(hubUrl: string | null, tokenUrl: string | null): void {
  const s = page();
  if (s.client) return;
  if (hubUrl) s.hubUrl = hubUrl;
  if (tokenUrl) configure({ tokenUrl, ...(hubUrl ? { hubUrl } : {}) });
}

/** Calls `fn` with the page's client now or once the page is configured; returns a cancel. */
export function whenConfigured(fn: (client: HubClient) => void): () => void {
  const s = page();
  if (s.client) {
    fn(s.client);
    return () => {};
  }
  s.waiters.add(fn);
  return () => s.waiters.delete(fn);
}
