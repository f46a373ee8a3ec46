-- Reactions (issue 13): one row per person, emoji and target (a message or a post). A row
-- belongs to its target: it goes when the target goes (retention's deletes cascade), and a
-- deleted message's reactions are removed with its body (hub/handlers/chat-edit.ts).
CREATE TABLE reactions (
  message_id  text        REFERENCES messages (id) ON DELETE CASCADE,
  post_id     text        REFERENCES posts (id) ON DELETE CASCADE,
  person_id   text        NOT NULL,
  emoji       text        NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
  CHECK ((message_id IS NULL) <> (post_id IS NULL))
);
-- One of each emoji per person and target; also the index a page of targets is read by.
CREATE UNIQUE INDEX reactions_message ON reactions (message_id, person_id, emoji) WHERE message_id IS NOT NULL;
CREATE UNIQUE INDEX reactions_post ON reactions (post_id, person_id, emoji) WHERE post_id IS NOT NULL;
CREATE INDEX reactions_person ON reactions (person_id);
