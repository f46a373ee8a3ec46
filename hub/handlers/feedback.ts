// Feedback in plans and assignments (docs/DOMAIN.md §6): feedback.create, feedback.update,
// feedback.publish, feedback.get, item.feedback.get. A teacher of the item's group writes
// feedback to one student; a draft stays with the group's teachers; publishing sends
// `feedback.published` to exactly those who may see it (hub/audience-development.ts).
import { can, canReadFeedback, type ItemState } from '../rules/index.ts';
import { readKeysOf } from '../audience.ts';
import { feedbackKeys } from '../audience-development.ts';
import { RequestError } from '../protocol/codes.ts';
import { getItem } from '../../storage/items.ts';
import {
  feedbackPage, findFeedbackByKey, getFeedback, insertFeedback, lockFeedback, updateFeedback, type FeedbackRow,
} from '../../storage/development.ts';
import { newId, type Handler, type HandlerContext } from './context.ts';
import { readPage } from './paging.ts';
import { feedbackView } from '../views/development.ts';
import { assertAllowed } from './rights.ts';
import { createOnce } from './create-once.ts';
import { audit } from '../audit.ts';

const noSuchFeedback = () => new RequestError('not_found', 'no such feedback', ['feedbackId']);

export const createFeedback: Handler<'feedback.create'> = async (ctx, req) => {
  const { dir, personId } = ctx;
  return createOnce({
    find: () => findFeedbackByKey(ctx.sql, personId, req.clientKey),
    same: (stored) => stored.itemId === req.itemId && stored.studentId === req.studentId && stored.body === req.body,
    what: 'different feedback',
    answer: (stored) => ({ feedback: feedbackView(dir, stored) }),
    create: async () => {
      const item = await getItem(ctx.sql, req.itemId);
      if (!item) throw new RequestError('not_found', 'no such plan or assignment', ['itemId']);
      const publish = req.publish === true;
      assertAllowed(can(dir, personId, { type: 'feedback.create', item, studentId: req.studentId, publish }));
      const state = publish ? 'published' : 'draft';
      const keys = feedbackKeys({ groupId: item.groupId, schoolId: item.schoolId, studentId: req.studentId, state });
      const row = await ctx.publisher.write(async (tx) => {
        const stored = await insertFeedback(tx, {
          id: newId('fb'), itemId: item.id, schoolId: item.schoolId, groupId: item.groupId, studentId: req.studentId,
          authorId: personId, body: req.body, state, keys, clientKey: req.clientKey,
        });
        return { result: stored, events: [{ name: publish ? 'feedback.published' : 'feedback.created', keys, data: { feedback: feedbackView(dir, stored) } }] };
      });
      return { feedback: feedbackView(dir, row) };
    },
  });
};

/** Locks the feedback and asks the rules; then `next` says what it becomes (the same: a retry, nothing sent). */
async function change(
  ctx: HandlerContext, feedbackId: string, kind: 'update' | 'publish', next: (f: FeedbackRow) => { body: string; state: 'draft' | 'published' },
): Promise<FeedbackRow> {
  const { dir, personId } = ctx;
  return ctx.publisher.write(async (tx) => {
    const f = await lockFeedback(tx, feedbackId);
    if (!f) throw noSuchFeedback();
    assertAllowed(can(dir, personId, { type: 'feedback.change', feedback: f, itemState: f.itemState as ItemState, change: kind }));
    const to = next(f);
    if (to.body === f.body && to.state === f.state) return { result: f, events: [] };
    const keys = feedbackKeys({ ...f, state: to.state });
    const changed = await updateFeedback(tx, f.id, { ...to, keys });
    // Published from a draft: the draft's readers (the group's teachers) are among the new ones.
    const name = to.state !== f.state ? 'feedback.published' : 'feedback.updated';
    return { result: changed, events: [{ name, keys, data: { feedback: feedbackView(dir, changed) } }] };
  });
}

export const updateOneFeedback: Handler<'feedback.update'> = async (ctx, req) => {
  const row = await change(ctx, req.feedbackId, 'update', (f) => ({ body: req.body, state: f.state }));
  return { feedback: feedbackView(ctx.dir, row) };
};

export const publishOneFeedback: Handler<'feedback.publish'> = async (ctx, req) => {
  const row = await change(ctx, req.feedbackId, 'publish', (f) => ({ body: f.body, state: 'published' }));
  return { feedback: feedbackView(ctx.dir, row) };
};

export const getOneFeedback: Handler<'feedback.get'> = async (ctx, req) => {
  const f = await getFeedback(ctx.sql, req.feedbackId);
  if (!f || !canReadFeedback(ctx.dir, ctx.personId, f)) throw noSuchFeedback();
  audit(ctx, 'feedback.get', () => [{ about: [f.studentId], ids: [f.id] }]);
  return { feedback: feedbackView(ctx.dir, f) };
};

/** The feedback on one plan or assignment that the caller sees (a student: their own). */
export const getItemFeedback: Handler<'item.feedback.get'> = async (ctx, req) => {
  const { dir, personId } = ctx;
  const filter = { itemId: req.itemId, studentIds: req.studentId === undefined ? undefined : [req.studentId] };
  const { shown, next } = await readPage(
    req, (limit, before) => feedbackPage(ctx.sql, readKeysOf(dir, personId), filter, limit, before), (f) => canReadFeedback(dir, personId, f));
  audit(ctx, 'item.feedback.get', () => shown.map((f) => ({ about: [f.studentId], ids: [f.id] })));
  return {
    feedback: shown.map((f) => feedbackView(dir, f)),
    next,
  };
};
