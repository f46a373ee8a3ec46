// Turns imported directory records into the in-memory Directory, as of one day.
// Pure: the same records and day give the same view.
import type {
  ActivityRecord, DutyRecord, ExtensionRoleRecord, GroupRecord, OrganisationRecord,
  PersonRecord, PlacementRecord, SchoolSettingRecord,
} from './schema.ts';
import { Directory, type District, type Group, type GroupKind, type Person, type School, type StaffRole } from './model.ts';

export interface DirectoryRecords {
  organisations: OrganisationRecord[];
  persons: PersonRecord[];
  groups: GroupRecord[];
  duties: DutyRecord[];
  activities: ActivityRecord[];
  placements: PlacementRecord[];
  roles: ExtensionRoleRecord[];
  settings: SchoolSettingRecord[];
  /** Guardian links that must not exist (secrecy against a guardian; table guardian_blocks). */
  guardianBlocks?: { guardianId: string; childId: string }[];
}

export const GROUP_KINDS: Readonly<Record<string, GroupKind>> = {
  Undervisning: 'teaching',
  Klass: 'mentor',
  Mentor: 'mentor',
  Avdelning: 'preschool',
};

export const DUTY_ROLES: Readonly<Record<string, StaffRole>> = {
  Rektor: 'school_leader',
  'Övrig arbetsledning': 'school_leader',
  Skoladministratör: 'school_admin',
  Lärare: 'teacher',
  Förstelärare: 'teacher',
  Förskollärare: 'teacher',
  Barnskötare: 'teacher',
};

const PRESCHOOL_DUTIES = new Set(['Förskollärare', 'Barnskötare']);
export const GUARDIAN_RELATION = 'Vårdnadshavare';
export const UNPROTECTED_MARKING = 'Ingen';

/** Today as YYYY-MM-DD (UTC), the day the view is valid for. */
export function today(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

function activeOn(day: string, r: { startDate?: string | undefined; endDate?: string | undefined }): boolean {
  return (r.startDate === undefined || r.startDate <= day) && (r.endDate === undefined || r.endDate >= day);
}

function addTo<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(value);
}

let versionCounter = 0;

/**
 * Records handled between two turns of the event loop when the view is built in slices: about
 * 5–10 ms of work. A municipality's 150,000 people take 0.5–0.7 s to build, and a node that
 * built them at once delivered nothing meanwhile (loadtest/RESULTS.md, "A directory change
 * without a stall").
 */
export const BUILD_SLICE = 2_000;

/** The view of `records` on `day`, built at once (at a node's start, in tests). */
export function buildDirectory(records: DirectoryRecords, day: string = today()): Directory {
  const steps = buildSteps(records, day);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** The same view, built in slices of BUILD_SLICE records with a turn of the event loop between. */
export async function buildDirectoryInSlices(records: DirectoryRecords, day: string = today()): Promise<Directory> {
  const steps = buildSteps(records, day);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** The one build: yields after every BUILD_SLICE records it handles. */
function* buildSteps(records: DirectoryRecords, day: string): Generator<void, Directory, void> {
  let handled = 0;
  const sliceDone = () => ++handled % BUILD_SLICE === 0;
  const orgs = new Map(records.organisations.map((o) => [o.id, o]));
  const districtOf = (orgId: string): string | null => {
    const seen = new Set<string>();
    let cur = orgs.get(orgId);
    while (cur && !seen.has(cur.id)) {
      if (cur.organisationType === 'Huvudman') return cur.id;
      seen.add(cur.id);
      cur = cur.parentOrganisation ? orgs.get(cur.parentOrganisation.id) : undefined;
    }
    return null;
  };
  const settings = new Map(records.settings.map((s) => [s.organisation.id, s]));

  const districts = new Map<string, District>();
  const schools = new Map<string, School>();
  for (const o of records.organisations) {
    if (o.organisationType === 'Huvudman') districts.set(o.id, { id: o.id, name: o.displayName, retentionDays: settings.get(o.id)?.retentionDays ?? null });
    else if (o.organisationType === 'Skolenhet') {
      schools.set(o.id, {
        id: o.id,
        name: o.displayName,
        districtId: districtOf(o.id),
        teacherGuardianDirectMessages: settings.get(o.id)?.teacherGuardianDirectMessages ?? false,
        quietHours: settings.get(o.id)?.quietHours ?? null,
        lockScreen: settings.get(o.id)?.lockScreen ?? 'sender',
        assessmentLevels: settings.get(o.id)?.assessmentLevels ?? [],
      });
    }
  }

  const persons = new Map<string, Person>();
  const guardians = new Map<string, Set<string>>();
  const children = new Map<string, Set<string>>();
  for (const p of records.persons) {
    if (sliceDone()) yield;
    persons.set(p.id, {
      id: p.id,
      name: `${p.givenName} ${p.familyName}`.trim(),
      protected: p.securityMarking !== undefined && p.securityMarking !== UNPROTECTED_MARKING,
    });
  }
  // A blocked guardian is simply not linked to that child: every right and audience that
  // follows the link (posts, items, conferences, conversations, contacts) is gone with it.
  const blocked = new Set((records.guardianBlocks ?? []).map((b) => `${b.guardianId}\u0000${b.childId}`));
  for (const p of records.persons) {
    if (sliceDone()) yield;
    for (const r of p.responsibles ?? []) {
      if (r.relationType !== GUARDIAN_RELATION || !activeOn(day, r) || !persons.has(r.person.id)) continue;
      if (blocked.has(`${r.person.id}\u0000${p.id}`)) continue;
      addTo(guardians, p.id, r.person.id);
      addTo(children, r.person.id, p.id);
    }
  }

  const owners = new Map<string, Set<string>>();
  const members = new Map<string, Set<string>>();
  const groupInfo = new Map<string, { rec: GroupRecord; kind: GroupKind; schoolId: string }>();
  for (const g of records.groups) {
    if (sliceDone()) yield;
    // Own entries only: a groupType of "constructor" names no kind (issue 15 item 1).
    const kind = Object.hasOwn(GROUP_KINDS, g.groupType) ? GROUP_KINDS[g.groupType] : undefined;
    if (!kind || !activeOn(day, g) || !schools.has(g.organisation.id)) continue;
    groupInfo.set(g.id, { rec: g, kind, schoolId: g.organisation.id });
    for (const m of g.groupMemberships ?? []) {
      if (activeOn(day, m) && persons.has(m.person.id)) addTo(members, g.id, m.person.id);
    }
  }
  for (const p of records.placements) {
    if (sliceDone()) yield;
    const info = groupInfo.get(p.group.id);
    if (info?.kind === 'preschool' && activeOn(day, p) && persons.has(p.child.id)) addTo(members, p.group.id, p.child.id);
  }

  const staff = new Map<string, Map<string, Set<StaffRole>>>();
  const addStaff = (personId: string, schoolId: string, role: StaffRole): void => {
    let bySchool = staff.get(personId);
    if (!bySchool) staff.set(personId, (bySchool = new Map()));
    addTo(bySchool, schoolId, role);
  };
  const activeDuties = new Map<string, DutyRecord>();
  for (const d of records.duties) {
    if (sliceDone()) yield;
    const role = Object.hasOwn(DUTY_ROLES, d.dutyRole) ? DUTY_ROLES[d.dutyRole] : undefined;
    if (!role || !activeOn(day, d) || !schools.has(d.dutyAt.id) || !persons.has(d.person.id)) continue;
    activeDuties.set(d.id, d);
    addStaff(d.person.id, d.dutyAt.id, role);
    for (const a of d.assignmentRole ?? []) {
      const info = groupInfo.get(a.group.id);
      if (!info || !activeOn(day, a)) continue;
      const mentor = a.assignmentRoleType === 'Mentor';
      const preschool = PRESCHOOL_DUTIES.has(a.assignmentRoleType) && info.kind === 'preschool';
      if (mentor || preschool) addTo(owners, a.group.id, d.person.id);
    }
  }
  for (const act of records.activities) {
    if (sliceDone()) yield;
    if (!activeOn(day, act)) continue;
    for (const t of act.teachers ?? []) {
      const duty = activeDuties.get(t.duty.id);
      if (!duty || !activeOn(day, t)) continue;
      for (const g of act.groups) if (groupInfo.has(g.id)) addTo(owners, g.id, duty.person.id);
    }
  }

  const headOfOps = new Map<string, Set<string>>();
  const sysAdmins = new Set<string>();
  for (const r of records.roles) {
    if (!persons.has(r.person.id)) continue;
    if (r.role === 'system_admin') sysAdmins.add(r.person.id);
    else if (r.role === 'head_of_operations' && r.organisation && districts.has(r.organisation.id)) addTo(headOfOps, r.person.id, r.organisation.id);
    else if (r.role === 'reader' && r.organisation && schools.has(r.organisation.id)) addStaff(r.person.id, r.organisation.id, 'reader');
  }

  const groups = new Map<string, Group>();
  const memberOf = new Map<string, Set<string>>();
  const ownerOf = new Map<string, Set<string>>();
  for (const [id, info] of groupInfo) {
    if (sliceDone()) yield;
    const m = members.get(id) ?? new Set<string>();
    const o = owners.get(id) ?? new Set<string>();
    groups.set(id, { id, name: info.rec.displayName, kind: info.kind, schoolId: info.schoolId, owners: o, members: m });
    for (const p of m) addTo(memberOf, p, id);
    for (const p of o) addTo(ownerOf, p, id);
  }

  // A person with no relation left (every membership, duty, guardianship and role ended) has
  // left the directory: tokens for them are refused and their connections close.
  for (const id of [...persons.keys()]) {
    if (sliceDone()) yield;
    const active = memberOf.has(id) || ownerOf.has(id) || staff.has(id) || guardians.has(id) || children.has(id) || headOfOps.has(id) || sysAdmins.has(id);
    if (!active) persons.delete(id);
  }

  return new Directory(persons, districts, schools, groups, staff, guardians, children, memberOf, ownerOf, headOfOps, sysAdmins, ++versionCounter);
}
