// A hub node process for the multi-node notification test (hub/e2e/notify-nodes.test.ts): the
// hub of `npm start`, given the test channels that POST to the receiver at TEST_NOTIFY_RECEIVER
// (hub/testing/notify.ts). Every person has one device there. TEST_NODE_NAME marks its sends.
import { loadConfig } from '../config.ts';
import { startHub } from '../node.ts';
import { httpPushChannel, TestTargets } from './notify.ts';

const receiver = process.env.TEST_NOTIFY_RECEIVER;
if (!receiver) throw new Error('TEST_NOTIFY_RECEIVER is not set');
const targets = new TestTargets(() => receiver);
targets.everyone = { push: true, mail: false };
const hub = await startHub({
  config: loadConfig(),
  log: () => {},
  notify: { channels: { push: httpPushChannel(process.env.TEST_NODE_NAME ?? 'node'), targets }, pollMs: 50, leaseMs: Number(process.env.TEST_NOTIFY_LEASE_MS ?? 5_000) },
});
console.log(`[hub] listening on ${hub.url}`);
process.on('SIGTERM', () => void hub.stop().then(() => process.exit(0)));
