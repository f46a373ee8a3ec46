-- The notification outbox (docs/NOTIFICATIONS.md): notices derived from committed events, after
-- the commit, never in the writing transaction. Three tables, each claimed with FOR UPDATE SKIP
-- LOCKED so that any node can do the work and no two do the same piece:
--   notification_cursor  the last event the deriver has looked at (one row);
--   notification_jobs    one per event that someone may be told of, with its audience
--                        expanded in batches (next_person: where the next batch starts);
--   notification_outbox  one per (recipient, channel, device or address, event): the unique
--                        key that makes each send happen at most once.

-- A post that a school leader marks urgent goes through quiet hours and digests at once.
ALTER TABLE posts ADD COLUMN urgent boolean NOT NULL DEFAULT false;

CREATE TABLE notification_cursor (
  id         int         PRIMARY KEY CHECK (id = 1),
  event_id   bigint      NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- Events before the outbox existed are history: nobody is told of them now.
INSERT INTO notification_cursor (id, event_id) SELECT 1, coalesce(max(id), 0) FROM events;

CREATE TABLE notification_jobs (
  event_id    bigint      PRIMARY KEY,
  source      jsonb       NOT NULL,            -- what the event says, cut to what a notice needs (hub/notify/source.ts)
  keys        text[]      NOT NULL,            -- the event's read keys: who may read it
  school_id   text,                            -- the school it belongs to, when it has one (retention)
  next_person text        NOT NULL DEFAULT '', -- expansion resumes after this person id (ids in order)
  done        boolean     NOT NULL DEFAULT false,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notification_jobs_open ON notification_jobs (event_id) WHERE NOT done;

CREATE TABLE notification_outbox (
  id          bigserial   PRIMARY KEY,
  event_id    bigint      NOT NULL REFERENCES notification_jobs (event_id) ON DELETE CASCADE,
  person_id   text        NOT NULL,
  channel     text        NOT NULL CHECK (channel IN ('push', 'email')),
  target      text        NOT NULL,            -- push: the subscription id; email: the address
  digest      text        NOT NULL CHECK (digest IN ('immediate', 'hourly', 'daily')),
  state       text        NOT NULL DEFAULT 'waiting'
              CHECK (state IN ('waiting', 'sending', 'sent', 'skipped', 'gone', 'given_up')),
  due_at      timestamptz NOT NULL,
  tries       int         NOT NULL DEFAULT 0,
  lease_until timestamptz,                     -- claimed by a node until then
  lease_node  text,
  reason      text,                            -- why skipped, gone or given up; the last retry's reason
  created_at  timestamptz NOT NULL DEFAULT now(),
  done_at     timestamptz,
  UNIQUE (person_id, channel, target, event_id)
);
CREATE INDEX notification_outbox_due ON notification_outbox (due_at) WHERE state = 'waiting';
CREATE INDEX notification_outbox_sending ON notification_outbox (lease_until) WHERE state = 'sending';
CREATE INDEX notification_outbox_person ON notification_outbox (person_id);
