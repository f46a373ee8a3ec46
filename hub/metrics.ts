// A small Prometheus registry: counters, gauges and histograms, rendered as text format 0.0.4.
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';

type Labels = Record<string, string>;

/** A label value as Prometheus's text format writes it: backslash, double quote and newline escaped. */
const escapeLabel = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const NEEDS_ESCAPE = /[\\"\n]/;

/** `{k="v",...}`, or '' for no labels. Built for every count a request or a write makes: no array, no regex replace unless needed. */
function labelText(labels: Labels): string {
  let text = '';
  for (const k in labels) {
    const v = labels[k]!;
    text += `${text ? ',' : '{'}${k}="${NEEDS_ESCAPE.test(v) ? escapeLabel(v) : v}"`;
  }
  return text && `${text}}`;
}

interface Metric {
  render(): string;
}

export class Counter implements Metric {
  private readonly values = new Map<string, number>();
  constructor(readonly name: string, readonly help: string) {}
  inc(labels: Labels = {}, by = 1): void {
    const k = labelText(labels);
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }
  get(labels: Labels = {}): number {
    return this.values.get(labelText(labels)) ?? 0;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    if (this.values.size === 0) lines.push(`${this.name} 0`);
    for (const [k, v] of this.values) lines.push(`${this.name}${k} ${v}`);
    return lines.join('\n');
  }
}

export class Gauge implements Metric {
  private readonly values = new Map<string, () => number>();
  constructor(readonly name: string, readonly help: string) {}
  set(fn: () => number, labels: Labels = {}): void {
    this.values.set(labelText(labels), fn);
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`];
    for (const [k, fn] of this.values) lines.push(`${this.name}${k} ${fn()}`);
    return lines.join('\n');
  }
}

/** Seconds, for the latencies of a request, a write and a fan-out: half a millisecond to ten seconds. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const NO_LABELS: Labels = Object.freeze({});

/** A scavenge takes a millisecond or a few; a full collection's pause tens of them. */
const GC_BUCKETS = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25];

const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

interface Series {
  counts: number[];
  sum: number;
  count: number;
}

export class Histogram implements Metric {
  private readonly series = new Map<string, Series>();
  /** Called with every value observed (the benchmark keeps them for exact percentiles). */
  tap: ((v: number, labels: Labels) => void) | undefined;
  constructor(readonly name: string, readonly help: string, readonly buckets: number[]) {}
  observe(v: number, labels: Labels = NO_LABELS): void {
    // Observed per event and per request: an unlabelled series needs no key built.
    const k = labels === NO_LABELS ? '' : labelText(labels);
    let s = this.series.get(k);
    if (!s) this.series.set(k, (s = { counts: this.buckets.map(() => 0), sum: 0, count: 0 }));
    s.sum += v;
    s.count++;
    for (let i = 0; i < this.buckets.length; i++) if (v <= this.buckets[i]!) s.counts[i]!++;
    this.tap?.(v, labels);
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    // An unobserved histogram without labels still shows its zeroes, as a counter does.
    const all = this.series.size > 0 ? this.series : new Map([['', { counts: this.buckets.map(() => 0), sum: 0, count: 0 }]]);
    for (const [k, s] of all) {
      // `le` joins the series' own labels inside one pair of braces.
      const le = (b: string) => (k ? `${k.slice(0, -1)},le="${b}"}` : `{le="${b}"}`);
      this.buckets.forEach((b, i) => lines.push(`${this.name}_bucket${le(String(b))} ${s.counts[i]}`));
      lines.push(`${this.name}_bucket${le('+Inf')} ${s.count}`, `${this.name}_sum${k} ${s.sum}`, `${this.name}_count${k} ${s.count}`);
    }
    return lines.join('\n');
  }
}

export class Metrics {
  readonly connections = new Gauge('schoolhub_connections', 'Open WebSocket connections by state');
  readonly framesIn = new Counter('schoolhub_frames_in_total', 'Frames received from clients');
  readonly framesOut = new Counter('schoolhub_frames_out_total', 'Frames sent to one client (replies, replays); fan-out counted apart');
  readonly published = new Counter('schoolhub_events_published_total', 'Events published to local topics (one per topic and codec)');
  readonly errors = new Counter('schoolhub_errors_total', 'Error replies by code');
  readonly closes = new Counter('schoolhub_closes_total', 'Connections closed by the hub, by close code');
  readonly fanoutSeconds = new Histogram('schoolhub_fanout_seconds', 'From commit to local publish of an event', LATENCY_BUCKETS);
  readonly requestSeconds = new Histogram('schoolhub_request_seconds', 'From a request frame read to its answer sent, by request type', LATENCY_BUCKETS);
  readonly writeSeconds = new Histogram('schoolhub_write_seconds', 'From a write handed to the group commit to its outcome (queue and transaction)', LATENCY_BUCKETS);
  readonly conversationCopies = new Counter('schoolhub_conversation_copies_total', "message.send by how it found its conversation: the node's copy used, read again (the copy stale or refusing), or read (no copy)");
  readonly conversationCopiesKept = new Gauge('schoolhub_conversation_copies', "Conversations this node keeps a copy of for message.send");
  readonly dbUp = new Gauge('schoolhub_database_up', '1 when the last database check succeeded');
  readonly brokerUp = new Gauge('schoolhub_broker_up', '1 when the broker is connected');
  readonly imports = new Counter('schoolhub_directory_imports_total', 'Directory imports by result');
  readonly http = new Counter('schoolhub_http_requests_total', 'HTTP requests by route and status');
  readonly limited = new Counter('schoolhub_limited_total', 'Requests and connections refused by an abuse limit, by limit');
  // Notifications (docs/NOTIFICATIONS.md). The counters count this node's work; the gauges are
  // the shared outbox as this node last read it (every node reports the same).
  readonly notificationsQueued = new Counter('schoolhub_notifications_queued_total', 'Notifications put in the outbox by this node, by channel');
  readonly notificationsSent = new Counter('schoolhub_notifications_sent_total', 'Notifications sent by this node, by channel');
  readonly notificationsFailed = new Counter('schoolhub_notifications_failed_total', 'Sends that failed and wait for a retry, by channel');
  readonly notificationsGivenUp = new Counter('schoolhub_notifications_given_up_total', 'Notifications given up (kept in the outbox as given up or gone), by channel and reason');
  readonly notificationsWaiting = new Gauge('schoolhub_notifications_waiting', 'Notifications waiting in the outbox (held, due or being sent), by channel');
  readonly notificationOldestSeconds = new Gauge('schoolhub_notification_oldest_waiting_seconds', 'How long the oldest due notification has waited past its due time');
  readonly gcPauseSeconds = new Histogram('schoolhub_gc_pause_seconds', "This process's pauses for garbage collection, by kind (minor: a young-generation scavenge; major: a full mark-compact)", GC_BUCKETS);
  readonly heapSpaceBytes = new Gauge('schoolhub_heap_space_bytes', "The size of this process's V8 heap spaces, by space (new_space: the young generation, two semi-spaces)");

  constructor() {
    for (const { space_name: space } of getHeapSpaceStatistics()) {
      this.heapSpaceBytes.set(() => getHeapSpaceStatistics().find((s) => s.space_name === space)?.space_size ?? 0, { space });
    }
  }

  /**
   * Counts the process's garbage-collection pauses into gcPauseSeconds until the returned stop is
   * called: a pause stops every connection of the node at once, and is where latency tails come
   * from that no request's own timing shows (docs/ARCHITECTURE.md, "Garbage collection pauses").
   */
  observeGc(): () => void {
    const observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const kind = GC_KINDS[(e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ?? -1] ?? 'other';
        this.gcPauseSeconds.observe(e.duration / 1000, { kind });
      }
    });
    observer.observe({ entryTypes: ['gc'] });
    return () => observer.disconnect();
  }

  render(): string {
    const all: Metric[] = [this.connections, this.framesIn, this.framesOut, this.published, this.errors, this.closes, this.fanoutSeconds, this.requestSeconds, this.writeSeconds, this.conversationCopies, this.conversationCopiesKept, this.dbUp, this.brokerUp, this.imports, this.http, this.limited,
      this.notificationsQueued, this.notificationsSent, this.notificationsFailed, this.notificationsGivenUp, this.notificationsWaiting, this.notificationOldestSeconds, this.gcPauseSeconds, this.heapSpaceBytes];
    return all.map((m) => m.render()).join('\n') + '\n';
  }
}
