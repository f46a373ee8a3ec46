// How people are shown to one another. A person with a protected identity never appears to
// other students or guardians (DIRECTORY.md): not in lists, not by name.
import type { Directory } from './directory/model.ts';

export interface PersonView {
  id: string;
  name: string;
}

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

export function personView(dir: Directory, viewer: string, personId: string): PersonView | undefined {
  if (!mayShow(dir, viewer, personId)) return undefined;
  return { id: personId, name: dir.person(personId)?.name ?? 'Unknown' };
}

export function peopleView(dir: Directory, viewer: string, ids: readonly string[]): PersonView[] {
  const out: PersonView[] = [];
  for (const id of ids) {
    const v = personView(dir, viewer, id);
    if (v) out.push(v);
  }
  return out;
}
