-- The hiring agent's AI phone screen: an invitation (a private link, only its SHA-256 kept, with an expiry) lets a
-- qualified candidate pick a time from the shared bookings (src/business/bookings.ts: the exclusion constraint keeps
-- two screens off one line), or ask for a person instead. A screen is the booked call: placed by a job at its time
-- (one claim, so one call), then filled once by Vapi's end-of-call-report (transcript, per-question assessment with
-- quoted answers; never tone, emotion or voice). Both go with the application on erasure (ON DELETE CASCADE for a
-- deleted row; the eraser blanks them for a kept tombstone row).
CREATE TABLE hiring_screen_invitations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  agent_id uuid NOT NULL REFERENCES agents (id),
  application_id uuid NOT NULL REFERENCES hiring_applications (id) ON DELETE CASCADE,
  token_hash text NOT NULL UNIQUE,
  expires_at timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'sent'
    CHECK (status IN ('sent', 'booked', 'person_requested', 'cancelled')),
  -- Who invited: a user's actor id, or `rule:<job id>` when the recruiter's rule did (never below the threshold).
  invited_by text NOT NULL,
  -- Claimed by a conditional update before the email goes out; cleared again if the relay refused.
  email_sent_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- One live invitation per application: inviting again while one is open answers that one.
CREATE UNIQUE INDEX hiring_screen_invitations_live ON hiring_screen_invitations (application_id)
  WHERE status IN ('sent', 'booked');

CREATE TABLE hiring_screens (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  agent_id uuid NOT NULL REFERENCES agents (id),
  application_id uuid NOT NULL REFERENCES hiring_applications (id) ON DELETE CASCADE,
  invitation_id uuid NOT NULL UNIQUE REFERENCES hiring_screen_invitations (id) ON DELETE CASCADE,
  booking_id uuid NOT NULL REFERENCES bookings (id),
  scheduled_at timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'scheduled'
    CHECK (status IN ('scheduled', 'calling', 'completed', 'declined', 'no_answer', 'failed', 'cancelled')),
  status_reason text,
  -- The questions asked, from the job's rubric at booking time (must-haves first).
  questions jsonb NOT NULL,
  -- The claim of the call job (a claim older than the lease is taken over), then Vapi's call id.
  call_claimed_at timestamptz,
  vapi_call_id text UNIQUE,
  transcript text,
  assessment jsonb,
  summary text,
  ended_reason text,
  report_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX hiring_screens_due ON hiring_screens (scheduled_at) WHERE status = 'scheduled';
CREATE INDEX hiring_screens_application ON hiring_screens (application_id, created_at);
