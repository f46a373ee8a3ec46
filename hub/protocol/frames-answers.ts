// Acknowledge and RSVP (docs/DOMAIN.md §1 "Answers to a post"): the `ask` a post.create may
// carry, and the requests that answer it and read the answers. frames.ts spreads
// `answerSchemas` into requestSchemas and puts `askSchema` on post.create.
import { z } from 'zod';
import { LIMITS } from './limits.ts';
import { id, req, text } from './frames-fields.ts';

const deadline = z.iso.datetime({ offset: true, message: 'expected an ISO 8601 time, e.g. 2025-03-04T14:30:00Z' }).optional();

/** What a post asks of those it is addressed to: an acknowledgement, or one of 2–5 fixed answers. */
export const askSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ack'), deadline }),
  z.object({
    kind: z.literal('choice'),
    options: z.array(text(LIMITS.askOption)).min(2).max(LIMITS.askOptions)
      .refine((o) => new Set(o.map((x) => x.toLowerCase())).size === o.length, 'each answer once'),
    deadline,
  }),
]);
export type Ask = z.infer<typeof askSchema>;

export const answerSchemas = {
  /**
   * `answer`: "ack" for an acknowledgement, else the index of the chosen option. `childId`: whom
   * the answer is for (a guardian's child; leave it out when the caller answers for one only).
   */
  'post.answer': req('post.answer', {
    postId: id,
    childId: id.optional(),
    answer: z.union([z.literal('ack'), z.number().int().min(0).max(LIMITS.askOptions - 1)]),
  }),
  'post.answers.get': req('post.answers.get', { postId: id }),
} as const;
