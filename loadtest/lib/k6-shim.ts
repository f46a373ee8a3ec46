// Just enough of k6's API (v0.48) to run the scenarios of loadtest/k6 in Node for a test: k6 is
// not installable here. k6/ws is backed by the `ws` package; unlike k6, connect() returns at
// once (k6 blocks until the socket closes), so tests await `closed` instead. Metrics and checks
// are recorded for the test to inspect, and `evaluateThresholds` judges them as k6 does (a
// Trend or Rate without samples passes; a Counter without samples has count 0). `Vus` numbers
// VUs as k6 does: across all scenarios. Binary frames would be an error: the scripts speak JSON.
import WebSocket from 'ws';

export interface Sample {
  metric: string;
  value: number;
  tags: Record<string, string> | undefined;
}

export const samples: Sample[] = [];
export const closed: Promise<number>[] = [];
export const problems: string[] = [];

/** Forgets the samples, sockets and problems of a run (the metrics stay defined). */
export function reset(): void {
  samples.length = 0;
  closed.length = 0;
  problems.length = 0;
}

type MetricType = 'trend' | 'rate' | 'counter';
/** The metrics defined so far and their types; `checks` is k6's own Rate. */
export const metricTypes = new Map<string, MetricType>([['checks', 'rate']]);

class Metric {
  constructor(
    readonly name: string,
    type: MetricType,
  ) {
    metricTypes.set(name, type);
  }
  add(value: number | boolean, tags?: Record<string, string>): void {
    samples.push({ metric: this.name, value: Number(value), tags });
  }
}
export class Trend extends Metric {
  constructor(name: string) {
    super(name, 'trend');
  }
}
export class Rate extends Metric {
  constructor(name: string) {
    super(name, 'rate');
  }
}
export class Counter extends Metric {
  constructor(name: string) {
    super(name, 'counter');
  }
}

export function check<T>(value: T, sets: Record<string, (v: T) => boolean>): boolean {
  let all = true;
  for (const [name, fn] of Object.entries(sets)) {
    const ok = !!fn(value);
    samples.push({ metric: 'checks', value: Number(ok), tags: { check: name } });
    all &&= ok;
  }
  return all;
}

export function sleep(): void {}

/** k6's SharedArray(name, fn) is an array built once; here simply fn(). */
export const SharedArray = function (_name: string, fn: () => unknown[]) {
  return fn();
} as unknown as new (name: string, fn: () => unknown[]) => unknown[];

/** k6/execution, as it is during the iteration `Vus.iterate` started last. */
export const execution = {
  vu: { idInTest: 1, idInInstance: 1, iterationInInstance: 0, iterationInScenario: 0 },
  scenario: { name: '', executor: '', startTime: 0, progress: 0, iterationInInstance: 0, iterationInTest: 0 },
  instance: { iterationsCompleted: 0, iterationsInterrupted: 0, vusActive: 0, vusInitialized: 0, currentTestRunDuration: 0 },
  test: {
    abort(): never {
      throw new Error('exec.test.abort()');
    },
  },
};

interface ScenarioOptions {
  executor: string;
  exec?: string;
  vus?: number;
  preAllocatedVUs?: number;
  maxVUs?: number;
}

/**
 * k6's VUs: one pool for the whole test, numbered 1…N (`exec.vu.idInTest`) across all
 * scenarios, so a VU's id says nothing about its place in its scenario; iterations are
 * numbered per scenario (`exec.scenario.iterationInTest`) and per VU
 * (`exec.vu.iterationInScenario`). k6 promises no order of the ids; here the scenarios take
 * theirs in the order they are declared.
 */
export class Vus {
  private readonly ids = new Map<string, number[]>();
  private readonly iterations = new Map<string, number>();
  private readonly perVu = new Map<string, number>();
  constructor(private readonly scenarios: Record<string, ScenarioOptions>) {
    let next = 1;
    for (const [name, o] of Object.entries(scenarios)) {
      const n = o.vus ?? o.maxVUs ?? o.preAllocatedVUs ?? 1;
      this.ids.set(name, Array.from({ length: n }, () => next++));
      this.iterations.set(name, 0);
    }
  }

  /** Starts one iteration of `scenario` on its `index`-th VU: sets `execution`, then calls `fn(data)`. */
  iterate<R>(scenario: string, index: number, fn: (data: unknown) => R, data?: unknown): R {
    const o = this.scenarios[scenario];
    const id = this.ids.get(scenario)?.[index];
    if (!o || id === undefined) throw new Error(`no VU ${index} in scenario ${scenario}`);
    const key = `${scenario}/${id}`;
    const mine = this.perVu.get(key) ?? 0;
    this.perVu.set(key, mine + 1);
    const n = this.iterations.get(scenario)!;
    this.iterations.set(scenario, n + 1);
    Object.assign(execution.vu, { idInTest: id, idInInstance: id, iterationInScenario: mine, iterationInInstance: mine });
    Object.assign(execution.scenario, { name: scenario, executor: o.executor, iterationInTest: n, iterationInInstance: n });
    return fn(data);
  }
}

export interface ThresholdResult {
  metric: string;
  threshold: string;
  /** The aggregate the threshold compared, undefined when k6 has none (a Rate without samples). */
  value: number | undefined;
  ok: boolean;
}

const AGGREGATES: Record<MetricType, RegExp> = {
  counter: /^(count|rate)$/,
  rate: /^rate$/,
  trend: /^(min|max|avg|med|p\(\d+(\.\d+)?\))$/,
};

/**
 * k6's end-of-test verdict on `thresholds` from the samples recorded: an aggregate a metric
 * type does not have is an error (k6 refuses to start); a Trend without samples has 0 for
 * every aggregate, a Rate without samples has no rate and passes, a Counter without samples
 * has count 0. `seconds` is the test's duration (a Counter's rate).
 */
export function evaluateThresholds(thresholds: Record<string, string[]>, seconds = 1): ThresholdResult[] {
  const out: ThresholdResult[] = [];
  for (const [key, list] of Object.entries(thresholds)) {
    const m = /^([\w.]+)(?:\{(.*)\})?$/.exec(key);
    if (!m) throw new Error(`threshold key ${key}`);
    const name = m[1]!;
    const type = metricTypes.get(name);
    if (!type) throw new Error(`threshold on ${key}: no metric named ${name}`);
    const tags = (m[2] ?? '').split(',').filter(Boolean).map((t) => t.split(':').map((x) => x.trim()) as [string, string]);
    const values = samples.filter((s) => s.metric === name && tags.every(([k, v]) => s.tags?.[k] === v)).map((s) => s.value);
    const sorted = [...values].sort((a, b) => a - b);
    for (const source of list) {
      const e = /^\s*([\w]+(?:\([\d.]+\))?)\s*(<=|>=|===|==|!=|<|>)\s*(-?[\d.]+)\s*$/.exec(source);
      if (!e) throw new Error(`threshold ${key}: ${source}`);
      const agg = e[1]!;
      if (!AGGREGATES[type].test(agg)) throw new Error(`threshold ${key}: ${agg} is not an aggregate of a ${type}`);
      let value: number | undefined;
      const sum = values.reduce((a, b) => a + b, 0);
      if (type === 'counter') value = agg === 'count' ? sum : sum / seconds;
      else if (type === 'rate') value = values.length ? sum / values.length : undefined;
      else if (!values.length) value = 0;
      else if (agg === 'min') value = sorted[0];
      else if (agg === 'max') value = sorted[sorted.length - 1];
      else if (agg === 'avg') value = sum / values.length;
      else {
        const p = agg === 'med' ? 0.5 : Number(agg.slice(2, -1)) / 100;
        const x = p * (sorted.length - 1);
        const lo = Math.floor(x);
        value = sorted[lo]! + (sorted[Math.min(lo + 1, sorted.length - 1)]! - sorted[lo]!) * (x - lo);
      }
      const rhs = Number(e[3]);
      const op = e[2]!;
      const ok = value === undefined || (op === '<' ? value < rhs : op === '<=' ? value <= rhs : op === '>' ? value > rhs : op === '>=' ? value >= rhs : op === '!=' ? value !== rhs : value === rhs);
      out.push({ metric: key, threshold: source, value, ok });
    }
  }
  return out;
}

type Handler = (...args: unknown[]) => void;

export const ws = {
  connect(url: string, params: { headers?: Record<string, string> }, fn: (socket: unknown) => void): { status: number } {
    const protocol = params.headers?.['Sec-WebSocket-Protocol'];
    const sock = new WebSocket(url, protocol ? [protocol] : []);
    const handlers: Record<string, Handler> = {};
    const timers: NodeJS.Timeout[] = [];
    let done = false;
    let finish: (code: number) => void = () => {};
    // As k6's closeConnection: once, the close handler gets the code sent (or received).
    const end = (code: number) => {
      if (done) return;
      done = true;
      for (const t of timers) clearTimeout(t);
      handlers.close?.(code);
      finish(code);
    };
    const socket = {
      on: (event: string, h: Handler) => void (handlers[event] = h),
      send: (text: string) => {
        if (typeof text !== 'string') problems.push('send() of something that is not a string');
        if (!done) sock.send(text);
      },
      // k6: close() without a code sends 1001 (going away).
      close: (code = 1001) => {
        if (done) return;
        sock.close(code);
        end(code);
      },
      setTimeout: (h: () => void, ms: number) => void timers.push(setTimeout(h, ms)),
      setInterval: (h: () => void, ms: number) => void timers.push(setInterval(h, ms)),
    };
    fn(socket);
    sock.on('open', () => handlers.open?.());
    sock.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) problems.push('a binary frame on the JSON subprotocol');
      handlers.message?.(data.toString('utf8'));
    });
    sock.on('error', (e) => {
      problems.push(`socket error: ${e.message}`);
      handlers.error?.(e);
    });
    closed.push(new Promise((resolve) => (finish = resolve)));
    sock.on('close', (code: number) => {
      // k6 reports a close it did not ask for with a code other than 1000 or 1001 (1006
      // included) as an 'error' first, then 'close'.
      if (!done && code !== 1000 && code !== 1001) handlers.error?.(new Error(`websocket: close ${code}`));
      end(code);
    });
    return { status: 101 };
  },
};
