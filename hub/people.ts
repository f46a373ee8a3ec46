// How people are shown to one another. A person with a protected identity never appears to
// other students or guardians (docs/DOMAIN.md, "Protected identities"): not in lists, not by name.
import type { Directory } from './directory/model.ts';

/** Is `viewer` staff somewhere (then they see protected persons they work with, and their reads are audited)? */
export function isStaff(dir: Directory, viewer: string): boolean {
  return dir.staffSchoolsOf(viewer).size > 0 || dir.headOfOperationsIn(viewer).size > 0 || dir.isSystemAdmin(viewer);
}

export function mayShow(dir: Directory, viewer: string, personId: string): boolean {
  if (viewer === personId) return true;
  const p = dir.person(personId);
  if (!p || !p.protected) return true;
  if (isStaff(dir, viewer)) return true;
  return dir.guardiansOf(personId).has(viewer);
}
