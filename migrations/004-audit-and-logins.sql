-- Append-only, hash-chained audit events (DESIGN.md §5, §6) and the login history.
CREATE TABLE audit_events (
  id                 bigserial PRIMARY KEY,
  at                 timestamptz NOT NULL DEFAULT now(),
  actor_account_id   bigint REFERENCES accounts (id),
  actor_label        text NOT NULL,
  action             text NOT NULL,
  subject_account_id bigint REFERENCES accounts (id),
  reason             text,
  details            jsonb NOT NULL DEFAULT '{}'::jsonb,
  prev_hash          text NOT NULL,
  hash               text NOT NULL UNIQUE
);
CREATE INDEX audit_events_subject_idx ON audit_events (subject_account_id, id);
CREATE INDEX audit_events_at_idx ON audit_events (at);

-- Updates and deletes are refused: the trail is append-only.
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only';
END;
$$;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();

CREATE TABLE login_attempts (
  id         bigserial PRIMARY KEY,
  at         timestamptz NOT NULL DEFAULT now(),
  account_id bigint REFERENCES accounts (id),
  method     text NOT NULL CHECK (method IN ('certificate', 'password')),
  success    boolean NOT NULL,
  outcome    text NOT NULL,
  ip         text
);
CREATE INDEX login_attempts_account_idx ON login_attempts (account_id, at DESC);
