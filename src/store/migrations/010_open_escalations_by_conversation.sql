-- Every customer message asks whether a human has its conversation (an unresolved escalation): an index for it.
CREATE INDEX escalations_open_by_conversation ON escalations (conversation_id, created_at) WHERE state <> 'resolved';
