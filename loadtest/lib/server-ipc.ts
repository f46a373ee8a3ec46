// The server side of the bench's IPC: answers stats requests (CPU, memory, connections,
// optionally after a full GC so that RSS shows live memory) and stops on request.
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
import { pauseMonitor } from './pauses.ts';
import { thisThread } from './cpu-waits.ts';
import type { FromServer, ProfileCommand, ServerStats, Stages, ToServer } from './ipc.ts';

export interface ServerHooks {
  connections(): number;
  brokerPublishes?(): { audience: number; control: number };
  commits?(): { batches: number; writes: number };
  rows?(): Promise<NonNullable<ServerStats['rows']>>;
  /** Since the previous call. */
  stages?(): Stages;
  stop(): Promise<void>;
}

function send(msg: FromServer): void {
  process.send?.(msg);
}

function fullGc(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  // Twice: the first pass can leave garbage that finalizers released.
  gc?.();
  gc?.();
}

let session: Session | undefined;

function post<T>(method: string, params: object = {}): Promise<T> {
  return new Promise((resolve, reject) => session!.post(method, params, (err, res) => (err ? reject(err) : resolve(res as T))));
}

/**
 * The same V8 sampling profiler as `node --cpu-prof` (1 ms interval), but only over the
 * window a scenario measures, so connection setup does not blur the picture.
 */
async function profile(cmd: ProfileCommand): Promise<void> {
  if ('start' in cmd) {
    session ??= new Session();
    session.connect();
    await post('Profiler.enable');
    await post('Profiler.setSamplingInterval', { interval: 1000 });
    await post('Profiler.start');
    return;
  }
  if (!session) return;
  const { profile: p } = await post<{ profile: unknown }>('Profiler.stop');
  writeFileSync(cmd.stop, JSON.stringify(p));
  session.disconnect();
}

export function serveIpc(port: number, hooks: ServerHooks): void {
  const pauses = pauseMonitor();
  // The orchestrator went away: do not linger holding ports and sockets.
  process.on('disconnect', () => process.exit(1));
  process.on('message', (raw) => {
    const msg = raw as ToServer;
    void (async () => {
      if (msg.type === 'stop') {
        await hooks.stop();
        send({ type: 'stopped', id: msg.id });
        // process.exit writes the --cpu-prof profile; give the IPC message a moment to leave.
        setTimeout(() => process.exit(0), 50);
        return;
      }
      if (msg.profile && 'stop' in msg.profile) await profile(msg.profile);
      if (msg.gc) fullGc();
      const cpu = process.cpuUsage();
      const cpuWait = thisThread();
      const mem = process.memoryUsage();
      const stats: ServerStats = {
        cpuUserUs: cpu.user, cpuSystemUs: cpu.system, rss: mem.rss, heapUsed: mem.heapUsed, external: mem.external,
        arrayBuffers: mem.arrayBuffers, connections: hooks.connections(),
        pauses: pauses.read(),
        ...(cpuWait ? { cpuWait } : {}),
        ...(hooks.brokerPublishes ? { brokerPublishes: hooks.brokerPublishes().audience, brokerControlPublishes: hooks.brokerPublishes().control } : {}),
        ...(hooks.commits ? { commits: hooks.commits() } : {}),
        ...(hooks.stages ? { stages: hooks.stages() } : {}),
        ...(msg.rows && hooks.rows ? { rows: await hooks.rows() } : {}),
      };
      pauses.reset();
      if (msg.profile && 'start' in msg.profile) await profile(msg.profile);
      send({ type: 'stats', id: msg.id, stats });
    })();
  });
  send({ type: 'ready', port, pid: process.pid });
}
