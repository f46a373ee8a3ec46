// The only module that loads uWebSockets.js. The package silently falls back to a slow
// pure-JS server when its native binary does not load; we load the binary ourselves and
// refuse to start without it.
import { createRequire } from 'node:module';
import type * as Uws from '@trufflesuite/uws-js-unofficial';

export type { TemplatedApp, WebSocket, HttpResponse, HttpRequest, us_listen_socket, us_socket_context_t } from '@trufflesuite/uws-js-unofficial';

type UwsModule = typeof Uws;

function loadNative(): UwsModule {
  const require = createRequire(import.meta.url);
  const pkgDir = require.resolve('@trufflesuite/uws-js-unofficial/package.json').replace(/package\.json$/, '');
  const file = `${pkgDir}binaries/uws_${process.platform}_${process.arch}_${process.versions.modules}.node`;
  try {
    return require(file) as UwsModule;
  } catch (e) {
    throw new Error(
      `uWebSockets.js: the native binary ${file} did not load (${e instanceof Error ? e.message : String(e)}). ` +
        'schoolhub does not run on the pure-JS fallback; use Node 20 on linux/darwin x64 or arm64.',
    );
  }
}

export const uws: UwsModule = loadNative();

/** Listen on host:port with an exclusive port, so that a second process cannot silently share it. */
export function listen(app: Uws.TemplatedApp, host: string, port: number): Promise<{ socket: Uws.us_listen_socket; port: number }> {
  return new Promise((resolve, reject) => {
    const cb = (socket: Uws.us_listen_socket | false) => {
      if (!socket) reject(new Error(`cannot listen on ${host}:${port} (in use, or not allowed)`));
      else resolve({ socket, port: uws.us_socket_local_port(socket as unknown as Uws.us_socket) });
    };
    // (host, port, options, cb): the typings miss this overload; the native binding has it.
    (app.listen as unknown as (h: string, p: number, o: number, c: typeof cb) => void)(host, port, (uws as unknown as { LIBUS_LISTEN_EXCLUSIVE_PORT: number }).LIBUS_LISTEN_EXCLUSIVE_PORT, cb);
  });
}

export function closeListen(socket: Uws.us_listen_socket): void {
  uws.us_listen_socket_close(socket);
}
