// Files in chat and posts (docs/PROTOCOL.md §9 and message.send / post.create), over real
// connections, HTTP and PostgreSQL: an image or a PDF is uploaded for a message or a post, taken
// by it, and served to whoever may read it now (a thumbnail made on upload for images); to
// anyone else it does not exist. Deleting the message deletes its files.
//
// Demo district: p-mentor-ek mentors g-ek-7a (p-stu-ek-1..6; p-stu-ek-6, Hugo, has a protected
// identity, his guardian is p-gua-ek-6a); p-gua-ek-1a/1b are p-stu-ek-1's guardians.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { crc32 } from 'node:zlib';
import { TEST_ADMIN, type TestHub } from '../testing/harness.ts';
import type { Frame, TestClient } from '../testing/client.ts';
import { useTestHub } from '../testing/lifecycle.ts';

interface FileView { id: string; contentType: string; size: number; filename: string; url: string; width?: number; height?: number; thumbnailUrl?: string }

const dataDir = mkdtempSync(path.join(tmpdir(), 'schoolhub-files-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const filesOnDisk = () => readdirSync(path.join(dataDir, 'attachments')).length;

let keyNo = 0;
const ck = () => `files-${++keyNo}`;
/** A real photo-sized PNG, wider than tall: 1200 × 800. */
const photo = () => sharp({ create: { width: 1200, height: 800, channels: 3, background: { r: 40, g: 120, b: 200 } } }).png().toBuffer();
const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

describe('files in chat and posts', () => {
  let t: TestHub;
  useTestHub((hub) => (t = hub), { env: { HUB_DATA_DIR: dataDir } });

  async function upload(as: string, purpose: string, body: Buffer, type: string, filename = 'bild.png') {
    const res = await fetch(`${t.url}/api/v1/attachments?filename=${encodeURIComponent(filename)}&for=${purpose}`, {
      method: 'POST', headers: { 'content-type': type, authorization: `Bearer ${await t.token(as)}` }, body: new Uint8Array(body),
    });
    const json = (await res.json()) as { attachment?: FileView; error?: { code: string } };
    return { status: res.status, attachment: json.attachment, error: json.error };
  }
  async function fetchAs(as: string, url: string) {
    const res = await fetch(`${t.url}${url}`, { headers: { authorization: `Bearer ${await t.token(as)}` } });
    return { status: res.status, type: res.headers.get('content-type'), disposition: res.headers.get('content-disposition'), bytes: Buffer.from(await res.arrayBuffer()) };
  }
  const messageIn = (conversationId: string) => (f: Frame) =>
    f.type === 'event' && f.event === 'message.created' && (f.data as { message: { conversationId: string } }).message.conversationId === conversationId;

  it('a guardian sends a photo to the mentor: the mentor gets it with its thumbnail; nobody else can fetch it', async () => {
    const mentor = await t.connect('p-mentor-ek');
    const maria = await t.connect('p-gua-ek-1a');
    const { conversation } = await maria.ok<{ conversation: { id: string } }>('conversation.start', { participantIds: ['p-mentor-ek'], clientKey: ck() });
    const up = await upload('p-gua-ek-1a', 'message', await photo(), 'image/png', 'utflykt.png');
    expect(up.status).toBe(201);
    expect(up.attachment).toMatchObject({ contentType: 'image/png', filename: 'utflykt.png', width: 1200, height: 800, thumbnailUrl: `${up.attachment!.url}?size=thumb` });

    // A message of a file alone is a message.
    const { message } = await maria.ok<{ message: { id: string; files: FileView[] } }>('message.send', { conversationId: conversation.id, body: '', attachmentIds: [up.attachment!.id], clientKey: ck() });
    expect(message.files).toEqual([up.attachment]);
    const got = await mentor.waitFor(messageIn(conversation.id));
    expect((got.data as { message: { files: FileView[] } }).message.files).toEqual([up.attachment]);
    const history = await mentor.ok<{ messages: { files: FileView[] }[] }>('history.get', { conversationId: conversation.id });
    expect(history.messages.at(-1)!.files).toEqual([up.attachment]);

    const thumb = await fetchAs('p-mentor-ek', up.attachment!.thumbnailUrl!);
    expect(thumb).toMatchObject({ status: 200, type: 'image/webp' });
    const meta = await sharp(thumb.bytes).metadata();
    expect([meta.width, meta.height]).toEqual([320, 213]);
    const full = await fetchAs('p-mentor-ek', up.attachment!.url);
    expect(full).toMatchObject({ status: 200, type: 'image/png' });
    expect(full.disposition).toMatch(/^inline; filename="utflykt.png"/);
    expect(full.bytes.length).toBe(up.attachment!.size);

    // The co-guardian, another family, another school's staff: the same answer as for no such file.
    const unknown = await fetchAs('p-gua-ek-1b', '/api/v1/attachments/att_AAAAAAAAAAAAAAAAAAAAAA');
    expect(unknown.status).toBe(404);
    for (const who of ['p-gua-ek-1b', 'p-gua-ek-3a', 'p-teacher-bj', 'p-leader-ek']) {
      for (const url of [up.attachment!.url, up.attachment!.thumbnailUrl!]) {
        const r = await fetchAs(who, url);
        expect({ who, status: r.status, body: r.bytes.toString() }).toEqual({ who, status: 404, body: unknown.bytes.toString() });
      }
    }
  });

  it('an upload is taken once, by what it was uploaded for, by its uploader only', async () => {
    const mentor = await t.connect('p-mentor-ek');
    const { conversation } = await mentor.ok<{ conversation: { id: string } }>('conversation.start', { participantIds: ['p-stu-ek-2'], clientKey: ck() });
    const forPost = await upload('p-mentor-ek', 'post', PDF, 'application/pdf', 'plan.pdf');
    const mine = await upload('p-mentor-ek', 'message', PDF, 'application/pdf', 'plan.pdf');
    const theirs = await upload('p-gua-ek-1a', 'message', PDF, 'application/pdf');
    expect([forPost.status, mine.status, theirs.status]).toEqual([201, 201, 201]);
    expect(mine.attachment!.thumbnailUrl).toBeUndefined(); // a PDF has none
    const send = (ids: string[]) => mentor.request('message.send', { conversationId: conversation.id, body: 'Se bilagan', attachmentIds: ids, clientKey: ck() });
    expect(await send([forPost.attachment!.id])).toMatchObject({ type: 'error', code: 'invalid', path: ['attachmentIds', 0] });
    expect(await send([mine.attachment!.id, theirs.attachment!.id])).toMatchObject({ type: 'error', code: 'not_found', path: ['attachmentIds', 1] });
    // Nothing was written by the refused sends.
    expect((await mentor.ok<{ messages: unknown[] }>('history.get', { conversationId: conversation.id })).messages).toEqual([]);
    const sent = await send([mine.attachment!.id]);
    expect(sent.type).toBe('ok');
    expect(await send([mine.attachment!.id])).toMatchObject({ type: 'error', code: 'conflict', path: ['attachmentIds', 0] });
    // A PDF downloads (attachment), to the student in the conversation.
    const pdf = await fetchAs('p-stu-ek-2', mine.attachment!.url);
    expect(pdf).toMatchObject({ status: 200, type: 'application/pdf' });
    expect(pdf.disposition).toMatch(/^attachment; filename="plan.pdf"/);
    // Neither text nor file is no message; a guardian uploads nothing for a post.
    expect(await mentor.request('message.send', { conversationId: conversation.id, body: '  ', clientKey: ck() })).toMatchObject({ type: 'error', code: 'invalid', path: ['body'] });
    expect((await upload('p-gua-ek-1a', 'post', PDF, 'application/pdf')).status).toBe(403);
    expect((await upload('p-gua-ek-1a', 'elsewhere', PDF, 'application/pdf')).status).toBe(400);
  });

  it('a post’s image reaches exactly its readers: not a blocked guardian, not another family of a part-of-group post', async () => {
    const mentor = await t.connect('p-mentor-ek');
    const up = await upload('p-mentor-ek', 'post', await photo(), 'image/png');
    const both = await upload('p-mentor-ek', 'post', await photo(), 'image/png');
    // To Hugo's (protected) family alone, and to the whole class's guardians.
    await mentor.ok('post.create', {
      schoolId: 's-ekskolan', title: 'Bara till er', body: '…', attachmentIds: [up.attachment!.id], clientKey: ck(),
      audience: { targets: [{ kind: 'group', groupId: 'g-ek-7a', memberIds: ['p-stu-ek-6'] }], recipients: { guardians: true } },
    });
    const { post } = await mentor.ok<{ post: { id: string; files: FileView[] } }>('post.create', {
      schoolId: 's-ekskolan', title: 'Till alla', body: '…', attachmentIds: [both.attachment!.id], clientKey: ck(),
      audience: { targets: [{ kind: 'group', groupId: 'g-ek-7a' }], recipients: { guardians: true } },
    });
    expect(post.files).toEqual([both.attachment]);
    const jenny = await t.connect('p-gua-ek-6a');
    const page = await jenny.ok<{ items: { title: string; files: FileView[] }[] }>('feed.get');
    expect(page.items.find((i) => i.title === 'Bara till er')!.files).toEqual([up.attachment]);
    expect((await fetchAs('p-gua-ek-6a', up.attachment!.thumbnailUrl!)).status).toBe(200);
    expect((await fetchAs('p-gua-ek-1a', up.attachment!.url)).status).toBe(404);
    expect((await fetchAs('p-gua-ek-1a', both.attachment!.url)).status).toBe(200);
    expect((await fetchAs('p-stu-ek-1', both.attachment!.url)).status).toBe(404); // students were not chosen

    // Maria blocked for Elsa, her only child in 7A: the class's post and its image are gone for her.
    const block = await fetch(`${t.url}/api/v1/guardian-blocks`, {
      method: 'POST', headers: { authorization: `Bearer ${TEST_ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ guardianId: 'p-gua-ek-1a', childId: 'p-stu-ek-1', reason: 'test' }),
    });
    expect(block.status).toBeLessThan(300);
    try {
      expect((await fetchAs('p-gua-ek-1a', both.attachment!.url)).status).toBe(404);
      expect((await fetchAs('p-gua-ek-1b', both.attachment!.url)).status).toBe(200);
    } finally {
      await fetch(`${t.url}/api/v1/guardian-blocks?guardianId=p-gua-ek-1a&childId=p-stu-ek-1`, { method: 'DELETE', headers: { authorization: `Bearer ${TEST_ADMIN}` } });
    }
    // A scheduled post cannot carry files (an upload waits a day, not a year).
    const later = await upload('p-mentor-ek', 'post', PDF, 'application/pdf');
    expect(await mentor.request('post.create', {
      schoolId: 's-ekskolan', title: 'Senare', body: '…', attachmentIds: [later.attachment!.id], publishAt: new Date(Date.now() + 3_600_000).toISOString(), clientKey: ck(),
      audience: { targets: [{ kind: 'group', groupId: 'g-ek-7a' }], recipients: { guardians: true } },
    })).toMatchObject({ type: 'error', code: 'invalid', path: ['attachmentIds'] });
  });

  it('an image that would decode to gigapixels, or that is no image, is refused and nothing is kept', async () => {
    // A PNG whose header says 20,000 × 20,000 (400 megapixels): a few bytes that would take a gigabyte to decode.
    const chunk = (type: string, data: Buffer) => {
      const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
      const len = Buffer.alloc(4);
      len.writeUInt32BE(data.length);
      const crc = Buffer.alloc(4);
      crc.writeUInt32BE(crc32(body) >>> 0);
      return Buffer.concat([len, body, crc]);
    };
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(20_000, 0);
    ihdr.writeUInt32BE(20_000, 4);
    ihdr.set([8, 2, 0, 0, 0], 8);
    const bomb = Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IEND', Buffer.alloc(0))]);
    const before = filesOnDisk();
    expect(await upload('p-gua-ek-1a', 'message', bomb, 'image/png')).toMatchObject({ status: 415, error: { code: 'invalid' } });
    // The magic bytes of a PNG, and then nothing an image decoder can read.
    const fake = Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), Buffer.from('not really an image')]);
    expect(await upload('p-gua-ek-1a', 'message', fake, 'image/png')).toMatchObject({ status: 415, error: { code: 'invalid' } });
    expect(filesOnDisk()).toBe(before);
  });

  it('deleting the message deletes its files: gone for everyone, the sender included, and off the disk', async () => {
    const maria = await t.connect('p-gua-ek-1a');
    const { conversation } = await maria.ok<{ conversation: { id: string } }>('conversation.start', { participantIds: ['p-mentor-ek'], clientKey: ck() });
    const up = await upload('p-gua-ek-1a', 'message', await photo(), 'image/png');
    const before = filesOnDisk();
    const { message } = await maria.ok<{ message: { id: string } }>('message.send', { conversationId: conversation.id, body: 'Oj, fel bild', attachmentIds: [up.attachment!.id], clientKey: ck() });
    const { message: deleted } = await maria.ok<{ message: { files: FileView[] } }>('message.delete', { messageId: message.id });
    expect(deleted.files).toEqual([]);
    for (const who of ['p-gua-ek-1a', 'p-mentor-ek']) {
      expect((await fetchAs(who, up.attachment!.url)).status).toBe(404);
      expect((await fetchAs(who, up.attachment!.thumbnailUrl!)).status).toBe(404);
    }
    expect(filesOnDisk()).toBe(before - 2); // the image and its thumbnail
    const history = await maria.ok<{ messages: { files: FileView[] }[] }>('history.get', { conversationId: conversation.id });
    expect(history.messages.at(-1)!.files).toEqual([]);
  });
});
