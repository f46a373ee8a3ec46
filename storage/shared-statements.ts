// Statements that the writes of one group commit share (hub/publisher.ts). While a batch's
// writes run, a write adds its rows to the batch's statement of that kind instead of sending a
// statement of its own; once every write's work has returned, the publisher sends each shared
// statement, and each write's promise settles with its own rows. PostgreSQL then parses, plans
// and runs one statement for the batch instead of one per write, and this process builds and
// parses one. Outside a batch (a write committed alone, a test) the statement goes out at once.
import type { Tx } from './pool.ts';

/** Sends one statement for all `inputs`, answering one output per input, in their order. */
type Send<In, Out> = (tx: Tx, inputs: readonly In[]) => Promise<Out[]>;

interface Waiting<In, Out> {
  inputs: In[];
  settle: { resolve: (out: Out) => void; reject: (e: unknown) => void }[];
}

/** A batch's shared statements not sent yet, each by its kind (its Send), in the order first used. */
type Scope = Map<Send<never, unknown>, Waiting<never, unknown>>;

const open = new WeakMap<Tx, Scope>();

/**
 * A statement the writes of a batch share: called with one input, it answers that input's
 * output. Inside a batch (between openShared and sendShared on the same transaction) the
 * input waits for sendShared, so the caller must not await the answer before its work returns.
 */
export function sharedStatement<In, Out>(send: Send<In, Out>): (tx: Tx, input: In) => Promise<Out> {
  return (tx, input) => {
    const scope = open.get(tx);
    if (!scope) return send(tx, [input]).then((outs) => outs[0]!);
    const kind = send as Send<never, unknown>;
    const batch = (scope.get(kind) ?? scope.set(kind, { inputs: [], settle: [] }).get(kind)!) as Waiting<In, Out>;
    return new Promise<Out>((resolve, reject) => {
      batch.inputs.push(input);
      // Bound to a local first: a closure stored straight into an object kept every batch
      // reachable to V8's scavenger (docs/ARCHITECTURE.md, "Garbage collection pauses").
      const settle = { resolve, reject };
      batch.settle.push(settle);
    });
  };
}

/** From now until sendShared, shared statements on `tx` wait to go out together. */
export function openShared(tx: Tx): void {
  open.set(tx, new Map());
}

/**
 * Sends each shared statement that waits on `tx` (not awaited: it goes out with what follows),
 * and ends the scope: later calls send at once. A statement's failure rejects each of its
 * callers, and fails the transaction, as their own statements would have.
 */
export function sendShared(tx: Tx): void {
  const scope = open.get(tx);
  open.delete(tx);
  if (!scope) return;
  for (const [send, waiting] of scope) {
    const { inputs, settle } = waiting as Waiting<unknown, unknown>;
    (send as Send<unknown, unknown>)(tx, inputs).then(
      (outs) => settle.forEach((s, i) => s.resolve(outs[i])),
      (e: unknown) => settle.forEach((s) => s.reject(e)),
    );
  }
}

/** Ends the scope without sending: the batch failed before its statements went out. */
export function closeShared(tx: Tx): void {
  open.delete(tx);
}
