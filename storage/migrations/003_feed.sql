-- Times that clients page by are kept to the millisecond, as they travel in ISO strings.
-- Posts and mailings: one row each with its audience (never a row per reader).
CREATE TABLE posts (
  id          text        PRIMARY KEY,
  school_id   text        NOT NULL,
  author_id   text        NOT NULL,
  title       text        NOT NULL,
  body        text        NOT NULL,
  audience    jsonb       NOT NULL,
  keys        text[]      NOT NULL,
  client_key  text        NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
  UNIQUE (author_id, client_key)
);
CREATE INDEX posts_keys ON posts USING gin (keys);
CREATE INDEX posts_created ON posts (created_at DESC, id DESC);

CREATE TABLE mailings (
  id          text        PRIMARY KEY,
  district_id text        NOT NULL,
  school_ids  text[]      NOT NULL,
  author_id   text        NOT NULL,
  title       text        NOT NULL,
  body        text        NOT NULL,
  recipients  jsonb       NOT NULL,
  keys        text[]      NOT NULL,
  client_key  text        NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
  UNIQUE (author_id, client_key)
);
CREATE INDEX mailings_keys ON mailings USING gin (keys);
CREATE INDEX mailings_created ON mailings (created_at DESC, id DESC);

-- Reading state per reader: only the items a reader has read.
CREATE TABLE feed_reads (
  person_id   text        NOT NULL,
  item_id     text        NOT NULL,
  read_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (person_id, item_id)
);
