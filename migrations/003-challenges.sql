-- Signing challenges (DESIGN.md §3): single use, five minutes, bound to one browser session.
CREATE TABLE challenges (
  nonce           text PRIMARY KEY,
  purpose         text NOT NULL CHECK (purpose IN ('register', 'login', 'rebind')),
  origin          text NOT NULL,
  session_id      text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  expires_at      timestamptz NOT NULL,
  consumed_at     timestamptz,
  -- The no-JS callback records the verified result here, then a one-time code completes it in the browser's session.
  result          jsonb,
  completion_code text UNIQUE,
  completed_at    timestamptz
);
CREATE INDEX challenges_expires_at_idx ON challenges (expires_at);
