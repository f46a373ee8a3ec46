// A reconnect storm: a crowd comes back at once with cursors. Everyone catches up with exactly
// what they missed, and the replays share queries instead of one per client.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../testing/harness.ts';
import { TestClient } from '../testing/client.ts';
import { ABUSE_LIMITS } from '../limits.ts';

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub();
  // The demo district has a few dozen people: here each stands for many who reconnect.
  ABUSE_LIMITS.connectionsPerPerson = 10_000;
});
afterAll(async () => {
  await t?.stop();
});

const CLIENTS = 1_200;
const people = ['p-stu-ek-1', 'p-stu-ek-2', 'p-gua-ek-1a', 'p-gua-ek-2b', 'p-stu-ek-4', 'p-gua-ek-4a'];

describe('reconnect storm', () => {
  it(`${CLIENTS} clients reconnecting at once all catch up, with batched replays`, async () => {
    const tokens = new Map(await Promise.all(people.map(async (p) => [p, await t.token(p)] as const)));
    const cursor = (await t.connect('p-stu-ek-1')).lastCursor()!;
    // While they are away: posts to 7A's students and guardians and to Matematik 7's students.
    const mentor = await t.connect('p-mentor-ek');
    const teacher = await t.connect('p-teacher-ek');
    for (let i = 0; i < 10; i++) {
      await mentor.ok('post.create', { schoolId: 's-ekskolan', title: `7A ${i}`, body: '…', clientKey: `s7a${i}`, audience: { targets: [{ kind: 'group', groupId: 'g-ek-7a' }], recipients: { students: true, guardians: true } } });
      await teacher.ok('post.create', { schoolId: 's-ekskolan', title: `Ma ${i}`, body: '…', clientKey: `sma${i}`, audience: { targets: [{ kind: 'group', groupId: 'g-ek-ma7' }], recipients: { students: true } } });
    }
    const queriesBefore = t.hub.core.replays.queries;
    const started = Date.now();
    const clients = await Promise.all(Array.from({ length: CLIENTS }, async (_, i) => {
      const person = people[i % people.length]!;
      const c = await TestClient.open(t.wsUrl);
      c.send({ type: 'hello', token: tokens.get(person)!, cursor });
      return { person, c };
    }));
    await Promise.all(clients.map(({ c }) => c.waitFor((f) => f.type === 'event' && f.event === 'sync.done', 60_000)));
    const seconds = (Date.now() - started) / 1000;
    for (const { person, c } of clients) {
      const titles = c.events('post.created').map((e) => (e.data as { post: { title: string } }).post.title);
      // Students get both groups' posts (all of them are in Matematik 7 here); guardians 7A's only.
      const expected = person.startsWith('p-stu') ? 20 : 10;
      expect(titles, person).toHaveLength(expected);
      c.terminate();
    }
    const queries = t.hub.core.replays.queries - queriesBefore;
    console.log(`[storm] ${CLIENTS} clients caught up in ${seconds.toFixed(2)} s with ${queries} replay queries`);
    expect(queries).toBeLessThan(CLIENTS / 10);
  }, 120_000);
});
