-- Login throttling with growing delays instead of a count of failures checked before, and recorded after, the
-- password hash (parallel guesses all got through, and five failures by anyone locked the account for 15 minutes).
-- One row per throttled key: an (account, address) pair, an account as seen from addresses it never signed in from,
-- an address across accounts; and the addresses each account signed in from ('known'). An attempt is counted, and
-- its key's next allowed time moved, in one statement before the password is checked (accounts/login-throttle.ts).
CREATE TABLE login_throttle (
  scope text NOT NULL CHECK (scope IN ('pair', 'account', 'address', 'known')),
  key text NOT NULL,
  failures integer NOT NULL DEFAULT 0 CHECK (failures >= 0),
  next_at timestamptz NOT NULL,
  last_at timestamptz NOT NULL,
  PRIMARY KEY (scope, key)
);
CREATE INDEX login_throttle_last_at ON login_throttle (last_at);

DROP TABLE login_attempts;
