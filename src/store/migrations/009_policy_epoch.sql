-- A counter that moves with every change to what an agent's configuration and effective readiness mode are
-- computed from: agents, readiness assessments, evaluations, users (the humans who can take escalations). A node
-- may cache an agent and its mode together with the counter it read them under; the statement that starts a run
-- checks the counter, so no node ever starts a run from a copy that a committed change made stale.
CREATE TABLE policy_epoch (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  epoch bigint NOT NULL DEFAULT 0
);
INSERT INTO policy_epoch DEFAULT VALUES;

CREATE FUNCTION policy_epoch_bump() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  UPDATE policy_epoch SET epoch = epoch + 1;
  RETURN NULL;
END
$fn$;

CREATE TRIGGER agents_policy_epoch AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON agents
  FOR EACH STATEMENT EXECUTE FUNCTION policy_epoch_bump();
CREATE TRIGGER readiness_assessments_policy_epoch AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON readiness_assessments
  FOR EACH STATEMENT EXECUTE FUNCTION policy_epoch_bump();
CREATE TRIGGER evaluations_policy_epoch AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON evaluations
  FOR EACH STATEMENT EXECUTE FUNCTION policy_epoch_bump();
CREATE TRIGGER users_policy_epoch AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON users
  FOR EACH STATEMENT EXECUTE FUNCTION policy_epoch_bump();
