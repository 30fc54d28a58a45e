-- Every customer message asks whether its client id was already taken in the conversation (idempotent sends):
-- an index for it, so the check no longer reads every message of a long conversation.
CREATE INDEX messages_inbound_client_id ON messages (conversation_id, (meta->>'clientId')) WHERE direction = 'in';

-- The audit head is extended with one UPDATE that only matches the expected link (it locks and re-checks the row
-- itself), instead of SELECT … FOR UPDATE followed by an UPDATE: one lookup and one tuple lock (a WAL record) less
-- per event. Same rules: an event extends its stream's head or fails with TW001; a stream starts at seq 1 from the
-- genesis hash, and a second start of the same stream (concurrent or not) is a conflict too.
CREATE OR REPLACE FUNCTION audit_extend_head() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  UPDATE audit_heads SET seq = NEW.seq, hash = NEW.hash
    WHERE stream = NEW.stream AND seq = NEW.seq - 1 AND hash = NEW.prev_hash;
  IF FOUND THEN
    RETURN NEW;
  END IF;
  IF NEW.seq = 1 AND NEW.prev_hash = repeat('0', 64) THEN
    INSERT INTO audit_heads (stream, seq, hash) VALUES (NEW.stream, NEW.seq, NEW.hash) ON CONFLICT (stream) DO NOTHING;
    IF FOUND THEN
      RETURN NEW;
    END IF;
  END IF;
  RAISE EXCEPTION 'audit chain conflict on %', NEW.stream USING ERRCODE = 'TW001';
END
$fn$;
