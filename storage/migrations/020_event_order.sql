-- The event log without a lock (issue 14). Before this migration every appending transaction
-- held one advisory lock from taking its ids until its commit, so id order was commit order,
-- and every commit waited for the WAL flush of the one before it.
--
-- Now an appending transaction takes its ids from the sequence with no lock, as its last
-- statement before COMMIT, after every row lock it takes (so two writes to the same record
-- have ids in the order they committed). Ids are therefore taken in one order and committed in
-- another: for a moment id 11 may be visible while 10 is not yet committed. A reader must not
-- pass 10 until it is final. Before taking ids, an appending transaction marks its session
-- (storage/events.ts, appendEvents) with `application_name` = 'schoolhub appending after N',
-- where N is the sequence's position at that moment: every id it takes is above N. The mark
-- is SET LOCAL: PostgreSQL removes it when the transaction ends, after its commit is visible.
--
-- events_final() returns F: every event id at or below F is final, either committed and
-- visible to any statement that starts afterwards, or never to exist (rolled back). F is the
-- sequence's position, read first, or lower: the least mark of a session still appending in
-- this database. Proof in brief: an id g <= F was taken before the sequence was read; if its
-- transaction were still open when the sessions were read, its mark (set before g was taken,
-- below g) would be among them and F would be below g.
CREATE FUNCTION events_final() RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  taken bigint;
  appending bigint;
BEGIN
  SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END INTO taken FROM events_id_seq;
  -- pg_stat_activity is cached for the rest of a transaction once read: read it afresh.
  PERFORM pg_stat_clear_snapshot();
  SELECT min(substr(application_name, 27)::bigint) INTO appending
  FROM pg_stat_activity
  WHERE datname = current_database() AND application_name LIKE 'schoolhub appending after %';
  RETURN least(taken, coalesce(appending, taken));
END $$;
