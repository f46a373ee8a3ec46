-- Read statistics of posts and mailings (docs/DOMAIN.md, "Read statistics"; docs/PROTOCOL.md
-- post.stats.get). The denominator (who is in each part of the audience) comes from the
-- directory in memory; the numerator is kept here, one counter per item and audience part,
-- so that reading the figure never counts feed_reads.
--
-- A counter is right for one state of the directory: `directory_import` is the id of the
-- directory_imports row it was counted at (every node agrees on it). A read mark adds one in
-- its own transaction when the counter is at the reading node's import; a read mark made under
-- another import sets the item's counters to -1 (stale). A stale counter is recounted once,
-- under its row locks, by the next statistics read (readers of the item ∩ the audience now).
-- The rows exist from the item's creation on, so that a read mark always finds them to lock.
CREATE TABLE feed_read_counts (
  item_id          text    NOT NULL,
  part             text    NOT NULL CHECK (part IN ('students', 'guardians', 'staff')),
  directory_import bigint  NOT NULL DEFAULT -1,
  readers          integer NOT NULL DEFAULT 0 CHECK (readers >= 0),
  PRIMARY KEY (item_id, part)
);
INSERT INTO feed_read_counts (item_id, part)
  SELECT i.id, p.part FROM (SELECT id FROM posts UNION ALL SELECT id FROM mailings) i
  CROSS JOIN (VALUES ('students'), ('guardians'), ('staff')) AS p(part);

-- The readers of one item (the recount, and the "not read" list), without a scan of all marks.
CREATE INDEX feed_reads_item ON feed_reads (item_id, person_id);

-- The last reminder of an item to those who have not read it: at most one a day (post.remind).
-- No person in it: who sent it is the audit trail of the event log.
CREATE TABLE feed_reminders (
  item_id    text        PRIMARY KEY,
  sent_at    timestamptz NOT NULL,
  recipients integer     NOT NULL
);
