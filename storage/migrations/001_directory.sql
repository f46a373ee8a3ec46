-- The imported directory (SS 12000 shaped). Each imported entity is kept as its validated
-- record; what a later bundle no longer names gets ended_at, and replaced versions go to
-- directory_history, so history stays.
CREATE TABLE directory_records (
  kind        text        NOT NULL,   -- organisation | person | group | duty | activity | placement | role | setting
  id          text        NOT NULL,
  scope       text,                   -- the organisation the record belongs to (null: not scoped)
  data        jsonb       NOT NULL,
  first_seen  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  ended_at    timestamptz,
  PRIMARY KEY (kind, id)
);
CREATE INDEX directory_records_scope ON directory_records (scope) WHERE ended_at IS NULL;

CREATE TABLE directory_history (
  kind        text        NOT NULL,
  id          text        NOT NULL,
  data        jsonb       NOT NULL,
  replaced_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX directory_history_record ON directory_history (kind, id);

CREATE TABLE directory_imports (
  id          bigserial   PRIMARY KEY,
  digest      text        NOT NULL,
  changed     integer     NOT NULL,
  ended       integer     NOT NULL,
  imported_at timestamptz NOT NULL DEFAULT now()
);
