-- Password failures counted per (ID number typed, source address) instead of per account, so that guesses from one
-- address cannot lock the holder out from elsewhere, and the certificate login no longer depends on them.
-- Keyed by the ID number as typed (not the account id): an unknown ID number is slowed and locked exactly like a
-- registered one, so the answers tell nobody which ID numbers have accounts. Rows live for one window and are purged.
-- The row with source '*' is the account-wide tally across all sources (the lock that needs many sources).
CREATE TABLE login_failures (
  id_number       text NOT NULL,
  source          text NOT NULL,
  failures        integer NOT NULL DEFAULT 0,
  first_failed_at timestamptz NOT NULL,
  last_failed_at  timestamptz NOT NULL,
  locked_until    timestamptz,
  PRIMARY KEY (id_number, source)
);
CREATE INDEX login_failures_last_failed_idx ON login_failures (last_failed_at);

-- A lock in force at upgrade time is kept, as an account-wide one.
INSERT INTO login_failures (id_number, source, failures, first_failed_at, last_failed_at, locked_until)
  SELECT id_number, '*', failed_logins, coalesce(first_failed_at, updated_at), updated_at, locked_until
  FROM accounts WHERE first_failed_at IS NOT NULL OR locked_until IS NOT NULL;

ALTER TABLE accounts DROP COLUMN failed_logins, DROP COLUMN first_failed_at, DROP COLUMN locked_until;
