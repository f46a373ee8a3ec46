// Audiences as keys. An item stores the read keys of its audience (one row, never a copy per
// reader); a person holds the read keys that the directory gives them now; a person may read
// an item when the two sets meet. Live delivery publishes to uWS topics named by the same keys,
// except the per-member keys of part-of-group posts, which are resolved to person topics at
// send time so that a connection need not subscribe to one topic per group membership.
import type { Directory, StaffRole } from './directory/model.ts';
import { ownersOfGroupsOf, type DynamicAudience, type ItemState, type MailingDraft, type PostAudience } from './rules/index.ts';

/**
 * The kinds of read key, by prefix: one table that builds keys (`key`) and takes them apart
 * (`parseKey`), so that the two cannot drift. A key is `prefix:id` or `prefix:group:student`.
 */
const PREFIX = {
  person: 'p',
  groupStudents: 'gs',
  groupGuardians: 'gg',
  groupOwners: 'go',
  groupMember: 'gms',
  groupMemberGuardians: 'gmg',
  schoolStudents: 'ss',
  schoolGuardians: 'sg',
  schoolStaff: 'st',
  schoolLead: 'lead',
  schoolAdmins: 'adm',
  schoolReaders: 'rd',
  childGuardians: 'cg',
  studentMentors: 'cm',
  studentTeachers: 'ct',
} as const;
export type KeyKind = keyof typeof PREFIX;
const KIND_BY_PREFIX: ReadonlyMap<string, KeyKind> = new Map(Object.entries(PREFIX).map(([kind, prefix]) => [prefix, kind as KeyKind]));

const one = (kind: KeyKind) => (id: string) => `${PREFIX[kind]}:${id}`;
const two = (kind: KeyKind) => (g: string, s: string) => `${PREFIX[kind]}:${g}:${s}`;

export const key = {
  person: one('person'),
  groupStudents: one('groupStudents'),
  groupGuardians: one('groupGuardians'),
  groupOwners: one('groupOwners'),
  groupMember: two('groupMember'),
  groupMemberGuardians: two('groupMemberGuardians'),
  schoolStudents: one('schoolStudents'),
  schoolGuardians: one('schoolGuardians'),
  schoolStaff: one('schoolStaff'),
  /** Leaders, admins and readers of a school read every post there (§1). */
  schoolLead: one('schoolLead'),
  /** School admins alone: they see published plans and assignments through the group (§5). */
  schoolAdmins: one('schoolAdmins'),
  /** The reader role of a school alone: the student card of docs/DOMAIN.md §4, §6–§8. */
  schoolReaders: one('schoolReaders'),
  /**
   * One student's guardians, mentors, and teachers of their teaching groups, as the directory
   * has them now (development records, hub/audience-development.ts). Like the per-member
   * keys they are resolved to person topics at send time, not subscribed.
   */
  childGuardians: one('childGuardians'),
  studentMentors: one('studentMentors'),
  studentTeachers: one('studentTeachers'),
  /** Directory changes that concern every connection of this node (rights refresh). */
  everyone: 'all',
} as const;

/** A read key taken apart: its kind and what follows the prefix. Undefined for other strings. */
export function parseKey(k: string): { kind: KeyKind; rest: string } | undefined {
  const colon = k.indexOf(':');
  const kind = colon > 0 ? KIND_BY_PREFIX.get(k.slice(0, colon)) : undefined;
  return kind && { kind, rest: k.slice(colon + 1) };
}

export function postKeys(authorId: string, schoolId: string, audience: PostAudience): string[] {
  const out = new Set<string>([key.person(authorId), key.schoolLead(schoolId)]);
  const r = audience.recipients;
  for (const t of audience.targets) {
    if (t.kind === 'person') out.add(key.person(t.personId));
    else if (t.kind === 'school') {
      if (r.students) out.add(key.schoolStudents(schoolId));
      if (r.guardians) out.add(key.schoolGuardians(schoolId));
      if (r.staff) out.add(key.schoolStaff(schoolId));
    } else {
      out.add(key.groupOwners(t.groupId));
      if (t.memberIds) {
        for (const m of t.memberIds) {
          if (r.students) out.add(key.groupMember(t.groupId, m));
          if (r.guardians) out.add(key.groupMemberGuardians(t.groupId, m));
        }
      } else {
        if (r.students) out.add(key.groupStudents(t.groupId));
        if (r.guardians) out.add(key.groupGuardians(t.groupId));
      }
    }
  }
  return [...out];
}

export function mailingKeys(authorId: string, m: MailingDraft): string[] {
  const out = new Set<string>([key.person(authorId)]);
  for (const s of m.schoolIds) {
    out.add(key.schoolStaff(s)); // staff read mailings to schools they work at (§2)
    if (m.recipients.students) out.add(key.schoolStudents(s));
    if (m.recipients.guardians) out.add(key.schoolGuardians(s));
  }
  return [...out];
}

/**
 * A plan or assignment (docs/DOMAIN.md §5): the group's owners in every state; once published
 * (and while not hidden or closed) also its students, their guardians and the school's admins.
 * rules/items.ts canReadItem must agree; audience-items.test.ts checks that it does.
 */
export function itemKeys(item: { state: ItemState; groupId: string; schoolId: string }): string[] {
  const out = [key.groupOwners(item.groupId)];
  if (item.state === 'published') out.push(key.groupStudents(item.groupId), key.groupGuardians(item.groupId), key.schoolAdmins(item.schoolId));
  return out;
}

/**
 * A development conference: the mentor, and while the student is in the mentor group, the
 * student and the student's guardians (per-member keys, resolved when sent and when read).
 */
export function conferenceKeys(c: { mentorId: string; groupId: string; studentId: string }): string[] {
  return [key.person(c.mentorId), key.groupMember(c.groupId, c.studentId), key.groupMemberGuardians(c.groupId, c.studentId)];
}

/** Read keys of a conversation whose membership follows the directory (rules/messages.ts audienceMembers). */
export function dynamicAudienceKeys(a: DynamicAudience): string[] {
  if (a.kind === 'conference') return conferenceKeys(a);
  return [key.groupOwners(a.groupId), a.members === 'students' ? key.groupStudents(a.groupId) : key.groupGuardians(a.groupId)];
}

/** The uWS topics a person's connections subscribe to. */
export function liveTopicsOf(dir: Directory, personId: string): string[] {
  const out = new Set<string>([key.person(personId)]);
  for (const g of dir.groupsOf(personId)) out.add(key.groupStudents(g));
  for (const s of dir.schoolsOfStudent(personId)) out.add(key.schoolStudents(s));
  for (const c of dir.childrenOf(personId)) {
    for (const g of dir.groupsOf(c)) out.add(key.groupGuardians(g));
    for (const s of dir.schoolsOfStudent(c)) out.add(key.schoolGuardians(s));
  }
  for (const g of dir.groupsOwnedBy(personId)) out.add(key.groupOwners(g));
  for (const s of dir.staffSchoolsOf(personId)) {
    out.add(key.schoolStaff(s));
    const roles = dir.staffRolesAt(personId, s);
    if (roles.has('school_leader') || roles.has('school_admin') || roles.has('reader')) out.add(key.schoolLead(s));
    if (roles.has('school_admin')) out.add(key.schoolAdmins(s));
    if (roles.has('reader')) out.add(key.schoolReaders(s));
  }
  return [...out];
}

/** Every read key a person holds now: the live topics plus their part-of-group keys. */
export function readKeysOf(dir: Directory, personId: string): string[] {
  const out = liveTopicsOf(dir, personId);
  for (const g of dir.groupsOf(personId)) out.push(key.groupMember(g, personId));
  for (const c of dir.childrenOf(personId)) {
    for (const g of dir.groupsOf(c)) out.push(key.groupMemberGuardians(g, c));
    out.push(key.childGuardians(c));
  }
  // A mentor or teacher holds one key per student of the mentor or teaching groups they own.
  const perStudent = new Set<string>();
  for (const g of dir.groupsOwnedBy(personId)) {
    const group = dir.groups.get(g);
    if (group?.kind === 'mentor') for (const s of group.members) perStudent.add(key.studentMentors(s));
    else if (group?.kind === 'teaching') for (const s of group.members) perStudent.add(key.studentTeachers(s));
  }
  out.push(...perStudent);
  return out;
}

/** The topics to publish an item with these read keys to, resolved against the directory now. */
export function liveTopicsFor(dir: Directory, keys: readonly string[]): string[] {
  const out = new Set<string>();
  for (const k of keys) {
    const parsed = parseKey(k);
    switch (parsed?.kind) {
      case 'groupMember':
      case 'groupMemberGuardians': {
        const [g, s] = parsed.rest.split(':') as [string, string];
        if (!dir.groups.get(g)?.members.has(s)) break;
        if (parsed.kind === 'groupMember') out.add(key.person(s));
        else for (const guardian of dir.guardiansOf(s)) out.add(key.person(guardian));
        break;
      }
      case 'childGuardians':
        for (const p of dir.guardiansOf(parsed.rest)) out.add(key.person(p));
        break;
      case 'studentMentors':
      case 'studentTeachers':
        for (const p of ownersOfGroupsOf(dir, parsed.rest, parsed.kind === 'studentMentors' ? 'mentor' : 'teaching')) out.add(key.person(p));
        break;
      default:
        out.add(k);
    }
  }
  return [...out];
}

/** Keys that let staff oversee a school (every post there, its plans, its cards): they allow reading, they address nobody. */
const OVERSIGHT: ReadonlySet<KeyKind> = new Set(['schoolLead', 'schoolAdmins', 'schoolReaders']);

/**
 * Everyone who holds any of `keys` now: the people a record with these read keys reaches, as
 * the directory has them (the inverse of readKeysOf; audience.test.ts checks that they agree).
 * With `addressedOnly`, the oversight keys are left out: the people the record was sent to,
 * not those who may look (notifications, hub/notify/).
 */
export function readersOf(dir: Directory, keys: readonly string[], opts: { addressedOnly?: boolean } = {}): Set<string> {
  const out = new Set<string>();
  const addAll = (ids: Iterable<string>) => {
    for (const id of ids) out.add(id);
  };
  const guardiansOfAll = (students: Iterable<string>) => {
    for (const s of students) addAll(dir.guardiansOf(s));
  };
  const studentsAt = (schoolId: string): Set<string> => {
    const s = new Set<string>();
    for (const g of dir.groups.values()) if (g.schoolId === schoolId) for (const m of g.members) s.add(m);
    return s;
  };
  const staffWith = (schoolId: string, roles: readonly StaffRole[]) => {
    for (const p of dir.staffOf(schoolId)) if (roles.some((r) => dir.hasStaffRole(p, schoolId, r))) out.add(p);
  };
  for (const k of keys) {
    const parsed = parseKey(k);
    if (!parsed) continue;
    if (opts.addressedOnly && OVERSIGHT.has(parsed.kind)) continue;
    const { rest } = parsed;
    switch (parsed.kind) {
      case 'person':
        if (dir.person(rest)) out.add(rest);
        break;
      case 'groupStudents':
        addAll(dir.groups.get(rest)?.members ?? []);
        break;
      case 'groupGuardians':
        guardiansOfAll(dir.groups.get(rest)?.members ?? []);
        break;
      case 'groupOwners':
        addAll(dir.groups.get(rest)?.owners ?? []);
        break;
      case 'groupMember':
      case 'groupMemberGuardians': {
        const [g, s] = rest.split(':') as [string, string];
        if (!dir.groups.get(g)?.members.has(s)) break;
        if (parsed.kind === 'groupMember') out.add(s);
        else addAll(dir.guardiansOf(s));
        break;
      }
      case 'schoolStudents':
        addAll(studentsAt(rest));
        break;
      case 'schoolGuardians':
        guardiansOfAll(studentsAt(rest));
        break;
      case 'schoolStaff':
        addAll(dir.staffOf(rest));
        break;
      case 'schoolLead':
        staffWith(rest, ['school_leader', 'school_admin', 'reader']);
        break;
      case 'schoolAdmins':
        staffWith(rest, ['school_admin']);
        break;
      case 'schoolReaders':
        staffWith(rest, ['reader']);
        break;
      case 'childGuardians':
        addAll(dir.guardiansOf(rest));
        break;
      case 'studentMentors':
      case 'studentTeachers':
        addAll(ownersOfGroupsOf(dir, rest, parsed.kind === 'studentMentors' ? 'mentor' : 'teaching'));
        break;
    }
  }
  return out;
}
