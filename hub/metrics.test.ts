// The process metrics of /metrics: GC pauses by kind and the heap's spaces.
import { describe, expect, it } from 'vitest';
import { Counter, Metrics } from './metrics.ts';
import { seriesValue } from './testing/metrics-text.ts';

describe('labels', () => {
  it('are written in the order given, escaped as the text format wants, one series per set of values', () => {
    const c = new Counter('t_total', 'test');
    c.inc({ op: 'message.send', outcome: 'ok' });
    c.inc({ op: 'message.send', outcome: 'ok' }, 2);
    c.inc({ op: 'a"b\\c\nd' });
    c.inc();
    expect(c.render().split('\n').slice(2)).toEqual(['t_total{op="message.send",outcome="ok"} 3', 't_total{op="a\\"b\\\\c\\nd"} 1', 't_total 1']);
    expect(c.get({ op: 'message.send', outcome: 'ok' })).toBe(3);
  });
});

describe('process metrics', () => {
  it('counts garbage-collection pauses by kind while observed, and not after', async () => {
    const metrics = new Metrics();
    const stop = metrics.observeGc();
    churn();
    await until(() => count(metrics.render(), 'minor') > 0);
    const seen = count(metrics.render(), 'minor');
    expect(seen).toBeGreaterThan(0);
    expect(metrics.render()).toMatch(/^schoolhub_gc_pause_seconds_bucket\{kind="minor",le="0.0005"\} \d+$/m);
    stop();
    churn();
    await new Promise((r) => setTimeout(r, 50));
    expect(count(metrics.render(), 'minor')).toBe(seen);
  });

  it("reports every V8 heap space's size", () => {
    const text = new Metrics().render();
    for (const space of ['new_space', 'old_space', 'code_space', 'large_object_space']) {
      expect(Number(seriesValue(text, 'schoolhub_heap_space_bytes', { space }))).toBeGreaterThanOrEqual(0);
    }
    expect(Number(seriesValue(text, 'schoolhub_heap_space_bytes', { space: 'new_space' }))).toBeGreaterThan(0);
  });
});

/** Short-lived garbage, enough for several scavenges. */
function churn(): void {
  let keep: object[] = [];
  for (let i = 0; i < 2_000_000; i++) {
    keep.push({ i });
    if (keep.length > 1000) keep = [];
  }
}

function count(text: string, kind: string): number {
  return seriesValue(text, 'schoolhub_gc_pause_seconds_count', { kind }) ?? 0;
}

async function until(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
}
