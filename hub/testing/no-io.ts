// Setup file of the `unit` project: unit tests do no I/O, so a test that opens a socket,
// listens on a port or starts a process is in the wrong project. It fails at once with a
// message saying where it belongs, rather than slowing the fast run down or hanging on a
// server that the unit run does not start. Reading the repository's own files is allowed.
import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';

const MOVE = 'unit tests do no I/O: move this test to an e2e/ folder, storage/ or loadtest/, or name it *.hub.test.ts (README, "Tests")';

function refuse(what: string): never {
  const error = new Error(`${what} in the unit project. ${MOVE}`);
  // Said on stderr too: some clients (postgres.js) catch the error and retry until the test times out.
  console.error(error.stack);
  throw error;
}

const marked = Symbol.for('schoolhub.no-io');
const g = globalThis as { [marked]?: true };
if (!g[marked]) {
  g[marked] = true;
  // Every TCP client (fetch, postgres.js, ioredis, ws) connects through net.Socket.
  net.Socket.prototype.connect = function connect() {
    refuse('a network connection');
  };
  net.Server.prototype.listen = function listen() {
    refuse('a listening server');
  };
  // spawn, exec, execFile and fork all go through ChildProcess.prototype.spawn (internal, so
  // not in the types).
  Object.defineProperty(childProcess.ChildProcess.prototype, 'spawn', { value: () => refuse('a child process'), configurable: true, writable: true });
  for (const name of ['spawnSync', 'execSync', 'execFileSync'] as const) {
    Object.defineProperty(childProcess, name, { value: () => refuse('a child process'), configurable: true, writable: true });
  }
  // Named imports (`import { execFileSync } from 'node:child_process'`) see the change too.
  syncBuiltinESMExports();
}
