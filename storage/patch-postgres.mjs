// Patches postgres.js 3.4.9 at install (package.json "postinstall"): a connection whose backend
// went away must fail its queries, never end the process. Unpatched, a query on a reserved (or
// transaction) connection after its socket closed reaches `socket.write` on null from a
// setImmediate, an uncaught TypeError (porsager/postgres issues 1154, 1208; fixes proposed in
// pull requests 1168, 1176, 1209, none released: 3.4.10 still has it, 4.x is a rewrite).
// docs/ARCHITECTURE.md "postgres.js patch" says why this and not another way; the tests in
// storage/pool.test.ts cut real backends and fail without it. Idempotent; it refuses any other
// version, so that an upgrade makes someone check whether the fix is upstream first.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const VERSION = '3.4.9';
const MARK = '/* schoolhub-patch */';
const CLOSED = "Errors.connection('CONNECTION_CLOSED', options)";

/** [file, find, replace]: each find must occur exactly once. */
const PATCHES = [
  // A query handed to a connection whose socket is gone (and that is not connecting) is
  // rejected at once, and the connection stays where the pool put it (closed): `true` keeps
  // callers from moving it to the "full" queue, where it would never be reconnected.
  ['connection.js',
    `    if (terminated)
      return queryError(q, Errors.connection('CONNECTION_DESTROYED', options))
`,
    `    if (terminated)
      return queryError(q, Errors.connection('CONNECTION_DESTROYED', options))

    ${MARK} if (socket === null && !initial)
      return (queryError(q, ${CLOSED}), true)
`],
  // discard(): the holder of a reserved connection gives up on it (storage/events.ts, a commit
  // past its deadline). The socket is destroyed: the connection's queries reject, it closes
  // and goes to the pool's closed queue, and it reconnects when next needed.
  // flush(): the holder sends what it has written now. Writes under 1 KB otherwise wait for a
  // setImmediate, after every other callback of the event loop's turn, and a transaction
  // whose COMMIT waits there sits idle in PostgreSQL meanwhile (storage/events.ts).
  // hold(): until the next flush(), what the holder writes is kept, whatever its size (a write
  // of 1 KB or more otherwise leaves at once), so that a whole transaction leaves in one write
  // and PostgreSQL reads it at once (storage/events.ts). Kept as copies: a query's bytes are a
  // view of a buffer the next query reuses.
  // And what is held is one pipeline: its statements go without a Sync each, and flush() ends
  // them with one. PostgreSQL answers a Sync with ReadyForQuery and sends what it has at each
  // one, so a transaction of five statements cost it five sends and this process five reads;
  // now one of each (loadtest/RESULTS.md, "One Sync a transaction"). Statements before a Sync
  // are one transaction, as a transaction block (which is what the holder sends: BEGIN first)
  // makes them anyway: after one fails, PostgreSQL skips the rest up to the Sync, and each of
  // those is rejected with the error it would have had, 25P02 (in failed transaction).
  ['connection.js',
    `    terminate,
    execute,`,
    `    terminate,
    ${MARK} discard() { socket && socket.destroy() },
    ${MARK} hold() { held = held || [] },
    ${MARK} flush() {
      held && endPipeline()
      held && (chunk = Buffer.concat(chunk ? [chunk, ...held] : held), held = null)
      chunk && socket && nextWrite()
    },
    execute,`],
  ['connection.js',
    `    , final = null

  const connection = {`,
    `    , final = null
    , held = null ${MARK}
    , pipelined = null

  const connection = {`],
  // A held query is written without its Sync unless it needs a round trip before it can run:
  // the first use of a statement with parameters on this connection waits for PostgreSQL's
  // description of them before it is bound. Such a query (or a cursor, or a simple query) ends
  // the pipeline before it, and runs as postgres.js runs it.
  ['connection.js',
    `      build(q)
      return write(toBuffer(q))`,
    `      build(q)
      ${MARK} held && pipeline(q)
      return write(toBuffer(q))`],
  ['connection.js',
    `  function toBuffer(q) {`,
    `  ${MARK} function pipeline(q) {
    if (!q.describeFirst && !q.cursorFn && !q.options.simple)
      return (q.nosync = true, pipelined = q)
    endPipeline()
  }

  // The last query sent without its Sync gets one: it is answered at the ReadyForQuery, and the
  // ones before it at their CommandComplete.
  function endPipeline() {
    pipelined && (held.push(Sync), pipelined.nosync = false, pipelined = null)
  }

  function toBuffer(q) {`],
  ['connection.js',
    `    , ExecuteUnnamed = Buffer.concat([b().E().str(b.N).i32(0).end(), Sync])`,
    `    , ExecuteUnnamed = Buffer.concat([b().E().str(b.N).i32(0).end(), Sync])
    , ExecuteAlone = ExecuteUnnamed.subarray(0, ExecuteUnnamed.length - Sync.length) ${MARK}`],
  ['connection.js',
    `      q.cursorFn
        ? Execute('', q.cursorRows)
        : ExecuteUnnamed`,
    `      q.cursorFn
        ? Execute('', q.cursorRows)
        : q.nosync ? ExecuteAlone : ExecuteUnnamed ${MARK}`],
  // A query of a pipeline is answered when its command completes: no ReadyForQuery follows it.
  ['connection.js',
    `    if (query.cursorFn) {
      result.count && query.cursorFn(result)
      write(Sync)
    }
  }`,
    `    if (query.cursorFn) {
      result.count && query.cursorFn(result)
      write(Sync)
    }

    ${MARK} if (query.nosync) {
      query.resolve(results || result)
      results = null
      result = new Result()
      query = sent.shift() || null
      query && (query.active = true)
    }
  }`],
  // A query of a pipeline failed: PostgreSQL skipped every statement after it up to the Sync,
  // which the last of them carries. It is rejected with its error (not retried: it ran in a
  // transaction that its failure aborted), and the skipped ones with 25P02.
  ['connection.js',
    `  function ReadyForQuery(x) {
    if (query) {`,
    `  function ReadyForQuery(x) {
    ${MARK} if (query && errorResponse && query.nosync) {
      queryError(query, errorResponse)
      let skipped
      while (sent.length && (skipped = sent.shift())) {
        queryError(skipped, Errors.postgres({
          severity: 'ERROR',
          code: '25P02',
          message: 'current transaction is aborted, commands ignored until end of transaction block',
          routine: 'schoolhub pipeline'
        }))
        if (!skipped.nosync)
          break
      }
      query = errorResponse = null
    }
    if (query) {`],
  ['connection.js',
    `  function write(x, fn) {
    chunk = chunk ? Buffer.concat([chunk, x]) : Buffer.from(x)`,
    `  function write(x, fn) {
    ${MARK} if (held && !fn)
      return (held.push(Buffer.from(x)), true)
    chunk = chunk ? Buffer.concat([chunk, x]) : Buffer.from(x)`],
  // A flush that finds the socket gone settles the queries with a connection error instead of
  // throwing where nobody can catch it.
  ['connection.js',
    `  function nextWrite(fn) {
    const x = socket.write(chunk, fn)`,
    `  function nextWrite(fn) {
    ${MARK} if (socket === null) {
      nextWriteTimer !== null && clearImmediate(nextWriteTimer)
      chunk = nextWriteTimer = null
      error(${CLOSED})
      return false
    }
    const x = socket.write(chunk, fn)`],
  // Closing cancelled the pending flush but left the timer handle and the unsent bytes: after a
  // reconnect, small writes (the startup message) were never flushed and stale bytes went first.
  // It also kept the error a cut left behind: pg_terminate_backend sends a FATAL ErrorResponse,
  // which a connection with a query running keeps in errorResponse until its ReadyForQuery, and
  // the socket closes before that comes. The reconnected connection's first ReadyForQuery (the
  // end of startup) then found that stale error and rejected the request it reconnected for
  // with it ("terminating connection due to administrator command"): a reserve() failed on a
  // healthy connection, so a pool of two could not hand out both after a cut, and a caller
  // holding the other (Promise.all) never released it, which kept end() waiting forever.
  ['connection.js',
    `    connectTimer.cancel()

    socket.removeAllListeners()
    socket = null`,
    `    connectTimer.cancel()
    ${MARK} chunk = nextWriteTimer = held = pipelined = null
    errorResponse = null

    socket.removeAllListeners()
    socket = null`],
  // A connection closing with a socket error rejected only the queries the 'error' handler saw.
  // A query handed to it between 'error' and 'close' (the holder's ROLLBACK after its work
  // failed, in the microtasks between the two events) went into `sent` and was never settled:
  // the commit that sent it hung forever (the write without an answer in the fault suite). All
  // queries left are rejected on close now, with an error or not (rejecting twice is harmless).
  // And one left as current kept end() waiting for it forever.
  // Written as an `if`: the line before is `return reconnect()`, and a statement opening with
  // `(` continued it (no automatic semicolon before `(`): `return reconnect()(query || ...) &&
  // error(...)`, only inside `if (initial)`. So on every other close this line did nothing: a
  // query running when its backend was cut (pg_terminate_backend closes cleanly) never
  // settled, and the pool's reads in the fault suite waited forever.
  ['connection.js',
    `    !hadError && (query || sent.length) && error(Errors.connection('CONNECTION_CLOSED', options, socket))
`,
    `    ${MARK} if (query || sent.length) error(Errors.connection('CONNECTION_CLOSED', options, socket))
    query = null
`],
  // The array types fetched on a new connection: when that connection is cut meanwhile, the
  // query was rejected with nobody listening (an unhandled rejection ends the process). The
  // connection's own close path reports the failure; the types load on the next connection.
  ['connection.js',
    `      order by b.oid
    \`], [], execute)
    types.forEach`,
    `      order by b.oid
    \`], [], execute).catch(() => []) ${MARK}
    types.forEach`],
  // reserve(): once the connection closed it is the pool's again (onclose moved it to the closed
  // queue). The queries waiting for it (a connection is "full" while a statement is described)
  // are rejected instead of waiting forever; the holder's later queries are rejected rather than
  // sent on a connection that may be reconnecting for someone else; and release() does not put
  // a closed connection among the open ones, where every query on it would fail. The closures
  // are bound to locals before they are stored (see "Nothing of a transaction outlives it" below).
  ['index.js',
    `    move(c, reserved)
    c.reserved = () => queue.length
      ? c.execute(queue.shift())
      : move(c, reserved)
    c.reserved.release = true

    const sql = Sql(handler)
    sql.release = () => {
      c.reserved = null
      onopen(c)
    }

    return sql

    function handler(q) {
      c.queue === full`,
    `    move(c, reserved)
    ${MARK} const holder = () => queue.length
      ? c.execute(queue.shift())
      : move(c, reserved)
    c.reserved = holder
    c.reserved.release = true

    ${MARK} const onclose = e => { while (queue.length) queue.shift().reject(e) }
    c.onclose = onclose

    const sql = Sql(handler)
    ${MARK} const discard = () => c.reserved === holder && (c.discard(), true)
    const flush = () => { c.reserved === holder && c.flush() }
    const hold = () => { c.reserved === holder && c.hold() }
    const release = () => {
      if (c.reserved !== holder)
        return
      c.reserved = null
      c.onclose = null
      onopen(c)
    }
    sql.discard = discard
    sql.flush = flush
    sql.hold = hold
    sql.release = release

    return sql

    function handler(q) {
      ${MARK} if (c.reserved !== holder)
        return q.reject(${CLOSED})
      c.queue === full`],
  // Every reserve() builds its own sql function, and with it one parameter maker per type:
  // bound to a local first, as above.
  ['index.js',
    `      acc[name] = (x) => new Parameter(x, type.to)`,
    `      ${MARK} const make = (x) => new Parameter(x, type.to)
      acc[name] = make`],
  // A reserve() request rejected (its connection failed while starting up) stayed in the queue:
  // the next connection to open was handed to the settled promise and lost to the pool for good
  // (it never left the connecting queue), until no connection was left and every reserve()
  // waited forever. A rejected request now leaves the queue.
  ['index.js',
    `        const query = { reserve: resolve, reject }`,
    `        const query = { reserve: resolve, reject: e => (queries.remove(query), reject(e)) } ${MARK}`],
  // A reserve() waiting when a connection closed was handed to that connection to reconnect
  // with, and dropped on the way (the new connection fetches types first and forgets a reserve
  // request): the caller waited forever. It stays queued instead; the reconnected connection
  // serves the queue when it opens.
  ['index.js',
    `    queries.length && connect(c, queries.shift())
  }`,
    `    ${MARK} if (queries.length) {
      const q = queries.shift()
      q.reserve ? (queries.push(q), connect(c, null)) : connect(c, q)
    }
  }`],
  // The pool's queues (open, busy, the waiting queries) never forgot a shifted slot while
  // anything stayed queued: shift() left a hole and only emptied the array once every item had
  // been shifted, and remove() searched from the start, holes included. The open queue of a
  // pool with idle connections is never emptied, and every query shifts a connection from it
  // and then removes that connection from it again (move): the array grew by one slot per
  // query and each query scanned all of it. Measured with three queries in flight on a pool of
  // ten: 33 µs of CPU per query at first, 188 µs after 360,000 queries, growing without end.
  // remove() now searches from the first live slot, and shift() drops the dead slots once
  // there are 64 of them.
  ['queue.js',
    `      const index = xs.indexOf(x)
      return index === -1
        ? null
        : (xs.splice(index, 1), x)`,
    `      ${MARK} const at = xs.indexOf(x, index)
      return at === -1
        ? null
        : (xs.splice(at, 1), x)`],
  ['queue.js',
    `      } else {
        xs[index - 1] = undefined
      }`,
    `      } else if (index >= 64) { ${MARK}
        xs = xs.slice(index)
        index = 0
      } else {
        xs[index - 1] = undefined
      }`],
  // The pool hands out the connection that went idle last, not the one idle longest. First in,
  // first out spread every load over all `max` connections: with 3 commits in flight the hub's
  // 24 backends each ran a twenty-fourth of the statements, with cold caches of its own: page
  // faults (a shared buffer page touched first by a backend, memory a backend grew again) were
  // 12% of PostgreSQL's CPU at the chat benchmark's saturation. Last in, first out keeps the
  // few connections a load needs busy, and the rest idle out (idle_timeout, storage/pool.ts).
  // loadtest/RESULTS.md, "The pool's most recent connection first".
  ['queue.js',
    `    push: (x) => (xs.push(x), x),`,
    `    push: (x) => (xs.push(x), x),
    ${MARK} pop: () => {
      const out = xs.length > index ? xs.pop() : undefined
      if (xs.length === index) {
        index = 0
        xs = []
      }
      return out
    },`],
  ['index.js',
    `    const c = open.length
      ? open.shift()`,
    `    const c = open.length
      ? open.pop() ${MARK}`],
  ['index.js',
    `    if (open.length)
      return go(open.shift(), query)`,
    `    if (open.length) ${MARK}
      return go(open.pop(), query)`],
  // Nothing of a transaction outlives it (loadtest/RESULTS.md, "Nothing of a transaction
  // outlives it"). On Node 20 (V8 11.3) an arrow function written straight into a property
  // (`this.resolve = x => ...`, `sql.release = () => ...`) kept every query and reservation it
  // belonged to reachable for V8's scavenger until the next full collection, so that each
  // scavenge copied, and promoted, the last second's transactions: with postgres.js alone a
  // transaction shaped like the hub's promoted 8.8% of what it allocated and its scavenges paused
  // 3.5 ms on average (max 14). Bound to a local first and then stored, the same functions are
  // not kept: 0.8%, 0.7 ms (max 2.5). Why V8 treats the two forms differently was not found; the
  // test (storage/patch-postgres-promotion.test.ts) measures what the scavenger keeps.
  // Also: a query answered drops what it was built from (its connection's handler, arguments
  // and text, rebuilt for every execution); the error path (queryError reads `args`) runs before
  // a reject and keeps them, and `state` (its backend's pid, storage/events.ts) stays.
  ['query.js',
    `    this.resolve = x => (this.active = false, resolve(x))
    this.reject = x => (this.active = false, reject(x))`,
    `    ${MARK} const settle = x => (this.active = false, this.settled(), resolve(x))
    const fail = x => (this.active = false, reject(x))
    this.resolve = settle
    this.reject = fail`],
  ['query.js',
    `  get origin() {`,
    `  ${MARK} settled() {
    this.handler = this.args = this.string = this.signature = this.parameters = null
  }

  get origin() {`],
];

const require = createRequire(import.meta.url);
let root;
try {
  root = path.dirname(require.resolve('postgres/package.json'));
} catch {
  // package.json "exports" hides it: find it next to this repository's node_modules.
  root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', 'node_modules', 'postgres');
}
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
if (pkg.version !== VERSION) {
  console.error(`storage/patch-postgres.mjs: postgres ${pkg.version} is installed, the patch is for ${VERSION}. ` +
    'Check whether the fix for porsager/postgres issue 1208 is released, then update or remove this patch.');
  process.exit(1);
}

// src (import), cjs/src (require), cf/src (Cloudflare): the same code in three module formats.
for (const dir of ['src', 'cjs/src', 'cf/src']) {
  for (const file of ['connection.js', 'index.js', 'queue.js', 'query.js']) {
    const full = path.join(root, dir, file);
    if (!existsSync(full)) continue;
    let text = readFileSync(full, 'utf8');
    if (text.includes(MARK)) {
      // Patched already: by this version (every replacement is there), or by an older one,
      // which cannot be patched again in place.
      if (PATCHES.every(([f, , replace]) => f !== file || text.includes(replace))) continue;
      console.error(`storage/patch-postgres.mjs: ${dir}/${file} carries an older version of this patch; ` +
        'reinstall it (rm -rf node_modules/postgres && npm ci) to patch it afresh');
      process.exit(1);
    }
    for (const [f, find, replace] of PATCHES) {
      if (f !== file) continue;
      const at = text.indexOf(find);
      if (at < 0 || text.indexOf(find, at + 1) >= 0) {
        console.error(`storage/patch-postgres.mjs: ${dir}/${file} does not read as expected; not patched`);
        process.exit(1);
      }
      text = text.slice(0, at) + replace + text.slice(at + find.length);
    }
    writeFileSync(full, text);
  }
}
console.log(`postgres ${VERSION}: patched (storage/patch-postgres.mjs)`);
