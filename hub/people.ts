// How people are shown to one another. A person with a protected identity never appears to
// other students or guardians (docs/DOMAIN.md, "Protected identities"): not in lists, not by name.
// Nor does a guardian of a protected child: their name in a class's conversation would tell
// every other family that the child is in the class. This file is the one place that decides.
import type { Directory } from './directory/model.ts';

/** Is `viewer` staff somewhere (then they see protected persons they work with, and their reads are audited)? */
export function isStaff(dir: Directory, viewer: string): boolean {
  return dir.staffSchoolsOf(viewer).size > 0 || dir.headOfOperationsIn(viewer).size > 0 || dir.isSystemAdmin(viewer);
}

/** A guardian (not blocked) of a child with a protected identity. */
function guardsProtectedChild(dir: Directory, personId: string): boolean {
  for (const c of dir.childrenOf(personId)) if (dir.person(c)?.protected) return true;
  return false;
}

/**
 * Is `personId` hidden from some students and guardians? A protected identity, or a guardian
 * of a protected child. Where nobody like that takes part, an event needs no splitting.
 */
export function hiddenFromFamilies(dir: Directory, personId: string): boolean {
  return dir.person(personId)?.protected === true || guardsProtectedChild(dir, personId);
}

export function mayShow(dir: Directory, viewer: string, personId: string): boolean {
  if (viewer === personId) return true;
  const p = dir.person(personId);
  if (!p) return true;
  if (p.protected) return isStaff(dir, viewer) || dir.guardiansOf(personId).has(viewer);
  if (!guardsProtectedChild(dir, personId)) return true;
  if (isStaff(dir, viewer)) return true;
  // The family itself: the guardian's children, and the other guardians of those children.
  for (const c of dir.childrenOf(personId)) if (c === viewer || dir.guardiansOf(c).has(viewer)) return true;
  return false;
}
