// The messages between the bench's processes: the orchestrator (bench.ts), the two servers
// under test (hub-server.ts, reference-server.ts) and the load generator (loadgen.ts).
// Plain JSON over Node's IPC channel; every request carries an id and gets one answer.
import type { Latency } from './latency.ts';
import type { Pauses } from './pauses.ts';
import type { CpuWait } from './cpu-waits.ts';

export type ServerName = 'hub' | 'ref';

export interface Stages {
  /** message.send, from its frame read to its ok sent, by the hub's clock. */
  send: Latency;
  /** post.create, the same. */
  post: Latency;
  /** A write: the group commit's queue and transaction. */
  write: Latency;
  /** An event from its commit to its local publish. */
  fanout: Latency;
}

/** What a server reports about itself; CPU from process.cpuUsage() (all threads), µs. */
export interface ServerStats {
  cpuUserUs: number;
  cpuSystemUs: number;
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  /** Event loop delay and GC pauses since the previous stats request (a stall shows here, whoever measures latency). */
  pauses: Pauses;
  /** Open WebSocket connections the server holds. */
  connections: number;
  /** Its event loop's thread, since it started: on a CPU, and waiting for one (Linux only). */
  cpuWait?: CpuWait;
  /** Hub only: broker publishes since start to audience topics (one per topic and event). */
  brokerPublishes?: number;
  /** Hub only: group commits since start, and the writes they carried (hub/publisher.ts). */
  commits?: { batches: number; writes: number };
  /** Hub only: broker publishes to control topics (the event chain's ticks: one per event). */
  brokerControlPublishes?: number;
  /**
   * Hub only, since the previous stats request, ms, by the hub's own clocks (the histograms of
   * hub/metrics.ts, kept exact): message.send from its frame read to its `ok` sent; a write
   * from the group commit's queue to its outcome; an event from its commit to its local
   * publish. Where a chat message's time went.
   */
  stages?: Stages;
  /** Hub only: rows in the tables the scenarios write. */
  rows?: { events: number; posts: number; mailings: number; messages: number };
}

/** Start the V8 CPU profiler, or stop it and write the profile to `file`. */
export type ProfileCommand = { start: true } | { stop: string };

export type ToServer =
  | { type: 'stats'; id: number; gc: boolean; rows: boolean; profile?: ProfileCommand }
  | { type: 'stop'; id: number };

export type FromServer =
  | { type: 'ready'; port: number; pid: number }
  | { type: 'stats'; id: number; stats: ServerStats }
  | { type: 'stopped'; id: number };

/** Load generator → orchestrator: ask a server for its stats (optionally after a full GC). */
export interface StatsRequest {
  type: 'rpc';
  id: number;
  server: ServerName;
  gc: boolean;
  rows: boolean;
  profile?: ProfileCommand;
}

export type ToLoadgen =
  | { type: 'run'; scenario: string; params: unknown }
  | { type: 'rpc'; id: number; stats: ServerStats };

export type FromLoadgen =
  | StatsRequest
  | { type: 'result'; result: unknown }
  | { type: 'failed'; message: string }
  | { type: 'progress'; line: string };

export function cpuUs(s: Pick<ServerStats, 'cpuUserUs' | 'cpuSystemUs'>): number {
  return s.cpuUserUs + s.cpuSystemUs;
}
