-- Privacy (issue 7, part B): the audit log of staff reads of protected persons' data, legal
-- holds that stop the retention job, and guardian blocks (secrecy against one guardian).
-- Retention periods live in the directory (a Huvudman's extensions.settings retentionDays).

-- One row per (staff read, protected person whose data it touched). Written in batches by
-- hub/privacy/audit.ts; never changed or deleted (the triggers below refuse it), so that the
-- log can be trusted as evidence of who read what.
CREATE TABLE audit_log (
  id          bigserial   PRIMARY KEY,
  at          timestamptz NOT NULL,            -- when the read happened (not when the batch was written)
  actor_id    text        NOT NULL,            -- the staff member who read (a person id), or 'admin-api'
  operation   text        NOT NULL,            -- history.get, inbox.get, contacts.get, export, ...
  subject_id  text        NOT NULL,            -- whose data: the protected person
  record_ids  text[]      NOT NULL DEFAULT '{}' -- which records (conversation, message, conference, group ids)
);
CREATE INDEX audit_log_subject ON audit_log (subject_id, id DESC);
CREATE INDEX audit_log_actor ON audit_log (actor_id, id DESC);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- A legal hold keeps records from the retention job. `kind`: 'person' (everything they wrote,
-- the conversations they are in, posts addressed to them, their conferences), 'conversation'
-- (one conversation and its messages), 'item' (one stored record by id: a plan, an assignment,
-- a post, a mailing, a conference, and part A's records). Releasing a hold deletes its row.
CREATE TABLE legal_holds (
  kind        text        NOT NULL,
  target_id   text        NOT NULL,
  reason      text        NOT NULL,
  set_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (kind, target_id)
);

-- Secrecy against one guardian for one child: the directory is built without that link
-- (hub/directory/build.ts), so every channel follows. Kept outside the imported records so
-- that a directory import can neither create nor silently end a protective decision.
CREATE TABLE guardian_blocks (
  guardian_id text        NOT NULL,
  child_id    text        NOT NULL,
  reason      text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (guardian_id, child_id)
);

-- What each retention run deleted, per district (for operators; not personal data).
CREATE TABLE retention_runs (
  id          bigserial   PRIMARY KEY,
  started_at  timestamptz NOT NULL,
  finished_at timestamptz NOT NULL DEFAULT now(),
  deleted     jsonb       NOT NULL               -- {"d-exempel": {"messages": 12, ...}, "events": 40}
);
