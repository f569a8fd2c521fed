// /admin/accounts/:id/certificates/:certificateId/unbind: unbinding keeps the certificate row as history.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { certificatesRepository, type BoundCertificate } from '../../db/certificates-repository';
import { renderActionForm, renderRefusal } from './action-form';
import { unbindCertificate } from '../../admin/certificate-unbind';
import type { Account } from '../../db/accounts-repository';
import { findAccountOr404 } from './account-detail';
import { actorRefusal } from '../../admin/account-rules';
import { formatTaiwanTime } from '../../taiwan-time';
import { validateReason } from '../../forms/reason';
import { operatorOf, parseId, reasonErrors, seeOther, setFlash } from './shared';

async function findCertificate(
  request: FastifyRequest,
  reply: FastifyReply,
  account: Account,
): Promise<BoundCertificate | undefined> {
  const id = parseId((request.params as { certificateId?: string }).certificateId);
  const cert = id === undefined ? undefined : await certificatesRepository(request.server.db).findById(id);
  if (!cert || cert.accountId !== account.id) {
    reply.callNotFound();
    return undefined;
  }
  return cert;
}

function describe(request: FastifyRequest, cert: BoundCertificate) {
  const t = request.t;
  return [
    { label: t('admin.detail.certificateCn'), value: cert.subjectCn },
    { label: t('admin.detail.serial'), value: cert.serialHex },
    { label: t('admin.detail.notAfter'), value: formatTaiwanTime(cert.notAfter) },
  ];
}

const certificateUnbind: FastifyPluginAsync = async (app) => {
  const url = '/accounts/:id/certificates/:certificateId/unbind';

  app.get(url, async (request, reply) => {
    const account = await findAccountOr404(request, reply);
    if (!account) return reply;
    const cert = await findCertificate(request, reply, account);
    if (!cert) return reply;
    const refusal = actorRefusal(operatorOf(request), account) ?? (cert.unboundAt ? 'certificateNotBound' : undefined);
    if (refusal) return renderRefusal(request, reply, account, refusal);
    return renderActionForm(request, reply, {
      key: 'unbind',
      account,
      details: describe(request, cert),
      formAction: `/admin/accounts/${account.id}/certificates/${cert.id}/unbind`,
    });
  });

  app.post(url, async (request, reply) => {
    const account = await findAccountOr404(request, reply);
    if (!account) return reply;
    const cert = await findCertificate(request, reply, account);
    if (!cert) return reply;
    const operator = operatorOf(request);
    const refusal = actorRefusal(operator, account) ?? (cert.unboundAt ? 'certificateNotBound' : undefined);
    if (refusal) return renderRefusal(request, reply, account, refusal);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const reason = validateReason(body.reason);
    if (!reason.ok) {
      reply.code(400);
      return renderActionForm(request, reply, {
        key: 'unbind',
        account,
        details: describe(request, cert),
        formAction: `/admin/accounts/${account.id}/certificates/${cert.id}/unbind`,
        reason: typeof body.reason === 'string' ? body.reason : '',
        errors: reasonErrors(request, reason),
      });
    }
    const outcome = await unbindCertificate(app.db, {
      operator,
      account,
      certificate: cert,
      reason: reason.value,
      now: app.now(),
    });
    if (!outcome.ok) return renderRefusal(request, reply, outcome.account, outcome.refusal);
    setFlash(request, { kind: 'success', text: request.t('admin.actions.unbind.done', { name: account.name }) });
    return seeOther(reply, `/admin/accounts/${account.id}`);
  });
};

export default certificateUnbind;
