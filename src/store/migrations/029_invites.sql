-- Invitations: a one-time link an admin hands to a teammate, who picks their own password. Only a SHA-256 of the
-- link's secret is stored; a link works once, until it expires or is revoked.
CREATE TABLE invites (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  token_hash text NOT NULL UNIQUE,
  email text CHECK (email = lower(email)),  -- when set, the invitee must sign up with this address
  role text NOT NULL CHECK (role IN ('admin', 'reviewer', 'viewer')),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  used_by uuid REFERENCES users (id) ON DELETE SET NULL,
  revoked_at timestamptz
);
CREATE INDEX invites_pending ON invites (expires_at) WHERE used_at IS NULL AND revoked_at IS NULL;
