-- The event log without a lock (issue 14). Writers never wait for one another: an event's id
-- is its place in the log, tx * 65536 + n, where tx is the id of the transaction that appended
-- it (xid8: PostgreSQL's own, cluster-wide, never reused, taken at the transaction's first
-- write) and n its rank within that transaction (storage/events.ts). Readers deliver only below
-- the **horizon** (events_horizon below), under which every transaction has finished, so a
-- reader that has read up to an id never finds a committed event below it later, and the id
-- is the cursor as before.
--
-- Rows appended before this migration keep their ids (cursors clients already hold). Every new
-- id is above them: a transaction appends far fewer than 65,536 events on average, checked here.
DO $$
BEGIN
  IF (SELECT max(id) / 65536 FROM events) >= pg_current_xact_id()::text::bigint THEN
    RAISE EXCEPTION 'event ids too large to keep their cursors';
  END IF;
END $$;
-- The default serves a transaction that appends one event; appendEvents sets each event's rank.
ALTER TABLE events ALTER COLUMN id SET DEFAULT (pg_current_xact_id()::text::bigint * 65536);
DROP SEQUENCE events_id_seq;

-- How far the log was pruned: a resume from a cursor below it may have missed a pruned event
-- (sync.reset). Before this migration the log was pruned as a prefix by id.
CREATE TABLE events_pruned (
  one      boolean PRIMARY KEY DEFAULT true CHECK (one),
  through  bigint  NOT NULL   -- cursor of the newest event pruned (0: none)
);
INSERT INTO events_pruned (through) SELECT coalesce(min(id) - 1, 0) FROM events;

-- Every transaction of this database whose id is below the result has finished (committed or
-- rolled back): its events are final and visible to any later snapshot. Taken from a fresh
-- snapshot: its xmax, or the oldest transaction in it still running in this database (the
-- PostgreSQL cluster is shared; other databases' transactions are left out, and so are
-- autovacuum's: an ANALYZE takes a transaction id, and only clients append events). The snapshot is
-- taken before the backends are read, so a transaction that began after it (with a higher id
-- than any it lists as running) cannot be missed. Prepared transactions count as running.
CREATE FUNCTION events_horizon() RETURNS xid8 LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  s pg_snapshot;
BEGIN
  PERFORM pg_stat_clear_snapshot();
  s := pg_current_snapshot();
  RETURN least(pg_snapshot_xmax(s), (
    SELECT min(x) FROM pg_snapshot_xip(s) x
    WHERE x::xid IN (
      SELECT backend_xid FROM pg_stat_activity
      WHERE datname = current_database() AND backend_type = 'client backend' AND backend_xid IS NOT NULL
      UNION ALL
      SELECT transaction FROM pg_prepared_xacts WHERE database = current_database())));
END $$;
