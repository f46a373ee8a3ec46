-- Acknowledge and RSVP (issue 13 item 4; docs/DOMAIN.md §1 "Answers to a post"). A post may
-- ask for an answer: `ask` is {kind: "ack"} or {kind: "choice", options: [2..5 strings]}, each
-- with an optional deadline (ISO time). NULL: the post asks nothing.
ALTER TABLE posts ADD COLUMN ask jsonb;

-- One answer per post, answering person and the one it is for: a guardian answers once per
-- child of the audience (for_id = the child), everyone else for themselves (for_id = person_id).
-- Changing it overwrites the row (until the deadline); it lives and dies with its post
-- (retention: ON DELETE CASCADE; legal hold: the privacy source keeps the post).
CREATE TABLE post_answers (
  post_id     text        NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
  person_id   text        NOT NULL,
  for_id      text        NOT NULL,
  -- NULL: "I have read this" (an acknowledgement); else the index of the chosen option.
  choice      smallint    CHECK (choice IS NULL OR choice BETWEEN 0 AND 4),
  answered_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
  PRIMARY KEY (post_id, person_id, for_id)
);
CREATE INDEX post_answers_person ON post_answers (person_id);
CREATE INDEX post_answers_for ON post_answers (for_id);
