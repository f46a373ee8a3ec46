// Acknowledge and RSVP (docs/DOMAIN.md §1 "Answers to a post"): post.answer and post.answers.get,
// the ask of post.create, and the viewer's own answers in feed.get.
//
// A post that asks is answered by those it is addressed to (rules/post-answers.ts): a guardian
// once per child of the audience, everyone else for themselves. An answer is stored once per
// (post, person, for) and changed in place until the deadline; the same answer again stores and
// tells nothing. The author side (the author and the school's leadership) sees every answer
// live; families see only their own.
import { answersFor, canReadPost, expectedAnswers, pastDeadline, seesAllAnswers, type PostAudience } from '../rules/index.ts';
import type { StoredPost } from '../rules/posts.ts';
import { RequestError } from '../protocol/codes.ts';
import type { Ask } from '../protocol/frames-answers.ts';
import { feedRowsByIds, type PostRow } from '../../storage/feed.ts';
import { answersBy, answersToPost, saveAnswer, type AnswerRow } from '../../storage/post-answers.ts';
import { answerEvents, answerLine, askView, ownAnswer, storedChoice, tally, type AskView } from '../views/post-answers.ts';
import { showTo } from '../views/chat.ts';
import { audit } from '../audit.ts';
import type { Handler, HandlerContext } from './context.ts';

const stored = (p: PostRow): StoredPost => ({ schoolId: p.schoolId, authorId: p.authorId, audience: p.audience as PostAudience });
const slotKey = (personId: string, forId: string) => `${personId}\u0000${forId}`;

/** post.create's ask, checked where the schema cannot: a deadline must lie ahead. */
export function checkAsk(ask: Ask | undefined, now: Date): Ask | null {
  if (!ask) return null;
  if (pastDeadline(ask, now)) throw new RequestError('invalid', 'the deadline must be in the future', ['ask', 'deadline']);
  return ask;
}

/** The post with an ask that the caller reads now; anything else answers as an unknown id, or says it asks nothing. */
async function askingPost(ctx: HandlerContext, postId: string): Promise<{ post: PostRow; ask: AskView }> {
  const [post] = (await feedRowsByIds(ctx.sql, [postId], [])).posts;
  if (!post || !canReadPost(ctx.dir, ctx.personId, stored(post))) throw new RequestError('not_found', 'no such post', ['postId']);
  const ask = askView(post.ask);
  if (!ask) throw new RequestError('invalid', 'this post asks for no answer', ['postId']);
  return { post, ask };
}

export const answerPost: Handler<'post.answer'> = async (ctx, req) => {
  const { dir, personId: me } = ctx;
  const { post, ask } = await askingPost(ctx, req.postId);
  const mine = answersFor(dir, me, stored(post));
  if (mine.length === 0) throw new RequestError('forbidden', 'this post does not ask you for an answer', ['postId']);
  const forId = req.childId ?? (mine.length === 1 ? mine[0]! : undefined);
  if (forId === undefined) throw new RequestError('invalid', 'choose whom you answer for (childId)', ['childId']);
  // Any id the caller does not answer for gets one answer: a blocked guardian's child, another
  // family's, an id of nothing. None tells whether the child exists or is in the audience.
  if (!mine.includes(forId)) throw new RequestError('not_found', 'not someone you answer for', ['childId']);
  if (ask.kind === 'ack' ? req.answer !== 'ack' : req.answer === 'ack' || req.answer >= ask.options.length) {
    throw new RequestError('invalid', ask.kind === 'ack' ? 'this post asks for an acknowledgement: answer "ack"' : 'no such option', ['answer']);
  }
  if (pastDeadline(ask, new Date())) {
    throw new RequestError('conflict', 'the deadline for answers has passed', ['postId']);
  }
  const row = await ctx.publisher.write(async (tx) => {
    const saved = await saveAnswer(tx, { postId: post.id, personId: me, forId, choice: storedChoice(req.answer) });
    return { result: saved.row, events: saved.changed ? answerEvents(dir, post, saved.row) : [] };
  });
  return { postId: post.id, answer: ownAnswer(dir, forId, row) };
};

export const getPostAnswers: Handler<'post.answers.get'> = async (ctx, req) => {
  const { dir, personId: me } = ctx;
  const { post, ask } = await askingPost(ctx, req.postId);
  const p = stored(post);
  if (seesAllAnswers(dir, me, p)) {
    const rows = new Map((await answersToPost(ctx.sql, post.id)).map((r) => [slotKey(r.personId, r.forId), r]));
    const show = showTo(dir, me);
    // Answers whose relation ended (a blocked guardian, a student who left) are not counted.
    const slots = expectedAnswers(dir, p);
    const answers = slots.map((s) => answerLine(dir, show, s, rows.get(slotKey(s.personId, s.forId))))
      .sort((a, b) => (a.forName ?? '').localeCompare(b.forName ?? '', 'sv') || (a.personName ?? '').localeCompare(b.personName ?? '', 'sv'));
    audit(ctx, 'post.answers.get', () => slots.map((s) => ({ about: [s.personId, s.forId], ids: [post.id] })));
    return { postId: post.id, ask, scope: 'all', tally: tally(ask, answers), answers };
  }
  const mine = answersFor(dir, me, p);
  if (mine.length === 0) throw new RequestError('forbidden', 'only the author and the school leadership see the answers', ['postId']);
  const rows = await answersBy(ctx.sql, me, [post.id]);
  return { postId: post.id, ask, scope: 'own', answers: mine.map((f) => ownAnswer(dir, f, rows.find((r) => r.forId === f))) };
};

/**
 * The viewer's own answers to the posts of a feed page that ask: whom they answer for and what
 * they said (an empty list: they are not asked). One query for the page.
 */
export async function ownAnswersOf(ctx: HandlerContext, posts: readonly PostRow[]): Promise<Map<string, ReturnType<typeof ownAnswer>[]>> {
  const asking = posts.filter((p) => p.ask !== null && p.ask !== undefined);
  const out = new Map<string, ReturnType<typeof ownAnswer>[]>();
  if (asking.length === 0) return out;
  const slots = new Map(asking.map((p) => [p.id, answersFor(ctx.dir, ctx.personId, stored(p))]));
  const rows = await answersBy(ctx.sql, ctx.personId, asking.filter((p) => slots.get(p.id)!.length > 0).map((p) => p.id));
  const byKey = new Map<string, AnswerRow>(rows.map((r) => [slotKey(r.postId, r.forId), r]));
  for (const p of asking) out.set(p.id, slots.get(p.id)!.map((f) => ownAnswer(ctx.dir, f, byKey.get(slotKey(p.id, f)))));
  return out;
}
