-- Support agent: knowledge base (FAQ entries and articles chunked into passages), versioned edits,
-- conversations across channels, and what the inbox needs (draft agreement, reopen tracking).
CREATE TABLE kb_entries (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  agent_id uuid NOT NULL REFERENCES agents (id),
  title text NOT NULL,
  answer text NOT NULL,
  phrasings jsonb NOT NULL DEFAULT '[]',
  tags jsonb NOT NULL DEFAULT '[]',
  version int NOT NULL DEFAULT 1,
  deleted_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX kb_entries_agent ON kb_entries (agent_id) WHERE deleted_at IS NULL;

CREATE TABLE kb_articles (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  agent_id uuid NOT NULL REFERENCES agents (id),
  title text NOT NULL,
  source text NOT NULL,
  format text NOT NULL CHECK (format IN ('markdown', 'html', 'pdf', 'text')),
  body text NOT NULL,
  content_hash text NOT NULL,
  version int NOT NULL DEFAULT 1,
  deleted_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (agent_id, source)
);

CREATE TABLE kb_passages (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  article_id uuid NOT NULL REFERENCES kb_articles (id) ON DELETE CASCADE,
  agent_id uuid NOT NULL REFERENCES agents (id),
  idx int NOT NULL,
  heading text NOT NULL DEFAULT '',
  text text NOT NULL,
  UNIQUE (article_id, idx)
);

-- Every edit of an entry or article, as a snapshot: who changed what, when (maintenance time is measured from it).
CREATE TABLE kb_revisions (
  id bigserial PRIMARY KEY,
  agent_id uuid NOT NULL REFERENCES agents (id),
  subject text NOT NULL,
  version int NOT NULL,
  snapshot jsonb NOT NULL,
  edited_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX kb_revisions_subject ON kb_revisions (subject, version);

-- Bumped on every KB change; engines cached per agent retrain when it moves.
CREATE TABLE kb_state (
  agent_id uuid PRIMARY KEY REFERENCES agents (id),
  version int NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE conversations (
  id text PRIMARY KEY,
  agent_id uuid NOT NULL REFERENCES agents (id),
  channel text NOT NULL,
  customer_id text,
  -- a secret the channel client holds to resume the conversation (web chat), stored hashed
  resume_hash text,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'human', 'closed')),
  last_topic text,
  last_answered_at timestamptz,
  reopened boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conversations_agent ON conversations (agent_id, created_at DESC);
CREATE INDEX conversations_customer ON conversations (agent_id, customer_id, updated_at DESC);

ALTER TABLE messages ADD COLUMN meta jsonb NOT NULL DEFAULT '{}';
ALTER TABLE escalations ADD COLUMN draft_agreement real;

-- Delivery states of outbound messages (channels report delivered/read/failed).
ALTER TABLE messages DROP CONSTRAINT messages_status_check;
ALTER TABLE messages ADD CONSTRAINT messages_status_check
  CHECK (status IN ('received', 'sent', 'draft', 'review', 'delivered', 'read', 'failed'));
