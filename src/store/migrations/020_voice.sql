-- Voice through Vapi (src/channels/voice/). A call is a conversation (id 'v_' + Vapi's call id); its facts from
-- Vapi's status updates and end-of-call report live in voice_calls, one row per call.
CREATE TABLE voice_calls (
  call_id text PRIMARY KEY,
  agent_id uuid NOT NULL REFERENCES agents (id),
  conversation_id text NOT NULL UNIQUE,
  customer_number text,
  phone_number_id text,
  status text,
  ended_reason text,
  transcript text,
  summary text,
  cost numeric,
  recording_url text,
  started_at timestamptz,
  ended_at timestamptz,
  report jsonb,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX voice_calls_agent ON voice_calls (agent_id, created_at DESC);

-- A run that runs one named tool on request (a Vapi tool call: Runtime.runRequestedTool) exists once per request id
-- and agent: a redelivered request finds the first run instead of starting a second.
CREATE UNIQUE INDEX runs_tool_request ON runs (agent_id, (trigger->>'requestId')) WHERE trigger->>'type' = 'tool_request';
