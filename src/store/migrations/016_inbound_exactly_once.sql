-- Inbound messages are processed exactly once across crashes (channels/inbound.ts).
--
-- A claim names the process that holds it (its node id; runtime/presence.ts tells whether that process still runs),
-- so a restarted node takes over a message a dead process was handling at once, not after a timeout. A row still
-- 'received' names the node that recorded it (which processes it next), for the same reason.
ALTER TABLE channel_inbound ADD COLUMN claimed_by text;
ALTER TABLE channel_inbound ADD COLUMN claimed_at timestamptz;

-- A customer message is stored once per client id in its conversation: the web chat's clientId, and for email and
-- WhatsApp the inbound row it came from. The runtime already refuses a known client id in the statement that starts
-- the run; this makes the rule hold for two statements racing on two nodes too (the loser sees the stored one).
-- Duplicates stored before this migration keep the id under another key; the first one keeps it.
UPDATE messages m SET meta = (m.meta - 'clientId') || jsonb_build_object('duplicateOfClientId', m.meta->>'clientId')
WHERE m.direction = 'in' AND m.meta->>'clientId' IS NOT NULL AND EXISTS (
  SELECT 1 FROM messages f
  WHERE f.conversation_id = m.conversation_id AND f.direction = 'in' AND f.meta->>'clientId' = m.meta->>'clientId'
    AND (f.created_at, f.id::text) < (m.created_at, m.id::text));
DROP INDEX messages_inbound_client_id;
CREATE UNIQUE INDEX messages_inbound_client_id ON messages (conversation_id, (meta->>'clientId'))
  WHERE direction = 'in' AND meta->>'clientId' IS NOT NULL;
