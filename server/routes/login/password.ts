// 帳號密碼登入 for 通關服務(免憑證): the same answer and cost for an unknown account and a wrong password,
// lockout after too many failures in a window, a rate limit per IP.
import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../../config';
import { accountsRepository } from '../../db/accounts-repository';
import { verifyPassword, hashPassword } from '../../auth/passwords';
import { refusalFor } from '../../auth/certificate-login';
import { recordLogin, startLoggedInSession } from '../../auth/login-session';
import { auditRepository } from '../../db/audit-repository';
import { withTransaction } from '../../db/transaction';
import { safeLocalPath } from '../../safe-redirect';

interface PasswordLoginBody {
  idNumber?: string;
  password?: string;
}

const passwordLogin: FastifyPluginAsync<{ config: Config }> = async (app, { config }) => {
  const page = (request: import('fastify').FastifyRequest, data: Record<string, unknown>) => ({
    pageTitle: request.t('login.passwordTitle'),
    breadcrumb: [{ label: request.t('login.title'), href: '/login' }, { label: request.t('login.passwordTitle') }],
    ...data,
  });

  app.get('/login/password', async (request, reply) => reply.page('login/password', page(request, { values: {} })));

  app.post<{ Body: PasswordLoginBody }>('/login/password', {
    config: { rateLimit: { max: 20, timeWindow: 60_000 } },
  }, async (request, reply) => {
    const idNumber = String(request.body?.idNumber ?? '').trim().toUpperCase();
    const password = String(request.body?.password ?? '');
    const errors = [];
    if (!idNumber) errors.push({ href: '#idNumber', text: request.t('login.errors.idNumberRequired') });
    if (!password) errors.push({ href: '#password', text: request.t('login.errors.passwordRequired') });
    if (errors.length) return reply.code(400).page('login/password', page(request, { errors, values: { idNumber } }));

    const now = new Date();
    const accounts = accountsRepository(app.db);
    const account = idNumber.length <= 20 ? await accounts.findByIdNumber(idNumber) : undefined;
    const check = await verifyPassword(account?.passwordHash ?? null, password);
    const refuse = (key: string, status = 401) =>
      reply.code(status).page('login/password', page(request, { errors: [{ href: '#idNumber', text: request.t(key) }], values: { idNumber } }));

    if (account && account.lockedUntil && account.lockedUntil > now) {
      await recordLogin(request, { accountId: account.id, method: 'password', success: false, outcome: 'locked' });
      return refuse('login.errors.locked', 423);
    }
    if (!account || !check.ok) {
      if (account) {
        const after = await accounts.recordFailedLogin(account.id, now, config.loginLockoutMinutes, config.loginMaxFailures, config.loginLockoutMinutes);
        const justLocked = after?.lockedUntil && after.lockedUntil > now && after.failedLogins >= config.loginMaxFailures;
        await recordLogin(request, {
          accountId: account.id, method: 'password', success: false, outcome: justLocked ? 'locked_now' : 'wrong_password',
          auditAction: justLocked ? 'account.locked' : undefined,
        });
        if (justLocked) return refuse('login.errors.locked', 423);
      } else {
        await recordLogin(request, { accountId: null, method: 'password', success: false, outcome: 'unknown_account' });
      }
      return refuse('login.errors.wrongCredentials');
    }
    const refusal = refusalFor(account, now);
    if (refusal) {
      await recordLogin(request, { accountId: account.id, method: 'password', success: false, outcome: refusal, auditAction: 'login.refused' });
      return refuse(`signing.reasons.${refusal}`, 403);
    }
    await accounts.clearFailedLogins(account.id, now);
    if (check.needsRehash) {
      await accounts.setPasswordHash(account.id, await hashPassword(password), now);
      await withTransaction(app.db, (client) => auditRepository(client).append({
        actorAccountId: account.id, actorLabel: `account:${account.id}`, action: 'password.rehash', subjectAccountId: account.id,
      }));
    }
    const next = request.session.loginNext;
    await startLoggedInSession(request, account, 'password');
    return reply.redirect(safeLocalPath(next, account.role === 'citizen' ? '/account' : '/admin'), 303);
  });
};

export default passwordLogin;
