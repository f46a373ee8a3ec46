// Reactions on messages and posts (issue 13 item 5; docs/DOMAIN.md "Reactions"; docs/PROTOCOL.md
// `reaction.set`), over real connections and PostgreSQL: who gets the counts, who gets the names,
// who gets nothing; a protected person counted and never named to other families; a blocked
// guardian relation; idempotent toggles; views, resume, delete and the export.
//
// Demo district: p-mentor-ek (Eva Nyström) mentors g-ek-7a (Klass 7A, p-stu-ek-1..6) at
// Ekskolan, where p-leader-ek leads. p-gua-ek-1a (Maria) and p-gua-ek-1b are p-stu-ek-1's
// guardians (Maria also of p-stu-bj-1 at Björkskolan). p-stu-ek-6 (Hugo Larsson) has a
// protected identity; his guardian p-gua-ek-6a (Jenny Larsson) is hidden from other families.
// p-gua-bj-4a is a guardian at Björkskolan only.
import { describe, expect, it } from 'vitest';
import { TEST_ADMIN, type TestHub } from '../testing/harness.ts';
import type { Frame, TestClient } from '../testing/client.ts';
import { useTestHub } from '../testing/lifecycle.ts';

type Counts = Partial<Record<string, number>>;
interface Reactions { counts: Counts; by?: Record<string, { id: string; name: string }[]>; mine?: string[] }
interface Target { kind: 'message' | 'post'; id: string; conversationId?: string }
interface Changed { target: Target; reactions: Reactions }
interface Message { id: string; conversationId: string; body: string; reactions?: Reactions }

let keyNo = 0;
const ck = () => `re-${++keyNo}`;
const HIDDEN = ['p-stu-ek-6', 'Hugo', 'p-gua-ek-6a', 'Jenny'];

/** Distinct events (one event can reach a connection through two of its audiences: same cursor). */
const distinct = (frames: Frame[]) => new Set(frames.map((f) => f.cursor)).size;
const changedOn = (id: string) => (f: Frame) => f.type === 'event' && f.event === 'reaction.changed' && (f.data as Changed).target.id === id;
const about = (id: string) => (f: Frame) => f.type === 'event' && JSON.stringify(f.data).includes(id);
/** After a ping every frame published before it has arrived. */
async function framesAbout(c: TestClient, id: string): Promise<Frame[]> {
  await c.ping();
  return c.frames.filter(about(id));
}
const names = (r: Reactions, emoji: string) => (r.by?.[emoji] ?? []).map((p) => p.id).sort();
const set = (c: TestClient, kind: 'message' | 'post', id: string, emoji: string, on = true) =>
  c.ok<{ target: Target; reactions: Reactions }>('reaction.set', { target: { kind, id }, emoji, on });

async function blockGuardian(t: TestHub, guardianId: string, childId: string, on: boolean): Promise<void> {
  const res = on
    ? await fetch(`${t.url}/api/v1/guardian-blocks`, {
      method: 'POST', headers: { authorization: `Bearer ${TEST_ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify({ guardianId, childId }),
    })
    : await fetch(`${t.url}/api/v1/guardian-blocks?guardianId=${guardianId}&childId=${childId}`, { method: 'DELETE', headers: { authorization: `Bearer ${TEST_ADMIN}` } });
  expect(res.status).toBeLessThan(300);
}

describe('reactions on a post', () => {
  let t: TestHub;
  useTestHub((hub) => (t = hub));

  async function post(mentor: TestClient): Promise<string> {
    const { post } = await mentor.ok<{ post: { id: string } }>('post.create', {
      schoolId: 's-ekskolan', title: `Utflykt ${ck()}`, body: 'På fredag åker vi till Skansen.', clientKey: ck(),
      audience: { targets: [{ kind: 'group', groupId: 'g-ek-7a' }], recipients: { students: true, guardians: true } },
    });
    return post.id;
  }

  it('readers get the counts, the author and staff get the names, a protected family is never named to other families, outsiders get nothing', async () => {
    const mentor = await t.connect('p-mentor-ek');
    const leader = await t.connect('p-leader-ek');
    const maria = await t.connect('p-gua-ek-1a');
    const mariaPhone = await t.connect('p-gua-ek-1a', { codec: 'json' });
    const emma = await t.connect('p-gua-ek-3a', { codec: 'json' }); // another family of the class
    const jenny = await t.connect('p-gua-ek-6a');
    const hugo = await t.connect('p-stu-ek-6');
    const liam = await t.connect('p-stu-ek-2');
    const outsider = await t.connect('p-gua-bj-4a'); // Björkskolan only
    const teacherBj = await t.connect('p-teacher-bj');
    const id = await post(mentor);

    const mine = await set(maria, 'post', id, 'like');
    expect(mine).toEqual({ target: { kind: 'post', id }, reactions: { counts: { like: 1 }, mine: ['like'] } }); // a guardian sees counts only
    await set(jenny, 'post', id, 'like');
    await set(hugo, 'post', id, 'heart');

    // The author and the school's leader: everyone named, the protected family included.
    for (const c of [mentor, leader]) {
      const last = await c.waitFor((f) => changedOn(id)(f) && !!(f.data as Changed).reactions.by?.heart);
      const r = (last.data as Changed).reactions;
      expect(r.counts).toEqual({ like: 2, heart: 1 });
      expect(names(r, 'like')).toEqual(['p-gua-ek-1a', 'p-gua-ek-6a']);
      expect(r.by?.heart).toEqual([{ id: 'p-stu-ek-6', name: 'Hugo Larsson' }]);
    }
    // Another family and a classmate: the counts, live, and no name or id of anyone.
    for (const c of [emma, liam]) {
      await c.waitFor((f) => changedOn(id)(f) && (f.data as Changed).reactions.counts.heart === 1);
      const frames = await framesAbout(c, id);
      for (const f of frames.filter(changedOn(id))) expect((f.data as Changed).reactions.by).toBeUndefined();
      const text = JSON.stringify(frames.filter(changedOn(id)));
      for (const hidden of [...HIDDEN, 'p-gua-ek-1a', 'Maria']) expect(text, `${hidden} reached another family`).not.toContain(hidden);
    }
    // Maria's other device learns what she chose.
    const hers = await mariaPhone.waitFor((f) => changedOn(id)(f) && (f.data as Changed).reactions.mine !== undefined);
    expect((hers.data as Changed).reactions.mine).toEqual(['like']);
    // Nobody outside the post's readers hears of it.
    for (const c of [outsider, teacherBj]) expect(await framesAbout(c, id)).toEqual([]);

    // The feed page carries the same: counts and one's own for families, names for staff.
    const feedOf = async (c: TestClient) => (await c.ok<{ items: { id: string; reactions?: Reactions }[] }>('feed.get', {})).items.find((i) => i.id === id)!.reactions!;
    expect(await feedOf(emma)).toEqual({ counts: { like: 2, heart: 1 }, mine: [] });
    expect(await feedOf(hugo)).toEqual({ counts: { like: 2, heart: 1 }, mine: ['heart'] });
    const asMentor = await feedOf(mentor);
    expect(names(asMentor, 'like')).toEqual(['p-gua-ek-1a', 'p-gua-ek-6a']);
    expect(asMentor.mine).toEqual([]);
    // Staff reading a protected student's name is audited (docs/DOMAIN.md, "Protected identities").
    const audited = async () => {
      const res = await fetch(`${t.url}/api/v1/audit?personId=p-stu-ek-6&actorId=p-mentor-ek`, { headers: { authorization: `Bearer ${TEST_ADMIN}` } });
      return ((await res.json()) as { entries: { operation: string; recordIds: string[] }[] }).entries;
    };
    await expect.poll(audited).toEqual(expect.arrayContaining([expect.objectContaining({ operation: 'feed.get', recordIds: expect.arrayContaining([id]) })]));
  });

  it('is one of each per person: setting again changes nothing and publishes nothing; off takes it away', async () => {
    const mentor = await t.connect('p-mentor-ek');
    const maria = await t.connect('p-gua-ek-1a');
    const id = await post(mentor);
    await set(maria, 'post', id, 'celebrate');
    await mentor.waitFor(changedOn(id));
    const again = await set(maria, 'post', id, 'celebrate');
    expect(again.reactions).toEqual({ counts: { celebrate: 1 }, mine: ['celebrate'] });
    await set(maria, 'post', id, 'question');
    const both = await mentor.waitFor((f) => changedOn(id)(f) && (f.data as Changed).reactions.counts.question === 1);
    expect((both.data as Changed).reactions.counts).toEqual({ celebrate: 1, question: 1 });
    expect(distinct(mentor.frames.filter(changedOn(id)))).toBe(2); // the repeat sent nothing
    const off = await set(maria, 'post', id, 'celebrate', false);
    expect(off.reactions).toEqual({ counts: { question: 1 }, mine: ['question'] });
    expect((await set(maria, 'post', id, 'celebrate', false)).reactions.counts).toEqual({ question: 1 });
    await mentor.waitFor((f) => changedOn(id)(f) && (f.data as Changed).reactions.counts.celebrate === undefined);
    await mentor.ping();
    expect(distinct(mentor.frames.filter(changedOn(id)))).toBe(3);
  });

  it('refuses what the caller may not read, a blocked guardian relation included, and bad input', async () => {
    const mentor = await t.connect('p-mentor-ek');
    const id = await post(mentor);
    const outsider = await t.connect('p-gua-bj-4a');
    const unknown = await outsider.request('reaction.set', { target: { kind: 'post', id: 'post_nope' }, emoji: 'like', on: true });
    expect(unknown).toMatchObject({ type: 'error', code: 'not_found', message: 'no such post', path: ['target', 'id'] });
    const foreign = await outsider.request('reaction.set', { target: { kind: 'post', id }, emoji: 'like', on: true });
    expect({ ...foreign, id: unknown.id }).toEqual(unknown);
    expect(await mentor.request('reaction.set', { target: { kind: 'post', id }, emoji: 'thumbsdown', on: true })).toMatchObject({ type: 'error', code: 'invalid', path: ['emoji'] });
    expect(await mentor.request('reaction.set', { target: { kind: 'mailing', id }, emoji: 'like', on: true })).toMatchObject({ type: 'error', code: 'invalid', path: ['target', 'kind'] });
    expect(await mentor.request('reaction.set', { target: { kind: 'post', id }, emoji: 'like' })).toMatchObject({ type: 'error', code: 'invalid', path: ['on'] });

    // Maria blocked for Elsa (p-stu-ek-1) no longer reads 7A's posts: not_found, and no events.
    await blockGuardian(t, 'p-gua-ek-1a', 'p-stu-ek-1', true);
    try {
      const blocked = await t.connect('p-gua-ek-1a'); // still a guardian at Björkskolan
      const answer = await blocked.request('reaction.set', { target: { kind: 'post', id }, emoji: 'like', on: true });
      expect({ ...answer, id: unknown.id }).toEqual(unknown);
      const johan = await t.connect('p-gua-ek-1b'); // the other guardian still reads it
      await set(johan, 'post', id, 'like');
      expect(await framesAbout(blocked, id)).toEqual([]);
    } finally {
      await blockGuardian(t, 'p-gua-ek-1a', 'p-stu-ek-1', false);
    }
  });

  it('a client that was away gets the changes on resume', async () => {
    const mentor = await t.connect('p-mentor-ek');
    const emma = await t.connect('p-gua-ek-3a');
    const id = await post(mentor);
    await emma.waitFor(about(id));
    const cursor = emma.lastCursor()!;
    emma.close();
    const maria = await t.connect('p-gua-ek-1a');
    await set(maria, 'post', id, 'clap');
    const back = await t.connect('p-gua-ek-3a', { cursor });
    const got = await back.waitFor(changedOn(id));
    expect((got.data as Changed).reactions).toEqual({ counts: { clap: 1 } });
    await back.waitFor((f) => f.type === 'event' && f.event === 'sync.done');
  });
});

describe('reactions on messages', () => {
  let t: TestHub;
  useTestHub((hub) => (t = hub));

  it('in a conversation its participants see who reacted; nobody else hears of it', async () => {
    const mentor = await t.connect('p-mentor-ek');
    const maria = await t.connect('p-gua-ek-1a');
    const johan = await t.connect('p-gua-ek-1b'); // not in this conversation
    const { conversation } = await mentor.ok<{ conversation: { id: string } }>('conversation.start', { participantIds: ['p-gua-ek-1a'], clientKey: ck() });
    const { message } = await mentor.ok<{ message: Message }>('message.send', { conversationId: conversation.id, body: 'Elsa var duktig idag!', clientKey: ck() });
    const answer = await set(maria, 'message', message.id, 'heart');
    expect(answer).toEqual({
      target: { kind: 'message', id: message.id, conversationId: conversation.id },
      reactions: { counts: { heart: 1 }, by: { heart: [{ id: 'p-gua-ek-1a', name: 'Maria Andersson' }] }, mine: ['heart'] },
    });
    const got = await mentor.waitFor(changedOn(message.id));
    expect((got.data as Changed).reactions).toEqual({ counts: { heart: 1 }, by: { heart: [{ id: 'p-gua-ek-1a', name: 'Maria Andersson' }] } });
    expect(await framesAbout(johan, message.id)).toEqual([]);
    expect(await johan.request('reaction.set', { target: { kind: 'message', id: message.id }, emoji: 'like', on: true }))
      .toMatchObject({ type: 'error', code: 'not_found', message: 'no such message', path: ['target', 'id'] });

    // history.get carries them; deleting the message takes them away.
    const history = await mentor.ok<{ messages: Message[] }>('history.get', { conversationId: conversation.id });
    expect(history.messages[0]!.reactions).toEqual({ counts: { heart: 1 }, by: { heart: [{ id: 'p-gua-ek-1a', name: 'Maria Andersson' }] }, mine: [] });
    await mentor.ok('message.delete', { messageId: message.id });
    const after = await maria.ok<{ messages: Message[] }>('history.get', { conversationId: conversation.id });
    expect(after.messages[0]!.reactions).toEqual({ counts: {}, by: {}, mine: [] });
    expect(await maria.request('reaction.set', { target: { kind: 'message', id: message.id }, emoji: 'like', on: true }))
      .toMatchObject({ type: 'error', code: 'not_found', path: ['target', 'id'] });
  });

  it('in a whole-group conversation the families see counts and the mentors see names, the protected student included', async () => {
    const mentor = await t.connect('p-mentor-ek');
    const hugo = await t.connect('p-stu-ek-6');
    const liam = await t.connect('p-stu-ek-2', { codec: 'json' });
    const other = await t.connect('p-stu-bj-1'); // another school
    const { conversation } = await mentor.ok<{ conversation: { id: string } }>('conversation.start', { groupId: 'g-ek-7a', audience: 'students', clientKey: ck() });
    const { message } = await mentor.ok<{ message: Message }>('message.send', { conversationId: conversation.id, body: 'Glöm inte gympakläderna!', clientKey: ck() });
    await set(hugo, 'message', message.id, 'like'); // families acknowledge an announcement
    await set(liam, 'message', message.id, 'like');
    const named = await mentor.waitFor((f) => changedOn(message.id)(f) && (f.data as Changed).reactions.counts.like === 2 && !!(f.data as Changed).reactions.by);
    expect(names((named.data as Changed).reactions, 'like')).toEqual(['p-stu-ek-2', 'p-stu-ek-6']);
    await liam.waitFor((f) => changedOn(message.id)(f) && (f.data as Changed).reactions.counts.like === 2);
    const liamFrames = (await framesAbout(liam, message.id)).filter(changedOn(message.id));
    for (const hidden of HIDDEN) expect(JSON.stringify(liamFrames)).not.toContain(hidden);
    expect(liamFrames.every((f) => (f.data as Changed).reactions.by === undefined)).toBe(true);
    expect(await framesAbout(other, message.id)).toEqual([]);
    const asLiam = await liam.ok<{ messages: Message[] }>('history.get', { conversationId: conversation.id });
    expect(asLiam.messages[0]!.reactions).toEqual({ counts: { like: 2 }, mine: ['like'] });
  });

  it('where a protected student is one of several in a conversation, the others see the count without him', async () => {
    const mentor = await t.connect('p-mentor-ek');
    const hugo = await t.connect('p-stu-ek-6');
    const liam = await t.connect('p-stu-ek-2');
    const { conversation } = await mentor.ok<{ conversation: { id: string } }>('conversation.start', { participantIds: ['p-stu-ek-6', 'p-stu-ek-2'], subject: 'Grupparbete', clientKey: ck() });
    const { message } = await mentor.ok<{ message: Message }>('message.send', { conversationId: conversation.id, body: 'Ni två gör arbetet om vulkaner.', clientKey: ck() });
    await set(liam, 'message', message.id, 'like');
    await set(hugo, 'message', message.id, 'like');
    const toLiam = await liam.waitFor((f) => changedOn(message.id)(f) && (f.data as Changed).reactions.counts.like === 2);
    expect((toLiam.data as Changed).reactions.by).toEqual({ like: [{ id: 'p-stu-ek-2', name: 'Liam Johansson' }] });
    for (const hidden of HIDDEN) expect(JSON.stringify((await framesAbout(liam, message.id)).filter(changedOn(message.id)))).not.toContain(hidden);
    const toMentor = await mentor.waitFor((f) => changedOn(message.id)(f) && (f.data as Changed).reactions.counts.like === 2);
    expect(names((toMentor.data as Changed).reactions, 'like')).toEqual(['p-stu-ek-2', 'p-stu-ek-6']);
    const asLiam = await liam.ok<{ messages: Message[] }>('history.get', { conversationId: conversation.id });
    expect(asLiam.messages[0]!.reactions).toEqual({ counts: { like: 2 }, by: { like: [{ id: 'p-stu-ek-2', name: 'Liam Johansson' }] }, mine: ['like'] });
  });

  it("the export holds the person's own reactions and nothing of anyone else's", async () => {
    const mentor = await t.connect('p-mentor-ek');
    const maria = await t.connect('p-gua-ek-1a');
    const johan = await t.connect('p-gua-ek-1b');
    const { conversation } = await mentor.ok<{ conversation: { id: string } }>('conversation.start', { participantIds: ['p-gua-ek-1a', 'p-gua-ek-1b'], clientKey: ck() });
    const { message } = await mentor.ok<{ message: Message }>('message.send', { conversationId: conversation.id, body: 'Hej!', clientKey: ck() });
    await set(maria, 'message', message.id, 'smile');
    await set(johan, 'message', message.id, 'clap');
    const res = await fetch(`${t.url}/api/v1/export/p-gua-ek-1a`, { headers: { authorization: `Bearer ${TEST_ADMIN}` } });
    const { data } = (await res.json()) as { data: { reactions: { target: Target; emoji: string }[] } };
    const here = data.reactions.filter((r) => r.target.id === message.id);
    expect(here).toEqual([expect.objectContaining({ target: { kind: 'message', id: message.id }, emoji: 'smile' })]);
  });
});
