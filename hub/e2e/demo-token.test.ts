// HUB_DEMO=1 with a configured secret: the demo's token endpoint is unauthenticated and signs
// with the real secret, so it mints only for the demo district's people (never for anyone the
// school imported), and the hub warns at start.
import { describe, expect, it } from 'vitest';
import { freshDatabase, TEST_ADMIN, TEST_SECRET, type TestHub } from '../testing/harness.ts';
import { useTestHub } from '../testing/lifecycle.ts';
import { startNodeProcess } from '../testing/processes.ts';
import { demoBundle } from '../demo/district.ts';

/** The demo district and one real person of the school's, a staff member of Ekskolan. */
function withRealPerson() {
  const b = demoBundle();
  const mentor = b.persons.find((p) => p.id === 'p-mentor-ek')!;
  b.persons.push({ ...mentor, id: 'p-real-rektor', givenName: 'Riktig', familyName: 'Rektor', emails: [] });
  const duty = b.duties.find((d) => d.person.id === 'p-mentor-ek')!;
  b.duties.push({ ...structuredClone(duty), id: `${duty.id}-real`, person: { id: 'p-real-rektor' } });
  return b;
}

describe('demo mode with a configured secret', () => {
  let t: TestHub;
  useTestHub((hub) => (t = hub), { env: { HUB_DEMO: '1' }, bundle: withRealPerson() });

  it('mints no token for a person outside the demo district, though that person is in the directory', async () => {
    expect(t.hub.core.directory().person('p-real-rektor')).toBeDefined();
    const res = await fetch(`${t.url}/demo/token?as=p-real-rektor`, { headers: { origin: 'https://evil.example' } });
    expect(res.status).toBe(404);
    expect(await res.text()).not.toMatch(/eyJ/);
    // The demo's own people still get theirs.
    expect((await fetch(`${t.url}/demo/token?as=p-mentor-ek`)).status).toBe(200);
  });

  it('warns at start', async () => {
    const db = await freshDatabase();
    const node = await startNodeProcess({ DATABASE_URL: db.url, HUB_JWT_SECRET: TEST_SECRET, HUB_ADMIN_TOKEN: TEST_ADMIN, HUB_DEMO: '1' });
    try {
      expect(node.output.join('')).toMatch(/WARNING: HUB_DEMO=1 with a configured HUB_JWT_SECRET/);
    } finally {
      node.kill('SIGINT');
      await node.exited;
      await db.drop();
    }
  });
});
