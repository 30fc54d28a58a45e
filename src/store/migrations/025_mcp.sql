-- The MCP gateway (src/mcp/gateway/): outside MCP servers attached to an agent, and the tool definitions they list.
-- A definition is fingerprinted (SHA-256 of the canonical JSON of name, title, description, schemas, annotations);
-- a new or changed one is quarantined (not offered to the agent) until a person accepts that fingerprint.
CREATE TABLE mcp_servers (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  agent_id uuid NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
  name text NOT NULL CHECK (name ~ '^[a-z0-9][a-z0-9-]{0,39}$'),
  transport text NOT NULL CHECK (transport IN ('stdio', 'http')),
  command text,
  args jsonb NOT NULL DEFAULT '[]',
  env jsonb NOT NULL DEFAULT '{}',
  url text,
  headers jsonb NOT NULL DEFAULT '{}',
  timeout_ms integer NOT NULL DEFAULT 15000 CHECK (timeout_ms BETWEEN 100 AND 300000),
  max_output_bytes integer NOT NULL DEFAULT 65536 CHECK (max_output_bytes BETWEEN 1024 AND 10485760),
  last_listed_at timestamptz,
  last_error text,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL,
  UNIQUE (agent_id, name),
  CHECK ((transport = 'stdio' AND command IS NOT NULL) OR (transport = 'http' AND url IS NOT NULL))
);

CREATE TABLE mcp_tools (
  server_id uuid NOT NULL REFERENCES mcp_servers (id) ON DELETE CASCADE,
  name text NOT NULL,
  -- What the server listed last, and its fingerprint.
  definition jsonb NOT NULL,
  fingerprint text NOT NULL,
  -- What a person accepted (null until the first acceptance).
  accepted_definition jsonb,
  accepted_fingerprint text,
  accepted_by text,
  accepted_at timestamptz,
  -- quarantined: new or changed since accepted; accepted: offered to the agent; removed: no longer listed.
  status text NOT NULL CHECK (status IN ('quarantined', 'accepted', 'removed')),
  risk_override text CHECK (risk_override IN ('read', 'write', 'destructive', 'spend')),
  -- Instructions aimed at the model found in the definition's text (untrusted), for the person who accepts.
  flags jsonb NOT NULL DEFAULT '[]',
  seen_at timestamptz NOT NULL,
  PRIMARY KEY (server_id, name)
);
