-- The receptionist: a business profile per agent (time zone, week, closed dates, booking rules), its services
-- and resources (staff, chairs, rooms; each with its own hours and time off), and bookings that never collide: an
-- exclusion constraint over each resource's blocked range (the appointment plus its buffers) holds across
-- processes and nodes, so the loser of a race gets a constraint violation (23P01) and never a second booking.
CREATE TABLE business_profiles (
  agent_id uuid PRIMARY KEY REFERENCES agents (id),
  timezone text NOT NULL,
  -- The week and closed dates in the business-hours format (src/business/hours.ts), without the time zone.
  hours jsonb NOT NULL,
  min_notice_min int NOT NULL DEFAULT 60 CHECK (min_notice_min BETWEEN 0 AND 43200),
  max_days_ahead int NOT NULL DEFAULT 60 CHECK (max_days_ahead BETWEEN 1 AND 730),
  slot_step_min int NOT NULL DEFAULT 15 CHECK (slot_step_min BETWEEN 5 AND 240),
  reminder_hours int NOT NULL DEFAULT 24 CHECK (reminder_hours BETWEEN 0 AND 336),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE business_resources (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  agent_id uuid NOT NULL REFERENCES agents (id),
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('staff', 'chair', 'room', 'equipment')),
  -- Its own week (hours format) or null: the business's.
  hours jsonb,
  -- [{"from": "YYYY-MM-DDTHH:MM", "to": "…", "note": "…"}] in the business's time zone.
  time_off jsonb NOT NULL DEFAULT '[]',
  -- SHA-256 of the private calendar feed token (GET /calendar/<token>.ics); the token itself is shown once.
  feed_hash text UNIQUE,
  archived boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX business_resources_name ON business_resources (agent_id, lower(name)) WHERE NOT archived;

CREATE TABLE business_services (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  agent_id uuid NOT NULL REFERENCES agents (id),
  name text NOT NULL,
  duration_min int NOT NULL CHECK (duration_min BETWEEN 5 AND 720),
  price_cents int CHECK (price_cents >= 0),
  buffer_before_min int NOT NULL DEFAULT 0 CHECK (buffer_before_min BETWEEN 0 AND 240),
  buffer_after_min int NOT NULL DEFAULT 0 CHECK (buffer_after_min BETWEEN 0 AND 240),
  archived boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX business_services_name ON business_services (agent_id, lower(name)) WHERE NOT archived;

CREATE TABLE business_service_resources (
  service_id uuid NOT NULL REFERENCES business_services (id) ON DELETE CASCADE,
  resource_id uuid NOT NULL REFERENCES business_resources (id) ON DELETE CASCADE,
  PRIMARY KEY (service_id, resource_id)
);

CREATE TABLE bookings (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  agent_id uuid NOT NULL REFERENCES agents (id),
  code text NOT NULL UNIQUE CHECK (code ~ '^[A-HJ-NP-Z2-9]{6}$'),
  service_id uuid NOT NULL REFERENCES business_services (id),
  resource_id uuid NOT NULL REFERENCES business_resources (id),
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  -- The appointment with its buffers: what the resource cannot do anything else in.
  blocked tstzrange NOT NULL,
  status text NOT NULL CHECK (status IN ('confirmed', 'tentative', 'cancelled')),
  customer jsonb NOT NULL,
  channel text,
  conversation_id text,
  -- Set once, in the statement that queues the reminder message: a reminder is sent exactly once.
  reminded_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (ends_at > starts_at),
  CHECK (lower(blocked) <= starts_at AND upper(blocked) >= ends_at),
  CONSTRAINT bookings_no_overlap EXCLUDE USING gist (resource_id WITH =, blocked WITH &&) WHERE (status <> 'cancelled')
);
CREATE INDEX bookings_agent_start ON bookings (agent_id, starts_at);
CREATE INDEX bookings_due_reminders ON bookings (starts_at) WHERE reminded_at IS NULL AND status = 'confirmed';

-- Each booking command's idempotency key: a redelivered create, reschedule or cancel answers the same booking.
CREATE TABLE booking_requests (
  agent_id uuid NOT NULL REFERENCES agents (id),
  idempotency_key text NOT NULL,
  operation text NOT NULL CHECK (operation IN ('create', 'reschedule', 'cancel', 'confirm')),
  booking_id uuid NOT NULL REFERENCES bookings (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (agent_id, idempotency_key)
);
