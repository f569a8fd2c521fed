-- A company usually holds one 工商憑證 but may register in several categories (one account per category and
-- 統一編號): its certificate may then be bound to each of those accounts at once. A citizen card (no organisation_id)
-- is still bound to at most one account at a time; any certificate is bound to one account at most once. Which
-- accounts may share an organisation certificate (those of the organisation it names) is the registration's rule.
DROP INDEX certificates_active_fingerprint_idx;
DROP INDEX certificates_active_issuer_serial_idx;
CREATE UNIQUE INDEX certificates_active_citizen_fingerprint_idx ON certificates (fingerprint_sha256)
  WHERE unbound_at IS NULL AND organisation_id IS NULL;
CREATE UNIQUE INDEX certificates_active_citizen_issuer_serial_idx ON certificates (issuer_dn, serial_hex)
  WHERE unbound_at IS NULL AND organisation_id IS NULL;
CREATE UNIQUE INDEX certificates_active_account_fingerprint_idx ON certificates (fingerprint_sha256, account_id)
  WHERE unbound_at IS NULL;
CREATE UNIQUE INDEX certificates_active_account_issuer_serial_idx ON certificates (issuer_dn, serial_hex, account_id)
  WHERE unbound_at IS NULL;
