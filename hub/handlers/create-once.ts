// The idempotent create (docs/ARCHITECTURE.md "Idempotency"), written once: every create
// carries a clientKey, unique per sender in its table. A retry finds the stored row and answers
// with it; two concurrent creates race on the unique index and the loser answers with the
// winner's row; the same key for something else is a `conflict`. Nothing is published twice.
import { RequestError } from '../protocol/codes.ts';
import { isUniqueViolation } from './context.ts';

export interface Once<Row, Out> {
  /** The row the caller stored under this clientKey, if any. */
  find(): Promise<Row | undefined>;
  /** Is the stored row this same create? Otherwise the answer is `conflict`. Absent: any row under the key is the answer. */
  same?(stored: NoInfer<Row>): boolean;
  /** What was created, for the conflict's message: "a different assessment". */
  what: string;
  /** The answer for a stored row: a retry's, or a lost race's. */
  answer(stored: Row): Out | Promise<Out>;
  /**
   * Checks and writes; runs only when nothing is stored under the key. `undefined`: the insert
   * skipped a key already stored (message.send's append does), answered like a retry.
   */
  create(): Promise<Out | undefined>;
  /**
   * Look the key up before creating (default). message.send does not: its append skips a stored
   * key itself, so a send is one statement in the group commit and no extra round trip.
   */
  lookFirst?: boolean;
  /** Nothing was inserted and no row holds the key: what to answer (message.send: its conversation is gone). */
  gone?(): Error;
}

/** Runs `write`; when it loses a race on a unique index, the winner found by `winner` instead (none: the error). */
export async function orWinner<T>(write: () => Promise<T>, winner: () => Promise<T | undefined>): Promise<T> {
  try {
    return await write();
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    const won = await winner();
    if (won === undefined) throw e;
    return won;
  }
}

export async function createOnce<Row, Out>(c: Once<Row, Out>): Promise<Out> {
  const retried = async (): Promise<Out | undefined> => {
    const stored = await c.find();
    if (!stored) return undefined;
    if (c.same && !c.same(stored)) throw new RequestError('conflict', `this clientKey was already used for ${c.what}`, ['clientKey']);
    return c.answer(stored);
  };
  if (c.lookFirst !== false) {
    const prior = await retried();
    if (prior !== undefined) return prior;
  }
  const out = await orWinner(c.create, retried);
  if (out !== undefined) return out;
  const again = await retried();
  if (again === undefined) throw c.gone?.() ?? new Error(`${c.what}: nothing was inserted and no row holds its clientKey`);
  return again;
}
