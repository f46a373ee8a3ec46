// Preschool documentation (DOMAIN.md §4) and its attachments over real connections and HTTP:
// uploads checked by their bytes, documentation that reaches each child's guardians naming only
// their child, and attachments served only to those who may see the documentation.
//
// Demo district: Förskolan Solrosen, child group g-sol-blabar with preschool teacher
// p-pre-teacher and children p-child-1..3 (guardians p-gua-child-1..3).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../testing/harness.ts';
import type { Frame, TestClient } from '../testing/client.ts';
import { ATTACHMENT_LIMITS } from '../attachments/http.ts';

let t: TestHub;
let dataDir: string;
beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'schoolhub-attachments-'));
  t = await startTestHub({ env: { HUB_DATA_DIR: dataDir } });
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
    const other = await t.connect('p-teacher-ek');
    expect(await other.request('documentation.create', { groupId: 'g-sol-blabar', title: 'x', body: 'x', clientKey: ck() }))
      .toMatchObject({ type: 'error', code: 'forbidden', path: ['groupId'] });
    const guardian = await t.connect('p-gua-child-1');
    expect(await guardian.request('documentation.create', { groupId: 'g-sol-blabar', title: 'x', body: 'x', clientKey: ck() }))
      .toMatchObject({ type: 'error', code: 'forbidden' });
    expect(await teacher.request('documentation.create', { groupId: 'g-sol-blabar', title: 'x', body: 'x', goals: Array(21).fill('mål'), clientKey: ck() }))
      .toMatchObject({ type: 'error', code: 'too_large', path: ['goals'] });
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
