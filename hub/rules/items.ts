// docs/DOMAIN.md §5 (plans and assignments) and development conferences (§3, §8): who creates,
// changes and sees them. Pure: handlers load the stored item and ask here, against the
// directory as it is now (a teacher who no longer owns the group no longer edits its plans).
import type { Directory } from '../directory/model.ts';
import { ALLOW, deny, type Decision, type Denial } from './decision.ts';

export type ItemKind = 'plan' | 'assignment';
export type ItemState = 'draft' | 'published' | 'hidden' | 'closed';
export type ItemChange = 'update' | 'publish' | 'hide' | 'close';

export interface ItemDraft {
  kind: ItemKind;
  groupId: string;
}

export interface StoredItem {
  kind: ItemKind;
  groupId: string;
  state: ItemState;
}

export type ConferenceState = 'open' | 'closed';

export interface StoredConference {
  mentorId: string;
  studentId: string;
  /** The mentor group through which the mentor mentors the student (chosen at creation). */
  groupId: string;
  state: ConferenceState;
}

// Preschool child groups get documentation (§4), not plans and assignments.
const ITEM_GROUP_KINDS: ReadonlySet<string> = new Set(['teaching', 'mentor']);

/** §5 teacher: "create plans and assignments in groups they own". */
export function canCreateItem(dir: Directory, actor: string, draft: ItemDraft): Decision {
  const group = dir.groups.get(draft.groupId);
  if (!group) return deny('no such group', 'not_found', ['groupId']);
  if (!group.owners.has(actor)) return deny('you may create plans and assignments only in groups you teach or mentor', 'forbidden', ['groupId']);
  if (!ITEM_GROUP_KINDS.has(group.kind)) return deny('plans and assignments belong to teaching and mentor groups', 'invalid', ['groupId']);
  return ALLOW;
}

// Which states each change starts from, and where it leads (null: the state stays).
// Hidden can be shown again (publish); closed is final.
const TRANSITIONS: Readonly<Record<ItemChange, { from: readonly ItemState[]; to: ItemState | null; verb: string }>> = {
  update: { from: ['draft', 'published', 'hidden'], to: null, verb: 'edited' },
  publish: { from: ['draft', 'hidden'], to: 'published', verb: 'published' },
  hide: { from: ['published'], to: 'hidden', verb: 'hidden' },
  close: { from: ['published', 'hidden'], to: 'closed', verb: 'closed' },
};

/**
 * The state after `change`. Repeating a change (publishing what is published) leads to the
 * same state, so retries are harmless; a change the state does not allow is a `conflict`.
 */
export function nextItemState(state: ItemState, change: ItemChange): ItemState | Denial {
  const t = TRANSITIONS[change];
  if (t.to === state) return state;
  if (!t.from.includes(state)) return deny(`a ${state} plan or assignment cannot be ${t.verb}`, 'conflict', ['itemId']);
  return t.to ?? state;
}

/** §5 teacher: "see and edit them there": every owner of the group, not only the author. */
export function canChangeItem(dir: Directory, actor: string, item: StoredItem, change: ItemChange): Decision {
  if (!dir.groups.get(item.groupId)?.owners.has(actor)) {
    return canReadItem(dir, actor, item)
      ? deny('only the teachers of the group may change its plans and assignments')
      : deny('no such plan or assignment', 'not_found', ['itemId']);
  }
  const next = nextItemState(item.state, change);
  return typeof next === 'string' ? ALLOW : next;
}

/**
 * §5 "see": owners in every state; students of the group, their guardians (Reading: the
 * child's assignments too) and the school's admins only what is published and not hidden or
 * closed. The reader role and everyone else: nothing. hub/audience.ts itemKeys must agree.
 */
export function canReadItem(dir: Directory, reader: string, item: StoredItem): boolean {
  const group = dir.groups.get(item.groupId);
  if (!group) return false;
  if (group.owners.has(reader)) return true;
  if (item.state !== 'published') return false;
  if (group.members.has(reader)) return true;
  for (const c of dir.childrenOf(reader)) if (group.members.has(c)) return true;
  return dir.hasStaffRole(reader, group.schoolId, 'school_admin');
}

/** The mentor group through which `mentor` mentors `student`, if any (the first by id). */
export function mentorGroupOf(dir: Directory, mentor: string, student: string): string | undefined {
  const owned = dir.groupsOwnedBy(mentor);
  return [...dir.groupsOf(student)].sort().find((g) => owned.has(g) && dir.groups.get(g)?.kind === 'mentor');
}

/** A mentor creates a development conference for a student they mentor. */
export function canCreateConference(dir: Directory, actor: string, studentId: string): Decision {
  if (!dir.person(studentId)) return deny('no such student', 'not_found', ['studentId']);
  if (!mentorGroupOf(dir, actor, studentId)) {
    return deny('you may hold development conferences only with students you mentor', 'forbidden', ['studentId']);
  }
  return ALLOW;
}

/**
 * Participants: the mentor, and while the student is in the conference's mentor group, the
 * student and the student's guardians. hub/audience.ts conferenceKeys must agree.
 */
export function canReadConference(dir: Directory, reader: string, c: StoredConference): boolean {
  if (reader === c.mentorId) return true;
  if (!dir.groups.get(c.groupId)?.members.has(c.studentId)) return false;
  return reader === c.studentId || dir.guardiansOf(c.studentId).has(reader);
}

/** The conference's mentor closes it, while still mentoring the student through its group. */
export function canCloseConference(dir: Directory, actor: string, c: StoredConference): Decision {
  if (!canReadConference(dir, actor, c)) return deny('no such conference', 'not_found', ['conferenceId']);
  const group = dir.groups.get(c.groupId);
  if (actor !== c.mentorId || !group?.owners.has(actor) || !group.members.has(c.studentId)) {
    return deny("only the student's mentor may close the conference", 'forbidden', ['conferenceId']);
  }
  return ALLOW;
}
