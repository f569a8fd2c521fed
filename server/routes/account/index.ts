// 我的帳號: details (ID masked), bound certificates, recent logins, change password.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { accountsRepository } from '../../db/accounts-repository';
import { certificatesRepository } from '../../db/certificates-repository';
import { loginAttemptsRepository } from '../../db/login-attempts-repository';
import { verifyPassword } from '../../auth/passwords';
import { changePassword } from '../../auth/password-change';
import { gateRefusal } from '../../auth/lockout';
import { validatePassword, validatePasswordConfirm } from '../../forms/password';
import { toErrorList, type FieldErrorCode } from '../../forms/errors';
import { displayAccountId } from '../../mask';
import { organisationAccountsRepository } from '../../db/organisation-accounts-repository';

const account: FastifyPluginAsync = async (app) => {
  app.addHook('preHandler', async (request, reply) => {
    if (!request.session.user) return reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);
  });

  async function render(request: FastifyRequest, extra: Record<string, unknown> = {}) {
    const user = request.session.user!;
    const found = await accountsRepository(app.db).findById(user.accountId);
    if (!found) throw Object.assign(new Error('account vanished'), { statusCode: 404 });
    const now = app.now();
    const certificates = (await certificatesRepository(app.db).listForAccount(found.id)).map((c) => ({
      ...c,
      expired: c.notAfter < now,
      current: c.unboundAt === null,
    }));
    // A company's or agency's account shows its organisation's fields and names its certificate by kind.
    const organisation = await organisationAccountsRepository(app.db).findByAccountId(found.id);
    return {
      pageTitle: request.t('account.title'),
      breadcrumb: [{ label: request.t('account.title') }],
      account: { ...found, maskedId: displayAccountId(found.idNumber), passwordHash: undefined },
      organisation,
      certificates,
      logins: await loginAttemptsRepository(app.db).listForAccount(found.id, 10),
      ...extra,
    };
  }

  app.get<{ Querystring: { changed?: string; rebound?: string } }>('/account', async (request, reply) =>
    reply.page(
      'account/index',
      await render(request, { changed: request.query.changed === '1', rebound: request.query.rebound === '1' }),
    ),
  );

  app.post<{ Body: Record<string, string | undefined> }>(
    '/account/password',
    {
      config: { rateLimit: { max: 10, timeWindow: 60_000 } },
    },
    async (request, reply) => {
      const user = request.session.user!;
      const accounts = accountsRepository(app.db);
      const found = (await accounts.findById(user.accountId))!;
      const current = String(request.body?.currentPassword ?? '');
      const password = String(request.body?.newPassword ?? '');
      const confirm = String(request.body?.newPasswordConfirm ?? '');
      const errors: FieldErrorCode[] = [];
      if (!current) errors.push({ field: 'currentPassword', code: 'required' });
      const rule = validatePassword(password, found.idNumber);
      if (!rule.ok) errors.push({ field: 'newPassword', code: rule.error });
      const again = validatePasswordConfirm(password, confirm);
      if (!again.ok) errors.push({ field: 'newPasswordConfirm', code: again.error });
      if (errors.length) {
        return reply.code(400).page('account/index', await render(request, { errors: toErrorList(errors, request.t) }));
      }
      // The current password is guessed like any other: a hijacked session must not be a way round the lockout.
      const now = app.now();
      const gate = await app.lockout.begin(found.idNumber, request.ip, now);
      if (gate.kind !== 'open') {
        const refused = gateRefusal(gate);
        reply.header('retry-after', String(refused.retryAfterSeconds));
        const text = request.t(refused.key, refused.params);
        return reply
          .code(refused.status)
          .page('account/index', await render(request, { errors: [{ href: '#currentPassword', text }] }));
      }
      const check = await verifyPassword(found.passwordHash, current);
      if (!check.ok) {
        const result = await app.lockout.failed(gate.attempt, { accountId: found.id, via: 'change_password' }, now);
        const wrong = toErrorList([{ field: 'currentPassword', code: 'wrong' }], request.t);
        const errorList = result.locked
          ? [
              {
                href: '#currentPassword',
                text: request.t('login.errors.locked', { minutes: Math.ceil(app.lockout.policy.lockMs / 60_000) }),
              },
            ]
          : wrong;
        return reply
          .code(result.locked ? 423 : 400)
          .page('account/index', await render(request, { errors: errorList }));
      }
      await app.lockout.passwordAccepted(gate.attempt);
      await changePassword(app.db, {
        accountId: found.id,
        newPassword: password,
        keepSessionId: request.session.sessionId,
        now,
      });
      return reply.redirect('/account?changed=1', 303);
    },
  );
};

export default account;
