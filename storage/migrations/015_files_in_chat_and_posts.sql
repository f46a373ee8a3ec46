-- Files in chat and posts (docs/PROTOCOL.md §9): an upload is taken once, by one documentation,
-- one message or one post, and whoever may read that may fetch it. `purpose` is what it was
-- uploaded for, so an upload for a message is never taken by a documentation, nor the other way
-- round (the uploads have different rights). A message or post keeps what its readers are shown
-- of its files in `files` (written with it), so no page of history or feed reads the table.
-- Deleting a message or post takes its attachment rows (ON DELETE CASCADE for retention; a
-- message's delete, which keeps a tombstone, deletes them itself); the bytes go after the commit
-- or in the retention run's sweep of files without a row.
ALTER TABLE attachments
  ADD COLUMN purpose      text NOT NULL DEFAULT 'documentation' CHECK (purpose IN ('documentation', 'message', 'post')),
  ADD COLUMN message_id   text REFERENCES messages (id) ON DELETE CASCADE,
  ADD COLUMN post_id      text REFERENCES posts (id) ON DELETE CASCADE,
  ADD COLUMN thumbnail_id text,       -- an image's thumbnail, its own file, made once on upload
  ADD COLUMN width        integer,    -- an image's size in pixels
  ADD COLUMN height       integer,
  ADD CONSTRAINT attachments_taken_once CHECK (num_nonnulls(documentation_id, message_id, post_id) <= 1);
CREATE INDEX attachments_message ON attachments (message_id) WHERE message_id IS NOT NULL;
CREATE INDEX attachments_post ON attachments (post_id) WHERE post_id IS NOT NULL;
CREATE INDEX attachments_thumbnail ON attachments (thumbnail_id) WHERE thumbnail_id IS NOT NULL;
ALTER TABLE messages ADD COLUMN files jsonb;
ALTER TABLE posts ADD COLUMN files jsonb;
