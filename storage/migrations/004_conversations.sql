CREATE TABLE conversations (
  id            text        PRIMARY KEY,
  creator_id    text        NOT NULL,
  subject       text,
  context       jsonb,
  last_seq      bigint      NOT NULL DEFAULT 0,
  last_message_at timestamptz,
  client_key    text        NOT NULL,
  -- Two people talking through the message function share one conversation: "a|b", sorted.
  direct_key    text        UNIQUE,
  created_at    timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
  UNIQUE (creator_id, client_key)
);
CREATE INDEX conversations_recent ON conversations (last_message_at DESC NULLS LAST, id);

CREATE TABLE conversation_members (
  conversation_id text      NOT NULL REFERENCES conversations (id),
  person_id     text        NOT NULL,
  read_seq      bigint      NOT NULL DEFAULT 0,
  joined_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (conversation_id, person_id)
);
CREATE INDEX conversation_members_person ON conversation_members (person_id);

CREATE TABLE messages (
  conversation_id text      NOT NULL REFERENCES conversations (id),
  seq           bigint      NOT NULL,
  id            text        NOT NULL UNIQUE,
  sender_id     text        NOT NULL,
  body          text        NOT NULL,
  client_key    text        NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
  PRIMARY KEY (conversation_id, seq),
  UNIQUE (sender_id, client_key)
);
