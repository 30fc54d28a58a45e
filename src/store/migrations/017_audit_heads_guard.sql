-- audit_heads gets the events' protection. A head is never deleted or truncated; its seq and hash move only one
-- step forward, and only from the audit_events insert trigger (audit_extend_head: pg_trigger_depth() > 1), so a
-- head always names the event just appended; a head is created only there too (seq 1). checkpointed_seq (written
-- by a checkpoint) only moves forward, never past seq. audit_checkpoints: no TRUNCATE either, and a new checkpoint
-- must extend the chain (prev_hash = the newest checkpoint's hash, a higher id).
-- Triggers bind every role but the tables' owner, who can disable them: run the app as another role
-- (docs/sql/app-role.sql) and anchor the trail outside the database (`twelve audit anchor`).
CREATE FUNCTION audit_guard_head() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF pg_trigger_depth() < 2 OR NEW.seq <> 1 OR NEW.checkpointed_seq <> 0 THEN
      RAISE EXCEPTION 'an audit head starts only with its stream''s first event (INSERT rejected)' USING ERRCODE = 'TW002';
    END IF;
    RETURN NEW;
  END IF;
  IF NEW.stream <> OLD.stream THEN
    RAISE EXCEPTION 'an audit head keeps its stream (UPDATE rejected)' USING ERRCODE = 'TW002';
  END IF;
  IF (NEW.seq, NEW.hash) IS DISTINCT FROM (OLD.seq, OLD.hash)
     AND (pg_trigger_depth() < 2 OR NEW.seq <> OLD.seq + 1 OR NEW.hash = OLD.hash) THEN
    RAISE EXCEPTION 'an audit head moves only one appended event forward (UPDATE rejected)' USING ERRCODE = 'TW002';
  END IF;
  IF NEW.checkpointed_seq < OLD.checkpointed_seq OR NEW.checkpointed_seq > NEW.seq THEN
    RAISE EXCEPTION 'an audit head''s checkpoint moves only forward (UPDATE rejected)' USING ERRCODE = 'TW002';
  END IF;
  RETURN NEW;
END
$fn$;

CREATE TRIGGER audit_heads_guard BEFORE INSERT OR UPDATE ON audit_heads
  FOR EACH ROW EXECUTE FUNCTION audit_guard_head();
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
