-- Questions a person has said the agent must not answer ("Wrong answer" in the inbox, or the KB page): the engine
-- learns them as questions to escalate (a label never answered, whose neighbours lose confidence), as it learns an
-- evaluation file's `oos` rows. Versioned and audited like entries; a deleted one stays for its revision history.
CREATE TABLE kb_escalate_questions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  agent_id uuid NOT NULL REFERENCES agents (id),
  text text NOT NULL,
  note text NOT NULL DEFAULT '',
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz
);
CREATE UNIQUE INDEX kb_escalate_questions_text ON kb_escalate_questions (agent_id, lower(text)) WHERE deleted_at IS NULL;
