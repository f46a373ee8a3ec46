// Demo content, so that a newcomer sees the widgets at work in a minute: a few posts, a
// mailing, an assignment and a conversation, feedback and an assessment for Liam, and a
// preschool documentation about Astrid with an image, sent through the real wire protocol
// (and the image through the real attachments API) as the demo district's people would.
// Every create has a fixed clientKey, so a restart adds nothing twice.
import { deflateSync } from 'node:zlib';
import WebSocket from 'ws';
import { mintToken } from '../auth/mint.ts';

interface Answer {
  type: string;
  id?: string;
  result?: Record<string, unknown>;
  message?: string;
}

/** One short-lived JSON connection as `sub`, for sending a few requests in order. */
async function as(wsUrl: string, token: string): Promise<{ request(type: string, fields: Record<string, unknown>): Promise<Answer>; close(): void }> {
  const ws = new WebSocket(wsUrl, 'schoolhub.v1.json');
  const pending = new Map<string, (a: Answer) => void>();
  let welcomed: () => void = () => {};
  const welcome = new Promise<void>((r) => (welcomed = r));
  ws.on('message', (data) => {
    const frame = JSON.parse(String(data)) as Answer;
    if (frame.type === 'welcome') welcomed();
    if (frame.id !== undefined) pending.get(frame.id)?.(frame);
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.send(JSON.stringify({ type: 'hello', token }));
  await welcome;
  let n = 0;
  return {
    request: (type, fields) =>
      new Promise((resolve) => {
        const id = String(++n);
        pending.set(id, resolve);
        ws.send(JSON.stringify({ type, id, ...fields }));
      }),
    close: () => ws.close(),
  };
}

/** CRC-32 as PNG chunks need it (zlib.crc32 is not in every Node 20). */
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const out = Buffer.alloc(typed.length + 8);
  out.writeUInt32BE(data.length, 0);
  typed.copy(out, 4);
  out.writeUInt32BE(crc32(typed), typed.length + 4);
  return out;
}

/**
 * A small picture for the demo documentation, made here so the repository holds no binary: a
 * tower of three blocks on grass, drawn on 48×48 and scaled up 4× (under a kilobyte). A real
 * PNG, because the hub checks uploads by their bytes and the browser has to decode it.
 */
export function demoTowerPng(): Buffer {
  const SCALE = 4;
  const W = 48 * SCALE;
  const H = 48 * SCALE;
  const colour = (px: number, py: number): [number, number, number] => {
    const x = Math.floor(px / SCALE);
    const y = Math.floor(py / SCALE);
    if (y >= 40) return [0x5a, 0x9e, 0x3a]; // grass
    const inTower = x >= 17 && x < 31;
    if (inTower && y >= 29) return [0xc6, 0x28, 0x28]; // red block
    if (inTower && y >= 18 && y < 28) return [0xf2, 0xb7, 0x05]; // yellow block
    if (inTower && y >= 7 && y < 17) return [0x1e, 0x63, 0xb4]; // blue block
    return [0xdc, 0xee, 0xfb]; // sky
  };
  // Each row: filter type 0 (none), then RGB triples.
  const raw = Buffer.alloc(H * (1 + W * 3));
  for (let y = 0; y < H; y++) {
    const row = y * (1 + W * 3);
    for (let x = 0; x < W; x++) raw.set(colour(x, y), row + 1 + x * 3);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(W, 0);
  header.writeUInt32BE(H, 4);
  header[8] = 8; // bits per channel
  header[9] = 2; // truecolour (RGB); compression, filter and interlace stay 0
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(raw)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Uploads a file as the widgets' composer does (docs/PROTOCOL.md §9); its id, or why not. */
async function upload(hubUrl: string, token: string, filename: string, type: string, bytes: Buffer): Promise<{ id: string } | { problem: string }> {
  try {
    const res = await fetch(`${hubUrl}/api/v1/attachments?filename=${encodeURIComponent(filename)}`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': type }, body: new Uint8Array(bytes),
    });
    const body = (await res.json()) as { attachment?: { id: string }; error?: { message: string } };
    return res.status === 201 && body.attachment ? { id: body.attachment.id } : { problem: `${res.status} ${body.error?.message ?? ''}`.trim() };
  } catch (e) {
    return { problem: e instanceof Error ? e.message : String(e) };
  }
}

export async function seedDemoContent(
  hubUrl: string, secret: string, claims: { issuer: string; audience: string },
): Promise<string[]> {
  const wsUrl = `${hubUrl.replace(/^http/, 'ws')}/ws`;
  const token = (sub: string) => mintToken(secret, sub, { ...claims, ttlSeconds: 120 });
  const open = async (sub: string) => as(wsUrl, await token(sub));
  const problems: string[] = [];
  const check = (what: string, a: Answer) => {
    if (a.type !== 'ok') problems.push(`${what}: ${a.message ?? a.type}`);
    return a.result ?? {};
  };

  const teacher = await open('p-teacher-ek');
  check('teacher post', await teacher.request('post.create', {
    schoolId: 's-ekskolan', title: 'Prov i matematik på torsdag', clientKey: 'demo-post-1',
    body: 'Provet handlar om bråk och procent. Ta med miniräknare. Lycka till!',
    audience: { targets: [{ kind: 'group', groupId: 'g-ek-ma7' }], recipients: { students: true, guardians: true } },
  }));
  const assignment = check('assignment', await teacher.request('item.create', {
    kind: 'assignment', groupId: 'g-ek-ma7', title: 'Läxa: bråk, s. 34–35', publish: true, clientKey: 'demo-item-1',
    description: 'Gör uppgifterna 1–12. Visa hur du tänker.', subject: 'Matematik',
  }));
  // Something in Liam's development overview (his and his guardians' Utveckling section).
  const itemId = (assignment.item as { id?: string } | undefined)?.id;
  if (itemId) {
    check('feedback', await teacher.request('feedback.create', {
      itemId, studentId: 'p-stu-ek-2', publish: true, clientKey: 'demo-feedback-1',
      body: 'Bra jobbat, Liam! Du visar tydligt hur du tänker i uppgift 1–8. Nästa steg: öva på att förkorta bråk innan du räknar vidare.',
    }));
  }
  check('assessment', await teacher.request('assessment.create', {
    groupId: 'g-ek-ma7', studentId: 'p-stu-ek-2', level: 'C', publish: true, clientKey: 'demo-assessment-1',
    text: 'Liam räknar säkert med bråk och procent och förklarar sina lösningar. För att nå B: pröva fler metoder och jämför dem.',
  }));
  teacher.close();

  const mentor = await open('p-mentor-ek');
  check('mentor post', await mentor.request('post.create', {
    schoolId: 's-ekskolan', title: 'Utvecklingssamtal vecka 12', clientKey: 'demo-post-2',
    body: 'Nu är det dags att boka tid för utvecklingssamtal. Svara i meddelanden vilken dag som passar.',
    audience: { targets: [{ kind: 'group', groupId: 'g-ek-7a' }], recipients: { guardians: true } },
  }));
  check('mentor rsvp', await mentor.request('post.create', {
    schoolId: 's-ekskolan', title: 'Föräldramöte tisdag 18.00', clientKey: 'demo-post-3',
    body: 'Välkomna till föräldramöte i matsalen. Svara gärna om ni kommer.',
    audience: { targets: [{ kind: 'group', groupId: 'g-ek-7a' }], recipients: { guardians: true } },
    ask: { kind: 'choice', options: ['Ja', 'Nej', 'Kanske'] },
  }));
  const started = check('conversation', await mentor.request('conversation.start', {
    participantIds: ['p-gua-ek-2a', 'p-gua-ek-2b'], subject: 'Liams vecka', clientKey: 'demo-conv-1',
  }));
  const conversationId = (started.conversation as { id?: string } | undefined)?.id;
  if (conversationId) {
    check('message', await mentor.request('message.send', {
      conversationId, clientKey: 'demo-msg-1', body: 'Hej! Liam har haft en fin vecka och gjort stora framsteg i svenska. Hör av er om ni undrar något.',
    }));
    const guardian = await open('p-gua-ek-2a');
    check('answer', await guardian.request('message.send', { conversationId, clientKey: 'demo-msg-2', body: 'Tack för att du berättar! Vi ses på samtalet.' }));
    guardian.close();
  }
  mentor.close();

  const hoo = await open('p-hoo');
  check('mailing', await hoo.request('mailing.create', {
    districtId: 'd-exempel', schoolIds: ['s-ekskolan', 's-bjorkskolan', 's-solrosen'], clientKey: 'demo-mail-1',
    title: 'Skolval 2027', body: 'Skolvalet öppnar den 15 januari. Läs mer på kommunens webbplats.',
    recipients: { guardians: true, staff: true },
  }));
  hoo.close();

  // Preschool documentation about Astrid with a picture, for her guardian's Dokumentation section.
  const preschool = await open('p-pre-teacher');
  const doc = {
    groupId: 'g-sol-blabar', childIds: ['p-child-1'], title: 'Astrid bygger ett torn',
    body: 'Astrid byggde ett torn av tre klossar och räknade dem högt: en, två, tre! Sedan provade hon vilken kloss som skulle ligga underst för att tornet inte skulle välta.',
    goals: ['Matematik: antal och ordning', 'Teknik: att bygga och konstruera'],
  };
  // The upload is the one step without a clientKey: look first, so a restart uploads nothing again.
  const listed = check('documentation list', await preschool.request('group.documentation.get', { groupId: doc.groupId, childId: 'p-child-1', limit: 100 }));
  const seeded = ((listed.documentation ?? []) as { title?: string; authorId?: string }[]).some((d) => d.title === doc.title && d.authorId === 'p-pre-teacher');
  if (!seeded) {
    const image = await upload(hubUrl, await token('p-pre-teacher'), 'astrid-torn.png', 'image/png', demoTowerPng());
    if ('problem' in image) problems.push(`documentation image: ${image.problem}`);
    else check('documentation', await preschool.request('documentation.create', { ...doc, attachmentIds: [image.id], clientKey: 'demo-doc-1' }));
  }
  preschool.close();
  return problems;
}
