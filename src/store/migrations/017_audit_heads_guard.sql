-- audit_heads gets the events' protection. A head is never deleted or truncated; its seq and hash move only one
-- step forward, and only from the audit_events insert trigger (audit_extend_head), so a
-- head always names the event just appended; a head is created only there too (seq 1). checkpointed_seq (written
-- by a checkpoint) only moves forward, never past seq. audit_checkpoints: no TRUNCATE either, and a new checkpoint
-- must extend the chain (prev_hash = the newest checkpoint's hash, a higher id).
-- Triggers bind every role but the tables' owner, who can disable them: run the app as another role
-- (`twelve db app-role`) and anchor the trail outside the database (`twelve audit anchor`).
-- The rules are the triggers' WHEN conditions, so the appends that keep them (every audit event) call no function;
-- WHEN runs at the depth of the statement that fires it: 1 inside audit_extend_head, 0 for a statement of a client.
CREATE FUNCTION audit_reject_head_move() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION 'an audit head moves only with an appended event, its checkpoint mark only forward (% rejected)', TG_OP
    USING ERRCODE = 'TW002';
END
$fn$;

CREATE TRIGGER audit_heads_start BEFORE INSERT ON audit_heads FOR EACH ROW
  WHEN (NOT (pg_trigger_depth() >= 1 AND NEW.seq = 1 AND NEW.checkpointed_seq = 0))
  EXECUTE FUNCTION audit_reject_head_move();
CREATE TRIGGER audit_heads_move BEFORE UPDATE ON audit_heads FOR EACH ROW
  WHEN (NOT (NEW.stream = OLD.stream AND (
    -- an appended event: one step forward, from the insert trigger, checkpoint mark untouched
    (pg_trigger_depth() >= 1 AND NEW.seq = OLD.seq + 1 AND NEW.hash <> OLD.hash
      AND NEW.checkpointed_seq = OLD.checkpointed_seq)
    -- a checkpoint: the mark moves forward, never past the head, the head itself untouched
    OR (NEW.seq = OLD.seq AND NEW.hash = OLD.hash
      AND NEW.checkpointed_seq >= OLD.checkpointed_seq AND NEW.checkpointed_seq <= NEW.seq))))
  EXECUTE FUNCTION audit_reject_head_move();
CREATE TRIGGER audit_heads_no_delete BEFORE DELETE ON audit_heads
  FOR EACH ROW EXECUTE FUNCTION audit_reject_change();
CREATE TRIGGER audit_heads_no_truncate BEFORE TRUNCATE ON audit_heads
  FOR EACH STATEMENT EXECUTE FUNCTION audit_reject_change();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
  FOR EACH STATEMENT EXECUTE FUNCTION audit_reject_change();

CREATE FUNCTION audit_extend_checkpoints() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  last audit_checkpoints%ROWTYPE;
BEGIN
  SELECT * INTO last FROM audit_checkpoints ORDER BY id DESC LIMIT 1;
  IF NEW.prev_hash <> coalesce(last.hash, repeat('0', 64)) OR NEW.id <= coalesce(last.id, 0) THEN
    RAISE EXCEPTION 'a checkpoint must extend the checkpoint chain' USING ERRCODE = 'TW001';
  END IF;
  RETURN NEW;
END
$fn$;

CREATE TRIGGER audit_checkpoints_extend BEFORE INSERT ON audit_checkpoints
  FOR EACH ROW EXECUTE FUNCTION audit_extend_checkpoints();
