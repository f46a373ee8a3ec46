// A TCP proxy in front of the hub, as a load balancer would be: the browsers keep one
// address while the hub behind it is stopped and a new hub process takes over.
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import { startHub, type Hub } from '../../../hub/node.ts';
import type { HubConfig } from '../../../hub/config.ts';
import { TestClient } from '../../../hub/testing/client.ts';
import type { Stage } from './stage.ts';

export interface Proxy {
  url: string;
  /** Where new connections go from now on. */
  target: number;
  close(): Promise<void>;
}

export async function startProxy(target: number): Promise<Proxy> {
  const sockets = new Set<Socket>();
  const proxy = { target } as Proxy;
  const server: Server = createServer((client) => {
    const upstream = connect(proxy.target, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
    }
    client.pipe(upstream).on('close', () => client.destroy());
    upstream.pipe(client).on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () => {
    for (const s of sockets) s.destroy();
    return new Promise((resolve) => server.close(() => resolve()));
  };
  return proxy;
}

/** The stage's hub behind a proxy, for the suites that restart it under open pages. */
export interface ProxiedHub {
  /** The address the pages use (http://…), the same before and after a restart. */
  readonly url: string;
  /**
   * Stops the hub, runs `whileDown`, and starts a new hub (on the stage hub's config, changed
   * by `config`) that new connections through the proxy then reach.
   */
  restart(opts?: { config?: Partial<HubConfig>; whileDown?: () => Promise<unknown> }): Promise<void>;
  /** A plain client, through the proxy, signed in as `as`. */
  connect(as: string): Promise<TestClient>;
}

/**
 * Puts a proxy in front of the stage's hub (in a beforeAll) and closes it and any restarted
 * hub in an afterAll. Call it after useStage, so that the stage has started first and stops last.
 */
export function useProxiedHub(stage: Stage): ProxiedHub {
  let proxy: Proxy | undefined;
  let restarted: Hub | undefined;
  const started = () => {
    if (!proxy) throw new Error('useProxiedHub: the proxy starts in beforeAll');
    return proxy;
  };
  beforeAll(async () => {
    proxy = await startProxy(stage.t.hub.port);
  });
  afterAll(async () => {
    await proxy?.close();
    await restarted?.stop();
  });
  return {
    get url() {
      return started().url;
    },
    async restart(opts = {}) {
      await stage.t.hub.stop();
      await opts.whileDown?.();
      restarted = await startHub({ config: { ...stage.t.hub.config, ...opts.config }, log: () => {} });
      started().target = restarted.port;
    },
    async connect(as) {
      const c = await TestClient.open(`${started().url.replace(/^http/, 'ws')}/ws`);
      await c.hello(await stage.t.token(as));
      return c;
    },
  };
}
