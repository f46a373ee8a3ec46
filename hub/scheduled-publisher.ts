// Publishes scheduled posts and mailings when their time comes (docs/PROTOCOL.md "Scheduled
// posts and mailings"). Every node looks every HUB_SCHEDULE_INTERVAL_MS; each due item is
// taken with FOR UPDATE SKIP LOCKED in the transaction that inserts the post, its event and the
// item's new state: one node publishes it, once. A node that dies before its commit leaves the
// item pending (its lock goes with its connection) and the next look of any node takes it.
// The rules are asked again at that moment, by the directory as it is then: an author who
// has lost the right gets `failed` and the reason, and nothing is published.
import type { HubCore } from './core.ts';
import { Periodic } from './periodic.ts';
import { RequestError } from './protocol/codes.ts';
import { requestSchemas } from './protocol/frames.ts';
import { dueIds, settleScheduled, takeDue, type ScheduledRow } from '../storage/scheduled.ts';
import type { Tx } from '../storage/pool.ts';
import type { NewEvent } from '../storage/events.ts';
import { checkScheduled, scheduledEvent } from './handlers/scheduled.ts';
import { writeMailing, writePost, type MailingFields, type PostFields } from './handlers/feed-write.ts';
import { findMailingByKey, findPostByKey } from '../storage/feed.ts';

/** Items taken per look; more wait for the next look (a second later at most). */
const BATCH = 50;

type Core = Pick<HubCore, 'sql' | 'publisher' | 'directory' | 'log'>;

/** The post's clientKey: a second publication of the item would collide with the first. */
const publishedKey = (s: ScheduledRow) => `scheduled:${s.id}`;

export class ScheduledPublisher extends Periodic {
  constructor(private readonly core: Core, intervalMs: number) {
    super(intervalMs, () => this.publishDue(), (e) => core.log('scheduled posts: a look failed', e));
  }

  /** Publishes every item due now that no other node holds. */
  async publishDue(): Promise<void> {
    for (;;) {
      const ids = await dueIds(this.core.sql, BATCH);
      // Each item in a write of its own: one refused by the database does not hold back the others.
      await Promise.all(ids.map((id) => this.core.publisher.write((tx) => this.publishOne(tx, id)).catch((e) => this.core.log(`scheduled posts: ${id} failed`, e))));
      if (ids.length < BATCH) return;
    }
  }

  private async publishOne(tx: Tx, id: string): Promise<{ result: void; events: NewEvent[] }> {
    const s = await takeDue(tx, id);
    if (!s) return { result: undefined, events: [] }; // another node has it, or had it
    const dir = this.core.directory();
    let keys: string[];
    let fields: PostFields | MailingFields;
    try {
      // Stored as validated; parsed again so that a request stored by an older hub is held to today's shape.
      const schema = requestSchemas[s.kind === 'post' ? 'post.create' : 'mailing.create'];
      const { type: _t, id: _i, clientKey: _k, publishAt: _p, ...parsed } = schema.parse({ type: `${s.kind === 'post' ? 'post' : 'mailing'}.create`, id: s.id, clientKey: 'x', ...s.request });
      fields = parsed;
      keys = checkScheduled(dir, s.authorId, s.kind, fields);
    } catch (e) {
      const failure = e instanceof RequestError ? `${e.code}: ${e.message}` : 'invalid: the stored request no longer fits';
      const failed = await settleScheduled(tx, s.id, { state: 'failed', failure });
      return { result: undefined, events: [scheduledEvent(failed)] };
    }
    const made = s.kind === 'post'
      ? await writePost(tx, dir, s.authorId, fields as PostFields, keys, publishedKey(s))
      : await writeMailing(tx, dir, s.authorId, fields as MailingFields, keys, publishedKey(s));
    // Its key is the scheduled row's, taken under that row's lock, so an item already stored
    // under it was published by this row: that item is the one it names.
    const key = publishedKey(s);
    const publishedId = (await made.result)?.id ?? (s.kind === 'post' ? await findPostByKey(tx, s.authorId, key) : await findMailingByKey(tx, s.authorId, key))?.id;
    if (publishedId === undefined) {
      // Cannot happen (the insert skips only a stored key); settled, not thrown: a write must not throw after writing.
      const failed = await settleScheduled(tx, s.id, { state: 'failed', failure: 'internal: nothing was stored under its key' });
      return { result: undefined, events: [scheduledEvent(failed)] };
    }
    const published = await settleScheduled(tx, s.id, { state: 'published', publishedId });
    return { result: undefined, events: [...made.events, scheduledEvent(published)] };
  }
}
