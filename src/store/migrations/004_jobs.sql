-- Background jobs (src/jobs). pg-boss keeps its queues in a schema of its own; Twelve's tables only need to remember
-- when an open escalation was last reminded about, so that reminders go out at most once an hour whichever node
-- runs the job (a conditional update on this column is the guard).
ALTER TABLE escalations ADD COLUMN reminded_at timestamptz;
CREATE INDEX escalations_unclaimed ON escalations (created_at) WHERE state = 'open';
