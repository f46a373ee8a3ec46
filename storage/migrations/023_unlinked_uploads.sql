-- Uploads not yet taken by a documentation, a message or a post. They are few (retention
-- removes them after a day), but each upload counts its uploader's (the per-person quota) and
-- every retention run looks for the day-old ones. By this index neither reads every attachment
-- the person or the district ever kept (storage/documentation.ts `unlinked`, whose condition
-- is this index's).
CREATE INDEX attachments_unlinked ON attachments (owner_id, created_at)
  WHERE documentation_id IS NULL AND message_id IS NULL AND post_id IS NULL;
