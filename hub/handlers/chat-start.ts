// conversation.start (docs/DOMAIN.md §3): through the message function, from inside a plan, an
// assignment or a development conference (`context`), or with a mentor's whole group
// (`groupId` + `audience`).
//
// - Message function: the starter's row must allow every participant; two people without a
//   subject keep one thread.
// - Plan / assignment: one thread per item and student (Reading of §3): the group's teachers
//   and the student are always in it, the student's guardians join when they start it (or
//   are named). A guardian or student who starts one may later be messaged directly by
//   those teachers (§3 teacher row): remembered in storage.
// - Conference: one thread per conference; its participants are the conference's (mentor,
//   student, the student's guardians), as the directory has them when read or written.
// - Group: a mentor with the group's students or with their guardians; membership follows
//   the directory. Without a subject, one thread per group and audience.
import { audienceMembers, can, canReadConference, canReadItem, type Via } from '../rules/index.ts';
import { dynamicAudienceKeys } from '../audience.ts';
import { RequestError } from '../protocol/codes.ts';
import type { Directory, Group } from '../directory/model.ts';
import type { Tx } from '../../storage/pool.ts';
import {
  addMembers, findConversation, insertConversation, lockConversation,
  type ConversationContext, type ConversationRow, type StoredAudience,
} from '../../storage/chat.ts';
import { getConference, getItem, recordItemStarts } from '../../storage/items.ts';
import { newId, type Handler, type HandlerContext } from './context.ts';
import type { RequestOf } from '../protocol/frames.ts';
import { conversationEvents, conversationView, participantsNow, showTo, viaOf } from '../views/chat.ts';
import { canWithHistory } from './chat-rights.ts';
import { assertAllowed, assertKnown, type Target } from './rights.ts';
import { createOnce, orWinner } from './create-once.ts';

type StartRequest = RequestOf<'conversation.start'>;

function view(ctx: HandlerContext, c: ConversationRow) {
  return conversationView(ctx.dir, showTo(ctx.dir, ctx.personId), ctx.links, c, participantsNow(ctx.dir, c));
}

const unique = (ids: readonly string[]) => [...new Set(ids)];

type NewConversation = Parameters<typeof insertConversation>[1];

/**
 * Inserts a conversation and its conversation.created events. A concurrent start of the same
 * direct pair or thread may win the race: then `raced` finds the winner. (A race on the
 * clientKey is createOnce's, in startConversation.)
 */
async function create(
  ctx: HandlerContext, row: NewConversation, participants: (c: ConversationRow) => string[],
  raced: () => Promise<ConversationRow | undefined>, after?: (tx: Tx, c: ConversationRow) => Promise<void>,
): Promise<{ row: ConversationRow; created: boolean }> {
  return orWinner<{ row: ConversationRow; created: boolean }>(
    async () => {
      const stored = await ctx.publisher.write(async (tx) => {
        const c = await insertConversation(tx, row);
        await after?.(tx, c);
        return { result: c, events: conversationEvents(ctx.dir, ctx.links, 'conversation.created', c, participants(c)) };
      });
      return { row: stored, created: true };
    },
    async () => {
      const winner = await raced();
      return winner && { row: winner, created: false };
    },
  );
}

export const startConversation: Handler<'conversation.start'> = async (ctx, req) =>
  // Any conversation the caller started under this clientKey answers a retry, as it is now.
  createOnce({
    find: () => findConversation(ctx.sql, { creatorId: ctx.personId, clientKey: req.clientKey }),
    what: 'a different conversation',
    answer: (prior) => ({ conversation: view(ctx, prior) }),
    create: async () => {
      assertKnown(ctx.dir, ctx.personId, [
        ...unique(req.participantIds).map((id, i): Target => ({ kind: 'person', id, path: ['participantIds', i] })),
        ...(req.groupId === undefined ? [] : [{ kind: 'group', id: req.groupId, path: ['groupId'] } satisfies Target]),
      ]);
      if (req.groupId !== undefined && req.audience !== undefined) return startGroup(ctx, req, req.groupId, req.audience);
      const context = req.context;
      if (context?.kind === 'conference') return startConference(ctx, req, context.id);
      if (context) return startItemThread(ctx, req, { ...context, kind: context.kind });
      return startDirect(ctx, req);
    },
  });

async function startDirect(ctx: HandlerContext, req: StartRequest) {
  const { row, existing } = await findOrStartDirect(ctx, unique(req.participantIds), req.subject, req.clientKey);
  return existing ? { conversation: view(ctx, row), existing: true } : { conversation: view(ctx, row) };
}

/**
 * Through the message function: the starter's row must allow every other (§3). Two people
 * without a subject keep one conversation (`direct_key`): found, or created. Also the way a
 * private reply (hub/handlers/chat-reply.ts) reaches the author.
 */
export async function findOrStartDirect(
  ctx: HandlerContext, others: string[], subjectGiven: string | undefined, clientKey: string,
): Promise<{ row: ConversationRow; existing: boolean }> {
  const { dir, personId } = ctx;
  const via: Via = { kind: 'direct' };
  const decision = await canWithHistory(
    dir, ctx.sql, personId,
    (history) => (history ? { type: 'conversation.start', participantIds: others, via, history } : { type: 'conversation.start', participantIds: others, via }),
    [personId, ...others],
  );
  assertAllowed(decision);
  const subject = subjectGiven && subjectGiven.length > 0 ? subjectGiven : null;
  // Two people talking through the message function keep one thread.
  const directKey = others.length === 1 && subject === null ? [personId, others[0]!].sort().join('|') : null;
  if (directKey) {
    const existing = await findConversation(ctx.sql, { directKey });
    if (existing) return { row: existing, existing: true };
  }
  const { row, created } = await create(
    ctx,
    { id: newId('conv'), creatorId: personId, subject, context: null, participantIds: [personId, ...others], clientKey, directKey },
    (c) => c.participantIds,
    async () => (directKey ? findConversation(ctx.sql, { directKey }) : undefined),
  );
  return { row, existing: !created };
}

/**
 * The student an item's thread is about: named in the context, or the starter (a student of
 * the group), or the starter's child in the group, or the one student among the named
 * participants (and their children). Undefined: a thread among the group's teachers.
 */
function studentOf(dir: Directory, group: Group, me: string, named: readonly string[], given: string | undefined): string | undefined {
  if (given !== undefined) {
    if (!group.members.has(given)) throw new RequestError('invalid', 'not a student of this group', ['context', 'studentId']);
    return given;
  }
  if (group.members.has(me)) return me;
  const inGroup = (p: string) => (group.members.has(p) ? [p] : [...dir.childrenOf(p)].filter((c) => group.members.has(c)));
  const namedStudents = unique(named.flatMap(inGroup));
  // A guardian asks about their own child; with two children in the group, the one named.
  const candidates = group.owners.has(me) ? namedStudents : inGroup(me);
  const chosen = candidates.length > 1 ? candidates.filter((c) => namedStudents.includes(c)) : candidates;
  if (candidates.length > 1 && chosen.length !== 1) {
    throw new RequestError('invalid', 'name the student this conversation is about (context.studentId)', ['context', 'studentId']);
  }
  return chosen[0];
}

async function startItemThread(ctx: HandlerContext, req: StartRequest, context: { kind: 'plan' | 'assignment'; id: string; studentId?: string | undefined }) {
  const { dir, personId: me } = ctx;
  const item = await getItem(ctx.sql, context.id);
  const group = item ? dir.groups.get(item.groupId) : undefined;
  if (!item || !group || item.kind !== context.kind || !canReadItem(dir, me, item)) {
    throw new RequestError('not_found', `no such ${context.kind}`, ['context', 'id']);
  }
  const named = unique(req.participantIds);
  const studentId = studentOf(dir, group, me, named, context.studentId);
  const via: Via = studentId === undefined ? { kind: item.kind, groupId: item.groupId } : { kind: item.kind, groupId: item.groupId, studentId };
  // Between the teacher(s) who own its group and one student (§3 Reading), and whom the starter names.
  const participants = unique([me, ...named, ...(studentId === undefined ? [] : [studentId]), ...group.owners]);
  if (item.state !== 'published' && participants.some((p) => !group.owners.has(p))) {
    throw new RequestError('forbidden', `this ${item.kind} is ${item.state === 'draft' ? 'not published yet' : item.state}`, ['context', 'id']);
  }
  if (named.length > 0) {
    const d = can(dir, me, { type: 'conversation.start', participantIds: named, via });
    assertAllowed(d);
  }
  const joined = participants.filter((p) => p !== me && !named.includes(p));
  if (joined.length > 0) {
    const d = can(dir, me, { type: 'conversation.start', participantIds: joined, via });
    assertAllowed(d, ['context']);
  }
  if (participants.length < 2) throw new RequestError('invalid', 'a conversation needs someone to talk to', ['participantIds']);
  // Teachers the starter now "started a conversation with through a plan or assignment".
  const teachers = group.owners.has(me) ? [] : participants.filter((p) => group.owners.has(p));
  const threadKey = studentId === undefined ? null : `${item.kind}:${item.id}:${studentId}`;
  if (threadKey) {
    const existing = await findConversation(ctx.sql, { threadKey });
    if (existing) return join(ctx, existing, participants, teachers);
  }
  const ctxStored: ConversationContext = { kind: item.kind, id: item.id, title: item.title, groupId: item.groupId, ...(studentId === undefined ? {} : { studentId }) };
  const subject = req.subject && req.subject.length > 0 ? req.subject : null;
  const { row, created } = await create(
    ctx,
    { id: newId('conv'), creatorId: me, subject, context: ctxStored, participantIds: participants, clientKey: req.clientKey, directKey: null, threadKey },
    (c) => c.participantIds,
    async () => (threadKey ? findConversation(ctx.sql, { threadKey }) : undefined),
    (tx, c) => recordItemStarts(tx, teachers, me, c.id),
  );
  if (!created && row.creatorId !== me) return join(ctx, row, participants, teachers);
  return { conversation: view(ctx, row) };
}

/**
 * The starter comes into an item's existing thread (a second guardian asking about the same
 * assignment): they and whom they name are added, if the starter may talk with everyone in it.
 */
async function join(ctx: HandlerContext, conv: ConversationRow, wanted: string[], teachers: string[]) {
  const { dir, personId: me } = ctx;
  const newcomers = wanted.filter((p) => !conv.participantIds.includes(p));
  const via = viaOf(conv);
  const everyone = unique([...conv.participantIds, ...newcomers]);
  const d = can(dir, me, { type: 'message.send', participantIds: everyone, via });
  assertAllowed(d, ['context']);
  const updated = await ctx.publisher.write(async (tx) => {
    const locked = (await lockConversation(tx, conv.id)) ?? conv;
    const added = await addMembers(tx, conv.id, newcomers);
    await recordItemStarts(tx, teachers, me, conv.id);
    const before = locked.participantIds;
    const now: ConversationRow = { ...locked, participantIds: [...before, ...added.filter((p) => !before.includes(p))] };
    const events = added.length === 0 ? [] : [
      ...conversationEvents(dir, ctx.links, 'conversation.created', now, now.participantIds, added),
      ...conversationEvents(dir, ctx.links, 'conversation.updated', now, now.participantIds, before),
    ];
    return { result: now, events };
  });
  return { conversation: view(ctx, updated), existing: true };
}

async function startConference(ctx: HandlerContext, req: StartRequest, conferenceId: string) {
  const { dir, personId: me } = ctx;
  const conf = await getConference(ctx.sql, conferenceId);
  if (!conf || !canReadConference(dir, me, conf)) throw new RequestError('not_found', 'no such conference', ['context', 'id']);
  const via: Via = { kind: 'conference', mentorId: conf.mentorId, studentId: conf.studentId };
  const audience: StoredAudience = { kind: 'conference', conferenceId: conf.id, mentorId: conf.mentorId, groupId: conf.groupId, studentId: conf.studentId };
  const named = unique(req.participantIds);
  if (named.length > 0) {
    const d = can(dir, me, { type: 'conversation.start', participantIds: named, via });
    assertAllowed(d);
  }
  const others = audienceMembers(dir, audience).filter((p) => p !== me);
  const d = can(dir, me, { type: 'conversation.start', participantIds: others, via });
  assertAllowed(d, ['context', 'id']);
  const threadKey = `conference:${conf.id}`;
  const existing = await findConversation(ctx.sql, { threadKey });
  if (existing) return { conversation: view(ctx, existing), existing: true };
  const subject = req.subject && req.subject.length > 0 ? req.subject : null;
  const { row, created } = await create(
    ctx,
    {
      id: newId('conv'), creatorId: me, subject, participantIds: [me], clientKey: req.clientKey, directKey: null, threadKey,
      context: { kind: 'conference', id: conf.id, title: conf.title, mentorId: conf.mentorId, studentId: conf.studentId },
      audience, keys: dynamicAudienceKeys(audience),
    },
    (c) => participantsNow(dir, c),
    () => findConversation(ctx.sql, { threadKey }),
  );
  return created ? { conversation: view(ctx, row) } : { conversation: view(ctx, row), existing: true };
}

async function startGroup(ctx: HandlerContext, req: StartRequest, groupId: string, members: 'students' | 'guardians') {
  const { dir, personId: me } = ctx;
  const d = can(dir, me, { type: 'conversation.start.group', groupId });
  assertAllowed(d);
  const audience: StoredAudience = { kind: 'group', groupId, members };
  const subject = req.subject && req.subject.length > 0 ? req.subject : null;
  // Without a subject, one thread per group and audience: "the class chat".
  const threadKey = subject === null ? `group:${groupId}:${members}` : null;
  if (threadKey) {
    const existing = await findConversation(ctx.sql, { threadKey });
    if (existing) return { conversation: view(ctx, existing), existing: true };
  }
  const { row, created } = await create(
    ctx,
    { id: newId('conv'), creatorId: me, subject, context: null, participantIds: [me], clientKey: req.clientKey, directKey: null, threadKey, audience, keys: dynamicAudienceKeys(audience) },
    (c) => participantsNow(dir, c),
    async () => (threadKey ? findConversation(ctx.sql, { threadKey }) : undefined),
  );
  return created ? { conversation: view(ctx, row) } : { conversation: view(ctx, row), existing: true };
}
