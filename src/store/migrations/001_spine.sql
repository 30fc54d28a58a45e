-- The spine: agents, readiness, runs, steps, tool calls, approvals, escalations, spend, audit trail.
CREATE EXTENSION IF NOT EXISTS pgcrypto;
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE settings (
  key text PRIMARY KEY,
  value jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE agents (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind text NOT NULL CHECK (kind IN ('support', 'receptionist', 'hiring', 'custom')),
  name text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  display_name text NOT NULL,
  brain text NOT NULL DEFAULT 'local' CHECK (brain IN ('local', 'llm', 'scripted')),
  step_budget int NOT NULL DEFAULT 10 CHECK (step_budget BETWEEN 1 AND 25),
  confidence_threshold real NOT NULL DEFAULT 0.7 CHECK (confidence_threshold BETWEEN 0 AND 1),
  always_human_topics jsonb NOT NULL DEFAULT '[]',
  spend_cap_cents int CHECK (spend_cap_cents >= 0),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused')),
  -- Who takes escalations (until accounts exist these are named contacts) and, for voice, where calls go.
  escalation_contacts jsonb NOT NULL DEFAULT '[]',
  transfer_number text,
  -- Pilot cohort: a percentage of conversations (stable hash) and/or an allow-list of customer ids.
  pilot_percent int NOT NULL DEFAULT 10 CHECK (pilot_percent BETWEEN 0 AND 100),
  pilot_allow_list jsonb NOT NULL DEFAULT '[]',
  -- Per-tool stricter settings: { "<tool>": { "approval": "always" } }. Config can only tighten policy.
  tool_overrides jsonb NOT NULL DEFAULT '{}',
  config jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE readiness_assessments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  agent_id uuid NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
  version int NOT NULL,
  clarity int NOT NULL CHECK (clarity BETWEEN 1 AND 5),
  tolerance int NOT NULL CHECK (tolerance BETWEEN 1 AND 5),
  fallback int NOT NULL CHECK (fallback BETWEEN 1 AND 5),
  total int NOT NULL,
  band text NOT NULL,
  rationale text NOT NULL DEFAULT '',
  assessed_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (agent_id, version)
);

CREATE TABLE evaluations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  agent_id uuid NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
  kind text NOT NULL,
  passed boolean NOT NULL,
  report jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX evaluations_agent ON evaluations (agent_id, created_at DESC);

CREATE TABLE runs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  agent_id uuid NOT NULL REFERENCES agents (id),
  status text NOT NULL CHECK (status IN
    ('running', 'suspended', 'checkpoint', 'escalated', 'done', 'closed', 'failed')),
  trigger jsonb NOT NULL,
  conversation_id text,
  steps_used int NOT NULL DEFAULT 0,
  budget int NOT NULL,
  outcome text,
  mode text NOT NULL CHECK (mode IN ('production', 'pilot', 'shadow')),
  in_cohort boolean NOT NULL DEFAULT false,
  lease_owner text,
  lease_until timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX runs_agent ON runs (agent_id, created_at DESC);
CREATE INDEX runs_status ON runs (status) WHERE status IN ('running', 'suspended', 'checkpoint');

CREATE TABLE steps (
  run_id uuid NOT NULL REFERENCES runs (id),
  idx int NOT NULL,
  action jsonb NOT NULL,
  decision text NOT NULL,
  result jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (run_id, idx)
);

CREATE TABLE tool_calls (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  run_id uuid NOT NULL REFERENCES runs (id),
  step_idx int NOT NULL,
  tool text NOT NULL,
  args jsonb NOT NULL,
  risk text NOT NULL CHECK (risk IN ('read', 'write', 'destructive', 'spend')),
  decision text NOT NULL CHECK (decision IN ('execute', 'approval', 'record', 'deny')),
  -- pending: awaiting approval; ready: may execute; executing: handler started (a crash here is ambiguous)
  status text NOT NULL CHECK (status IN
    ('pending', 'ready', 'executing', 'succeeded', 'failed', 'recorded', 'denied', 'expired', 'ambiguous')),
  idempotency_key text NOT NULL UNIQUE,
  cost_cents int NOT NULL DEFAULT 0,
  result jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz,
  UNIQUE (run_id, step_idx)
);

CREATE TABLE approvals (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  run_id uuid NOT NULL REFERENCES runs (id),
  tool_call_id uuid NOT NULL UNIQUE REFERENCES tool_calls (id),
  agent_id uuid NOT NULL REFERENCES agents (id),
  reason text NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'denied', 'expired')),
  decided_by text,
  decision_reason text,
  decided_at timestamptz,
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX approvals_pending ON approvals (expires_at) WHERE status = 'pending';

CREATE TABLE escalations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  agent_id uuid NOT NULL REFERENCES agents (id),
  run_id uuid REFERENCES runs (id),
  conversation_id text,
  kind text NOT NULL DEFAULT 'escalation' CHECK (kind IN ('escalation', 'review', 'checkpoint')),
  reason text NOT NULL,
  summary text NOT NULL DEFAULT '',
  suggested_reply text,
  state text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'claimed', 'resolved')),
  claimed_by text,
  claimed_at timestamptz,
  resolved_by text,
  resolved_at timestamptz,
  resolution text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX escalations_open ON escalations (agent_id, created_at) WHERE state <> 'resolved';

CREATE TABLE messages (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  run_id uuid REFERENCES runs (id),
  agent_id uuid NOT NULL REFERENCES agents (id),
  conversation_id text,
  direction text NOT NULL CHECK (direction IN ('in', 'out')),
  author text NOT NULL CHECK (author IN ('customer', 'agent', 'human')),
  status text NOT NULL CHECK (status IN ('received', 'sent', 'draft', 'review')),
  body text NOT NULL,
  confidence real,
  sources jsonb NOT NULL DEFAULT '[]',
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX messages_conversation ON messages (conversation_id, created_at);

CREATE TABLE spend_ledger (
  id bigserial PRIMARY KEY,
  agent_id uuid NOT NULL REFERENCES agents (id),
  run_id uuid REFERENCES runs (id),
  category text NOT NULL CHECK (category IN ('llm_tokens', 'voice_minutes', 'paid_messages', 'tool')),
  cents int NOT NULL CHECK (cents >= 0),
  day date NOT NULL,
  detail jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX spend_agent_day ON spend_ledger (agent_id, day);

-- Audit trail: one hash chain per stream (a run, an agent, the system), so writers of different streams
-- never wait for each other. audit_heads holds each stream's last link; the insert trigger below keeps it
-- and refuses any event that does not extend it. audit_checkpoints chain the heads of all streams together.
CREATE TABLE audit_events (
  id bigserial PRIMARY KEY,
  stream text NOT NULL,
  seq int NOT NULL CHECK (seq >= 1),
  at timestamptz NOT NULL,
  actor text NOT NULL,
  action text NOT NULL,
  subject text NOT NULL,
  payload jsonb NOT NULL,
  prev_hash text NOT NULL,
  hash text NOT NULL,
  UNIQUE (stream, seq)
);
CREATE INDEX audit_subject ON audit_events (subject, id);
CREATE INDEX audit_action ON audit_events (action, id);

CREATE TABLE audit_heads (
  stream text PRIMARY KEY,
  seq int NOT NULL,
  hash text NOT NULL,
  checkpointed_seq int NOT NULL DEFAULT 0
);

CREATE TABLE audit_checkpoints (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL,
  heads jsonb NOT NULL,
  prev_hash text NOT NULL,
  hash text NOT NULL
);

CREATE FUNCTION audit_extend_head() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  head audit_heads%ROWTYPE;
BEGIN
  SELECT * INTO head FROM audit_heads WHERE stream = NEW.stream FOR UPDATE;
  IF NOT FOUND THEN
    IF NEW.seq <> 1 OR NEW.prev_hash <> repeat('0', 64) THEN
      RAISE EXCEPTION 'audit chain conflict on %', NEW.stream USING ERRCODE = 'TW001';
    END IF;
    INSERT INTO audit_heads (stream, seq, hash) VALUES (NEW.stream, NEW.seq, NEW.hash);
  ELSE
    IF NEW.seq <> head.seq + 1 OR NEW.prev_hash <> head.hash THEN
      RAISE EXCEPTION 'audit chain conflict on %', NEW.stream USING ERRCODE = 'TW001';
    END IF;
    UPDATE audit_heads SET seq = NEW.seq, hash = NEW.hash WHERE stream = NEW.stream;
  END IF;
  RETURN NEW;
END
$fn$;

CREATE TRIGGER audit_events_extend BEFORE INSERT ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_extend_head();

CREATE FUNCTION audit_reject_change() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION 'the audit trail is append-only (% rejected)', TG_OP USING ERRCODE = 'TW002';
END
$fn$;

CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_reject_change();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_reject_change();
CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
  FOR EACH ROW EXECUTE FUNCTION audit_reject_change();
