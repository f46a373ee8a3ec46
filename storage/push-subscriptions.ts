// Web Push subscriptions (migration 017): one row per device, owned by one person. The hub's
// rules on them (docs/DOMAIN.md "Web Push devices") are here in SQL, each in one statement, so
// that two devices or two nodes racing cannot break them:
//   - an endpoint is one person's at a time; a person's own subscribe renews it (new keys, label);
//   - another person's subscribe moves it only when it carries the same keys, i.e. comes from
//     the browser that holds the subscription (a shared browser profile used by two people in
//     turn): knowing an endpoint alone takes nothing over;
//   - at most MAX_PUSH_DEVICES per person: a new device beyond them replaces the one renewed
//     longest ago;
//   - unsubscribe removes only the caller's own device.
import type { Db, Sql } from './pool.ts';
import { iso } from './rows.ts';
import { RETENTION_BATCH } from './retention.ts';

/** Devices one person may have push on at once. */
export const MAX_PUSH_DEVICES = 20;

export interface PushSubscriptionRow {
  id: string;
  personId: string;
  endpoint: string;
  p256dh: string;
  auth: string;
  label: string | null;
  createdAt: string;
  renewedAt: string;
}

interface StoredRow extends Omit<PushSubscriptionRow, 'createdAt' | 'renewedAt'> {
  createdAt: Date;
  renewedAt: Date;
}

const fromRow = (r: StoredRow): PushSubscriptionRow => ({ ...r, createdAt: iso(r.createdAt), renewedAt: iso(r.renewedAt) });

export type NewSubscription = Omit<PushSubscriptionRow, 'createdAt' | 'renewedAt'>;

export type SubscribeResult =
  | { status: 'stored'; id: string; created: boolean; movedFrom: string | null; replaced: number }
  /** The endpoint is another person's device and the keys are not its keys. */
  | { status: 'taken' };

/**
 * Stores or renews a device for `s.personId` (the rules above). The id is the stored one when
 * the endpoint was already there; `replaced` counts devices removed over the limit.
 */
export async function subscribePush(db: Sql, s: NewSubscription): Promise<SubscribeResult> {
  return db.begin(async (tx) => {
    const [prior] = await tx<{ personId: string }[]>`select person_id from push_subscriptions where endpoint = ${s.endpoint} for update`;
    const [row] = await tx<{ id: string; created: boolean }[]>`
      insert into push_subscriptions (id, person_id, endpoint, p256dh, auth, label)
      values (${s.id}, ${s.personId}, ${s.endpoint}, ${s.p256dh}, ${s.auth}, ${s.label})
      on conflict (endpoint) do update set
        person_id = excluded.person_id, p256dh = excluded.p256dh, auth = excluded.auth,
        label = coalesce(excluded.label, case when push_subscriptions.person_id = excluded.person_id then push_subscriptions.label end),
        renewed_at = now()
      where push_subscriptions.person_id = excluded.person_id
         or (push_subscriptions.p256dh = excluded.p256dh and push_subscriptions.auth = excluded.auth)
      returning id, (xmax = 0) as created`;
    if (!row) return { status: 'taken' } as const;
    const over = await tx`
      delete from push_subscriptions where id in (
        select id from push_subscriptions where person_id = ${s.personId}
        order by renewed_at desc, id desc offset ${MAX_PUSH_DEVICES})`;
    const movedFrom = prior && prior.personId !== s.personId ? prior.personId : null;
    return { status: 'stored', id: row.id, created: row.created, movedFrom, replaced: over.count } as const;
  });
}

/** Removes the caller's own device with this endpoint; another person's stays. Whether one was removed. */
export async function unsubscribePush(db: Db, personId: string, endpoint: string): Promise<boolean> {
  const r = await db`delete from push_subscriptions where endpoint = ${endpoint} and person_id = ${personId}`;
  return r.count > 0;
}

/** The push service said the device is gone (404, 410): its subscription is deleted. */
export async function deletePushSubscription(db: Db, id: string): Promise<boolean> {
  const r = await db`delete from push_subscriptions where id = ${id}`;
  return r.count > 0;
}

/** Every device of these people (what a notification is sent to), by person. */
export async function pushSubscriptionsOf(db: Db, personIds: readonly string[]): Promise<Map<string, PushSubscriptionRow[]>> {
  const rows = personIds.length === 0 ? [] : await db<StoredRow[]>`
    select id, person_id, endpoint, p256dh, auth, label, created_at, renewed_at from push_subscriptions
    where person_id = any(${personIds as string[]}::text[]) order by person_id, renewed_at desc, id`;
  const out = new Map<string, PushSubscriptionRow[]>(personIds.map((p) => [p, []]));
  for (const r of rows) out.get(r.personId)?.push(fromRow(r));
  return out;
}

/** A page of all subscriptions by id (the retention job walks them). */
export async function pushSubscriptionPage(db: Db, after: string, limit = RETENTION_BATCH): Promise<{ id: string; personId: string; renewedAt: string }[]> {
  const rows = await db<{ id: string; personId: string; renewedAt: Date }[]>`
    select id, person_id, renewed_at from push_subscriptions where id > ${after} order by id limit ${limit}`;
  return rows.map((r) => ({ ...r, renewedAt: iso(r.renewedAt) }));
}

export async function deletePushSubscriptions(db: Db, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const r = await db`delete from push_subscriptions where id = any(${ids as string[]}::text[])`;
  return r.count;
}
