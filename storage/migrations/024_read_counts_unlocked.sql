-- A read mark no longer writes its item's counters (issue 14). It locked them from the mark to
-- its COMMIT, through the WAL flush, so every mark of one mailing waited for the commit of the
-- one before it, on every node, and so did every write that shared a group commit with such a
-- mark: the morning a district mailing goes out, the whole write path queued behind one row.
--
-- A mark now inserts what it counts here, and takes no lock that another writer needs: the
-- item, the parts of the audience the reader is in (possibly none: such a mark still says
-- which directory it was judged by), and the directory import those parts were judged at
-- (migration 014); one column per part, so that a read counts them in one pass. One node at a
-- time folds these rows into feed_read_counts every second (storage/read-stats.ts foldReads),
-- under the counters' row locks; a statistics read adds the rows not folded yet, in the same
-- statement as the counters.
CREATE TABLE feed_read_deltas (
  id               bigserial PRIMARY KEY,
  item_id          text      NOT NULL,
  students         boolean   NOT NULL,
  guardians        boolean   NOT NULL,
  staff            boolean   NOT NULL,
  directory_import bigint    NOT NULL
);
CREATE INDEX feed_read_deltas_item ON feed_read_deltas (item_id);
