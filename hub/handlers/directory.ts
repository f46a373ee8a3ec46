// contacts.get and audience.get: what the widgets offer in their pickers. The hub computes it
// from the rules, so that a browser never decides who may be reached.
import { can, rowAllows, type GroupMembers, type MessagingHistory } from '../rules/index.ts';
import { itemStartersOf } from '../../storage/items.ts';
import type { Directory } from '../directory/model.ts';
import { mayShow } from '../people.ts';
import type { Handler } from './context.ts';
import { audit } from '../audit.ts';

type Relation = 'mentor' | 'teacher' | 'staff' | 'student' | 'guardian';

interface Contact {
  id: string;
  name: string;
  relation: Relation;
  /** For a guardian: the children through whom they are reached; for a student: nothing. */
  about?: { id: string; name: string }[];
}

function relationOf(dir: Directory, me: string, other: string): Relation {
  if ([...dir.childrenOf(me)].some((c) => dir.mentors(other, c)) || dir.mentors(other, me)) return 'mentor';
  if ([...dir.childrenOf(me)].some((c) => dir.teaches(other, c)) || dir.teaches(other, me)) return 'teacher';
  if (dir.isGuardian(other) && !dir.isStudent(other) && dir.staffSchoolsOf(other).size === 0) return 'guardian';
  if (dir.staffSchoolsOf(other).size > 0) return 'staff';
  return dir.isGuardian(other) ? 'guardian' : 'student';
}

/** A mentor group whose whole-group conversation (conversation.start, groupId + audience) the caller may start. */
interface ContactGroup {
  id: string;
  name: string;
  audiences: GroupMembers[];
}

const GROUP_AUDIENCES: readonly GroupMembers[] = ['students', 'guardians'];

/**
 * The groups conversation.start accepts from `me` with a groupId: only groups they own can
 * pass, and the hub's own rule decides which of those do (one place for the rule).
 */
function startableGroups(dir: Directory, me: string): ContactGroup[] {
  return [...dir.groupsOwnedBy(me)]
    .filter((g) => can(dir, me, { type: 'conversation.start.group', groupId: g }).ok)
    .map((g) => ({ id: g, name: dir.groups.get(g)?.name ?? '', audiences: [...GROUP_AUDIENCES] }))
    .sort((a, b) => a.name.localeCompare(b.name, 'sv'));
}

/** People who may be related to `me` at all; the rules then decide who may be messaged. */
function candidates(dir: Directory, me: string): Set<string> {
  const out = new Set<string>();
  for (const s of dir.staffSchoolsOf(me)) for (const p of dir.staffOf(s)) out.add(p);
  for (const g of dir.groupsOwnedBy(me)) {
    for (const student of dir.groups.get(g)?.members ?? []) {
      out.add(student);
      for (const guardian of dir.guardiansOf(student)) out.add(guardian);
    }
  }
  for (const s of dir.schoolsOfStudent(me)) for (const p of dir.staffOf(s)) out.add(p);
  for (const c of dir.childrenOf(me)) for (const g of dir.groupsOf(c)) for (const o of dir.groups.get(g)?.owners ?? []) out.add(o);
  out.delete(me);
  return out;
}

export const getContacts: Handler<'contacts.get'> = async (ctx, req) => {
  const { dir, personId: me } = ctx;
  const q = req.query?.toLocaleLowerCase('sv') ?? '';
  const limit = req.limit ?? 50;
  // §3: guardians (and students) who started a plan/assignment conversation with me may be messaged directly.
  const startedWithMe = new Set(await itemStartersOf(ctx.sql, me));
  const history: MessagingHistory = { startedThroughItemWith: (t, o) => t === me && startedWithMe.has(o) };
  const contacts: Contact[] = [];
  for (const id of new Set([...candidates(dir, me), ...startedWithMe])) {
    const person = dir.person(id);
    if (!person || !mayShow(dir, me, id)) continue;
    if (q && !person.name.toLocaleLowerCase('sv').includes(q)) continue;
    if (id === me || !rowAllows(dir, me, id, { kind: 'direct' }, history)) continue;
    const contact: Contact = { id, name: person.name, relation: relationOf(dir, me, id) };
    if (contact.relation === 'guardian') {
      contact.about = [...dir.childrenOf(id)].filter((c) => dir.teaches(me, c) || dir.mentors(me, c)).map((c) => ({ id: c, name: dir.person(c)?.name ?? '' }));
    }
    contacts.push(contact);
  }
  contacts.sort((a, b) => a.name.localeCompare(b.name, 'sv'));
  const shown = contacts.slice(0, limit);
  audit(ctx, 'contacts.get', () => shown.map((c) => ({ about: [c.id, ...(c.about ?? []).map((a) => a.id)], ids: [c.id] })));
  // `query` and `limit` are for people: a mentor has a group or two, always all offered.
  return { contacts: shown, groups: startableGroups(dir, me) };
};

export const getAudience: Handler<'audience.get'> = async (ctx) => {
  const { dir, personId: me } = ctx;
  const schools = [];
  const schoolIds = new Set([...dir.staffSchoolsOf(me)]);
  for (const sid of schoolIds) {
    const school = dir.schools.get(sid);
    if (!school) continue;
    const leader = dir.hasStaffRole(me, sid, 'school_leader');
    const admin = dir.hasStaffRole(me, sid, 'school_admin');
    const groups = [...dir.groups.values()]
      .filter((g) => g.schoolId === sid && (leader || admin || g.owners.has(me)))
      .sort((a, b) => a.name.localeCompare(b.name, 'sv'))
      .map((g) => ({
        id: g.id, name: g.name, kind: g.kind,
        // Whether its group overview opens for the caller (the rule's answer, not a guess from roles).
        overview: can(dir, me, { type: 'group.overview', groupId: g.id }).ok,
        // Whether the caller documents this child group (§4: its teachers), so may open and write its documentation.
        documentation: g.kind === 'preschool' && can(dir, me, { type: 'documentation.create', documentation: { groupId: g.id } }).ok,
        members: [...g.members].map((m) => ({ id: m, name: dir.person(m)?.name ?? '' })).sort((a, b) => a.name.localeCompare(b.name, 'sv')),
      }));
    if (groups.length === 0 && !leader && !admin) continue;
    schools.push({ id: sid, name: school.name, wholeSchool: leader || admin, staff: leader, groups });
  }
  const districts = [...dir.headOfOperationsIn(me)].map((d) => ({
    id: d, name: dir.districts.get(d)?.name ?? '',
    schools: dir.schoolsOfDistrict(d).map((s) => ({ id: s.id, name: s.name })).sort((a, b) => a.name.localeCompare(b.name, 'sv')),
  }));
  const result = { posts: { schools }, mailings: { districts } };
  audit(ctx, 'audience.get', () => result.posts.schools.flatMap((s) => s.groups.map((g) => ({ about: g.members.map((m) => m.id), ids: [g.id] }))));
  return result;
};
