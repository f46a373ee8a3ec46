// Attachment disk use is bounded: one person's pending uploads (count and bytes), all
// attachments together, and the free space of the disk (which the embedded database may share).
// Each refusal has its documented status and code (docs/PROTOCOL.md §9) and stores nothing.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../testing/harness.ts';
import type { AttachmentQuota } from '../config.ts';

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const TEACHER = 'p-pre-teacher';

let t: TestHub;
let dataDir: string;
let quota: AttachmentQuota;
let defaults: AttachmentQuota;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'schoolhub-quota-'));
  t = await startTestHub({ env: { HUB_DATA_DIR: dataDir, HUB_ATTACHMENT_PENDING_FILES: '3' } });
  // The node reads its quota from this object on every upload: each test sets its own bound.
  quota = t.hub.config.attachments;
  defaults = { ...quota };
});
afterAll(async () => {
  await t?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function upload(as: string, body: Buffer = PNG): Promise<{ status: number; error?: { code: string; message: string }; id?: string }> {
  const res = await fetch(`${t.url}/api/v1/attachments?filename=bild.png`, {
    method: 'POST', headers: { 'content-type': 'image/png', authorization: `Bearer ${await t.token(as)}` }, body: new Uint8Array(body),
  });
  const json = (await res.json()) as { attachment?: { id: string }; error?: { code: string; message: string } };
  return { status: res.status, error: json.error, id: json.attachment?.id };
}

const files = () => readdirSync(path.join(dataDir, 'attachments')).length;
/** An image is kept with its thumbnail, made on upload: two files (hub/attachments/thumbnail.ts). */
const FILES_PER_IMAGE = 2;

describe('attachment quotas', () => {
  it('one person holds at most HUB_ATTACHMENT_PENDING_FILES uploads not yet in a documentation, even sent all at once', async () => {
    Object.assign(quota, defaults);
    const answers = await Promise.all(Array.from({ length: 8 }, () => upload(TEACHER)));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(3);
    const refused = answers.filter((a) => a.status !== 201);
    expect(refused).toHaveLength(5);
    for (const r of refused) expect(r).toMatchObject({ status: 429, error: { code: 'quota_exceeded' } });
    expect(refused[0]!.error!.message).toMatch(/3 uploads .* at most 3 files/);
    expect(files()).toBe(3 * FILES_PER_IMAGE);

    // Using them in a documentation frees the quota.
    const teacher = await t.connect(TEACHER);
    await teacher.ok('documentation.create', {
      groupId: 'g-sol-blabar', title: 'Utflykt', body: 'Skogen', attachmentIds: answers.filter((a) => a.id).map((a) => a.id), clientKey: 'quota-doc',
    });
    expect((await upload(TEACHER)).status).toBe(201);
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toContain('limit="attachments_pending_per_person"');
  });

  it('and at most HUB_ATTACHMENT_PENDING_BYTES of them', async () => {
    Object.assign(quota, defaults, { pendingFiles: 1000, pendingBytes: PNG.length * 2 + 10 });
    // One pending upload remains from the test before.
    expect((await upload(TEACHER)).status).toBe(201);
    expect(await upload(TEACHER)).toMatchObject({ status: 429, error: { code: 'quota_exceeded' } });
  });

  it('all attachments together stay below HUB_ATTACHMENTS_MAX_BYTES: 507 storage_full, for everyone', async () => {
    const before = files();
    // Room for what is stored, not for one more file (thumbnails are not counted: see docs/PROTOCOL.md §9).
    Object.assign(quota, defaults, { pendingFiles: 1000, totalBytes: (before / FILES_PER_IMAGE) * PNG.length + 10 });
    const r = await upload(TEACHER);
    expect(r).toMatchObject({ status: 507, error: { code: 'storage_full' } });
    expect(files()).toBe(before);
  });

  it('refuses uploads when the disk would keep less than HUB_ATTACHMENTS_MIN_FREE_BYTES free: 507 disk_full', async () => {
    // More than any test disk has: the margin is never met.
    Object.assign(quota, defaults, { pendingFiles: 1000, minFreeBytes: Number.MAX_SAFE_INTEGER });
    const before = files();
    expect(await upload(TEACHER)).toMatchObject({ status: 507, error: { code: 'disk_full' } });
    expect(files()).toBe(before);
    Object.assign(quota, defaults, { pendingFiles: 1000 });
    expect((await upload(TEACHER)).status).toBe(201);
  });
});
