-- When the screening result was stored: measurement counts screened applications by it (src/agents/hiring/outcomes.ts).
-- updated_at moves with every later stage change, so it cannot say when a resume was screened.
ALTER TABLE hiring_applications ADD COLUMN scored_at timestamptz;
UPDATE hiring_applications SET scored_at = updated_at WHERE status = 'scored' AND scored_at IS NULL;
CREATE INDEX hiring_applications_scored ON hiring_applications (agent_id, scored_at) WHERE scored_at IS NOT NULL;
