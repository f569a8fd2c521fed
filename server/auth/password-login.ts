// 帳號密碼登入 as a service: the lockout counts the attempt before the password is checked, the same answer and cost for
// an unknown account and a wrong password (verifyPassword's dummy hash), every attempt in the login history, and a hash
// made with older parameters replaced once the password is proven. The route turns the outcome into a page.
import type { Pool } from '../db/pool';
import { accountsRepository, type Account } from '../db/accounts-repository';
import { auditRepository } from '../db/audit-repository';
import { withTransaction } from '../db/transaction';
import { hashPassword, verifyPassword } from './passwords';
import { refusalFor, type AccountRefusal } from './certificate-login';
import { gateRefusal, type Lockout } from './lockout';
import { recordLoginAttempt } from './login-session';

export type PasswordLoginOutcome =
  /** Held back before the password was checked: a delay after recent failures, or a lock in force. */
  | { kind: 'held'; refusal: ReturnType<typeof gateRefusal> }
  /** Unknown account or wrong password: one answer for both. */
  | { kind: 'wrong_credentials' }
  /** This failure was the last one allowed: the source (or the account) is locked from now on. */
  | { kind: 'locked_now' }
  /** The password was right but the account may not log in (pending, suspended, rejected). */
  | { kind: 'refused'; refusal: AccountRefusal; account: Account }
  | { kind: 'accepted'; account: Account };

/**
 * Only a key that could belong to an account reaches the database (an ID number, or an organisation's
 * `<category>:<統一編號 or 機關代碼>`, a 機關代碼 being dotted like an OID); anything else is simply wrong.
 */
const PLAUSIBLE_ID = /^(?:[A-Z0-9]{1,20}|[a-z_]{1,40}:[A-Z0-9.]{1,64})$/;

export async function attemptPasswordLogin(
  deps: { db: Pool; lockout: Lockout },
  input: { accountKey: string; password: string; ip: string; now: Date },
): Promise<PasswordLoginOutcome> {
  const { db, lockout } = deps;
  const { accountKey, password, ip, now } = input;
  const record = (attempt: { accountId: number | null; outcome: string; auditAction?: string }) =>
    recordLoginAttempt(db, ip, { method: 'password', success: false, ...attempt }, now);

  const plausible = PLAUSIBLE_ID.test(accountKey);
  // Counted before the account is looked up, the same way for every key: no answer tells whether it is registered.
  const gate = plausible ? await lockout.begin(accountKey, ip, now) : undefined;
  const account = plausible ? await accountsRepository(db).findByIdNumber(accountKey) : undefined;
  if (gate && gate.kind !== 'open') {
    await record({ accountId: account?.id ?? null, outcome: gate.kind === 'wait' ? 'delayed' : 'locked' });
    return { kind: 'held', refusal: gateRefusal(gate) };
  }

  const check = await verifyPassword(account?.passwordHash ?? null, password);
  if (!account || !check.ok) {
    const result = gate
      ? await lockout.failed(gate.attempt, { accountId: account?.id ?? null, via: 'password_login' }, now)
      : {};
    await record({
      accountId: account?.id ?? null,
      outcome: result.locked ? 'locked_now' : account ? 'wrong_password' : 'unknown_account',
    });
    return result.locked ? { kind: 'locked_now' } : { kind: 'wrong_credentials' };
  }
  if (gate) await lockout.passwordAccepted(gate.attempt);

  const refusal = refusalFor(account);
  if (refusal) {
    await record({ accountId: account.id, outcome: refusal, auditAction: 'login.refused' });
    return { kind: 'refused', refusal, account };
  }
  if (check.needsRehash) await rehash(db, account, password, now);
  return { kind: 'accepted', account };
}

/** The new hash and its audit event together. */
async function rehash(db: Pool, account: Account, password: string, now: Date): Promise<void> {
  const hash = await hashPassword(password);
  await withTransaction(db, async (client) => {
    await accountsRepository(client).setPasswordHash(account.id, hash, now);
    await auditRepository(client).append(
      {
        actorAccountId: account.id,
        actorLabel: `account:${account.id}`,
        action: 'password.rehash',
        subjectAccountId: account.id,
      },
      now,
    );
  });
}
