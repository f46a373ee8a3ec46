// Privacy (issue 7, part B) over real connections and the real admin API: the audit log of
// staff reads of protected persons' data, the per-person export, guardian blocks, and the
// retention job with legal holds.
//
// Demo district: p-mentor-ek mentors g-ek-7a (p-stu-ek-1..6) and teaches g-ek-sv7; p-teacher-ek
// teaches g-ek-ma7 (p-stu-ek-1..4). p-stu-ek-6 has a protected identity. p-stu-ek-2's guardians
// are p-gua-ek-2a and p-gua-ek-2b. p-hoo is head of operations of d-exempel; d-annan is another
// district (p-mentor-an mentors p-stu-an-1, p-stu-an-2).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { startTestHub, TEST_ADMIN, TEST_SECRET, type TestHub } from '../testing/harness.ts';
import { connectEach, useTestHub } from '../testing/lifecycle.ts';
import type { WireConversation, WireMessage } from '../testing/wire.ts';
import type { StoredAuditEntry } from '../../storage/privacy.ts';
import { TestClient, type Frame } from '../testing/client.ts';
import { demoBundle } from '../demo/district.ts';
import type { Bundle } from '../directory/schema.ts';
import { loadConfig } from '../config.ts';
import { startHub, type Hub } from '../node.ts';
import { runRetention, type RetentionReport } from '../privacy/retention.ts';
import { AUDIT_LIMITS, AuditLog } from '../audit.ts';
import { existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

let keyNo = 0;
const ck = () => `priv-${++keyNo}`;

type Conversation = WireConversation;
interface Message extends WireMessage {
  conversationId: string;
}
// The audit API answers with the stored entries as they are (storage/privacy.ts).
type AuditEntry = StoredAuditEntry;

async function call(hub: TestHub, method: string, path: string, body?: unknown, token: string | null = TEST_ADMIN) {
  const headers: Record<string, string> = {};
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${hub.url}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function start(c: TestClient, participantIds: string[]): Promise<Conversation> {
  return (await c.ok<{ conversation: Conversation }>('conversation.start', { participantIds, clientKey: ck() })).conversation;
}

async function send(c: TestClient, conversationId: string, body: string): Promise<Message> {
  return (await c.ok<{ message: Message }>('message.send', { conversationId, body, clientKey: ck() })).message;
}

/** After a ping round trip every frame published before it has arrived. */
async function noneOf(c: TestClient, pred: (f: Frame) => boolean): Promise<void> {
  await c.ping();
  expect(c.frames.filter(pred)).toHaveLength(0);
}

const event = (name: string, pred: (data: Record<string, unknown>) => boolean) => (f: Frame) =>
  f.type === 'event' && f.event === name && pred(f.data as Record<string, unknown>);

describe('privacy: one hub with the demo district', () => {
  let t: TestHub;
  useTestHub((hub) => (t = hub));

  describe('the admin API', () => {
    const routes: [string, string, unknown?][] = [
      ['GET', '/api/v1/audit?personId=p-stu-ek-6'],
      ['GET', '/api/v1/export/p-stu-ek-1'],
      ['POST', '/api/v1/legal-hold', { kind: 'person', id: 'p-stu-ek-1', reason: 'x' }],
      ['GET', '/api/v1/legal-hold'],
      ['POST', '/api/v1/guardian-blocks', { guardianId: 'p-gua-ek-1a', childId: 'p-stu-ek-1' }],
      ['DELETE', '/api/v1/guardian-blocks?guardianId=p-gua-ek-1a&childId=p-stu-ek-1'],
      ['GET', '/api/v1/guardian-blocks'],
    ];

    it('refuses every route without the admin token, or with another one', async () => {
      for (const [method, path, body] of routes) {
        for (const token of [null, 'not-the-token', TEST_SECRET]) {
          const r = await call(t, method, path, body, token);
          expect(r.status, `${method} ${path} with ${token}`).toBe(401);
          expect(r.body).toMatchObject({ error: { code: 'unauthenticated' } });
        }
      }
      // Nothing was done: no block, no hold.
      expect((await call(t, 'GET', '/api/v1/guardian-blocks')).body).toEqual({ blocks: [] });
      expect((await call(t, 'GET', '/api/v1/legal-hold')).body).toEqual({ holds: [] });
    });

    it('validates its input and names the field', async () => {
      expect(await call(t, 'GET', '/api/v1/audit')).toMatchObject({ status: 400, body: { error: { code: 'invalid', path: ['personId'] } } });
      expect(await call(t, 'GET', '/api/v1/audit?personId=p-stu-ek-6&limit=0')).toMatchObject({ status: 400, body: { error: { path: ['limit'] } } });
      expect(await call(t, 'GET', '/api/v1/export/no%20such')).toMatchObject({ status: 400, body: { error: { code: 'invalid' } } });
      expect(await call(t, 'GET', '/api/v1/export/p-nobody')).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
      expect(await call(t, 'POST', '/api/v1/legal-hold', { kind: 'person', id: 'p-stu-ek-1' })).toMatchObject({ status: 400, body: { error: { path: ['reason'] } } });
      expect(await call(t, 'POST', '/api/v1/legal-hold', { kind: 'school', id: 's-ekskolan', reason: 'x' })).toMatchObject({ status: 400, body: { error: { path: ['kind'] } } });
      expect(await call(t, 'POST', '/api/v1/guardian-blocks', { guardianId: 'p-gua-ek-1a' })).toMatchObject({ status: 400, body: { error: { path: ['childId'] } } });
      expect(await call(t, 'POST', '/api/v1/guardian-blocks', { guardianId: 'p-nobody', childId: 'p-stu-ek-1' })).toMatchObject({ status: 404, body: { error: { path: ['guardianId'] } } });
      expect(await call(t, 'POST', '/api/v1/guardian-blocks', { guardianId: 'p-gua-ek-1a', childId: 'p-stu-ek-1', reason: 'x'.repeat(1001) })).toMatchObject({ status: 400, body: { error: { path: ['reason'] } } });
      const res = await fetch(`${t.url}/api/v1/legal-hold`, { method: 'POST', headers: { authorization: `Bearer ${TEST_ADMIN}` }, body: '{not json' });
      expect(res.status).toBe(400);
      const big = await fetch(`${t.url}/api/v1/legal-hold`, { method: 'POST', headers: { authorization: `Bearer ${TEST_ADMIN}` }, body: 'x'.repeat(20_000) });
      expect(big.status).toBe(413);
    });

    it('sets, lists and releases legal holds', async () => {
      const set = await call(t, 'POST', '/api/v1/legal-hold', { kind: 'conversation', id: 'conv_x', reason: 'Ärende 2025/17' });
      expect(set).toMatchObject({ status: 200, body: { created: true, hold: { kind: 'conversation', id: 'conv_x', reason: 'Ärende 2025/17' } } });
      expect((await call(t, 'POST', '/api/v1/legal-hold', { kind: 'conversation', id: 'conv_x', reason: 'Ärende 2025/18' })).body).toMatchObject({ created: false, hold: { reason: 'Ärende 2025/18' } });
      expect((await call(t, 'GET', '/api/v1/legal-hold?kind=conversation')).body).toMatchObject({ holds: [{ id: 'conv_x' }] });
      expect((await call(t, 'POST', '/api/v1/legal-hold', { kind: 'conversation', id: 'conv_x', hold: false })).body).toEqual({ released: true });
      expect((await call(t, 'POST', '/api/v1/legal-hold', { kind: 'conversation', id: 'conv_x', hold: false })).body).toEqual({ released: false });
      expect((await call(t, 'GET', '/api/v1/legal-hold')).body).toEqual({ holds: [] });
    });
  });

  describe('the audit log (docs/DOMAIN.md: staff reads of a protected person are logged)', () => {
    async function auditBy(actorId: string): Promise<AuditEntry[]> {
      const r = await call(t, 'GET', `/api/v1/audit?actorId=${actorId}&limit=1000`);
      expect(r.status).toBe(200);
      return r.body.entries as AuditEntry[];
    }

    it("a staff read of the protected student's conversation writes an audit row; a read of an unprotected one does not", async () => {
      const mentor = await t.connect('p-mentor-ek');
      const hugo = await t.connect('p-stu-ek-6');
      const elsa = await t.connect('p-stu-ek-1');
      const guarded = await start(mentor, ['p-stu-ek-6']);
      const m1 = await send(mentor, guarded.id, 'Hej Hugo, hur går det med läxan?');
      const m2 = await send(hugo, guarded.id, 'Det går bra.');
      const open = await start(mentor, ['p-stu-ek-1']);
      await send(mentor, open.id, 'Hej Elsa!');
      await send(elsa, open.id, 'Hej!');
      const before = Date.now();

      await mentor.ok('history.get', { conversationId: guarded.id });
      await mentor.ok('history.get', { conversationId: open.id });
      const entries = await auditBy('p-mentor-ek');
      const reads = entries.filter((e) => e.operation === 'history.get');
      expect(reads).toHaveLength(1);
      expect(reads[0]).toMatchObject({ actorId: 'p-mentor-ek', subjectId: 'p-stu-ek-6' });
      expect(reads[0]!.recordIds).toEqual(expect.arrayContaining([guarded.id, m1.id, m2.id]));
      expect(Date.parse(reads[0]!.at)).toBeGreaterThanOrEqual(before - 1000);
      // Nothing about the unprotected conversation, under any operation.
      expect(entries.some((e) => e.recordIds.includes(open.id))).toBe(false);

      // The protected student's own reads and another student's are not staff reads.
      await hugo.ok('history.get', { conversationId: guarded.id });
      await elsa.ok('history.get', { conversationId: open.id });
      expect(await auditBy('p-stu-ek-6')).toEqual([]);
      expect(await auditBy('p-stu-ek-1')).toEqual([]);

      // Read by subject: the same row.
      const about = (await call(t, 'GET', '/api/v1/audit?personId=p-stu-ek-6')).body.entries as AuditEntry[];
      expect(about.map((e) => e.id)).toContain(reads[0]!.id);
      expect(about.every((e) => e.subjectId === 'p-stu-ek-6')).toBe(true);
    });

    it('the inbox, search, contacts, the audience picker and conferences are audited for staff too, once per request and person', async () => {
      const mentor = await t.connect('p-mentor-ek');
      const hugo = await t.connect('p-stu-ek-6');
      const c = await start(mentor, ['p-stu-ek-6']);
      await send(hugo, c.id, 'Jag undrar över provet på fredag');
      const { conference } = await mentor.ok<{ conference: { id: string } }>('conference.create', { studentId: 'p-stu-ek-6', startsAt: '2030-05-06T12:00:00Z', clientKey: ck() });
      const seen = new Set((await auditBy('p-mentor-ek')).map((e) => e.id));
      await mentor.ok('inbox.get', {});
      await mentor.ok('messages.search', { query: 'provet' });
      await mentor.ok('contacts.get', {});
      await mentor.ok('audience.get', {});
      await mentor.ok('conference.get', { conferenceId: conference.id });
      await mentor.ok('conferences.get', {});
      const added = (await auditBy('p-mentor-ek')).filter((e) => !seen.has(e.id));
      expect(added.map((e) => e.operation).sort()).toEqual(['audience.get', 'conference.get', 'conferences.get', 'contacts.get', 'inbox.get', 'messages.search']);
      expect(added.every((e) => e.subjectId === 'p-stu-ek-6')).toBe(true);
      expect(added.find((e) => e.operation === 'inbox.get')!.recordIds).toContain(c.id);
      expect(added.find((e) => e.operation === 'conference.get')!.recordIds).toEqual([conference.id]);
      expect(added.find((e) => e.operation === 'audience.get')!.recordIds).toContain('g-ek-7a');
      // A student's inbox holding the same conversation is not a staff read.
      await hugo.ok('inbox.get', {});
      expect(await auditBy('p-stu-ek-6')).toEqual([]);
    });

    it('is written in batches: at 500 rows, after 100 ms, and on stop', async () => {
      const sql = t.hub.core.sql;
      const log = new AuditLog(sql, () => {});
      const entry = (i: number) => ({ at: new Date(), actorId: 'p-batch', operation: `op-${i}`, subjectId: 'p-stu-ek-6', recordIds: [`r${i}`, `s${i}`] });
      const count = async () => Number((await sql<{ n: number }[]>`select count(*)::int as n from audit_log where actor_id = 'p-batch'`)[0]!.n);
      log.add([entry(0)]);
      expect(await count()).toBe(0); // not written while the read answers
      await new Promise((r) => setTimeout(r, 300));
      expect(await count()).toBe(1);
      await log.stop();
      // A full batch is written at once, not when the timer fires (here: never).
      const slow = new AuditLog(sql, () => {}, { ...AUDIT_LIMITS, flushMs: 60_000 });
      slow.add(Array.from({ length: 500 }, (_, i) => entry(i + 1)));
      for (let i = 0; i < 50 && (await count()) < 501; i++) await new Promise((r) => setTimeout(r, 20));
      expect(await count()).toBe(501);
      slow.add([entry(501)]);
      await slow.stop();
      expect(await count()).toBe(502);
      const [row] = await sql`select record_ids from audit_log where actor_id = 'p-batch' and operation = 'op-501'`;
      expect(row!.recordIds).toEqual(['r501', 's501']);
    });

    it('the log is append-only in the database', async () => {
      const db = postgres(t.databaseUrl, { max: 1, onnotice: () => {} });
      try {
        await expect(db`delete from audit_log`).rejects.toThrow(/append-only/);
        await expect(db`update audit_log set actor_id = 'someone'`).rejects.toThrow(/append-only/);
        await expect(db`truncate audit_log`).rejects.toThrow(/append-only/);
      } finally {
        await db.end();
      }
    });
  });

  describe('the per-person export (GDPR art. 15)', () => {
    it("contains a person's messages, sent and received, and nothing of anyone else's", async () => {
      const mentor = await t.connect('p-mentor-ek');
      const alice = await t.connect('p-stu-ek-3');
      const hugo = await t.connect('p-stu-ek-6');
      const own = await start(mentor, ['p-stu-ek-3']);
      await send(mentor, own.id, 'Hej Alice, hur går det?');
      await send(alice, own.id, 'Bra tack, Alice här');
      const other = await start(mentor, ['p-stu-ek-4']);
      await send(mentor, other.id, 'Hemligt till Noah');
      const klass = (await mentor.ok<{ conversation: Conversation }>('conversation.start', { groupId: 'g-ek-7a', audience: 'students', subject: 'Klassrådet', clientKey: ck() })).conversation;
      await send(mentor, klass.id, 'Klassrådet börjar kl 10');
      // Only the mentors write to the whole group (docs/DOMAIN.md §3).
      expect(await hugo.request('message.send', { conversationId: klass.id, body: 'Hej från en skyddad elev', clientKey: ck() })).toMatchObject({ type: 'error', code: 'forbidden' });
      await mentor.ok('post.create', {
        schoolId: 's-ekskolan', title: 'Utflykt till skogen', body: 'På fredag', clientKey: ck(),
        audience: { targets: [{ kind: 'group', groupId: 'g-ek-7a' }], recipients: { students: true } },
      });
      await mentor.ok('post.create', {
        schoolId: 's-ekskolan', title: 'Bara till Noah', body: 'Privat', clientKey: ck(),
        audience: { targets: [{ kind: 'person', personId: 'p-stu-ek-4' }], recipients: {} },
      });

      const r = await call(t, 'GET', '/api/v1/export/p-stu-ek-3');
      expect(r.status).toBe(200);
      const data = r.body.data as {
        directory: { records: { kind: string; id: string }[]; now: { name: string; guardians: { id: string }[] } };
        conversations: { conversations: (Conversation & { messages: Message[]; participantNow: boolean })[] };
        feed: { posts: { title: string }[] };
        audit: unknown[];
      };
      expect(r.body.personId).toBe('p-stu-ek-3');
      expect(data.directory.records).toContainEqual(expect.objectContaining({ kind: 'person', id: 'p-stu-ek-3' }));
      expect(data.directory.now).toMatchObject({ name: 'Alice Karlsson', guardians: [{ id: 'p-gua-ek-3a' }, { id: 'p-gua-ek-3b' }] });
      const convs = data.conversations.conversations;
      expect(convs.map((c) => c.id).sort()).toEqual([own.id, klass.id].sort());
      const bodies = convs.flatMap((c) => c.messages.map((m) => m.body));
      expect(bodies).toEqual(expect.arrayContaining(['Hej Alice, hur går det?', 'Bra tack, Alice här', 'Klassrådet börjar kl 10']));
      expect(convs.every((c) => c.messages.every((m) => m.conversationId === c.id))).toBe(true);
      expect(data.feed.posts.map((p) => p.title)).toContain('Utflykt till skogen');
      const text = JSON.stringify(r.body);
      // Nothing of another student's conversation or post.
      expect(text).not.toContain('Hemligt till Noah');
      expect(text).not.toContain(other.id);
      expect(text).not.toContain('Bara till Noah');
      // The protected classmate stays hidden, as in the chat: no id, no name.
      expect(text).not.toContain('p-stu-ek-6');
      expect(text).not.toContain('Hugo');
    });

    it('is itself written to the audit log', async () => {
      await call(t, 'GET', '/api/v1/export/p-stu-ek-5');
      const entries = (await call(t, 'GET', '/api/v1/audit?personId=p-stu-ek-5')).body.entries as AuditEntry[];
      expect(entries).toContainEqual(expect.objectContaining({ actorId: 'admin-api', operation: 'export', subjectId: 'p-stu-ek-5' }));
      // The next export of the person lists it.
      const again = (await call(t, 'GET', '/api/v1/export/p-stu-ek-5')).body.data as { audit: { operation: string }[] };
      expect(again.audit.map((a) => a.operation)).toContain('export');
    });
  });

  describe('guardian block (secrecy against one guardian for one child)', () => {
    // p-gua-ek-1a is guardian of p-stu-ek-1 (Ekskolan: g-ek-7a, g-ek-ma7) and of p-stu-bj-1
    // (Björkskolan); p-gua-ek-1b is p-stu-ek-1's other guardian. 1a is blocked for p-stu-ek-1 only.
    it('a blocked guardian sees nothing of that child and gets no live events about them; the other guardian still does', async () => {
      const [teacher, mentor, blocked, other] = await connectEach(t, 'p-teacher-ek', 'p-mentor-ek', 'p-gua-ek-1a', 'p-gua-ek-1b');
      // Before the block: the guardian asks about an assignment, a conference is booked.
      const a1 = (await teacher.ok<{ item: { id: string } }>('item.create', { kind: 'assignment', groupId: 'g-ek-ma7', title: 'Bråk', publish: true, clientKey: ck() })).item;
      const thread = (await blocked.ok<{ conversation: Conversation }>('conversation.start', { context: { kind: 'assignment', id: a1.id, studentId: 'p-stu-ek-1' }, clientKey: ck() })).conversation;
      await send(blocked, thread.id, 'Hur många uppgifter ska Elsa göra?');
      const conference = (await mentor.ok<{ conference: { id: string } }>('conference.create', { studentId: 'p-stu-ek-1', startsAt: '2030-05-07T08:00:00Z', clientKey: ck() })).conference;
      expect((await blocked.ok<{ conferences: { id: string }[] }>('conferences.get', {})).conferences.map((c) => c.id)).toContain(conference.id);

      const r = await call(t, 'POST', '/api/v1/guardian-blocks', { guardianId: 'p-gua-ek-1a', childId: 'p-stu-ek-1', reason: 'Beslut 2025-03-01' });
      expect(r).toMatchObject({ status: 200, body: { created: true, linked: true, block: { guardianId: 'p-gua-ek-1a', childId: 'p-stu-ek-1', reason: 'Beslut 2025-03-01' } } });
      expect((await call(t, 'GET', '/api/v1/guardian-blocks?childId=p-stu-ek-1')).body).toMatchObject({ blocks: [{ guardianId: 'p-gua-ek-1a' }] });
      // Blocking again changes nothing.
      expect((await call(t, 'POST', '/api/v1/guardian-blocks', { guardianId: 'p-gua-ek-1a', childId: 'p-stu-ek-1' })).body).toMatchObject({ created: false, block: { reason: 'Beslut 2025-03-01' } });
      // Still a guardian (of the other child): the connection stays.
      expect(t.hub.core.directory().childrenOf('p-gua-ek-1a')).toEqual(new Set(['p-stu-bj-1']));
      await blocked.ping();

      // Posts: to the group's guardians.
      const { post } = await mentor.ok<{ post: { id: string } }>('post.create', {
        schoolId: 's-ekskolan', title: 'Föräldramöte', body: 'Tisdag 18.00', clientKey: ck(),
        audience: { targets: [{ kind: 'group', groupId: 'g-ek-7a' }], recipients: { guardians: true } },
      });
      const postEvent = event('post.created', (d) => (d.post as { id: string }).id === post.id);
      await other.waitFor(postEvent);
      await noneOf(blocked, postEvent);
      const feedIds = async (c: TestClient) => (await c.ok<{ items: { id: string }[] }>('feed.get', { limit: 100 })).items.map((i) => i.id);
      expect(await feedIds(other)).toContain(post.id);
      expect(await feedIds(blocked)).not.toContain(post.id);

      // Items: a new assignment and the old one.
      const a2 = (await teacher.ok<{ item: { id: string } }>('item.create', { kind: 'assignment', groupId: 'g-ek-ma7', title: 'Procent', publish: true, clientKey: ck() })).item;
      const itemEvent = event('item.published', (d) => (d.item as { id: string }).id === a2.id);
      await other.waitFor(itemEvent);
      await noneOf(blocked, itemEvent);
      expect((await other.ok<{ items: { id: string }[] }>('items.get', {})).items.map((i) => i.id)).toEqual(expect.arrayContaining([a1.id, a2.id]));
      const blockedItems = (await blocked.ok<{ items: { id: string }[] }>('items.get', {})).items.map((i) => i.id);
      expect(blockedItems).not.toContain(a1.id);
      expect(blockedItems).not.toContain(a2.id);
      expect(await blocked.request('item.get', { itemId: a1.id })).toMatchObject({ type: 'error', code: 'not_found' });

      // Conversations: the assignment thread about the child is gone for them, live and stored.
      const threadMessage = event('message.created', (d) => (d.message as Message).body === 'Uppgift 1–8, tack!');
      await send(teacher, thread.id, 'Uppgift 1–8, tack!');
      await noneOf(blocked, threadMessage);
      expect(await blocked.request('history.get', { conversationId: thread.id })).toMatchObject({ type: 'error', code: 'not_found' });
      expect((await blocked.ok<{ conversations: { id: string }[] }>('inbox.get', {})).conversations.map((c) => c.id)).not.toContain(thread.id);
      expect(await blocked.request('message.send', { conversationId: thread.id, body: 'Hallå?', clientKey: ck() })).toMatchObject({ type: 'error', code: 'not_found' });
      expect(await blocked.request('conversation.start', { context: { kind: 'assignment', id: a1.id, studentId: 'p-stu-ek-1' }, clientKey: ck() }))
        .toMatchObject({ type: 'error', code: 'not_found' });
      // A mentor's conversation with the whole group's guardians.
      const parents = (await mentor.ok<{ conversation: Conversation }>('conversation.start', { groupId: 'g-ek-7a', audience: 'guardians', subject: 'Klassresan', clientKey: ck() })).conversation;
      await other.waitFor(event('conversation.created', (d) => (d.conversation as Conversation).id === parents.id));
      await send(mentor, parents.id, 'Vi åker i maj');
      const parentsMessage = event('message.created', (d) => (d.message as Message).conversationId === parents.id);
      await other.waitFor(parentsMessage);
      await noneOf(blocked, parentsMessage);
      await noneOf(blocked, event('conversation.created', (d) => (d.conversation as Conversation).id === parents.id));
      expect(parents.participants.map((p) => p.id)).toContain('p-gua-ek-1b');
      expect(parents.participants.map((p) => p.id)).not.toContain('p-gua-ek-1a');

      // Conferences and contacts.
      expect((await blocked.ok<{ conferences: { id: string }[] }>('conferences.get', {})).conferences.map((c) => c.id)).not.toContain(conference.id);
      expect(await blocked.request('conference.get', { conferenceId: conference.id })).toMatchObject({ type: 'error', code: 'not_found' });
      expect((await other.ok<{ conferences: { id: string }[] }>('conferences.get', {})).conferences.map((c) => c.id)).toContain(conference.id);
      const mentorView = await mentor.ok<{ conference: { participants: { id: string }[] } }>('conference.get', { conferenceId: conference.id });
      expect(mentorView.conference.participants.map((p) => p.id).sort()).toEqual(['p-gua-ek-1b', 'p-mentor-ek', 'p-stu-ek-1']);
      const contacts = JSON.stringify(await blocked.ok('contacts.get', {}));
      expect(contacts).not.toContain('p-mentor-ek');
      expect(contacts).not.toContain('p-stu-ek-1');
      expect(contacts).toContain('p-mentor-bj'); // the other child's mentor
      expect(JSON.stringify(await other.ok('contacts.get', {}))).toContain('p-mentor-ek');

      // The export of the blocked guardian holds their own words and nothing of the child.
      const exported = JSON.stringify((await call(t, 'GET', '/api/v1/export/p-gua-ek-1a')).body);
      expect(exported).toContain('Hur många uppgifter ska Elsa göra?');
      expect(exported).toContain('p-stu-bj-1');
      expect(exported).not.toContain('Uppgift 1–8, tack!');
      expect(exported).not.toContain('Föräldramöte');
      expect(exported).not.toContain('p-stu-ek-1');

      // Lifting the block: the link is back, and with it the group's posts.
      expect((await call(t, 'DELETE', '/api/v1/guardian-blocks?guardianId=p-gua-ek-1a&childId=p-stu-ek-1')).body).toEqual({ removed: true });
      expect((await call(t, 'DELETE', '/api/v1/guardian-blocks?guardianId=p-gua-ek-1a&childId=p-stu-ek-1')).body).toEqual({ removed: false });
      expect(await feedIds(blocked)).toContain(post.id);
      const { post: later } = await mentor.ok<{ post: { id: string } }>('post.create', {
        schoolId: 's-ekskolan', title: 'Påminnelse', body: 'Imorgon', clientKey: ck(),
        audience: { targets: [{ kind: 'group', groupId: 'g-ek-7a' }], recipients: { guardians: true } },
      });
      await blocked.waitFor(event('post.created', (d) => (d.post as { id: string }).id === later.id));
    });

    it('a guardian whose only child is blocked has no relation left: they leave the directory (4003), and come back when it is lifted', async () => {
      const guardian = await t.connect('p-gua-ek-5a');
      expect((await call(t, 'POST', '/api/v1/guardian-blocks', { guardianId: 'p-gua-ek-5a', childId: 'p-stu-ek-5' })).status).toBe(200);
      expect(await guardian.closed).toMatchObject({ code: 4003 });
      const refused = await TestClient.open(t.wsUrl);
      refused.send({ type: 'hello', token: await t.token('p-gua-ek-5a') });
      expect(await refused.closed).toMatchObject({ code: 4003 });
      // The block can be repeated, listed and lifted although the guardian is not in the view.
      expect((await call(t, 'POST', '/api/v1/guardian-blocks', { guardianId: 'p-gua-ek-5a', childId: 'p-stu-ek-5' })).body).toMatchObject({ created: false });
      expect((await call(t, 'GET', '/api/v1/export/p-gua-ek-5a')).status).toBe(200);
      expect((await call(t, 'DELETE', '/api/v1/guardian-blocks?guardianId=p-gua-ek-5a&childId=p-stu-ek-5')).body).toEqual({ removed: true });
      const back = await t.connect('p-gua-ek-5a');
      await back.ping();
    });

    it('reaches every node, by the same path as a directory import', async () => {
      const config = loadConfig({ DATABASE_URL: t.databaseUrl, HUB_JWT_SECRET: TEST_SECRET, HUB_ADMIN_TOKEN: TEST_ADMIN, PORT: '0', HOST: '127.0.0.1', HUB_DEMO: '0' });
      // A second node with a broker of its own: it learns from the import log check (every 5 s).
      const second: Hub = await startHub({ config, log: () => {} });
      try {
        expect(second.core.directory().guardiansOf('p-stu-ek-4')).toContain('p-gua-ek-4a');
        await call(t, 'POST', '/api/v1/guardian-blocks', { guardianId: 'p-gua-ek-4a', childId: 'p-stu-ek-4' });
        expect(t.hub.core.directory().guardiansOf('p-stu-ek-4')).not.toContain('p-gua-ek-4a');
        const deadline = Date.now() + 8_000;
        while (second.core.directory().guardiansOf('p-stu-ek-4').has('p-gua-ek-4a') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
        expect([...second.core.directory().guardiansOf('p-stu-ek-4')]).toEqual(['p-gua-ek-4b']);
        expect(second.core.directory().childrenOf('p-gua-ek-4a').size).toBe(0);
      } finally {
        await call(t, 'DELETE', '/api/v1/guardian-blocks?guardianId=p-gua-ek-4a&childId=p-stu-ek-4');
        await second.stop();
      }
    }, 20_000);
  });
});

describe('retention per district, with legal holds', () => {
  let t: TestHub;
  let db: postgres.Sql;
  const bundle = (): Bundle => {
    const b = demoBundle();
    // d-exempel keeps 30 days; d-annan sets no period (kept until deleted on request).
    b.extensions.settings.push({ organisation: { id: 'd-exempel' }, retentionDays: 30 });
    return b;
  };
  beforeAll(async () => {
    t = await startTestHub({ bundle: bundle(), env: { HUB_RETENTION_INTERVAL_MS: '0' } });
    db = postgres(t.databaseUrl, { max: 2, onnotice: () => {} });
  });
  afterAll(async () => {
    await db?.end();
    await t?.stop();
  });

  it('reads the period from the district setting, and refuses a bad one', async () => {
    expect(t.hub.core.directory().districts.get('d-exempel')?.retentionDays).toBe(30);
    expect(t.hub.core.directory().districts.get('d-annan')?.retentionDays).toBeNull();
    const bad = demoBundle();
    bad.extensions.settings.push({ organisation: { id: 'd-exempel' }, retentionDays: 0 });
    expect(await t.importBundle(bad)).toMatchObject({ status: 400, body: { error: { path: ['extensions', 'settings', 2, 'retentionDays'] } } });
    expect(() => loadConfig({ HUB_RETENTION_INTERVAL_MS: '50' })).toThrow(/HUB_RETENTION_INTERVAL_MS/);
    expect(loadConfig({}).retentionIntervalMs).toBe(3_600_000);
  });

  it('deletes what is older than the period and nothing under legal hold; what remains stays consistent', async () => {
    const [mentor, teacher, hoo, elsa, mentorAn] = await connectEach(t, 'p-mentor-ek', 'p-teacher-ek', 'p-hoo', 'p-stu-ek-1', 'p-mentor-an');
    // Conversations: A (old, then one new message), B (held), C (with a held person), D (old, all of it), E (other district).
    const A = await start(mentor, ['p-stu-ek-1']);
    await send(mentor, A.id, 'A1');
    await send(elsa, A.id, 'A2');
    await send(mentor, A.id, 'A3');
    const B = await start(mentor, ['p-stu-ek-2']);
    await send(mentor, B.id, 'B1');
    await send(mentor, B.id, 'B2');
    const C = await start(mentor, ['p-stu-ek-3']);
    await send(mentor, C.id, 'C1');
    const D = await start(mentor, ['p-stu-ek-4']);
    await send(mentor, D.id, 'D1');
    const E = await start(mentorAn, ['p-stu-an-1']);
    await send(mentorAn, E.id, 'E1');
    // Posts, a mailing, items, a conference.
    const post = async (title: string, target: Record<string, unknown>, recipients: Record<string, boolean>) =>
      (await mentor.ok<{ post: { id: string } }>('post.create', { schoolId: 's-ekskolan', title, body: '…', audience: { targets: [target], recipients }, clientKey: ck() })).post.id;
    const p1 = await post('P1 gammal', { kind: 'group', groupId: 'g-ek-7a' }, { students: true });
    const p2 = await post('P2 hållen', { kind: 'group', groupId: 'g-ek-7a' }, { students: true });
    const p4 = await post('P4 till en hållen person', { kind: 'person', personId: 'p-stu-ek-3' }, {});
    await elsa.ok('feed.read', { itemIds: [p1] });
    await mentor.ok('post.remind', { itemId: p1 });
    const m1 = (await hoo.ok<{ mailing: { id: string } }>('mailing.create', {
      districtId: 'd-exempel', schoolIds: ['s-ekskolan'], title: 'M1', body: '…', recipients: { students: true, guardians: false, staff: true }, clientKey: ck(),
    })).mailing.id;
    const i1 = (await teacher.ok<{ item: { id: string } }>('item.create', { kind: 'assignment', groupId: 'g-ek-ma7', title: 'I1', publish: true, clientKey: ck() })).item.id;
    const i2 = (await teacher.ok<{ item: { id: string } }>('item.create', { kind: 'assignment', groupId: 'g-ek-ma7', title: 'I2', publish: true, clientKey: ck() })).item.id;
    const k1 = (await mentor.ok<{ conference: { id: string } }>('conference.create', { studentId: 'p-stu-ek-5', startsAt: '2024-09-10T10:00:00Z', clientKey: ck() })).conference.id;

    // Everything so far happened 40 days ago.
    await db`update messages set created_at = created_at - interval '40 days'`;
    await db`update conversations set created_at = created_at - interval '40 days', last_message_at = last_message_at - interval '40 days'`;
    await db`update posts set created_at = created_at - interval '40 days'`;
    await db`update mailings set created_at = created_at - interval '40 days'`;
    await db`update items set created_at = created_at - interval '40 days', updated_at = updated_at - interval '40 days'`;
    await db`update conferences set created_at = created_at - interval '40 days'`;
    await db`update events set created_at = created_at - interval '40 days'`;
    // Today: one more message in A, and a new post.
    const a4 = await send(mentor, A.id, 'A4 ny');
    const p3 = await post('P3 ny', { kind: 'group', groupId: 'g-ek-7a' }, { students: true });
    // Holds: the conversation B, the post P2 and the item I2, the person p-stu-ek-3.
    for (const h of [{ kind: 'conversation', id: B.id }, { kind: 'item', id: p2 }, { kind: 'item', id: i2 }, { kind: 'person', id: 'p-stu-ek-3' }]) {
      expect((await call(t, 'POST', '/api/v1/legal-hold', { ...h, reason: 'Tvist 2025/3' })).status).toBe(200);
    }

    const report = (await runRetention(t.hub.core)) as RetentionReport;
    expect(report).not.toBe('busy');
    expect(report.failed).toEqual([]);
    expect(report.deleted).toMatchObject({ messages: 4, conversations: 1, posts: 1, mailings: 1, items: 1, conferences: 1 });
    expect(report.deleted.events).toBeGreaterThan(0);

    const bodies = async (conversationId: string) => (await db<{ body: string }[]>`select body from messages where conversation_id = ${conversationId} order by seq`).map((r) => r.body);
    expect(await bodies(A.id)).toEqual(['A4 ny']);
    expect(await bodies(B.id)).toEqual(['B1', 'B2']);
    expect(await bodies(C.id)).toEqual(['C1']);
    expect(await bodies(E.id)).toEqual(['E1']);
    expect(await db`select 1 from conversations where id = ${D.id}`).toHaveLength(0);
    const ids = async (table: 'posts' | 'mailings' | 'items' | 'conferences') =>
      (await db<{ id: string }[]>`select id from ${db(table)} order by id`).map((r) => r.id);
    expect((await ids('posts')).sort()).toEqual([p2, p3, p4].sort());
    expect(await ids('mailings')).not.toContain(m1);
    expect(await ids('items')).toEqual([i2]);
    expect(await ids('conferences')).not.toContain(k1);
    expect(await db`select 1 from feed_reads where item_id = ${p1}`).toHaveLength(0);
    // Its read statistics go with it (migration 014); the kept post keeps its own.
    expect(await db`select 1 from feed_read_counts where item_id = ${p1} or item_id = ${m1}`).toHaveLength(0);
    expect(await db`select 1 from feed_reminders where item_id = ${p1}`).toHaveLength(0);
    expect(await db`select 1 from feed_read_deltas where item_id = ${p1} or item_id = ${m1}`).toHaveLength(0);
    expect(await db`select part from feed_read_counts where item_id = ${p2}`).toHaveLength(3);

    // What a client sees: the history starts later, with the seq numbers it had.
    const history = await elsa.ok<{ messages: Message[]; lastSeq: number }>('history.get', { conversationId: A.id });
    expect(history.messages.map((m) => [m.seq, m.body])).toEqual([[4, 'A4 ny']]);
    expect(history.lastSeq).toBe(4);
    expect(a4.seq).toBe(4);
    expect(await elsa.ok<{ messages: Message[] }>('history.get', { conversationId: A.id, beforeSeq: 4 })).toMatchObject({ messages: [] });
    // Deleted messages never count as unread: only A4.
    const inbox = await elsa.ok<{ conversations: { id: string; unread: number }[] }>('inbox.get', {});
    expect(inbox.conversations.find((c) => c.id === A.id)?.unread).toBe(1);
    const stu4 = await t.connect('p-stu-ek-4');
    expect(await stu4.request('history.get', { conversationId: D.id })).toMatchObject({ type: 'error', code: 'not_found' });
    const feed = await elsa.ok<{ items: { id: string }[] }>('feed.get', {});
    expect(feed.items.map((i) => i.id)).not.toContain(p1);
    expect(await teacher.request('item.get', { itemId: i1 })).toMatchObject({ type: 'error', code: 'not_found' });
    // A resume from before the first kept event (the very first cursor of this hub) is answered sync.reset.
    const back = await t.connect('p-stu-ek-1', { cursor: '1' });
    expect(back.frames.find((f) => f.type === 'welcome')).toMatchObject({ resumed: false });
    await back.waitFor((f) => f.type === 'event' && f.event === 'sync.reset');

    // Releasing the hold lets the next run delete B.
    await call(t, 'POST', '/api/v1/legal-hold', { kind: 'conversation', id: B.id, hold: false });
    const again = (await runRetention(t.hub.core)) as RetentionReport;
    expect(again.deleted).toMatchObject({ messages: 2, conversations: 1 });
    expect(await bodies(C.id)).toEqual(['C1']);
    expect(await db`select 1 from retention_runs`).toHaveLength(2);
  });

  it("reactions go with their message or post; a held person's reaction keeps its post (issue 13)", async () => {
    const [mentor, elsa, liam] = await connectEach(t, 'p-mentor-ek', 'p-stu-ek-1', 'p-stu-ek-2');
    const post = async (title: string) =>
      (await mentor.ok<{ post: { id: string } }>('post.create', { schoolId: 's-ekskolan', title, body: '…', audience: { targets: [{ kind: 'group', groupId: 'g-ek-7a' }], recipients: { students: true } }, clientKey: ck() })).post.id;
    const p5 = await post('P5 gammal');
    const p6 = await post('P6 hållen genom en reaktion');
    const F = (await mentor.ok<{ conversation: Conversation }>('conversation.start', { participantIds: ['p-stu-ek-1'], subject: 'F', clientKey: ck() })).conversation;
    const f1 = await send(mentor, F.id, 'F1');
    const react = (c: TestClient, kind: string, id: string, emoji: string) => c.ok('reaction.set', { target: { kind, id }, emoji, on: true });
    await react(elsa, 'post', p5, 'like');
    await react(liam, 'post', p6, 'heart');
    await react(elsa, 'message', f1.id, 'smile');
    for (const table of ['messages', 'posts', 'reactions'] as const) await db`update ${db(table)} set created_at = created_at - interval '40 days'`;
    await db`update conversations set created_at = created_at - interval '40 days', last_message_at = last_message_at - interval '40 days' where id = ${F.id}`;
    expect((await call(t, 'POST', '/api/v1/legal-hold', { kind: 'person', id: 'p-stu-ek-2', reason: 'Tvist 2025/4' })).status).toBe(200);

    const report = (await runRetention(t.hub.core)) as RetentionReport;
    expect(report.failed).toEqual([]);
    const left = async (id: string) => (await db`select 1 from reactions where post_id = ${id} or message_id = ${id}`).length;
    expect(await db`select 1 from posts where id = ${p5}`).toHaveLength(0);
    expect(await left(p5)).toBe(0);
    expect(await db`select 1 from messages where id = ${f1.id}`).toHaveLength(0);
    expect(await left(f1.id)).toBe(0);
    // The held student's reaction, and the post it is on, stay.
    expect(await db`select 1 from posts where id = ${p6}`).toHaveLength(1);
    expect(await left(p6)).toBe(1);
    await call(t, 'POST', '/api/v1/legal-hold', { kind: 'person', id: 'p-stu-ek-2', hold: false });
  });

  it('runs on one node at a time (a PostgreSQL advisory lock)', async () => {
    const lock = await db.reserve();
    try {
      await lock`select pg_advisory_lock(7303411920004)`;
      expect(await runRetention(t.hub.core)).toBe('busy');
      await lock`select pg_advisory_unlock(7303411920004)`;
      expect(await runRetention(t.hub.core)).not.toBe('busy');
    } finally {
      lock.release();
    }
  });

  it('is scheduled by HUB_RETENTION_INTERVAL_MS', async () => {
    const scheduled = await startTestHub({ bundle: bundle(), env: { HUB_RETENTION_INTERVAL_MS: '200' } });
    const sdb = postgres(scheduled.databaseUrl, { max: 1, onnotice: () => {} });
    try {
      const deadline = Date.now() + 5_000;
      let runs = 0;
      while (runs === 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        runs = (await sdb`select 1 from retention_runs`).length;
      }
      expect(runs).toBeGreaterThan(0);
    } finally {
      await sdb.end();
      await scheduled.stop();
    }
  });
});

describe("privacy of part A's development records (feedback, assessments, forms, documentation, attachments)", () => {
  // Demo district: p-mentor-ek teaches g-ek-sv7 (p-stu-ek-1..6; p-stu-ek-6 is protected, guardian
  // p-gua-ek-6a); p-pre-teacher works in g-sol-blabar (p-child-1..3, guardians p-gua-child-1..3).
  let t: TestHub;
  let db: postgres.Sql;
  let dataDir: string;
  const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
  const file = (id: string) => path.join(dataDir, 'attachments', id);
  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'schoolhub-privacy-'));
    const b = demoBundle();
    b.extensions.settings.push({ organisation: { id: 'd-exempel' }, retentionDays: 30 });
    t = await startTestHub({ bundle: b, env: { HUB_RETENTION_INTERVAL_MS: '0', HUB_DATA_DIR: dataDir } });
    db = postgres(t.databaseUrl, { max: 2, onnotice: () => {} });
  });
  afterAll(async () => {
    await db?.end();
    await t?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  async function upload(as: string): Promise<string> {
    const res = await fetch(`${t.url}/api/v1/attachments?filename=bild.png`, {
      method: 'POST', headers: { authorization: `Bearer ${await t.token(as)}`, 'content-type': 'image/png' }, body: new Uint8Array(PNG),
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { attachment: { id: string } }).attachment.id;
  }
  const assignment = async (c: TestClient, title: string) =>
    (await c.ok<{ item: { id: string } }>('item.create', { kind: 'assignment', groupId: 'g-ek-sv7', title, publish: true, clientKey: ck() })).item.id;
  const feedback = async (c: TestClient, itemId: string, studentId: string, body: string, publish = true) =>
    (await c.ok<{ feedback: { id: string } }>('feedback.create', { itemId, studentId, body, publish, clientKey: ck() })).feedback.id;
  const assess = async (c: TestClient, studentId: string, level: string, publish = true) =>
    (await c.ok<{ assessment: { id: string } }>('assessment.create', { groupId: 'g-ek-sv7', studentId, level, publish, clientKey: ck() })).assessment.id;
  const document = async (c: TestClient, title: string, childIds: string[] | undefined, attachmentIds: string[]) =>
    (await c.ok<{ documentation: { id: string } }>('documentation.create', {
      groupId: 'g-sol-blabar', ...(childIds ? { childIds } : {}), title, body: `${title}.`, attachmentIds, clientKey: ck(),
    })).documentation.id;
  const exportOf = async (personId: string) => {
    const r = await call(t, 'GET', `/api/v1/export/${personId}`);
    expect(r.status).toBe(200);
    return (r.body as { data: Record<string, unknown> }).data;
  };
  type Doc = { id: string; children: { id: string }[]; attachments: { id: string }[]; authored: boolean };

  it("the export holds the person's feedback, assessments and documentation (a guardian's: their own child's), nothing of another child", async () => {
    const mentor = await t.connect('p-mentor-ek');
    const pre = await t.connect('p-pre-teacher');
    const item = await assignment(mentor, 'Bokrecension');
    const fbHugo = await feedback(mentor, item, 'p-stu-ek-6', 'Hugo: en genomtänkt recension.');
    const fbDraft = await feedback(mentor, item, 'p-stu-ek-6', 'Utkast om Hugo', false);
    const fbOther = await feedback(mentor, item, 'p-stu-ek-5', 'Till en annan elev');
    const asHugo = await assess(mentor, 'p-stu-ek-6', 'C');
    const asDraft = await assess(mentor, 'p-stu-ek-6', 'B', false);
    const asOther = await assess(mentor, 'p-stu-ek-5', 'A');
    const att = await upload('p-pre-teacher');
    const whole = await document(pre, 'Hela gruppen bygger', undefined, [att]);
    const only2 = await document(pre, 'Bara barn 2', ['p-child-2'], []);

    for (const who of ['p-stu-ek-6', 'p-gua-ek-6a']) {
      const data = await exportOf(who);
      const fb = data.feedback as { id: string; body: string }[];
      expect(fb.map((f) => f.id)).toEqual([fbHugo]);
      expect((data.assessments as { id: string }[]).map((a) => a.id)).toEqual([asHugo]);
      expect((data.documentation as { documentation: unknown[] }).documentation).toEqual([]);
      const text = JSON.stringify({ fb: data.feedback, as: data.assessments });
      for (const never of [fbDraft, fbOther, asDraft, asOther, 'Till en annan elev', 'p-stu-ek-5']) expect(text).not.toContain(never);
    }

    // A guardian of one child: the documentation about their child, naming only that child, with its attachments' facts.
    for (const [who, child] of [['p-gua-child-1', 'p-child-1'], ['p-child-1', 'p-child-1']] as const) {
      const docs = ((await exportOf(who)).documentation as { documentation: Doc[] }).documentation;
      expect(docs.map((d) => d.id)).toEqual([whole]);
      expect(docs[0]!.children.map((c) => c.id)).toEqual([child]);
      expect(docs[0]!.attachments.map((a) => a.id)).toEqual([att]);
      const text = JSON.stringify(docs);
      for (const never of [only2, 'p-child-2', 'p-child-3']) expect(text).not.toContain(never);
    }

    // Staff: what they wrote, drafts included.
    const mentorData = await exportOf('p-mentor-ek');
    expect((mentorData.feedback as { id: string; authored: boolean }[]).filter((f) => f.authored).map((f) => f.id).sort())
      .toEqual([fbHugo, fbDraft, fbOther].sort());
    expect((mentorData.assessments as { id: string }[]).map((a) => a.id).sort()).toEqual(expect.arrayContaining([asHugo, asDraft, asOther].sort()));
    const preData = (await exportOf('p-pre-teacher')).documentation as { documentation: Doc[]; uploads: { id: string; documentationId: string }[] };
    expect(preData.documentation.map((d) => d.id).sort()).toEqual([whole, only2].sort());
    expect(preData.documentation.find((d) => d.id === whole)!.children.map((c) => c.id)).toEqual(['p-child-1', 'p-child-2', 'p-child-3']);
    expect(preData.uploads).toMatchObject([{ id: att, documentationId: whole }]);
  });

  it("a staff read of the protected student's card, overview and records writes an audit row", async () => {
    const mentor = await t.connect('p-mentor-ek');
    const item = await assignment(mentor, 'Dikt');
    const fb = await feedback(mentor, item, 'p-stu-ek-6', 'Fina rim.');
    await mentor.ok('student.card.get', { studentId: 'p-stu-ek-6' });
    await mentor.ok('group.overview.get', { groupId: 'g-ek-sv7' });
    await mentor.ok('feedback.get', { feedbackId: fb });
    const entries = (await call(t, 'GET', '/api/v1/audit?personId=p-stu-ek-6&limit=1000')).body.entries as AuditEntry[];
    const card = entries.filter((e) => e.operation === 'student.card.get' && e.actorId === 'p-mentor-ek');
    expect(card).toHaveLength(1);
    expect(card[0]!.recordIds).toEqual(expect.arrayContaining(['p-stu-ek-6', fb]));
    expect(entries.some((e) => e.operation === 'group.overview.get' && e.recordIds.includes(fb))).toBe(true);
    expect(entries.some((e) => e.operation === 'feedback.get' && e.recordIds.includes(fb))).toBe(true);
    // An unprotected student's card is not logged.
    await mentor.ok('student.card.get', { studentId: 'p-stu-ek-1' });
    expect(((await call(t, 'GET', '/api/v1/audit?personId=p-stu-ek-1')).body.entries as AuditEntry[])).toEqual([]);
  });

  it('retention deletes old assessments and documentation with their files, and keeps what is under legal hold', async () => {
    const mentor = await t.connect('p-mentor-ek');
    const pre = await t.connect('p-pre-teacher');
    const oldAssessment = await assess(mentor, 'p-stu-ek-4', 'D');
    const heldAssessment = await assess(mentor, 'p-stu-ek-3', 'B');
    const newAssessment = await assess(mentor, 'p-stu-ek-2', 'A');
    const [a1, a2, a3] = [await upload('p-pre-teacher'), await upload('p-pre-teacher'), await upload('p-pre-teacher')];
    const oldDoc = await document(pre, 'Gammal', ['p-child-3'], [a1]);
    const heldDoc = await document(pre, 'Hållen', ['p-child-3'], [a2]);
    // A held feedback keeps its (old) item; another old item goes with its feedback.
    const heldItem = await assignment(mentor, 'Hållen uppgift');
    const heldFeedback = await feedback(mentor, heldItem, 'p-stu-ek-1', 'Sparas');
    const goneItem = await assignment(mentor, 'Gammal uppgift');
    const goneFeedback = await feedback(mentor, goneItem, 'p-stu-ek-1', 'Försvinner');
    // An upload nobody used (two days old) and a file whose row is gone.
    const orphan = 'att_ZZZZZZZZZZZZZZZZZZZZZZ';
    writeFileSync(file(orphan), PNG);
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000);
    utimesSync(file(orphan), twoDaysAgo, twoDaysAgo);
    await db`update attachments set created_at = now() - interval '2 days' where id = ${a3}`;
    for (const id of [a1, a2, a3]) expect(existsSync(file(id))).toBe(true);

    await db`update assessments set created_at = created_at - interval '40 days', updated_at = updated_at - interval '40 days'
             where id in ${db([oldAssessment, heldAssessment])}`;
    await db`update documentation set created_at = created_at - interval '40 days', updated_at = updated_at - interval '40 days'
             where id in ${db([oldDoc, heldDoc])}`;
    await db`update items set created_at = created_at - interval '40 days', updated_at = updated_at - interval '40 days'
             where id in ${db([heldItem, goneItem])}`;
    for (const id of [heldAssessment, heldDoc, heldFeedback]) {
      expect((await call(t, 'POST', '/api/v1/legal-hold', { kind: 'item', id, reason: 'Ärende 2025/7' })).status).toBe(200);
    }

    const report = (await runRetention(t.hub.core)) as RetentionReport;
    expect(report.failed).toEqual([]);
    expect(report.deleted.assessments).toBeGreaterThanOrEqual(1);
    expect(report.deleted.documentation).toBeGreaterThanOrEqual(1);
    const left = async (table: 'assessments' | 'documentation' | 'attachments' | 'items' | 'feedback', ids: string[]) =>
      (await db<{ id: string }[]>`select id from ${db(table)} where id in ${db(ids)}`).map((r) => r.id).sort();
    expect(await left('assessments', [oldAssessment, heldAssessment, newAssessment])).toEqual([heldAssessment, newAssessment].sort());
    expect(await left('documentation', [oldDoc, heldDoc])).toEqual([heldDoc]);
    expect(await left('attachments', [a1, a2, a3])).toEqual([a2]);
    expect(await left('items', [heldItem, goneItem])).toEqual([heldItem]);
    expect(await left('feedback', [heldFeedback, goneFeedback])).toEqual([heldFeedback]);
    expect(existsSync(file(a1))).toBe(false);
    expect(existsSync(file(a3))).toBe(false);
    expect(existsSync(file(orphan))).toBe(false);
    expect(existsSync(file(a2))).toBe(true);

    // Released, the next run takes them too.
    await call(t, 'POST', '/api/v1/legal-hold', { kind: 'item', id: heldDoc, hold: false });
    await runRetention(t.hub.core);
    expect(await left('documentation', [heldDoc])).toEqual([]);
    expect(existsSync(file(a2))).toBe(false);
  });
});
