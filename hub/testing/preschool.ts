// A variant of the demo district for the tests of the reader's documentation dashboard
// (hub/e2e/documentation-dashboard.test.ts, widgets/e2e/documentation.test.ts): Förskolan
// Solrosen gets a second child group, Lingon (g-sol-lingon), where Saga (p-child-3) is placed
// with a protected identity; p-pre-teacher works in both groups. The demo itself keeps one
// child group, which other tests count on.
import { demoBundle } from '../demo/district.ts';
import type { Bundle } from '../directory/schema.ts';

export const LINGON = 'g-sol-lingon';
export const SAGA = 'p-child-3';

export function twoChildGroupsBundle(): Bundle {
  const b = demoBundle();
  b.groups.push({ id: LINGON, displayName: 'Lingon', groupType: 'Avdelning', organisation: { id: 's-solrosen' }, startDate: '2024-08-01', groupMemberships: [] });
  b.placements.find((p) => p.child.id === SAGA)!.group = { id: LINGON };
  b.duties.find((d) => d.person.id === 'p-pre-teacher')!.assignmentRole!.push({ group: { id: LINGON }, assignmentRoleType: 'Förskollärare', startDate: '2024-08-01' });
  b.persons.find((p) => p.id === SAGA)!.securityMarking = 'Skyddad folkbokföring';
  return b;
}
