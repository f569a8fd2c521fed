-- 申請編號: the reference number a registration gives its applicant (on 註冊完成, in its e-mail, on the operator's
-- page). Accounts made before it, and operators added by the command line, have none.
ALTER TABLE accounts ADD COLUMN reference text UNIQUE;
-- The language the applicant registered in: the portal's e-mails to them are in zh-TW, with English added for 'en'.
ALTER TABLE accounts ADD COLUMN lang text NOT NULL DEFAULT 'zh-TW' CHECK (lang IN ('zh-TW', 'en'));

-- The e-mails the portal owes an account (an outbox): written in the same transaction as what they tell, sent after
-- its commit, so a mail server that is down or slow never holds up or undoes a registration or an operator's decision.
-- pending: not tried yet; sending: claimed by one portal process; sent; failed: the last try failed (tried again until
-- attempts reaches the limit); not_sent: no mail server is configured (demo mode), written to the log instead.
CREATE TABLE notifications (
  id          bigserial PRIMARY KEY,
  account_id  bigint NOT NULL REFERENCES accounts (id),
  kind        text NOT NULL CHECK (kind IN ('registration_received', 'account_approved', 'account_rejected', 'account_suspended')),
  -- The operator's reason a rejection's mail quotes.
  reason      text,
  status      text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'not_sent')),
  attempts    integer NOT NULL DEFAULT 0,
  message_id  text,
  last_error  text,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL,
  sent_at     timestamptz
);
CREATE INDEX notifications_account_idx ON notifications (account_id, id);
CREATE INDEX notifications_due_idx ON notifications (updated_at) WHERE status IN ('pending', 'sending', 'failed');
