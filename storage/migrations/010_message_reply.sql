-- A private reply quotes what it answers (message.replyPrivately): the original's kind and id,
-- its conversation and title, and a short excerpt, as they were when the reply was written. It
-- lives and dies with the reply (retention, delete), like the body.
ALTER TABLE messages ADD COLUMN reply_to jsonb;
