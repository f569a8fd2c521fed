// Which operator actions apply to an account (DESIGN.md §6): who may act on whom, and the legal status transitions.
import type { Account, AccountRole } from '../db/accounts-repository';
import type { LockState } from '../auth/lockout';
import type { NotificationKind } from '../db/notifications-repository';

export type AccountAction = 'approve' | 'reject' | 'suspend' | 'reactivate' | 'unlock';
export const ACCOUNT_ACTIONS: readonly AccountAction[] = ['approve', 'reject', 'suspend', 'reactivate', 'unlock'];

/** Who acts: an operator's or admin's account. */
export interface Actor {
  accountId: number;
  role: AccountRole;
}

/**
 * A password lock is in force at `now` (account-wide or for one source). Failures alone are not a lock: a single
 * wrong password is not 已鎖定.
 */
export function isLocked(lock: { lockedUntil: Date | null }, now: Date): boolean {
  return lock.lockedUntil !== null && lock.lockedUntil > now;
}

/** Why an operator may not act on an account at all, if they may not. */
export type ActorRefusal = 'ownAccount' | 'needsAdmin';

export function actorRefusal(actor: Actor, target: { id: number; role: AccountRole }): ActorRefusal | undefined {
  if (actor.accountId === target.id) return 'ownAccount';
  // Operators look after citizens; only an admin acts on operator and admin accounts.
  if (target.role !== 'citizen' && actor.role !== 'admin') return 'needsAdmin';
  return undefined;
}

/** Why an action does not apply to the account as it is now (an illegal transition), if it does not. */
export function transitionRefusal(
  action: AccountAction,
  account: Account,
  lock: LockState,
  now: Date,
): string | undefined {
  switch (action) {
    case 'approve':
    case 'reject':
      if (account.status !== 'pending_review') return `notPending`;
      return undefined;
    case 'suspend':
      return account.status === 'active' ? undefined : 'notActive';
    case 'reactivate':
      return account.status === 'suspended' ? undefined : 'notSuspended';
    case 'unlock':
      return isLocked(lock, now) ? undefined : 'notLocked';
  }
}

/** The status an action leads to (unlock leaves the status alone). */
export const NEXT_STATUS = {
  approve: 'active',
  reject: 'rejected',
  suspend: 'suspended',
  reactivate: 'active',
} as const;

/** The decisions the account holder is told of by e-mail (server/notify/); a rejection's mail quotes the reason. */
export const NOTIFIED_ACTIONS: Partial<Record<AccountAction, NotificationKind>> = {
  approve: 'account_approved',
  reject: 'account_rejected',
  suspend: 'account_suspended',
};
