-- Posts and mailings written now and published later (post.create / mailing.create with
-- publishAt; docs/PROTOCOL.md "Scheduled posts and mailings"). Until published, nothing of them
-- reaches anyone but their author. Each is published once by whichever node takes it first:
-- that node locks the row (FOR UPDATE SKIP LOCKED) in the transaction that inserts the post and
-- marks the row published, so a node that dies half-way leaves it pending for another.
CREATE TABLE scheduled_items (
  id           text        PRIMARY KEY,
  kind         text        NOT NULL CHECK (kind IN ('post', 'mailing')),
  author_id    text        NOT NULL,
  -- The create request as validated (clientKey and publishAt taken out): what is published.
  request      jsonb       NOT NULL,
  publish_at   timestamptz NOT NULL,
  state        text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'published', 'cancelled', 'failed')),
  published_id text,                    -- the post or mailing it became
  failure      text,                    -- why it could not be published (the author lost the right)
  client_key   text        NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (author_id, client_key)
);
CREATE INDEX scheduled_items_due ON scheduled_items (publish_at) WHERE state = 'pending';
CREATE INDEX scheduled_items_author ON scheduled_items (author_id, publish_at);
