// Summarizes a V8 .cpuprofile (node --cpu-prof, e.g. `npm run bench -- --only fanout --cpu-prof`):
// self time by area (uWS and the kernel, GC, postgres.js, zod, msgpackr, the hub's own
// modules, ...) and the hottest functions. Usage: node --import ./hub/typescript/register.mjs loadtest/profile-summary.ts FILE [top]
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import path from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** The area a frame belongs to, by its file. Native frames (uWS sends, syscalls) show as (program). */
export function areaOf(f: CallFrame): string {
  const u = f.url;
  if (!u) return f.functionName.startsWith('(') ? f.functionName : `native ${f.functionName || '(anonymous)'}`;
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u);
  if (m) return m[1]!;
  if (u.startsWith('node:')) return 'node internals';
  const local = /\/(hub|storage|loadtest)\/(.+)$/.exec(u);
  if (local) return `${local[1]}/${local[2]}`;
  return path.basename(u);
}

export interface ProfileSummary {
  totalMs: number;
  byArea: { area: string; ms: number; share: number }[];
  byFunction: { fn: string; ms: number; share: number }[];
}

export function summarizeProfile(p: CpuProfile, top = 25): ProfileSummary {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  p.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  const area = new Map<string, number>();
  const fn = new Map<string, number>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const f = byId.get(id)!.callFrame;
    total += us;
    const a = areaOf(f);
    area.set(a, (area.get(a) ?? 0) + us);
    const key = `${f.functionName || '(anonymous)'} ${f.url ? `${areaOf(f)}:${f.lineNumber + 1}` : ''}`.trim();
    fn.set(key, (fn.get(key) ?? 0) + us);
  }
  const sorted = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
  return {
    totalMs: total / 1000,
    byArea: sorted(area).map(([a, us]) => ({ area: a, ms: us / 1000, share: us / total })),
    byFunction: sorted(fn).map(([f, us]) => ({ fn: f, ms: us / 1000, share: us / total })),
  };
}

function main(): void {
  const [file, topArg] = process.argv.slice(2);
  if (!file) {
    console.error('usage: profile-summary.ts FILE.cpuprofile [top]');
    process.exit(2);
  }
  const s = summarizeProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, Number(topArg ?? 25));
  const pct = (x: number) => `${(x * 100).toFixed(1).padStart(5)}%`;
  console.log(`${file}: ${s.totalMs.toFixed(0)} ms sampled`);
  console.log('\nself time by area:');
  for (const a of s.byArea) console.log(`  ${pct(a.share)} ${a.ms.toFixed(0).padStart(7)} ms  ${a.area}`);
  console.log('\nhottest functions (self time):');
  for (const f of s.byFunction) console.log(`  ${pct(f.share)} ${f.ms.toFixed(0).padStart(7)} ms  ${f.fn}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) main();
