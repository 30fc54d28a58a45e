-- The support team's inbox (issue 24): saved replies, a hand-off assigned to a teammate, the reply-time target,
-- the customer's satisfaction with a conversation, and answers a person has reviewed.

-- Saved answers anyone on the team may insert in the reply box.
CREATE TABLE canned_replies (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  body text NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX canned_replies_title ON canned_replies (lower(title));

-- Who on the team should take a hand-off (a user; removing the user clears it).
ALTER TABLE escalations ADD COLUMN assigned_to uuid REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE escalations ADD COLUMN assigned_at timestamptz;

-- Team settings of the inbox, one row: the reply-time target (minutes a customer should wait at most).
CREATE TABLE inbox_settings (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  reply_target_minutes int NOT NULL DEFAULT 60 CHECK (reply_target_minutes BETWEEN 1 AND 10080),
  updated_by text,
  updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO inbox_settings (id) VALUES (true);

-- The customer's answer to "Was this helpful?" at the end of a web chat: one per conversation, the last one kept.
ALTER TABLE conversations ADD COLUMN satisfaction smallint CHECK (satisfaction IN (-1, 1));
ALTER TABLE conversations ADD COLUMN satisfaction_at timestamptz;

-- A person checked the agent's answers in a conversation (the review queue): fine, or wrong.
CREATE TABLE conversation_reviews (
  conversation_id text PRIMARY KEY REFERENCES conversations (id) ON DELETE CASCADE,
  verdict text NOT NULL CHECK (verdict IN ('ok', 'wrong')),
  reviewed_by text NOT NULL,
  reviewed_at timestamptz NOT NULL DEFAULT now()
);

-- No index on conversations.updated_at for the Conversations view's order: every message moves it, and an index on
-- it would stop that update being HOT (migration 012); the view sorts the matching rows instead.
