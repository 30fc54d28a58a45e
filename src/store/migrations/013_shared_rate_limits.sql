-- Rate-limit counts shared by every node (web chat: messages and new conversations per IP address), so a client
-- spread over several nodes by the load balancer gets the limit once, not once per node. Nodes count locally and
-- add their counts here in batches (src/channels/webchat/rate-limit.ts). UNLOGGED: no WAL for a counter nobody
-- needs after a crash (the table comes back empty, which forgives the current window).
CREATE UNLOGGED TABLE rate_limit_hits (
  scope text NOT NULL,
  key text NOT NULL,
  window_start timestamptz NOT NULL,
  hits integer NOT NULL CHECK (hits >= 0),
  PRIMARY KEY (scope, key, window_start)
);
