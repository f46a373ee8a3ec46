// GIN indexes (events_keys takes every event, messages_search every message, the audiences'
// keys every post and item) gather new entries in a pending list. The insert that finds that
// list past gin_pending_list_limit (4 MB) moves all of it into the index inside its own
// statement: on `npm run bench`'s chat at 1,000 msg/s, a write every 2-3 s spent 130-200 ms of
// CPU there, with no wait event, while the others took milliseconds. Events are delivered in id
// order (docs/ARCHITECTURE.md, "Events and cursors"), so that one write held back the delivery
// of everything committed after it, on every node. Moving the list often, outside any write,
// keeps it short, so that no write ever finds it full.
//
// (Turning the list off, fastupdate = off, removes the stall too, but each message then puts
// its hundred-odd search lexemes into the index one by one: the chat's p50 at 1,000 msg/s went
// from 3 to 5-6 ms and its p99 did not improve. loadtest/RESULTS.md has both.)
import type { Sql } from './pool.ts';

/** One node at a time moves the lists: the others skip their turn (schoolhub's advisory locks count up from MIGRATION_LOCK, storage/migrate.ts). */
const GIN_CLEAN_LOCK = '7303411920005';

/**
 * Moves the pending entries of every GIN index of this schema that this role owns into the
 * index proper. Returns the pending pages moved, or undefined when another node was doing it.
 */
export async function moveGinPendingLists(sql: Sql): Promise<number | undefined> {
  // CASE evaluates the subquery only once the try-lock is taken; the lock goes with the
  // statement's own transaction. gin_clean_pending_list needs the index's owner.
  const [r] = await sql<{ pages: number | null }[]>`
    select case when pg_try_advisory_xact_lock(${GIN_CLEAN_LOCK}::bigint) then (
      select coalesce(sum(gin_clean_pending_list(c.oid::regclass)), 0)::int
      from pg_class c
      join pg_am a on a.oid = c.relam
      join pg_namespace n on n.oid = c.relnamespace
      join pg_index i on i.indexrelid = c.oid
      where a.amname = 'gin' and c.relkind = 'i' and n.nspname = current_schema()
        and i.indisvalid and i.indisready and pg_has_role(c.relowner, 'USAGE')
    ) end as pages`;
  return r?.pages ?? undefined;
}
