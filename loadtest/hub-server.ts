// The hub under test, as a child process of the bench: the real startHub (tokens, rules,
// storage, uWS topics) with the in-process broker wrapped to count its publishes. The
// configuration comes from the environment the bench sets (DATABASE_URL, HUB_JWT_SECRET, ...).
// With REDIS_URL set (the notify phase's nodes) it is a node as `npm start` makes it: the Redis
// broker, and the notification channels its configuration gives (hub/notify/configured.ts).
import { loadConfig } from '../hub/config.ts';
import { startHub } from '../hub/node.ts';
import { CountingBroker } from './lib/counting-broker.ts';
import { latency } from './lib/latency.ts';
import { serveIpc } from './lib/server-ipc.ts';

const config = loadConfig({ ...process.env, PORT: '0', HOST: '127.0.0.1', HUB_DEMO: '0' });
const broker = config.redisUrl ? undefined : new CountingBroker();
const hub = await startHub({
  config,
  ...(broker ? { broker } : {}),
  // Only failures: a line per request would cost the CPU being measured.
  log: (message, error) => {
    if (error !== undefined) console.error(`[hub] ${message}:`, error instanceof Error ? error.message : error);
  },
});

// The hub's latency histograms, kept exact for the stats of each measured window.
const noSamples = () => ({ send: [] as number[], post: [] as number[], write: [] as number[], fanout: [] as number[] });
let samples = noSamples();
const { metrics } = hub.core;
metrics.requestSeconds.tap = (seconds, labels) => {
  if (labels.type === 'message.send') samples.send.push(seconds * 1000);
  else if (labels.type === 'post.create') samples.post.push(seconds * 1000);
};
metrics.writeSeconds.tap = (seconds) => samples.write.push(seconds * 1000);
metrics.fanoutSeconds.tap = (seconds) => samples.fanout.push(seconds * 1000);

serveIpc(hub.port, {
  connections: () => hub.sessions.all.size,
  ...(broker ? { brokerPublishes: () => ({ audience: broker.publishes, control: broker.controlPublishes }) } : {}),
  commits: () => ({ batches: hub.core.publisher.stats.batches, writes: hub.core.publisher.stats.writes }),
  stages: () => {
    const taken = samples;
    samples = noSamples();
    return { send: latency(taken.send), post: latency(taken.post), write: latency(taken.write), fanout: latency(taken.fanout) };
  },
  rows: async () => {
    const [r] = await hub.core.sql<{ events: number; posts: number; mailings: number; messages: number }[]>`
      select (select count(*) from events)::int as events, (select count(*) from posts)::int as posts,
             (select count(*) from mailings)::int as mailings, (select count(*) from messages)::int as messages`;
    return r!;
  },
  stop: () => hub.stop(0),
});
