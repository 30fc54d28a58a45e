-- What each node's support engines answer with: engines are trained per process, so behind a load balancer one node
-- may still train a KB version that another already serves. Every server writes its own rows as its engines change
-- and touches them while it runs (server/engine-reports.ts); the KB page reads them all. UNLOGGED: status nobody
-- needs after a crash (the table comes back empty, and running servers write their rows again).
CREATE UNLOGGED TABLE engine_nodes (
  node_id text NOT NULL,
  agent_id uuid NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
  kb_version integer NOT NULL,
  state text NOT NULL CHECK (state IN ('ready', 'training', 'pending')),
  serving_version integer,
  trained_at timestamptz,
  train_ms integer,
  training_version integer,
  seen_at timestamptz NOT NULL,
  PRIMARY KEY (agent_id, node_id)
);
CREATE INDEX engine_nodes_by_node ON engine_nodes (node_id);
