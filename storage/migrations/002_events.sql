-- The event log: every live event, in commit order. Ids are handed out under a transaction
-- advisory lock taken just before the insert (see storage/events.ts), so id order is commit
-- order and a cursor (the last id a client saw) never skips a row that commits late.
CREATE TABLE events (
  id          bigserial   PRIMARY KEY,
  name        text        NOT NULL,            -- post.created, message.created, ...
  keys        text[]      NOT NULL,            -- read keys: who may see it (hub/audience.ts)
  data        jsonb       NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_keys ON events USING gin (keys);
