-- Notification preferences, one row per person who changed any (docs/NOTIFICATIONS.md). A person
-- without a row has the defaults: e-mail as an hourly digest, every kind on for push and
-- e-mail, no quiet hours of their own, Swedish. Kinds are listed when on, so that a kind added
-- later is off for nobody until they choose.
CREATE TABLE notification_preferences (
  person_id      text        PRIMARY KEY,
  email          text        NOT NULL DEFAULT 'hourly' CHECK (email IN ('immediate', 'hourly', 'daily', 'off')),
  push_off       text[]      NOT NULL DEFAULT '{}',   -- kinds the person turned off for push
  email_off      text[]      NOT NULL DEFAULT '{}',   -- kinds the person turned off for e-mail
  quiet_start    text,                                 -- 'HH:MM' local, with quiet_end and timezone
  quiet_end      text,
  quiet_timezone text,
  language       text        NOT NULL DEFAULT 'sv' CHECK (language IN ('sv', 'en')),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  CHECK ((quiet_start IS NULL) = (quiet_end IS NULL) AND (quiet_start IS NULL) = (quiet_timezone IS NULL))
);
