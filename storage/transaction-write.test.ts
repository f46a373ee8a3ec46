// A group commit whose works do not wait for their statements (message.send, post.create)
// reaches PostgreSQL in one write: BEGIN, the inserts, the mark, the event insert and COMMIT,
// with one Sync at the end. PostgreSQL then reads the whole transaction at once, never sits
// idle in it waiting for the rest, and answers it in one send; the hub makes one system call
// for it. A work that waits for a statement still gets it sent within the same turn of the
// event loop. What leaves on the wire is read from the test's own sockets: every write this
// process makes to the database's port is recorded.
import net from 'node:net';
import { inject, describe, expect, it } from 'vitest';
import { withFreshPool } from './test-database.ts';
import type { Sql } from './pool.ts';
import { migrate } from './migrate.ts';
import { appendMessage, getConversation, messageDraft, type ConversationRow, type NewMessage } from './chat.ts';
import { commitWithEvents, type NewEvent } from './events.ts';

const port = Number(new URL(inject('pgAdminUrl')).port || 5432);
let recording: Buffer[] | undefined;
const write = net.Socket.prototype.write;
net.Socket.prototype.write = function (this: net.Socket, ...args: Parameters<typeof write>) {
  const [data] = args;
  if (recording && this.remotePort === port && Buffer.isBuffer(data)) recording.push(Buffer.from(data));
  return write.apply(this, args);
} as typeof write;

interface Write {
  /** Statements executed by this write: an Execute message ('E') each. */
  statements: number;
  /** Sync messages ('S'): PostgreSQL answers each with ReadyForQuery, and sends what it has. */
  syncs: number;
  text: string;
}

/** What this process wrote to the database while `run` ran: one entry per write. */
async function wire(run: () => Promise<unknown>): Promise<Write[]> {
  recording = [];
  try {
    await run();
    return recording.map((b) => {
      const types = messageTypes(b);
      return { statements: types.filter((t) => t === 'E').length, syncs: types.filter((t) => t === 'S').length, text: b.toString('latin1') };
    });
  } finally {
    recording = undefined;
  }
}

/** The types of the frontend messages in a write: a type byte, then a length that counts itself. */
function messageTypes(b: Buffer): string[] {
  const types: string[] = [];
  for (let at = 0; at + 5 <= b.length; at += 1 + b.readInt32BE(at + 1)) types.push(String.fromCharCode(b[at]!));
  return types;
}

let sql: Sql;
withFreshPool(1, async (pool) => {
  sql = pool;
  await migrate(pool);
  await pool`insert into conversations (id, creator_id, client_key) values ('c1', 'p-a', 'k')`;
  await pool`insert into conversation_members (conversation_id, person_id) values ('c1', 'p-a'), ('c1', 'p-b')`;
});

let n = 0;
/** As message.send does: the insert issued and not awaited, its event written from the draft. */
async function send(body: string, conv?: ConversationRow) {
  conv ??= (await getConversation(sql, 'c1'))!;
  const m: NewMessage = { id: `m${++n}`, senderId: 'p-a', body, clientKey: `k${n}`, quietHours: false };
  let stored: Promise<unknown> = Promise.resolve();
  const events = await commitWithEvents(sql, async (tx) => {
    stored = appendMessage(tx, conv, m);
    const event: NewEvent = { name: 'message.created', keys: ['p:a', 'p:b'], data: { message: messageDraft(conv, m) }, ofRow: { table: 'messages', id: m.id, seqAt: ['message', 'seq'], createdAtAt: ['message', 'createdAt'] } };
    return [event];
  });
  return { events, stored: await stored };
}

describe('a transaction on the wire', () => {
  it('leaves in one write when its work does not wait for its statements, also past 1 KB', async () => {
    // The connection first prepares the statements, as a running hub's connections have.
    for (let i = 0; i < 3; i++) await send('warm');
    for (const body of ['hej', 'x'.repeat(3_000)]) {
      let sent: Awaited<ReturnType<typeof send>> | undefined;
      const conv = await getConversation(sql, 'c1');
      expect(conv).toBeDefined();
      // Only the transaction is recorded: the read before it is a write of its own.
      const writes = await wire(async () => (sent = await send(body, conv)));
      // BEGIN, the insert, the mark, the event insert, COMMIT; one Sync after them.
      expect(writes.map((w) => [w.statements, w.syncs])).toEqual([[5, 1]]);
      expect(writes[0]!.text).toContain(body);
      expect(sent!.events).toHaveLength(1);
    }
    const [row] = await sql<{ n: number }[]>`select count(*)::int as n from messages where body like 'xxx%'`;
    expect(row!.n).toBe(1);
  });

  it('sends the statements of a work that waits for them at once, and the rest in a second write', async () => {
    const writes = await wire(() =>
      commitWithEvents(sql, async (tx) => {
        const [r] = await tx<{ seq: number }[]>`select last_seq::int as seq from conversations where id = 'c1'`;
        return [{ name: 'conversation.read', keys: ['p:a'], data: { seq: r!.seq } }];
      }),
    );
    // BEGIN and the select, sent before the work could go on, with a Sync for the select's
    // answer; then the mark, the event insert and COMMIT, with one Sync.
    expect(writes.map((w) => [w.statements, w.syncs])).toEqual([[2, 1], [3, 1]]);
    expect(writes[1]!.text).toContain('conversation.read');
  });

  it('a message written as message.send writes it is stored, and its event carries its seq', async () => {
    const { events, stored } = await send('the end');
    expect(stored).toMatchObject({ body: 'the end' });
    expect((events[0]!.data as { message: { seq: number } }).message.seq).toBe((stored as { seq: number }).seq);
  });
});
