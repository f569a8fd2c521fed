-- Two more signing purposes: 忘記密碼 (a new password proven with the bound card) and 解除鎖定 (the card lifts a
-- password lockout). Each signature names what it was made for, so one made for a login cannot reset a password.
ALTER TABLE challenges DROP CONSTRAINT challenges_purpose_check;
ALTER TABLE challenges ADD CONSTRAINT challenges_purpose_check
  CHECK (purpose IN ('register', 'login', 'rebind', 'password-reset', 'unlock'));
