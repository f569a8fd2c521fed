// An operator's decision on an account (approve, reject, suspend, reactivate, unlock): one transaction on the account
// row locked, checked again there, writing the change, its audit event and the holder's e-mail in the queue.
import type { Db, Pool } from '../db/pool';
import { accountsRepository, type Account } from '../db/accounts-repository';
import { auditRepository } from '../db/audit-repository';
import { sessionsRepository } from '../db/sessions-repository';
import { notificationsRepository } from '../db/notifications-repository';
import { withTransaction } from '../db/transaction';
import type { Lockout } from '../auth/lockout';
import type { BindingEvidence } from '../auth/binding-evidence';
import { operatorActorLabel, type OperatorActor } from './operator-audit';
import { NEXT_STATUS, NOTIFIED_ACTIONS, actorRefusal, transitionRefusal, type AccountAction } from './account-rules';

export type DecisionOutcome = { ok: true; notificationId?: number } | { ok: false; refusal: string; account: Account };

/** Why this operator may not take this action on the account as it is now (a key of admin.refusal), if not. */
export async function decisionRefusal(
  db: Db,
  lockout: Lockout,
  operator: OperatorActor,
  action: AccountAction,
  account: Account,
  now: Date,
): Promise<string | undefined> {
  const actor = actorRefusal(operator, account);
  if (actor) return actor;
  return transitionRefusal(action, account, await lockout.stateOf(db, account.idNumber, now), now);
}

export async function decideAccount(
  pool: Pool,
  lockout: Lockout,
  input: {
    operator: OperatorActor;
    action: AccountAction;
    account: Account;
    reason: string;
    /** The card's name against the typed one, when the operator was shown it (reviews of a citizen card). */
    nameComparison?: BindingEvidence['name']['comparison'];
    now: Date;
  },
): Promise<DecisionOutcome> {
  const { operator, action, account, reason, nameComparison, now } = input;
  return withTransaction(pool, async (client): Promise<DecisionOutcome> => {
    // Checked again on the locked row: two operators acting at once get one change and one refusal. Nothing is
    // written before these checks, so returning here leaves the transaction empty.
    const locked = await accountsRepository(client).findByIdForUpdate(account.id);
    if (!locked) return { ok: false, refusal: 'gone', account };
    const refusal = await decisionRefusal(client, lockout, operator, action, locked, now);
    if (refusal) return { ok: false, refusal, account: locked };
    let details: Record<string, unknown>;
    if (action === 'unlock') {
      // 解除鎖定 ends every count and lock: of each source and the account-wide one.
      const before = await lockout.unlock(client, locked.idNumber, now);
      details = {
        failedLogins: before.failures,
        lockedUntil: before.lockedUntil?.toISOString() ?? null,
        accountLocked: before.accountLockedUntil !== null,
        lockedSources: before.lockedSources,
      };
    } else {
      await accountsRepository(client).setStatus(locked.id, NEXT_STATUS[action], now);
      // A review decided on a name that differs from the card's says so in the trail.
      details = { from: locked.status, to: NEXT_STATUS[action], ...(nameComparison && { nameComparison }) };
    }
    // A suspended account is logged out everywhere at once.
    if (action === 'suspend') await sessionsRepository(client).destroyForAccount(locked.id);
    await auditRepository(client).append(
      {
        actorAccountId: operator.accountId,
        actorLabel: operatorActorLabel(operator),
        action: `account.${action}`,
        subjectAccountId: locked.id,
        reason,
        details,
      },
      now,
    );
    const kind = NOTIFIED_ACTIONS[action];
    if (!kind) return { ok: true };
    const notificationId = await notificationsRepository(client).enqueue(
      { accountId: locked.id, kind, reason: kind === 'account_rejected' ? reason : null },
      now,
    );
    return { ok: true, notificationId };
  });
}
