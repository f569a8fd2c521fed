// 忘記密碼 and 解除鎖定 proven with the card: the holder signs a challenge with the card bound to the account (the same
// signing steps as the certificate login), then sets a new password, or sees the password lockout lifted. Only a card
// that is bound now counts: a renewed card is bound only after the password is confirmed (login/rebind), so it cannot
// stand in for the password it would replace. Each change is one transaction with its audit event.
import type { Db, Pool } from '../db/pool';
import type { Account } from '../db/accounts-repository';
import { accountsRepository } from '../db/accounts-repository';
import type { BoundCertificate } from '../db/certificates-repository';
import { sessionsRepository } from '../db/sessions-repository';
import { auditRepository } from '../db/audit-repository';
import { withTransaction } from '../db/transaction';
import type { CertificateIdentity } from './certificate-identity';
import { findAccountForCertificate, refusalFor, type AccountRefusal } from './certificate-login';
import type { Lockout, LockState } from './lockout';
import type { VerifiedCard } from './verified-card';

export type RecoveryIntent = 'password-reset' | 'unlock';

export type RecoveryRefusal = AccountRefusal | 'unknown_certificate' | 'renewal_not_bound' | 'password_not_set';

export type RecoverableAccount =
  | { ok: true; kind: 'account'; account: Account; certificate: BoundCertificate }
  /**
   * A company's card bound to its accounts in several categories: the holder chooses one, which is asked about
   * again with its id (recoverableAccount(db, identity, accountId)). Nothing is recovered before that choice.
   */
  | { ok: true; kind: 'choose'; accounts: Account[] }
  | { ok: false; reason: RecoveryRefusal };

/** Why this account's password may not be reset or unlocked with its card, if it may not. */
function accountRefusal(account: Account): RecoveryRefusal | undefined {
  // An account that logs in with its card only has no password: proving the card must not give it one.
  return refusalFor(account) ?? (account.passwordHash === null ? 'password_not_set' : undefined);
}

/**
 * The account whose password this card may reset or unlock: the one it is bound to (of several, the one the holder
 * chose: accountId), active, with a password.
 */
export async function recoverableAccount(
  db: Db,
  identity: CertificateIdentity,
  accountId?: number,
): Promise<RecoverableAccount> {
  const found = await findAccountForCertificate(db, identity);
  if (found.kind === 'unknown') return { ok: false, reason: 'unknown_certificate' };
  if (found.kind === 'renewal') return { ok: false, reason: 'renewal_not_bound' };
  const bindings = accountId === undefined ? found.bindings : found.bindings.filter((b) => b.account.id === accountId);
  // A chosen account the card is no longer bound to: as a card bound to nothing.
  if (bindings.length === 0) return { ok: false, reason: 'unknown_certificate' };
  if (bindings.length > 1) {
    const accounts = bindings.map((b) => b.account);
    // No choice to offer when none of them could be recovered: the first one's reason.
    const refusals = accounts.map(accountRefusal);
    if (refusals.every(Boolean)) return { ok: false, reason: refusals[0]! };
    return { ok: true, kind: 'choose', accounts };
  }
  const [{ account, certificate }] = bindings;
  const refusal = accountRefusal(account);
  if (refusal) return { ok: false, reason: refusal };
  return { ok: true, kind: 'account', account, certificate };
}

/** The lock state as the audit trail keeps it. */
function lockDetails(before: LockState) {
  return {
    failedLogins: before.failures,
    lockedUntil: before.lockedUntil?.toISOString() ?? null,
    accountLocked: before.accountLockedUntil !== null,
    lockedSources: before.lockedSources,
  };
}

function cardDetails(card: VerifiedCard, ip: string) {
  return {
    method: 'certificate',
    fingerprint: card.identity.fingerprintSha256,
    cardSerial: card.identity.cardSerial,
    challenge: card.nonce,
    ip,
  };
}

/**
 * 解除鎖定 by the holder: every count and lock of the account's password ends, as the operator's 解除鎖定 does.
 * Returns the state it had (nothing locked is an answer too, and is audited the same way).
 */
export async function unlockWithCard(
  pool: Pool,
  lockout: Lockout,
  account: Account,
  card: VerifiedCard,
  meta: { ip: string; now: Date },
): Promise<LockState> {
  return withTransaction(pool, async (client) => {
    const before = await lockout.unlock(client, account.idNumber, meta.now);
    await auditRepository(client).append(
      {
        actorAccountId: account.id,
        actorLabel: `account:${account.id}`,
        action: 'account.unlock.card',
        subjectAccountId: account.id,
        details: { ...cardDetails(card, meta.ip), ...lockDetails(before) },
      },
      meta.now,
    );
    return before;
  });
}

/**
 * 忘記密碼: the new password (already hashed) replaces the old one; the lockout's counts end (the holder proved the
 * card) and every session of the account ends, so whoever knew or guessed the old password is out.
 */
export async function resetPasswordWithCard(
  pool: Pool,
  lockout: Lockout,
  account: Account,
  card: VerifiedCard,
  passwordHash: string,
  meta: { ip: string; now: Date },
): Promise<void> {
  await withTransaction(pool, async (client) => {
    await accountsRepository(client).setPasswordHash(account.id, passwordHash, meta.now);
    const sessionsEnded = await sessionsRepository(client).destroyForAccount(account.id);
    const before = await lockout.unlock(client, account.idNumber, meta.now);
    await auditRepository(client).append(
      {
        actorAccountId: account.id,
        actorLabel: `account:${account.id}`,
        action: 'password.reset',
        subjectAccountId: account.id,
        details: { ...cardDetails(card, meta.ip), sessionsEnded, unlocked: lockDetails(before) },
      },
      meta.now,
    );
  });
}
