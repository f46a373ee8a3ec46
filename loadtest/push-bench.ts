// Push sends per second per core (loadtest/scenarios/push-sends.ts), on its own:
//   node --import ./hub/typescript/register.mjs loadtest/push-bench.ts [--subscriptions 100000] [--concurrency 64]
// The sender is pinned to CPU 0 and the local push service to CPU 1 when taskset exists.
import { measurePushSends } from './scenarios/push-sends.ts';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};

const r = await measurePushSends({ subscriptions: arg('subscriptions', 100_000), concurrency: arg('concurrency', 64), senderCpu: 0, endpointCpu: 1 });
console.log(JSON.stringify(r, null, 2));
console.log(
  `[push] ${r.sent.toLocaleString('en')} pushes in ${r.wallSeconds.toFixed(1)} s: ${Math.round(r.pushesPerSecond)}/s wall, ` +
  `${Math.round(r.cpuMicrosPerPush)} µs CPU per push → ${Math.round(r.pushesPerCoreSecond)} pushes/s per core; ` +
  `encryption alone ${Math.round(r.encryptMicrosPerPush)} µs (${Math.round((100 * r.encryptMicrosPerPush) / r.cpuMicrosPerPush)}% of it)${r.pinned ? '' : ' (not pinned)'}`,
);
process.exit(0);
