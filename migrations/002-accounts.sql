-- Accounts of citizens, customs specialists and operators, and the certificates bound to them.
CREATE TABLE accounts (
  id             bigserial PRIMARY KEY,
  category       text NOT NULL CHECK (category IN ('individual', 'customs_specialist')),
  role           text NOT NULL DEFAULT 'citizen' CHECK (role IN ('citizen', 'operator', 'admin')),
  id_number      text NOT NULL UNIQUE,
  name           text NOT NULL,
  birth_date     date,
  phone          text,
  address        text,
  email1         text,
  email2         text,
  password_hash  text,
  status         text NOT NULL CHECK (status IN ('pending_review', 'active', 'suspended', 'rejected')),
  failed_logins  integer NOT NULL DEFAULT 0,
  first_failed_at timestamptz,
  locked_until   timestamptz,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX accounts_created_at_idx ON accounts (created_at, id);
CREATE INDEX accounts_status_idx ON accounts (status);

CREATE TABLE certificates (
  id                 bigserial PRIMARY KEY,
  account_id         bigint NOT NULL REFERENCES accounts (id),
  issuer_dn          text NOT NULL,
  serial_hex         text NOT NULL,
  fingerprint_sha256 text NOT NULL,
  subject_cn         text NOT NULL,
  subject_serial     text,
  card_serial        text,
  id_last4           text,
  not_before         timestamptz NOT NULL,
  not_after          timestamptz NOT NULL,
  der                bytea NOT NULL,
  bound_at           timestamptz NOT NULL DEFAULT now(),
  unbound_at         timestamptz,
  unbound_reason     text
);
-- A certificate is bound to at most one account at a time; unbound rows stay as history.
CREATE UNIQUE INDEX certificates_active_fingerprint_idx ON certificates (fingerprint_sha256) WHERE unbound_at IS NULL;
CREATE UNIQUE INDEX certificates_active_issuer_serial_idx ON certificates (issuer_dn, serial_hex) WHERE unbound_at IS NULL;
CREATE INDEX certificates_account_idx ON certificates (account_id);
