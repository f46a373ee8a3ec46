// Just enough of k6's API to run the scenarios of loadtest/k6 in Node for a test: k6 is not
// installable here. k6/ws is backed by the `ws` package; unlike k6, connect() returns at once
// (k6 blocks until the socket closes), so tests await `closed` instead. Metrics and checks are
// recorded for the test to inspect. Binary frames would be an error: the scripts speak JSON.
import WebSocket from 'ws';

export interface Sample {
  metric: string;
  value: number;
  tags: Record<string, string> | undefined;
}

export const samples: Sample[] = [];
export const closed: Promise<number>[] = [];
export const problems: string[] = [];

class Metric {
  constructor(readonly name: string) {}
  add(value: number | boolean, tags?: Record<string, string>): void {
    samples.push({ metric: this.name, value: Number(value), tags });
  }
}
export class Trend extends Metric {}
export class Rate extends Metric {}
export class Counter extends Metric {}

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

export const execution = { vu: { idInTest: 1, iterationInScenario: 0 }, scenario: { name: 'test' } };

type Handler = (...args: unknown[]) => void;

export const ws = {
  connect(url: string, params: { headers?: Record<string, string> }, fn: (socket: unknown) => void): { status: number } {
    const protocol = params.headers?.['Sec-WebSocket-Protocol'];
    const sock = new WebSocket(url, protocol ? [protocol] : []);
    const handlers: Record<string, Handler> = {};
    const timers: NodeJS.Timeout[] = [];
    const socket = {
      on: (event: string, h: Handler) => void (handlers[event] = h),
      send: (text: string) => {
        if (typeof text !== 'string') problems.push('send() of something that is not a string');
        sock.send(text);
      },
      close: () => sock.close(1000),
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
    closed.push(
      new Promise((resolve) =>
        sock.on('close', (code: number) => {
          for (const t of timers) clearTimeout(t);
          handlers.close?.(code);
          resolve(code);
        }),
      ),
    );
    return { status: 101 };
  },
};
