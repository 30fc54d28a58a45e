-- What every audited step pays for, made cheaper without weakening the trail (issue 25).
--
-- 1. The head guard (017) fires AFTER the update instead of BEFORE it. Same WHEN rules, same refusal, same
--    transaction rolled back; but a BEFORE UPDATE row trigger makes PostgreSQL lock the head's tuple before it
--    evaluates the WHEN (one more WAL record and dirtied page per audit event), while an AFTER trigger's WHEN is
--    evaluated as the row changes, at the same trigger depth, and queues nothing when it holds.
DROP TRIGGER audit_heads_move ON audit_heads;
CREATE TRIGGER audit_heads_move AFTER UPDATE ON audit_heads FOR EACH ROW
  WHEN (NOT (NEW.stream = OLD.stream AND (
    -- an appended event: one step forward, from the insert trigger, checkpoint mark untouched
    (pg_trigger_depth() >= 1 AND NEW.seq = OLD.seq + 1 AND NEW.hash <> OLD.hash
      AND NEW.checkpointed_seq = OLD.checkpointed_seq)
    -- a checkpoint: the mark moves forward, never past the head, the head itself untouched
    OR (NEW.seq = OLD.seq AND NEW.hash = OLD.hash
      AND NEW.checkpointed_seq >= OLD.checkpointed_seq AND NEW.checkpointed_seq <= NEW.seq))))
  EXECUTE FUNCTION audit_reject_head_move();

-- 2. The two lookup indexes leave out the events nobody looks up by them. A run's events have the run as stream
--    and subject: they are found by stream (the (stream, seq) key). The per-step actions (HOT_ACTIONS in
--    src/audit/log.ts, the same list) are too common to need an index: a newest-first scan finds a page of them at
--    once. The audit listing adds the matching predicate to its query, so the planner can use these indexes.
DROP INDEX audit_subject;
CREATE INDEX audit_subject ON audit_events (subject, id) WHERE subject <> stream;
DROP INDEX audit_action;
CREATE INDEX audit_action ON audit_events (action, id)
  WHERE action NOT IN ('run.started', 'run.done', 'tool.intent', 'tool.succeeded', 'tool.failed', 'reply.sent');
