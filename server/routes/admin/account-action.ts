// /admin/accounts/:id/{approve,reject,suspend,reactivate,unlock}: a reason page and its POST; the decision itself is
// server/admin/account-decision.ts; then 303 back to the account with a message, and the e-mail sent after commit.
import type { FastifyPluginAsync } from 'fastify';
import { renderActionForm, renderRefusal } from './action-form';
import { findAccountOr404 } from './account-detail';
import { findBindingEvidence } from './binding-evidence';
import { ACCOUNT_ACTIONS, type AccountAction } from '../../admin/account-rules';
import { decideAccount, decisionRefusal } from '../../admin/account-decision';
import { validateReason } from '../../forms/reason';
import { operatorOf, reasonErrors, seeOther, setFlash } from './shared';

/** Deciding a review is where the operator must see what the card did and did not prove. */
const REVIEW_ACTIONS: readonly AccountAction[] = ['approve', 'reject'];

const accountAction: FastifyPluginAsync = async (app) => {
  for (const action of ACCOUNT_ACTIONS) {
    const url = `/accounts/:id/${action}`;

    app.get(url, async (request, reply) => {
      const account = await findAccountOr404(request, reply);
      if (!account) return reply;
      const refusal = await decisionRefusal(app.db, app.lockout, operatorOf(request), action, account, app.now());
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
      const refusal = await decisionRefusal(app.db, app.lockout, operator, action, account, now);
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
      const outcome = await decideAccount(app.db, app.lockout, {
        operator,
        action,
        account,
        reason: reason.value,
        nameComparison: evidence?.nameComparison,
        now,
      });
      if (!outcome.ok) return renderRefusal(request, reply, outcome.account, outcome.refusal);
      // After the commit: the mail relay never holds up or undoes the decision.
      if (outcome.notificationId !== undefined) app.notifier.dispatch(outcome.notificationId);
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
