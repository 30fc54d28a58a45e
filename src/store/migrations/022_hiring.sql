-- The hiring agent: jobs with a rubric, applications (one per job and email: a second one merges), their file
-- (bytes kept here, so an erasure is one transaction), the people's decisions, and the voluntary self-identification
-- in a table of its own that the screening code never reads (agents/hiring/screening.test.ts greps for it).
-- `agents.kind` already accepts 'hiring' (001_spine.sql).
CREATE TABLE hiring_jobs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  agent_id uuid NOT NULL REFERENCES agents (id),
  title text NOT NULL,
  description text NOT NULL,
  location text,
  employment text,
  status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'open', 'closed')),
  rubric jsonb NOT NULL,
  threshold int NOT NULL DEFAULT 60 CHECK (threshold BETWEEN 0 AND 100),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX hiring_jobs_agent ON hiring_jobs (agent_id, created_at);

CREATE TABLE hiring_files (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL,
  mime text NOT NULL,
  size int NOT NULL CHECK (size >= 0),
  sha256 text NOT NULL,
  bytes bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE hiring_applications (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  agent_id uuid NOT NULL REFERENCES agents (id),
  job_id uuid NOT NULL REFERENCES hiring_jobs (id),
  -- The short code the candidate quotes (a review request): 8 characters without look-alikes.
  reference text NOT NULL UNIQUE,
  -- SHA-256 of the self-identification token (given once, in the answer to the application).
  self_id_hash text UNIQUE,
  name text NOT NULL,
  email text NOT NULL,
  phone text,
  consent_at timestamptz,
  source text NOT NULL DEFAULT 'career_page' CHECK (source IN ('career_page', 'recruiter', 'demo')),
  stage text NOT NULL DEFAULT 'applied'
    CHECK (stage IN ('applied', 'screen', 'interview', 'offer', 'hired', 'rejected')),
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'screening', 'scored', 'needs_person', 'failed')),
  status_reason text,
  -- A screening claim: the node and when (a claim older than the lease is taken over by the sweep).
  claimed_at timestamptz,
  file_id uuid REFERENCES hiring_files (id),
  file_sha256 text,
  -- The sha256 of the file the stored result scored: a file is never scored twice.
  scored_sha256 text,
  text text,
  redacted_text text,
  result jsonb,
  score int CHECK (score BETWEEN 0 AND 100),
  qualified boolean,
  -- Set when the confirmation email went out (cleared again if sending failed, for the next sweep).
  confirmation_sent_at timestamptz,
  human_review_requested_at timestamptz,
  review_note text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  erased_at timestamptz
);
CREATE UNIQUE INDEX hiring_applications_job_email ON hiring_applications (job_id, lower(email));
CREATE INDEX hiring_applications_job_score ON hiring_applications (job_id, score DESC NULLS LAST);
CREATE INDEX hiring_applications_queued ON hiring_applications (created_at) WHERE status IN ('queued', 'screening');

CREATE TABLE hiring_self_id (
  application_id uuid PRIMARY KEY REFERENCES hiring_applications (id) ON DELETE CASCADE,
  answers jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE hiring_decisions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  application_id uuid NOT NULL REFERENCES hiring_applications (id) ON DELETE CASCADE,
  from_stage text NOT NULL,
  to_stage text NOT NULL,
  decision text NOT NULL CHECK (decision IN ('advance', 'reject', 'hire')),
  reason text NOT NULL CHECK (length(reason) >= 3),
  user_id text NOT NULL,
  decided_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX hiring_decisions_application ON hiring_decisions (application_id, decided_at);
