// /admin/accounts/:id/full-id: an admin sees the whole ID number after giving a reason; every viewing is audited.
import type { FastifyPluginAsync } from 'fastify';
import { recordOperatorEvent } from '../../admin/operator-audit';
import { renderActionForm } from './action-form';
import { findAccountOr404, renderAccountDetail } from './account-detail';
import { validateReason } from '../../forms/reason';
import { operatorOf, reasonErrors } from './shared';

const fullId: FastifyPluginAsync = async (app) => {
  const url = '/accounts/:id/full-id';

  app.get(url, { config: { adminRole: 'admin' } }, async (request, reply) => {
    const account = await findAccountOr404(request, reply);
    if (!account) return reply;
    return renderActionForm(request, reply, {
      key: 'viewFullId',
      account,
      formAction: `/admin/accounts/${account.id}/full-id`,
    });
  });

  app.post(url, { config: { adminRole: 'admin' } }, async (request, reply) => {
    const account = await findAccountOr404(request, reply);
    if (!account) return reply;
    const operator = operatorOf(request);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const reason = validateReason(body.reason);
    if (!reason.ok) {
      reply.code(400);
      return renderActionForm(request, reply, {
        key: 'viewFullId',
        account,
        formAction: `/admin/accounts/${account.id}/full-id`,
        reason: typeof body.reason === 'string' ? body.reason : '',
        errors: reasonErrors(request, reason),
      });
    }
    await recordOperatorEvent(
      app.db,
      operator,
      { action: 'account.view_full_id', subjectAccountId: account.id, reason: reason.value },
      app.now(),
    );
    // Shown in this response only (not kept in the session, not behind a redirect a browser could replay).
    return renderAccountDetail(request, reply, account, {
      fullIdNumber: account.idNumber,
      flash: { kind: 'notice', text: request.t('admin.actions.viewFullId.done') },
    });
  });
};

export default fullId;
