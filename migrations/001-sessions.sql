-- Browser sessions, shared by every portal instance (DESIGN.md §7 Scale).
CREATE TABLE sessions (
  sid        text PRIMARY KEY,
  sess       jsonb NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);
