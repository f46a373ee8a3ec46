// The two ways a handler refuses: a rule's decision turned into the client's error
// (`assertAllowed`), and a target the caller cannot know exists answered like one that does
// not (`assertKnown`; docs/ARCHITECTURE.md, "Decisions": what exists is not probed across
// schools).
import type { Decision, Denial } from '../rules/index.ts';
import type { Directory } from '../directory/model.ts';
import { RequestError } from '../protocol/codes.ts';

type Path = (string | number)[];

/** A rule's denial as the error the client gets; `path` names the field when the rule's does not fit the request. */
export function refusal(denial: Denial, path?: Path): RequestError {
  return new RequestError(denial.code, denial.reason, path ?? denial.path);
}

/** Throws the refusal of a decision that does not allow. */
export function assertAllowed(decision: Decision, path?: Path): void {
  if (!decision.ok) throw refusal(decision, path);
}

/** An id of the directory that a request names, and where in the request it is. */
export interface Target {
  kind: 'person' | 'student' | 'group' | 'school' | 'district';
  id: string;
  path: Path;
}

/** The answer for an id that does not exist, and for one the caller may not know exists: the same, word for word. */
const NO_SUCH: Readonly<Record<Target['kind'], string>> = {
  person: 'no such person',
  student: 'no such student',
  group: 'no such group',
  school: 'no such school',
  district: 'no such district',
};

/** The schools a person belongs to: as staff (a head of operations: their districts' schools), as a student, as a guardian of one. */
function schoolsOf(dir: Directory, personId: string): Set<string> {
  const out = new Set([...dir.staffSchoolsOf(personId), ...dir.schoolsOfStudent(personId)]);
  for (const c of dir.childrenOf(personId)) for (const s of dir.schoolsOfStudent(c)) out.add(s);
  for (const d of dir.headOfOperationsIn(personId)) for (const s of dir.schoolsOfDistrict(d)) out.add(s.id);
  return out;
}

/**
 * Does `actor` know that `t` exists? Everything of the schools they belong to (the school, its
 * groups, its people, its district), and their own family. A system admin knows everything.
 */
function knows(dir: Directory, actor: string, mine: ReadonlySet<string>, t: Target): boolean {
  switch (t.kind) {
    case 'school':
      return dir.schools.has(t.id) && (mine.has(t.id) || dir.isSystemAdmin(actor));
    case 'group': {
      const group = dir.groups.get(t.id);
      return group !== undefined && (mine.has(group.schoolId) || dir.isSystemAdmin(actor));
    }
    case 'district':
      return dir.districts.has(t.id) && (dir.isSystemAdmin(actor) || [...mine].some((s) => dir.schools.get(s)?.districtId === t.id));
    case 'person':
    case 'student': {
      if (!dir.person(t.id)) return false;
      if (t.id === actor || dir.isSystemAdmin(actor) || dir.childrenOf(actor).has(t.id) || dir.guardiansOf(actor).has(t.id)) return true;
      for (const s of schoolsOf(dir, t.id)) if (mine.has(s)) return true;
      return false;
    }
  }
}

/**
 * Refuses the first target `actor` cannot know exists with `not_found`, as if it did not exist.
 * Asked before the rules, so that an id of another school and an id of nothing get one answer
 * whatever else the request holds; the rules then answer `forbidden` only about what the caller
 * knows. Never refuses what the rules would allow: they allow nothing outside one's schools.
 */
export function assertKnown(dir: Directory, actor: string, targets: Iterable<Target>): void {
  let mine: Set<string> | undefined;
  for (const t of targets) {
    mine ??= schoolsOf(dir, actor);
    if (!knows(dir, actor, mine, t)) throw new RequestError('not_found', NO_SUCH[t.kind], t.path);
  }
}
