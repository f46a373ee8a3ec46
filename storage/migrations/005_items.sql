-- Plans, assignments and development conferences (docs/DOMAIN.md §5, §3), and what conversations
-- need to hang off them: a context, a membership that follows the directory, one thread per
-- item and student, edits and deletes kept as tombstones, quiet-hours flags, full-text search.
-- Times that clients page by are kept to the millisecond, as they travel in ISO strings.

-- One row per plan or assignment; `keys` are the read keys of its audience for its state
-- (hub/audience.ts itemKeys): owners only until published, then the group's students, their
-- guardians and the school's admins. Rewritten when the state changes.
CREATE TABLE items (
  id           text        PRIMARY KEY,
  kind         text        NOT NULL CHECK (kind IN ('plan', 'assignment')),
  school_id    text        NOT NULL,
  group_id     text        NOT NULL,
  author_id    text        NOT NULL,
  title        text        NOT NULL,
  description  text        NOT NULL DEFAULT '',
  subject      text,
  starts_on    date,
  due_on       date,
  state        text        NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'published', 'hidden', 'closed')),
  keys         text[]      NOT NULL,
  client_key   text        NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
  updated_at   timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
  published_at timestamptz,
  UNIQUE (author_id, client_key)
);
CREATE INDEX items_keys ON items USING gin (keys);
CREATE INDEX items_created ON items (created_at DESC, id DESC);
CREATE INDEX items_group ON items (group_id, created_at DESC, id DESC);

-- Development conferences: the mentor, the student and (through the mentor group) the
-- student's guardians as the directory has them when they read.
CREATE TABLE conferences (
  id          text        PRIMARY KEY,
  school_id   text        NOT NULL,
  group_id    text        NOT NULL,   -- the mentor group through which the mentor mentors the student
  mentor_id   text        NOT NULL,
  student_id  text        NOT NULL,
  title       text        NOT NULL,
  starts_at   timestamptz NOT NULL,
  location    text,
  state       text        NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed')),
  keys        text[]      NOT NULL,
  client_key  text        NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
  closed_at   timestamptz,
  UNIQUE (mentor_id, client_key)
);
CREATE INDEX conferences_keys ON conferences USING gin (keys);
CREATE INDEX conferences_created ON conferences (created_at DESC, id DESC);

-- docs/DOMAIN.md §3: "guardians who earlier started a conversation with them through a plan or
-- assignment" may later be messaged directly by that teacher. One row per pair, kept.
CREATE TABLE item_conversation_starters (
  teacher_id      text        NOT NULL,
  person_id       text        NOT NULL,
  conversation_id text        NOT NULL REFERENCES conversations (id),
  first_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (teacher_id, person_id)
);

-- Conversations whose membership follows the directory (a whole mentor group, its guardians,
-- a conference's family) carry an `audience` and its read `keys`; their conversation_members
-- rows are only read marks. `thread_key` keeps one thread per item and student, per
-- conference, and per group and audience without a subject.
ALTER TABLE conversations
  ADD COLUMN audience   jsonb,
  ADD COLUMN keys       text[],
  ADD COLUMN thread_key text UNIQUE;
CREATE INDEX conversations_keys ON conversations USING gin (keys);

ALTER TABLE messages
  ADD COLUMN edited_at   timestamptz,
  ADD COLUMN deleted_at  timestamptz,   -- a tombstone: the row and its seq stay, the body is emptied
  ADD COLUMN quiet_hours boolean NOT NULL DEFAULT false,
  -- Swedish stems ("läxorna" → läx) and the plain words (names, other languages) side by side.
  ADD COLUMN search      tsvector GENERATED ALWAYS AS (to_tsvector('swedish', body) || to_tsvector('simple', body)) STORED;
CREATE INDEX messages_search ON messages USING gin (search);
CREATE INDEX messages_created ON messages (created_at DESC, id DESC);
