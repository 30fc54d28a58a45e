-- Measurement (src/metrics/, issue 22). work_log: time a person spent on an agent outside Twelve, logged by hand
-- (API and CLI, audited). maintenance_traps: one row per time an agent entered the maintenance trap (net hours
-- below zero over the last 30 days, or trending there), with the figures behind it; `cleared_at` set when it
-- left. At most one open trap per agent, so a trigger is recorded, audited and announced once.
CREATE TABLE work_log (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  agent_id uuid NOT NULL REFERENCES agents (id),
  minutes int NOT NULL CHECK (minutes BETWEEN 1 AND 1440),
  worked_on date NOT NULL,
  note text NOT NULL DEFAULT '',
  logged_by text NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX work_log_agent ON work_log (agent_id, worked_on);

CREATE TABLE maintenance_traps (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  agent_id uuid NOT NULL REFERENCES agents (id),
  reason text NOT NULL CHECK (reason IN ('negative', 'trending')),
  figures jsonb NOT NULL,
  entered_at timestamptz NOT NULL,
  cleared_at timestamptz
);
CREATE UNIQUE INDEX maintenance_traps_open ON maintenance_traps (agent_id) WHERE cleared_at IS NULL;

-- Outcomes (metrics/outcomes.ts) ask, per conversation, whether a person had it (any escalation, resolved ones too).
CREATE INDEX escalations_by_conversation ON escalations (conversation_id);
