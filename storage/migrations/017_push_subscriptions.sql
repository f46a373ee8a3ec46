-- Web Push subscriptions (docs/NOTIFICATIONS.md "Web Push"): one row per device, the browser's
-- push endpoint and the keys a message to it is encrypted with, owned by one person. An
-- endpoint is unique: one device is one person's at a time. `renewed_at` is the last
-- push.subscribe of the device (the widget renews on every page load while push is on); the
-- retention job removes devices not renewed within their district's period.
CREATE TABLE push_subscriptions (
  id          text        PRIMARY KEY,
  person_id   text        NOT NULL,
  endpoint    text        NOT NULL UNIQUE,
  p256dh      text        NOT NULL,
  auth        text        NOT NULL,
  label       text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  renewed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX push_subscriptions_person ON push_subscriptions (person_id, renewed_at DESC);
