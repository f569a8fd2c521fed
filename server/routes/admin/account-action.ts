// /admin/accounts/:id/{approve,reject,suspend,reactivate,unlock}: a reason page and its POST; each action is one
// transaction writing the change and its audit event, then 303 back to the account with a message.
import type { FastifyPluginAsync } from 'fastify';
import { accountsRepository, type Account } from '../../db/accounts-repository';
import { auditRepository } from '../../db/audit-repository';
import { sessionsRepository } from '../../db/sessions-repository';
import { notificationsRepository } from '../../db/notifications-repository';
import { withTransaction } from '../../db/transaction';
import type { LockState } from '../../auth/lockout';
import { ActionRefused, renderActionForm, renderRefusal } from './action-form';
import { findAccountOr404 } from './account-detail';
import { findBindingEvidence } from './binding-evidence';
import {
  ACCOUNT_ACTIONS,
  NEXT_STATUS,
  NOTIFIED_ACTIONS,
  actorRefusal,
  transitionRefusal,
  type AccountAction,
} from '../../admin/account-rules';
import { validateReason } from '../../forms/reason';
import { actorLabel, operatorOf, reasonErrors, seeOther, setFlash, type Operator } from './shared';

/** Deciding a review is where the operator must see what the card did and did not prove. */
const REVIEW_ACTIONS: readonly AccountAction[] = ['approve', 'reject'];

function refusalFor(
  operator: Operator,
  action: AccountAction,
  account: Account,
  lock: LockState,
  now: Date,
): string | undefined {
  return actorRefusal(operator, account) ?? transitionRefusal(action, account, lock, now);
}

const accountAction: FastifyPluginAsync = async (app) => {
  for (const action of ACCOUNT_ACTIONS) {
    const url = `/accounts/:id/${action}`;

    app.get(url, async (request, reply) => {
      const account = await findAccountOr404(request, reply);
      if (!account) return reply;
      const now = app.now();
      const lock = await app.lockout.stateOf(app.db, account.idNumber, now);
      const refusal = refusalFor(operatorOf(request), action, account, lock, now);
      if (refusal) return renderRefusal(request, reply, account, refusal);
      const evidence = REVIEW_ACTIONS.includes(action) ? await findBindingEvidence(request, account) : undefined;
      return renderActionForm(request, reply, {
        key: action,
        account,
        formAction: `/admin/accounts/${account.id}/${action}`,
        evidence,
      });
    });

    app.post(url, async (request, reply) => {
      const account = await findAccountOr404(request, reply);
      if (!account) return reply;
      const operator = operatorOf(request);
      const now = app.now();
      const refusal = refusalFor(
        operator,
        action,
        account,
        await app.lockout.stateOf(app.db, account.idNumber, now),
        now,
      );
      if (refusal) return renderRefusal(request, reply, account, refusal);
      const body = (request.body ?? {}) as Record<string, unknown>;
      const reason = validateReason(body.reason);
      const evidence = REVIEW_ACTIONS.includes(action) ? await findBindingEvidence(request, account) : undefined;
      if (!reason.ok) {
        reply.code(400);
        return renderActionForm(request, reply, {
          key: action,
          account,
          formAction: `/admin/accounts/${account.id}/${action}`,
          reason: typeof body.reason === 'string' ? body.reason : '',
          errors: reasonErrors(request, reason),
          evidence,
        });
      }
      let notificationId: number | undefined;
      try {
        await withTransaction(app.db, async (client) => {
          // Checked again on the locked row: two operators acting at once get one change and one refusal.
          const locked = await accountsRepository(client).findByIdForUpdate(account.id);
          if (!locked) throw new ActionRefused('gone', account);
          const lockedRefusal = refusalFor(
            operator,
            action,
            locked,
            await app.lockout.stateOf(client, locked.idNumber, now),
            now,
          );
          if (lockedRefusal) throw new ActionRefused(lockedRefusal, locked);
          let details: Record<string, unknown>;
          if (action === 'unlock') {
            // 解除鎖定 ends every count and lock: of each source and the account-wide one.
            const before = await app.lockout.unlock(client, locked.idNumber, now);
            details = {
              failedLogins: before.failures,
              lockedUntil: before.lockedUntil?.toISOString() ?? null,
              accountLocked: before.accountLockedUntil !== null,
              lockedSources: before.lockedSources,
            };
          } else {
            await accountsRepository(client).setStatus(locked.id, NEXT_STATUS[action], now);
            // A review decided on a name that differs from the card's says so in the trail.
            details = {
              from: locked.status,
              to: NEXT_STATUS[action],
              ...(evidence && { nameComparison: evidence.nameComparison }),
            };
          }
          // A suspended account is logged out everywhere at once.
          if (action === 'suspend') await sessionsRepository(client).destroyForAccount(locked.id);
          await auditRepository(client).append(
            {
              actorAccountId: operator.accountId,
              actorLabel: actorLabel(operator),
              action: `account.${action}`,
              subjectAccountId: locked.id,
              reason: reason.value,
              details,
            },
            now,
          );
          const kind = NOTIFIED_ACTIONS[action];
          if (kind)
            notificationId = await notificationsRepository(client).enqueue(
              { accountId: locked.id, kind, reason: kind === 'account_rejected' ? reason.value : null },
              now,
            );
        });
      } catch (error) {
        if (error instanceof ActionRefused) return renderRefusal(request, reply, error.account, error.refusalKey);
        throw error;
      }
      // After the commit: the mail relay never holds up or undoes the decision.
      if (notificationId !== undefined) app.notifier.dispatch(notificationId);
      request.log.info(
        { action: `account.${action}`, accountId: account.id, actor: operator.accountId },
        'operator action',
      );
      setFlash(request, { kind: 'success', text: request.t(`admin.actions.${action}.done`, { name: account.name }) });
      return seeOther(reply, `/admin/accounts/${account.id}`);
    });
  }
};

export default accountAction;
