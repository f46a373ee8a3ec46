// Demo content, so that a newcomer sees the widgets at work in a minute: a few posts, a
// mailing, an assignment and a conversation, sent through the real wire protocol as the demo
// district's people would. Every create has a fixed clientKey, so a restart adds nothing twice.
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

export async function seedDemoContent(
  hubUrl: string, secret: string, claims: { issuer: string; audience: string },
): Promise<string[]> {
  const wsUrl = `${hubUrl.replace(/^http/, 'ws')}/ws`;
  const open = async (sub: string) => as(wsUrl, await mintToken(secret, sub, { ...claims, ttlSeconds: 120 }));
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
  check('assignment', await teacher.request('item.create', {
    kind: 'assignment', groupId: 'g-ek-ma7', title: 'Läxa: bråk, s. 34–35', publish: true, clientKey: 'demo-item-1',
    description: 'Gör uppgifterna 1–12. Visa hur du tänker.', subject: 'Matematik',
  }));
  teacher.close();

  const mentor = await open('p-mentor-ek');
  check('mentor post', await mentor.request('post.create', {
    schoolId: 's-ekskolan', title: 'Utvecklingssamtal vecka 12', clientKey: 'demo-post-2',
    body: 'Nu är det dags att boka tid för utvecklingssamtal. Svara i meddelanden vilken dag som passar.',
    audience: { targets: [{ kind: 'group', groupId: 'g-ek-7a' }], recipients: { guardians: true } },
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
  return problems;
}
