-- Email: attachments kept with the inbound message they came with (bytea, within the channel's limits). They are
-- stored for people to download and are never executed or parsed beyond their metadata. Written in the same
-- transaction as the channel_inbound row, so a message is recorded with all its kept files or not at all.
CREATE TABLE email_attachments (
  channel text NOT NULL DEFAULT 'email' CHECK (channel = 'email'),
  external_id text NOT NULL,
  idx int NOT NULL,
  agent_id uuid NOT NULL REFERENCES agents (id),
  filename text NOT NULL,
  content_type text NOT NULL,
  size int NOT NULL,
  sha256 text NOT NULL,
  content bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (external_id, idx),
  FOREIGN KEY (channel, external_id) REFERENCES channel_inbound (channel, external_id)
);

-- The per-sender loop breaker counts a sender's recent mail to an agent (RFC 3834 §2: don't answer a loop).
CREATE INDEX channel_inbound_email_sender ON channel_inbound (agent_id, (payload->>'from'), received_at)
  WHERE channel = 'email';
