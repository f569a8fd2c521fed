-- Accounts of companies and agencies, registered with a business certificate (工商憑證), a government certificate
-- (政府憑證) or a customs-only certificate (通關專屬憑證): every category of the 帳號註冊 chooser.
ALTER TABLE accounts DROP CONSTRAINT accounts_category_check;
ALTER TABLE accounts ADD CONSTRAINT accounts_category_check CHECK (category IN (
  'individual', 'customs_specialist', 'enterprise', 'customs_broker', 'express', 'shipping', 'warehouse',
  'customs_inspection_broker', 'offshore_duty_free', 'duty_free_shop', 'government'));

-- What a company or agency gives beyond the account row (whose name is the organisation's, and whose phone, address
-- and emails are the contact's). The organisation id comes from the certificate: the 統一編號 of a company, the
-- 機關代碼 of an agency. One account per organisation and category: a company may hold accounts in several categories.
CREATE TABLE organisation_accounts (
  account_id           bigint PRIMARY KEY REFERENCES accounts (id),
  category             text NOT NULL,
  organisation_id      text NOT NULL,
  organisation_id_kind text NOT NULL CHECK (organisation_id_kind IN ('business_id', 'agency_code')),
  certificate_kind     text NOT NULL CHECK (certificate_kind IN ('moeaca', 'gca', 'customs')),
  organisation_name    text NOT NULL,
  representative       text NOT NULL,
  contact_name         text NOT NULL,
  mobile               text,
  licence_number       text,
  CONSTRAINT organisation_accounts_category_fkey_check CHECK (category NOT IN ('individual', 'customs_specialist')),
  CONSTRAINT organisation_accounts_unique UNIQUE (category, organisation_id)
);
CREATE INDEX organisation_accounts_organisation_idx ON organisation_accounts (organisation_id);

-- The organisation a bound certificate names: how a renewed company card finds its account (as id_last4 and the
-- holder's name do for a citizen card).
ALTER TABLE certificates ADD COLUMN organisation_id text;
CREATE INDEX certificates_organisation_idx ON certificates (organisation_id)
  WHERE unbound_at IS NULL AND organisation_id IS NOT NULL;
