-- Every message updates its conversation's last_seq and last_message_at. conversations_recent
-- indexed last_message_at, so each of those updates wrote a new entry into every index of the
-- table; no query used it (the inbox and retention order and filter by
-- coalesce(last_message_at, created_at)). Without it the update is HOT (heap-only: no index
-- writes), helped by free room on each page.
DROP INDEX conversations_recent;
ALTER TABLE conversations SET (fillfactor = 80);
