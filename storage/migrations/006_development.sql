-- The development records of docs/DOMAIN.md §4, §6–§8: feedback in plans and assignments,
-- assessments, forms in development conferences, preschool documentation and its attachments.
-- Each row carries the read keys of its audience (hub/audience-development.ts) and the
-- student(s) it is about, so that a student card is one indexed query per kind.
-- Rows hang off what they belong to with ON DELETE CASCADE: deleting an item, a conference or a
-- documentation (retention, erasure) takes its records with it.

-- §6: feedback to one student in a plan or assignment. group/school are the item's.
CREATE TABLE feedback (
  id           text        PRIMARY KEY,
  item_id      text        NOT NULL REFERENCES items (id) ON DELETE CASCADE,
  school_id    text        NOT NULL,
  group_id     text        NOT NULL,
  student_id   text        NOT NULL,
  author_id    text        NOT NULL,
  body         text        NOT NULL,
  state        text        NOT NULL CHECK (state IN ('draft', 'published')),
  keys         text[]      NOT NULL,
  client_key   text        NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
  updated_at   timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
  published_at timestamptz,
  UNIQUE (author_id, client_key)
);
CREATE INDEX feedback_keys ON feedback USING gin (keys);
CREATE INDEX feedback_student ON feedback (student_id, created_at DESC, id DESC);
CREATE INDEX feedback_item ON feedback (item_id, created_at DESC, id DESC);

-- §7: an assessment of one student in the subject of a teaching group: a level of the
-- school's scale and/or free text. `subject` is the group's name when it was written.
CREATE TABLE assessments (
  id           text        PRIMARY KEY,
  school_id    text        NOT NULL,
  group_id     text        NOT NULL,
  student_id   text        NOT NULL,
  author_id    text        NOT NULL,
  subject      text        NOT NULL,
  level        text,
  body         text,
  state        text        NOT NULL CHECK (state IN ('draft', 'published')),
  keys         text[]      NOT NULL,
  client_key   text        NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
  updated_at   timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
  published_at timestamptz,
  CHECK (level IS NOT NULL OR body IS NOT NULL),
  UNIQUE (author_id, client_key)
);
CREATE INDEX assessments_keys ON assessments USING gin (keys);
CREATE INDEX assessments_student ON assessments (student_id, created_at DESC, id DESC);
CREATE INDEX assessments_group ON assessments (group_id, created_at DESC, id DESC);

-- §8: a form (a template of hub/rules/form-templates.ts) added to a conference; one per
-- template and conference. `answers`: {fieldId: {value, by, at}}. Visible fields follow the
-- conference's state (the view's business); the keys list everyone who sees any side.
CREATE TABLE forms (
  id            text        PRIMARY KEY,
  conference_id text        NOT NULL REFERENCES conferences (id) ON DELETE CASCADE,
  template_id   text        NOT NULL,
  school_id     text        NOT NULL,
  student_id    text        NOT NULL,
  mentor_id     text        NOT NULL,
  answers       jsonb       NOT NULL DEFAULT '{}',
  keys          text[]      NOT NULL,
  client_key    text        NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
  updated_at    timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
  UNIQUE (conference_id, template_id),
  UNIQUE (mentor_id, client_key)
);
CREATE INDEX forms_keys ON forms USING gin (keys);
CREATE INDEX forms_student ON forms (student_id, created_at DESC, id DESC);

-- §4: preschool documentation of a child group: the children it concerns (the chosen ones, or
-- the group's children when it was written), the curriculum goals worked on.
CREATE TABLE documentation (
  id           text        PRIMARY KEY,
  school_id    text        NOT NULL,
  group_id     text        NOT NULL,
  author_id    text        NOT NULL,
  title        text        NOT NULL,
  body         text        NOT NULL,
  goals        text[]      NOT NULL DEFAULT '{}',
  child_ids    text[]      NOT NULL,
  whole_group  boolean     NOT NULL,
  keys         text[]      NOT NULL,
  client_key   text        NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
  updated_at   timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
  UNIQUE (author_id, client_key)
);
CREATE INDEX documentation_keys ON documentation USING gin (keys);
CREATE INDEX documentation_children ON documentation USING gin (child_ids);
CREATE INDEX documentation_group ON documentation (group_id, created_at DESC, id DESC);

-- Uploaded files: the bytes under HUB_DATA_DIR/attachments/<id>, the facts here. An
-- attachment belongs to its uploader until a documentation takes it (once).
CREATE TABLE attachments (
  id               text        PRIMARY KEY,
  owner_id         text        NOT NULL,
  content_type     text        NOT NULL,
  size             integer     NOT NULL,
  filename         text        NOT NULL,
  sha256           text        NOT NULL,
  documentation_id text        REFERENCES documentation (id) ON DELETE CASCADE,
  created_at       timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now())
);
CREATE INDEX attachments_documentation ON attachments (documentation_id);
CREATE INDEX attachments_owner ON attachments (owner_id, created_at DESC);
