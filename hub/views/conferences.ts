// How a conference is shown (docs/PROTOCOL.md: Conference), and its events: a student or
// guardian with a protected identity is shown by name only to those who may see them.
import { audienceMembers, type DynamicAudience } from '../rules/index.ts';
import { conferenceKeys, key } from '../audience.ts';
import type { Directory } from '../directory/model.ts';
import type { NewEvent } from '../../storage/events.ts';
import type { ConferenceRow } from '../../storage/items.ts';
import { showAll, showTo, type Shown } from './chat.ts';
import { hiddenFromFamilies } from '../people.ts';

function audienceOf(c: ConferenceRow): DynamicAudience {
  return { kind: 'conference', conferenceId: c.id, mentorId: c.mentorId, groupId: c.groupId, studentId: c.studentId };
}

export function conferenceView(dir: Directory, show: Shown, c: ConferenceRow) {
  const name = (p: string) => dir.person(p)?.name ?? 'Unknown';
  return {
    id: c.id, schoolId: c.schoolId, groupId: c.groupId,
    mentorId: c.mentorId, mentorName: name(c.mentorId),
    studentId: c.studentId, studentName: show(c.studentId) ? name(c.studentId) : null,
    title: c.title, startsAt: c.startsAt, location: c.location, state: c.state, createdAt: c.createdAt, closedAt: c.closedAt,
    participants: audienceMembers(dir, audienceOf(c)).filter(show).map((id) => ({ id, name: name(id) })),
  };
}

/** One event to the participants, or one per participant where someone is hidden from families (hub/people.ts). */
export function conferenceEvents(dir: Directory, name: string, c: ConferenceRow): NewEvent[] {
  const participants = audienceMembers(dir, audienceOf(c));
  if (!participants.some((p) => hiddenFromFamilies(dir, p))) {
    return [{ name, keys: conferenceKeys(c), data: { conference: conferenceView(dir, showAll, c) } }];
  }
  return participants.map((p) => ({ name, keys: [key.person(p)], data: { conference: conferenceView(dir, showTo(dir, p), c) } }));
}
