// Plans and assignments (docs/DOMAIN.md §5): item.create, item.update, item.publish, item.hide,
// item.close, item.get, items.get. An item is one row with the read keys of its audience
// for its state; every change is an event to exactly the people whose view changes: those
// who saw it before and those who see it after (a student gets item.hidden although they
// can no longer read the item).
import { can, canReadItem, nextItemState, type ItemChange, type ItemState } from '../rules/index.ts';
import { itemKeys, readKeysOf } from '../audience.ts';
import { RequestError } from '../protocol/codes.ts';
import type { Tx } from '../../storage/pool.ts';
import type { NewEvent } from '../../storage/events.ts';
import {
  findItemByKey, getItem, insertItem, itemsPage, lockItem, setItemState, updateItemFields, type ItemFields, type ItemRow,
} from '../../storage/items.ts';
import { retitleContexts } from '../../storage/chat.ts';
import { newId, type Handler, type HandlerContext } from './context.ts';
import { assertAllowed, assertKnown, refusal } from './rights.ts';
import { createOnce } from './create-once.ts';
import { readPage } from './paging.ts';
import { itemView } from '../views/items.ts';

const noSuchItem = () => new RequestError('not_found', 'no such plan or assignment', ['itemId']);

function checkDates(f: Pick<ItemFields, 'startsOn' | 'dueOn'>): void {
  if (f.startsOn !== null && f.dueOn !== null && f.dueOn < f.startsOn) throw new RequestError('invalid', 'dueOn is before startsOn', ['dueOn']);
}

const optionalText = (s: string | null | undefined) => (s === undefined || s === null || s.length === 0 ? null : s);

export const createItem: Handler<'item.create'> = async (ctx, req) => {
  const { dir, personId } = ctx;
  return createOnce({
    find: () => findItemByKey(ctx.sql, personId, req.clientKey),
    same: (stored) => stored.kind === req.kind && stored.groupId === req.groupId && stored.title === req.title,
    what: 'a different plan or assignment',
    answer: (stored) => ({ item: itemView(dir, stored) }),
    create: async () => {
      assertKnown(dir, personId, [{ kind: 'group', id: req.groupId, path: ['groupId'] }]);
      assertAllowed(can(dir, personId, { type: 'item.create', item: { kind: req.kind, groupId: req.groupId } }));
      const schoolId = dir.groups.get(req.groupId)!.schoolId;
      const fields: ItemFields = {
        title: req.title, description: req.description ?? '', subject: optionalText(req.subject),
        startsOn: req.startsOn ?? null, dueOn: req.dueOn ?? null,
      };
      checkDates(fields);
      const state: ItemState = req.publish ? 'published' : 'draft';
      const keys = itemKeys({ state, groupId: req.groupId, schoolId });
      const row = await ctx.publisher.write(async (tx) => {
        const stored = await insertItem(tx, { ...fields, id: newId(req.kind), kind: req.kind, schoolId, groupId: req.groupId, authorId: personId, state, keys, clientKey: req.clientKey });
        // A draft reaches the group's teachers; created and published at once, everyone who sees it.
        return { result: stored, events: [{ name: state === 'published' ? 'item.published' : 'item.created', keys, data: { item: itemView(dir, stored) } }] };
      });
      return { item: itemView(dir, row) };
    },
  });
};

/** The item locked, after the rules allowed `change` by the caller now. */
async function lockedFor(ctx: HandlerContext, tx: Tx, itemId: string, change: ItemChange): Promise<ItemRow> {
  const item = await lockItem(tx, itemId);
  if (!item) throw noSuchItem();
  assertAllowed(can(ctx.dir, ctx.personId, { type: 'item.change', item, change }));
  return item;
}

export const updateItem: Handler<'item.update'> = async (ctx, req) => {
  const { dir } = ctx;
  const row = await ctx.publisher.write(async (tx) => {
    const item = await lockedFor(ctx, tx, req.itemId, 'update');
    const next: ItemFields = {
      title: req.title ?? item.title,
      description: req.description ?? item.description,
      subject: req.subject === undefined ? item.subject : optionalText(req.subject),
      startsOn: req.startsOn === undefined ? item.startsOn : req.startsOn,
      dueOn: req.dueOn === undefined ? item.dueOn : req.dueOn,
    };
    checkDates(next);
    const same = (Object.keys(next) as (keyof ItemFields)[]).every((k) => next[k] === item[k]);
    if (same) return { result: item, events: [] };
    const updated = await updateItemFields(tx, item.id, next);
    if (updated.title !== item.title) await retitleContexts(tx, item.kind, item.id, updated.title);
    return { result: updated, events: [{ name: 'item.updated', keys: itemKeys(updated), data: { item: itemView(dir, updated) } }] };
  });
  return { item: itemView(dir, row) };
};

const CHANGE_EVENTS: Readonly<Record<Exclude<ItemChange, 'update'>, string>> = {
  publish: 'item.published',
  hide: 'item.hidden',
  close: 'item.closed',
};

/** publish, hide, close: a new state, and an event to those who saw it before and those who see it after. */
function changeState(change: Exclude<ItemChange, 'update'>): Handler<'item.publish' | 'item.hide' | 'item.close'> {
  return async (ctx, req) => {
    const { dir } = ctx;
    const row = await ctx.publisher.write(async (tx) => {
      const item = await lockedFor(ctx, tx, req.itemId, change);
      const next = nextItemState(item.state, change);
      if (typeof next !== 'string') throw refusal(next);
      if (next === item.state) return { result: item, events: [] }; // a retry: nothing changes
      const changed = await setItemState(tx, item.id, next, itemKeys({ ...item, state: next }));
      const keys = [...new Set([...itemKeys(item), ...itemKeys(changed)])];
      // Those who lose the item get what they need to drop it, not its content.
      const data = next === 'published'
        ? { item: itemView(dir, changed) }
        : { itemId: changed.id, kind: changed.kind, groupId: changed.groupId, state: changed.state, updatedAt: changed.updatedAt };
      const events: NewEvent[] = [{ name: CHANGE_EVENTS[change], keys, data }];
      return { result: changed, events };
    });
    return { item: itemView(dir, row) };
  };
}

export const publishItem = changeState('publish');
export const hideItem = changeState('hide');
export const closeItem = changeState('close');

export const getOneItem: Handler<'item.get'> = async (ctx, req) => {
  const item = await getItem(ctx.sql, req.itemId);
  if (!item || !canReadItem(ctx.dir, ctx.personId, item)) throw noSuchItem();
  return { item: itemView(ctx.dir, item) };
};

export const getItems: Handler<'items.get'> = async (ctx, req) => {
  const { dir, personId } = ctx;
  const { shown, next } = await readPage(req, (limit, before) => itemsPage(ctx.sql, readKeysOf(dir, personId), limit, { groupId: req.groupId, kind: req.kind }, before));
  return { items: shown.map((r) => itemView(dir, r)), next };
};
