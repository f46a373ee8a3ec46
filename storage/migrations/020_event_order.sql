-- The event log without a lock (issue 14). Writers take ids from the sequence and never wait
-- for one another; an event's place in the log is (tx, n): the id of the transaction that
-- appended it (xid8, cluster-wide and never reused) and its rank within that transaction.
-- Readers deliver only below the **horizon** (events_horizon below), under which every
-- transaction has finished, so a reader that has passed a place never finds a committed
-- event before it later. The cursor is tx * 65536 + n (storage/events.ts).
--
-- Rows appended before this migration keep their place: tx = id / 65536 and n = id % 65536
-- give the cursor id, the cursor clients already hold. Every new transaction id is above
-- those (a transaction appends far fewer than 65,536 events on average), checked below.
ALTER TABLE events ADD COLUMN tx xid8, ADD COLUMN n integer;
UPDATE events SET tx = (id / 65536)::text::xid8, n = (id % 65536)::int;
DO $$
BEGIN
  IF (SELECT max(id) / 65536 FROM events) >= pg_current_xact_id()::text::bigint THEN
    RAISE EXCEPTION 'event ids too large to keep their cursors';
  END IF;
END $$;
ALTER TABLE events
  ALTER COLUMN tx SET NOT NULL,
  ALTER COLUMN tx SET DEFAULT pg_current_xact_id(),
  ALTER COLUMN n SET NOT NULL,
  ALTER COLUMN n SET DEFAULT 0,   -- one event per transaction; appendEvents gives each its rank
  ADD CONSTRAINT events_rank CHECK (n >= 0 AND n < 65536);
CREATE UNIQUE INDEX events_place ON events (tx, n);

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
-- PostgreSQL cluster is shared; other databases' transactions are left out). The snapshot is
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
      SELECT backend_xid FROM pg_stat_activity WHERE datname = current_database() AND backend_xid IS NOT NULL
      UNION ALL
      SELECT transaction FROM pg_prepared_xacts WHERE database = current_database())));
END $$;
