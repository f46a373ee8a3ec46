// The browser client against a real hub (the `ws` package stands in for the browser's
// WebSocket): a short-lived token is refreshed before the hub would close the connection,
// and after every connection is closed (1001) the client resumes and misses nothing.
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { type TestHub } from '../../hub/testing/harness.ts';
import { useTestHub } from '../../hub/testing/lifecycle.ts';
import { HubClient, type ClientOptions } from './client.ts';
import type { Message } from './protocol.ts';

const WS = WebSocket as unknown as ClientOptions['WebSocket'];
const until = async (check: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('HubClient on a real hub', () => {
  let t: TestHub;
  useTestHub((hub) => (t = hub));

  it('refreshes a short-lived token in time: the connection outlives the first token', async () => {
    let issued = 0;
    const client = new HubClient({ url: t.wsUrl, WebSocket: WS, getToken: () => (issued++, t.token('p-stu-ek-3', { ttlSeconds: 4 })) });
    const statuses: string[] = [];
    client.on('status', (s) => statuses.push(s));
    client.start();
    await until(() => client.status === 'online');
    await new Promise((r) => setTimeout(r, 6_000));
    expect(client.status).toBe('online');
    expect(statuses).toEqual(['connecting', 'online']);
    expect(issued).toBeGreaterThanOrEqual(2);
    await expect(client.request('inbox.get', {})).resolves.toMatchObject({ unreadTotal: expect.any(Number) });
    client.stop();
  }, 15_000);

  it('after the hub closes every connection, resumes from the cursor: each message once, in order', async () => {
    const client = new HubClient({ url: t.wsUrl, WebSocket: WS, getToken: () => t.token('p-gua-ek-3a'), random: () => 1 });
    const got: Message[] = [];
    client.on('message.created', ({ message }) => got.push(message));
    client.start();
    await until(() => client.status === 'online');
    const mentor = await t.connect('p-mentor-ek');
    const { conversation } = await mentor.ok<{ conversation: { id: string } }>('conversation.start', { participantIds: ['p-gua-ek-3a'], clientKey: 'hub-c' });
    await mentor.ok('message.send', { conversationId: conversation.id, body: 'före', clientKey: 'hub-1' });
    await until(() => got.length === 1);
    await t.hub.sessions.drain(0);
    await until(() => client.status === 'reconnecting');
    // While the client waits out its backoff (0.5 s), the mentor writes on a new connection.
    const again = await t.connect('p-mentor-ek');
    for (const body of ['under 1', 'under 2']) await again.ok('message.send', { conversationId: conversation.id, body, clientKey: `hub-${body}` });
    await until(() => client.status === 'online' && got.length >= 3);
    await again.ok('message.send', { conversationId: conversation.id, body: 'efter', clientKey: 'hub-2' });
    await until(() => got.length >= 4);
    await new Promise((r) => setTimeout(r, 200));
    expect(got.map((m) => m.body)).toEqual(['före', 'under 1', 'under 2', 'efter']);
    expect(client.resumed).toBe(true);
    client.stop();
  });
});
