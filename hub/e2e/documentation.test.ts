// Preschool documentation (docs/DOMAIN.md §4) and its attachments over real connections and HTTP:
// uploads checked by their bytes, documentation that reaches each child's guardians naming only
// their child, and attachments served only to those who may see the documentation.
//
// Demo district: Förskolan Solrosen, child group g-sol-blabar with preschool teacher
// p-pre-teacher and children p-child-1..3 (guardians p-gua-child-1..3).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../testing/harness.ts';
import type { Frame, TestClient } from '../testing/client.ts';
import { ATTACHMENT_LIMITS } from '../attachments/http.ts';
import { demoBundle } from '../demo/district.ts';
import type { Bundle } from '../directory/schema.ts';

/** A second preschool teacher of Blåbär: whose uploads are "someone else's" to p-pre-teacher. */
const COLLEAGUE = 'p-pre-teacher-2';
function withColleague(): Bundle {
  const b = demoBundle();
  const me = b.persons.find((p) => p.id === 'p-pre-teacher')!;
  b.persons.push({ ...me, id: COLLEAGUE, givenName: 'Pia', familyName: 'Lundgren', emails: [{ value: 'pia.lundgren@skola.example', type: 'Skola' }] });
  const duty = b.duties.find((d) => d.person.id === 'p-pre-teacher')!;
  b.duties.push({ ...structuredClone(duty), id: `${duty.id}-2`, person: { id: COLLEAGUE } });
  return b;
}

let t: TestHub;
let dataDir: string;
beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'schoolhub-attachments-'));
  t = await startTestHub({ env: { HUB_DATA_DIR: dataDir }, bundle: withColleague() });
});
afterAll(async () => {
  await t?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

// A real 1×1 PNG, and a PDF's first bytes.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

interface Attachment {
  id: string;
  contentType: string;
  size: number;
  filename: string;
  url: string;
}
interface Documentation {
  id: string;
  title: string;
  goals: string[];
  wholeGroup: boolean;
  children: { id: string; name: string }[];
  attachments: Attachment[];
}

let keyNo = 0;
const ck = () => `doc-${++keyNo}`;

async function upload(as: string | null, body: Buffer, type: string, filename = 'bild.png'): Promise<{ status: number; json: { attachment?: Attachment; error?: { code: string; message: string } } }> {
  const headers: Record<string, string> = { 'content-type': type };
  if (as) headers.authorization = `Bearer ${await t.token(as)}`;
  const res = await fetch(`${t.url}/api/v1/attachments?filename=${encodeURIComponent(filename)}`, { method: 'POST', headers, body: new Uint8Array(body) });
  return { status: res.status, json: (await res.json()) as { attachment?: Attachment } };
}

async function download(as: string | null, id: string): Promise<Response> {
  return fetch(`${t.url}/api/v1/attachments/${id}`, as ? { headers: { authorization: `Bearer ${await t.token(as)}` } } : {});
}

const docEvent = (name: string, id: string) => (f: Frame) =>
  f.type === 'event' && f.event === name && (f.data as { documentation?: { id: string } }).documentation?.id === id;

async function nothingAbout(c: TestClient, id: string): Promise<void> {
  await c.ping();
  expect(c.frames.filter((f) => f.type === 'event' && JSON.stringify(f.data).includes(id))).toEqual([]);
}

describe('attachments: upload (POST /api/v1/attachments)', () => {
  it('a preschool teacher uploads an image; it is stored under HUB_DATA_DIR/attachments', async () => {
    const r = await upload('p-pre-teacher', PNG, 'image/png', 'Skogen/utflykt – höst.png');
    expect(r.status).toBe(201);
    expect(r.json.attachment).toMatchObject({ contentType: 'image/png', size: PNG.length, filename: 'utflykt – höst.png' });
    const id = r.json.attachment!.id;
    expect(r.json.attachment!.url).toBe(`/api/v1/attachments/${id}`);
    expect(readFileSync(path.join(dataDir, 'attachments', id))).toEqual(PNG);
  });

  it('refuses a file that lies about its type, unknown types, empty and oversized files', async () => {
    const lie = await upload('p-pre-teacher', PDF, 'image/png');
    expect(lie.status).toBe(415);
    expect(lie.json.error).toMatchObject({ code: 'invalid', message: 'the file is application/pdf, not image/png' });
    const html = await upload('p-pre-teacher', Buffer.from('<html><script>alert(1)</script></html>'), 'image/jpeg', 'bild.jpg');
    expect(html.status).toBe(415);
    const svg = await upload('p-pre-teacher', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'image/svg+xml', 'bild.svg');
    expect(svg.status).toBe(415);
    expect((await upload('p-pre-teacher', Buffer.alloc(0), 'image/png')).status).toBe(400);
    const big = Buffer.concat([PNG, Buffer.alloc(ATTACHMENT_LIMITS.bytes)]);
    const tooBig = await upload('p-pre-teacher', big, 'image/png');
    expect(tooBig.status).toBe(413);
    expect(tooBig.json.error?.code).toBe('too_large');
    // A PDF that says so is fine.
    expect((await upload('p-pre-teacher', PDF, 'application/pdf', 'veckobrev.pdf')).status).toBe(201);
  });

  it('answers the CORS preflight of a widget on the portal, for the allowed origins only', async () => {
    const pre = await fetch(`${t.url}/api/v1/attachments/att_AAAAAAAAAAAAAAAAAAAAAA`, {
      method: 'OPTIONS', headers: { origin: 'https://portal.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('https://portal.example');
    expect(pre.headers.get('access-control-allow-headers')).toContain('authorization');
    const strict = await startTestHub({ bundle: null, env: { HUB_ALLOWED_ORIGINS: 'https://portal.example', HUB_DATA_DIR: dataDir } });
    try {
      const refused = await fetch(`${strict.url}/api/v1/attachments`, { method: 'OPTIONS', headers: { origin: 'https://evil.example' } });
      expect(refused.status).toBe(403);
      const upload = await fetch(`${strict.url}/api/v1/attachments`, {
        method: 'POST', headers: { origin: 'https://evil.example', authorization: `Bearer ${await strict.token('p-pre-teacher')}`, 'content-type': 'image/png' }, body: new Uint8Array(PNG),
      });
      expect(upload.status).toBe(403);
    } finally {
      await strict.stop();
    }
  });

  it('refuses people who do not write documentation, and requests without a valid token', async () => {
    expect((await upload('p-gua-child-1', PNG, 'image/png')).status).toBe(403);
    expect((await upload('p-teacher-ek', PNG, 'image/png')).status).toBe(403);
    expect((await upload(null, PNG, 'image/png')).status).toBe(401);
    const res = await fetch(`${t.url}/api/v1/attachments`, { method: 'POST', headers: { authorization: 'Bearer not-a-token', 'content-type': 'image/png' }, body: new Uint8Array(PNG) });
    expect(res.status).toBe(401);
  });
});

describe('documentation (§4) and who gets its attachments', () => {
  it('documentation about one child reaches that child’s guardian live; another child’s guardian gets nothing and HTTP 403', async () => {
    const teacher = await t.connect('p-pre-teacher');
    const guardian1 = await t.connect('p-gua-child-1');
    const guardian2 = await t.connect('p-gua-child-2');
    const { json } = await upload('p-pre-teacher', PNG, 'image/png', 'astrid.png');
    const attachmentId = json.attachment!.id;
    // Before it belongs to a documentation, only its uploader may fetch it.
    expect((await download('p-gua-child-1', attachmentId)).status).toBe(403);
    expect((await download('p-pre-teacher', attachmentId)).status).toBe(200);

    const { documentation } = await teacher.ok<{ documentation: Documentation }>('documentation.create', {
      groupId: 'g-sol-blabar', childIds: ['p-child-1'], title: 'Astrid bygger', body: 'Astrid byggde ett torn av klossar.',
      goals: ['Matematik: former och mönster', 'Skapande'], attachmentIds: [attachmentId], clientKey: ck(),
    });
    expect(documentation).toMatchObject({ wholeGroup: false, children: [{ id: 'p-child-1' }], attachments: [{ id: attachmentId }] });
    const ev = await guardian1.waitFor(docEvent('documentation.created', documentation.id));
    expect((ev.data as { documentation: Documentation }).documentation).toMatchObject({
      title: 'Astrid bygger', goals: ['Matematik: former och mönster', 'Skapande'], children: [{ id: 'p-child-1' }], attachments: [{ id: attachmentId }],
    });
    await nothingAbout(guardian2, documentation.id);
    expect(await guardian2.request('documentation.get', { documentationId: documentation.id })).toMatchObject({ type: 'error', code: 'not_found' });

    // The guardian of the child gets the image, with the checked type and safe headers.
    const ok = await download('p-gua-child-1', attachmentId);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('image/png');
    expect(ok.headers.get('x-content-type-options')).toBe('nosniff');
    expect(ok.headers.get('content-disposition')).toBe(`inline; filename="astrid.png"; filename*=UTF-8''astrid.png`);
    expect(ok.headers.get('cache-control')).toBe('private, no-store');
    expect(Buffer.from(await ok.arrayBuffer())).toEqual(PNG);
    // The guardian of another child: 403. Staff without a row (the reader of another school): 403.
    const refused = await download('p-gua-child-2', attachmentId);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: { code: 'forbidden' } });
    expect((await download('p-reader-ek', attachmentId)).status).toBe(403);
    expect((await download(null, attachmentId)).status).toBe(401);
    expect((await download('p-gua-child-1', 'att_AAAAAAAAAAAAAAAAAAAAAA')).status).toBe(404);
    expect((await download('p-gua-child-1', '..%2F..%2Fetc%2Fpasswd')).status).toBe(404);

    // An attachment belongs to one documentation; ids that are not one's own uploads are unknown.
    expect(await teacher.request('documentation.create', {
      groupId: 'g-sol-blabar', title: 'Igen', body: 'x', attachmentIds: [attachmentId], clientKey: ck(),
    })).toMatchObject({ type: 'error', code: 'conflict', path: ['attachmentIds', 0] });
    expect(await teacher.request('documentation.create', {
      groupId: 'g-sol-blabar', title: 'Okänd', body: 'x', attachmentIds: ['att_BBBBBBBBBBBBBBBBBBBBBB'], clientKey: ck(),
    })).toMatchObject({ type: 'error', code: 'not_found', path: ['attachmentIds', 0] });

    // Editing reaches the guardian again.
    await teacher.ok('documentation.update', { documentationId: documentation.id, body: 'Astrid byggde ett högt torn.' });
    const upd = await guardian1.waitFor(docEvent('documentation.updated', documentation.id));
    expect((upd.data as { documentation: { body: string } }).documentation.body).toBe('Astrid byggde ett högt torn.');
    await nothingAbout(guardian2, documentation.id);
  });

  it('documentation of the whole group names to each guardian only their own child', async () => {
    const teacher = await t.connect('p-pre-teacher');
    const guardians = await Promise.all(['p-gua-child-1', 'p-gua-child-2', 'p-gua-child-3'].map((g) => t.connect(g)));
    const outsider = await t.connect('p-gua-ek-1a');
    const { documentation } = await teacher.ok<{ documentation: Documentation }>('documentation.create', {
      groupId: 'g-sol-blabar', title: 'Skogsdag', body: 'Vi var i skogen och letade svamp.', goals: ['Natur och miljö'], clientKey: ck(),
    });
    expect(documentation.wholeGroup).toBe(true);
    expect(documentation.children.map((c) => c.id)).toEqual(['p-child-1', 'p-child-2', 'p-child-3']);
    for (const [i, g] of guardians.entries()) {
      const ev = await g.waitFor(docEvent('documentation.created', documentation.id));
      const childIds = (ev.data as { documentation: Documentation }).documentation.children.map((c) => c.id);
      expect(childIds).toEqual([`p-child-${i + 1}`]);
      await g.ping();
      expect(g.frames.filter(docEvent('documentation.created', documentation.id))).toHaveLength(1);
      const { documentation: got } = await g.ok<{ documentation: Documentation }>('documentation.get', { documentationId: documentation.id });
      expect(got.children.map((c) => c.id)).toEqual([`p-child-${i + 1}`]);
      const dev = await g.ok<{ entries: { kind: string; documentation?: Documentation }[] }>('development.get', { kinds: ['documentation'] });
      expect(dev.entries.map((e) => e.documentation?.id)).toContain(documentation.id);
    }
    await nothingAbout(outsider, documentation.id);
    // The child card of the preschool teacher shows it with every child.
    const card = await teacher.ok<{ entries: { documentation?: Documentation }[] }>('student.card.get', { studentId: 'p-child-2', kinds: ['documentation'] });
    expect(card.entries.find((e) => e.documentation?.id === documentation.id)?.documentation?.children).toHaveLength(3);
    const list = await teacher.ok<{ documentation: Documentation[] }>('group.documentation.get', { groupId: 'g-sol-blabar', childId: 'p-child-3' });
    expect(list.documentation.map((d) => d.id)).toContain(documentation.id);
  });

  it('only the child group’s teachers write it; children must be of the group', async () => {
    const teacher = await t.connect('p-pre-teacher');
    expect(await teacher.request('documentation.create', { groupId: 'g-sol-blabar', childIds: ['p-stu-ek-1'], title: 'x', body: 'x', clientKey: ck() }))
      .toMatchObject({ type: 'error', code: 'invalid', path: ['childIds', 0] });
    // A teacher of another school: that school's group is answered like one that does not exist (ARCHITECTURE.md, Decisions).
    const other = await t.connect('p-teacher-ek');
    expect(await other.request('documentation.create', { groupId: 'g-sol-blabar', title: 'x', body: 'x', clientKey: ck() }))
      .toMatchObject({ type: 'error', code: 'not_found', message: 'no such group', path: ['groupId'] });
    const guardian = await t.connect('p-gua-child-1');
    expect(await guardian.request('documentation.create', { groupId: 'g-sol-blabar', title: 'x', body: 'x', clientKey: ck() }))
      .toMatchObject({ type: 'error', code: 'forbidden' });
    expect(await teacher.request('documentation.create', { groupId: 'g-sol-blabar', title: 'x', body: 'x', goals: Array(21).fill('mål'), clientKey: ck() }))
      .toMatchObject({ type: 'error', code: 'too_large', path: ['goals'] });
  });
});

describe('documentation.update: changing the attachments', () => {
  const file = (id: string) => path.join(dataDir, 'attachments', id);
  const ids = (d: Documentation) => d.attachments.map((a) => a.id);
  const updated = (docId: string, attachmentIds: string[]) => (f: Frame) =>
    docEvent('documentation.updated', docId)(f) && JSON.stringify(ids((f.data as { documentation: Documentation }).documentation)) === JSON.stringify(attachmentIds);
  const uploaded = async (as: string, name: string) => (await upload(as, PNG, 'image/png', name)).json.attachment!.id;
  const about = async (as: string, childId: string, attachmentIds: string[]) =>
    (await (await t.connect(as)).ok<{ documentation: Documentation }>('documentation.create', {
      groupId: 'g-sol-blabar', childIds: [childId], title: 'Bygglek', body: 'Vi byggde.', attachmentIds, clientKey: ck(),
    })).documentation;

  it('adds an image live to the child’s guardian; removing it deletes its row and file; the same list again sends nothing', async () => {
    const teacher = await t.connect('p-pre-teacher');
    const guardian1 = await t.connect('p-gua-child-1');
    const guardian2 = await t.connect('p-gua-child-2');
    const first = await uploaded('p-pre-teacher', 'torn.png');
    const doc = await about('p-pre-teacher', 'p-child-1', [first]);
    const added = await uploaded('p-pre-teacher', 'glomd.png');

    const { documentation } = await teacher.ok<{ documentation: Documentation }>('documentation.update', { documentationId: doc.id, attachmentIds: [first, added] });
    expect(ids(documentation)).toEqual([first, added]);
    const ev = await guardian1.waitFor(updated(doc.id, [first, added]));
    expect((ev.data as { documentation: Documentation }).documentation).toMatchObject({ children: [{ id: 'p-child-1' }], attachments: [{ id: first }, { id: added, filename: 'glomd.png' }] });
    const got = await download('p-gua-child-1', added);
    expect(got.status).toBe(200);
    expect(Buffer.from(await got.arrayBuffer())).toEqual(PNG);
    await nothingAbout(guardian2, doc.id);
    expect((await download('p-gua-child-2', added)).status).toBe(403);

    // Taken off again: gone for everyone, row and file; the other image stays.
    const removed = await teacher.ok<{ documentation: Documentation }>('documentation.update', { documentationId: doc.id, attachmentIds: [first] });
    expect(ids(removed.documentation)).toEqual([first]);
    await guardian1.waitFor(updated(doc.id, [first]));
    expect((await download('p-gua-child-1', added)).status).toBe(404);
    expect((await download('p-pre-teacher', added)).status).toBe(404);
    expect(existsSync(file(added))).toBe(false);
    expect(existsSync(file(first))).toBe(true);
    expect((await download('p-gua-child-1', first)).status).toBe(200);
    // A deleted upload cannot come back.
    expect(await teacher.request('documentation.update', { documentationId: doc.id, attachmentIds: [first, added] }))
      .toMatchObject({ type: 'error', code: 'not_found', path: ['attachmentIds', 1] });

    // The same content again: answered, nothing sent.
    const before = guardian1.frames.filter(docEvent('documentation.updated', doc.id)).length;
    const same = await teacher.ok<{ documentation: Documentation }>('documentation.update', { documentationId: doc.id, title: 'Bygglek', attachmentIds: [first] });
    expect(ids(same.documentation)).toEqual([first]);
    await guardian1.ping();
    expect(guardian1.frames.filter(docEvent('documentation.updated', doc.id))).toHaveLength(before);

    // Without attachmentIds they stay; [] takes every one off.
    await teacher.ok('documentation.update', { documentationId: doc.id, body: 'Vi byggde högt.' });
    expect(ids((await guardian1.ok<{ documentation: Documentation }>('documentation.get', { documentationId: doc.id })).documentation)).toEqual([first]);
    const none = await teacher.ok<{ documentation: Documentation }>('documentation.update', { documentationId: doc.id, attachmentIds: [] });
    expect(none.documentation.attachments).toEqual([]);
    await guardian1.waitFor(updated(doc.id, []));
    expect(existsSync(file(first))).toBe(false);
    expect((await download('p-gua-child-1', first)).status).toBe(404);
  });

  it('any teacher of the group changes them: what is on it stays whoever uploaded it; new ones must be their own', async () => {
    const mine = await uploaded('p-pre-teacher', 'min.png');
    const doc = await about('p-pre-teacher', 'p-child-2', [mine]);
    const colleague = await t.connect(COLLEAGUE);
    const theirs = await uploaded(COLLEAGUE, 'pia.png');
    const { documentation } = await colleague.ok<{ documentation: Documentation }>('documentation.update', { documentationId: doc.id, attachmentIds: [mine, theirs] });
    expect(ids(documentation)).toEqual([mine, theirs]);
    // p-pre-teacher takes the colleague's image off again: it is on the documentation, not a new one.
    const teacher = await t.connect('p-pre-teacher');
    expect(ids((await teacher.ok<{ documentation: Documentation }>('documentation.update', { documentationId: doc.id, attachmentIds: [mine] })).documentation)).toEqual([mine]);
    expect(existsSync(file(theirs))).toBe(false);
  });

  it('refuses someone else’s upload (not_found), one used elsewhere (conflict); a refused update changes nothing', async () => {
    const teacher = await t.connect('p-pre-teacher');
    const guardian1 = await t.connect('p-gua-child-1');
    const kept = await uploaded('p-pre-teacher', 'kvar.png');
    const doc = await about('p-pre-teacher', 'p-child-1', [kept]);
    const other = await about('p-pre-teacher', 'p-child-1', [await uploaded('p-pre-teacher', 'annan.png')]);
    const colleagues = await uploaded(COLLEAGUE, 'pias.png');
    const good = await uploaded('p-pre-teacher', 'ny.png');
    await guardian1.waitFor(docEvent('documentation.created', other.id));

    expect(await teacher.request('documentation.update', { documentationId: doc.id, attachmentIds: [kept, colleagues] }))
      .toMatchObject({ type: 'error', code: 'not_found', path: ['attachmentIds', 1] });
    expect(await teacher.request('documentation.update', { documentationId: doc.id, attachmentIds: [other.attachments[0]!.id] }))
      .toMatchObject({ type: 'error', code: 'conflict', path: ['attachmentIds', 0] });
    // One bad id among good ones, with an image taken off and the title changed: nothing of it happens.
    expect(await teacher.request('documentation.update', {
      documentationId: doc.id, title: 'Ändrad', attachmentIds: [good, 'att_CCCCCCCCCCCCCCCCCCCCCC'],
    })).toMatchObject({ type: 'error', code: 'not_found', path: ['attachmentIds', 1] });
    expect(await teacher.request('documentation.update', { documentationId: doc.id, attachmentIds: Array.from({ length: 21 }, (_, i) => `att_${i}`) }))
      .toMatchObject({ type: 'error', code: 'too_large', path: ['attachmentIds'] });

    const now = (await teacher.ok<{ documentation: Documentation }>('documentation.get', { documentationId: doc.id })).documentation;
    expect(now).toMatchObject({ title: 'Bygglek', attachments: [{ id: kept }] });
    expect(ids((await teacher.ok<{ documentation: Documentation }>('documentation.get', { documentationId: other.id })).documentation)).toEqual([other.attachments[0]!.id]);
    for (const id of [kept, other.attachments[0]!.id, colleagues, good]) expect(existsSync(file(id)), id).toBe(true);
    expect((await download('p-gua-child-1', kept)).status).toBe(200);
    // The good upload is still unused: only its uploader gets it, and it can go on the documentation now.
    expect((await download('p-gua-child-1', good)).status).toBe(403);
    await guardian1.ping();
    expect(guardian1.frames.filter(docEvent('documentation.updated', doc.id))).toEqual([]);
    expect(ids((await teacher.ok<{ documentation: Documentation }>('documentation.update', { documentationId: doc.id, attachmentIds: [kept, good] })).documentation)).toEqual([kept, good]);
  });

  it('others are answered as for any update, and nothing changes', async () => {
    const kept = await uploaded('p-pre-teacher', 'stannar.png');
    const doc = await about('p-pre-teacher', 'p-child-1', [kept]);
    for (const [who, code] of [['p-gua-child-1', 'forbidden'], ['p-reader-sol', 'forbidden'], ['p-gua-child-2', 'not_found'], ['p-teacher-ek', 'not_found']] as const) {
      const c = await t.connect(who);
      expect(await c.request('documentation.update', { documentationId: doc.id, attachmentIds: [] }), who).toMatchObject({ type: 'error', code });
    }
    expect(existsSync(file(kept))).toBe(true);
    expect((await download('p-gua-child-1', kept)).status).toBe(200);
  });
});

describe('students.search (whose card staff may open)', () => {
  it('finds by name among the caller’s students, folding case and accents; nothing for families', async () => {
    const reader = await t.connect('p-reader-ek');
    const { students } = await reader.ok<{ students: { id: string; name: string }[] }>('students.search', { query: 'elsa andersson' });
    expect(students.map((s) => s.id)).toEqual(['p-stu-ek-1']);
    const pre = await t.connect('p-pre-teacher');
    expect((await pre.ok<{ students: { id: string }[] }>('students.search', { query: 'ASTRID' })).students.map((s) => s.id)).toEqual(['p-child-1']);
    expect((await pre.ok<{ students: { id: string }[] }>('students.search', { query: 'elsa' })).students).toEqual([]);
    const guardian = await t.connect('p-gua-ek-1a');
    expect((await guardian.ok<{ students: unknown[] }>('students.search', { query: 'elsa' })).students).toEqual([]);
  });
});
