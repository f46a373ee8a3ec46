// Who is in each part (students, guardians, staff) of a post's or mailing's audience, by the
// directory now: the denominator of read statistics ("read by 18 of 24 guardians") and the
// reader's parts that a read mark counts in (docs/DOMAIN.md, "Read statistics"). Both come from
// the item's read keys, so they agree with who may read it: a person is in the audience through
// key K exactly when readKeysOf gives them K. Pure: no I/O; the members of an item are kept per
// directory view, so a 100,000-guardian mailing is walked once per directory change, not per read.
import type { Directory } from './directory/model.ts';
import { parseKey } from './audience.ts';
import type { ReadPart } from '../storage/read-stats.ts';

export interface ReadItem {
  id: string;
  kind: 'post' | 'mailing';
  authorId: string;
  /** The post's school (posts only). */
  schoolId?: string;
  /** The mailing's recipient flags (mailings only): its staff are counted when `staff` is set. */
  recipients?: unknown;
  keys: readonly string[];
}

/** The part a key's members are in, or undefined for keys that give no audience (the author, leaders, the group's teachers). */
function partOfKey(dir: Directory, item: ReadItem, k: string): ReadPart | 'person' | undefined {
  const parsed = parseKey(k);
  switch (parsed?.kind) {
    case 'schoolStudents': case 'groupStudents': case 'groupMember': return 'students';
    case 'schoolGuardians': case 'groupGuardians': case 'groupMemberGuardians': return 'guardians';
    case 'schoolStaff':
      // Staff read every mailing to their school (§2) but are its audience only when chosen.
      return item.kind === 'post' || (item.recipients as { staff?: boolean } | undefined)?.staff === true ? 'staff' : undefined;
    case 'person': return parsed.rest === item.authorId ? undefined : 'person';
    default: return undefined;
  }
}

/** A person addressed by name counts where they belong at the post's school: staff, else student, else guardian. */
function partOfPerson(dir: Directory, item: ReadItem, personId: string): ReadPart {
  if (item.schoolId !== undefined && dir.isStaffAt(personId, item.schoolId)) return 'staff';
  if (dir.isStudent(personId)) return 'students';
  if (dir.isGuardian(personId)) return 'guardians';
  return 'staff';
}

/** The parts the item addresses (whether or not anyone is in them now), in a fixed order. */
export function partsAddressed(dir: Directory, item: ReadItem): ReadPart[] {
  const out = new Set<ReadPart>();
  for (const k of item.keys) {
    const part = partOfKey(dir, item, k);
    if (part === 'person') out.add(partOfPerson(dir, item, parseKey(k)!.rest));
    else if (part) out.add(part);
  }
  return (['students', 'guardians', 'staff'] as const).filter((p) => out.has(p));
}

/** The parts of the item's audience that a reader holding `readerKeys` (readKeysOf) is in. */
export function readerParts(dir: Directory, item: ReadItem, readerId: string, readerKeys: ReadonlySet<string>): ReadPart[] {
  // The author is never their own audience (a leader's post to the school's staff).
  if (readerId === item.authorId) return [];
  const out = new Set<ReadPart>();
  for (const k of item.keys) {
    if (!readerKeys.has(k)) continue;
    const part = partOfKey(dir, item, k);
    if (part === 'person') out.add(partOfPerson(dir, item, readerId));
    else if (part) out.add(part);
  }
  return [...out];
}

/** Members of one key, as readKeysOf hands the key out. */
function membersOfKey(dir: Directory, k: string, add: (personId: string) => void): void {
  const parsed = parseKey(k);
  if (!parsed) return;
  const guardiansOf = (s: string) => { for (const g of dir.guardiansOf(s)) add(g); };
  switch (parsed.kind) {
    case 'schoolStudents': case 'schoolGuardians':
      for (const group of dir.groups.values()) {
        if (group.schoolId !== parsed.rest) continue;
        for (const s of group.members) (parsed.kind === 'schoolStudents' ? add(s) : guardiansOf(s));
      }
      return;
    case 'schoolStaff':
      for (const p of dir.staffOf(parsed.rest)) add(p);
      return;
    case 'groupStudents': case 'groupGuardians':
      for (const s of dir.groups.get(parsed.rest)?.members ?? []) (parsed.kind === 'groupStudents' ? add(s) : guardiansOf(s));
      return;
    case 'groupMember': case 'groupMemberGuardians': {
      const [g, s] = parsed.rest.split(':') as [string, string];
      if (!dir.groups.get(g)?.members.has(s)) return;
      if (parsed.kind === 'groupMember') add(s);
      else guardiansOf(s);
      return;
    }
    case 'person':
      if (dir.person(parsed.rest)) add(parsed.rest);
      return;
    default:
  }
}

export interface AudienceParts {
  /** Members per addressed part; a person can be in two parts (a teacher who is also a guardian). */
  members: ReadonlyMap<ReadPart, ReadonlySet<string>>;
  /** The members of a part by name then id: the order of the "not read" list. Made on first use. */
  sorted(part: ReadPart): readonly string[];
  /** Where a member stands in sorted(part), or undefined. */
  position(part: ReadPart, personId: string): number | undefined;
}

/** Items whose members one directory view keeps; beyond it the oldest go (a new view starts empty). */
const CACHED_ITEMS = 200;
const cache = new WeakMap<Directory, Map<string, AudienceParts>>();
const COLLATOR = new Intl.Collator('sv');

/** The item's audience per part by this directory view (kept per view: walked once per directory change). */
export function audienceParts(dir: Directory, item: ReadItem): AudienceParts {
  let items = cache.get(dir);
  if (!items) cache.set(dir, (items = new Map()));
  const hit = items.get(item.id);
  if (hit) return hit;
  const members = new Map<ReadPart, Set<string>>(partsAddressed(dir, item).map((p) => [p, new Set<string>()]));
  for (const k of item.keys) {
    const part = partOfKey(dir, item, k);
    if (part === undefined) continue;
    membersOfKey(dir, k, (p) => p !== item.authorId && members.get(part === 'person' ? partOfPerson(dir, item, p) : part)?.add(p));
  }
  const sortedParts = new Map<ReadPart, { list: string[]; at: Map<string, number> }>();
  const name = (id: string) => dir.person(id)?.name ?? '';
  const sortedPart = (part: ReadPart) => {
    let s = sortedParts.get(part);
    if (!s) {
      const list = [...(members.get(part) ?? [])].sort((a, b) => COLLATOR.compare(name(a), name(b)) || (a < b ? -1 : a > b ? 1 : 0));
      s = { list, at: new Map(list.map((p, i) => [p, i])) };
      sortedParts.set(part, s);
    }
    return s;
  };
  const parts: AudienceParts = {
    members,
    sorted: (part) => sortedPart(part).list,
    position: (part, personId) => sortedPart(part).at.get(personId),
  };
  if (items.size >= CACHED_ITEMS) items.delete(items.keys().next().value!);
  items.set(item.id, parts);
  return parts;
}

/**
 * Who may follow an item's reads (statistics, the "not read" list, reminders): its author, and
 * for a post the school leaders of its school. A mailing's is its head of operations (the
 * author) alone, as no other reads it (§2). Everyone else gets the answer for an unknown id.
 */
export function mayFollowReads(dir: Directory, viewer: string, item: ReadItem): boolean {
  if (viewer === item.authorId) return true;
  return item.kind === 'post' && item.schoolId !== undefined && dir.hasStaffRole(viewer, item.schoolId, 'school_leader');
}
