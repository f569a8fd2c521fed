// 帳號密碼登入 for 通關服務(免憑證): the same answer and cost for an unknown account and a wrong password,
// the password lockout of server/auth/lockout.ts (per ID number and source), a rate limit per IP.
import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../../config';
import { accountsRepository } from '../../db/accounts-repository';
import { verifyPassword, hashPassword } from '../../auth/passwords';
import { refusalFor } from '../../auth/certificate-login';
import { gateRefusal } from '../../auth/lockout';
import { recordLogin, startLoggedInSession } from '../../auth/login-session';
import { auditRepository } from '../../db/audit-repository';
import { withTransaction } from '../../db/transaction';
import { safeLocalPath } from '../../safe-redirect';
import { outcomeFor } from '../../auth/outcomes';
import { outcomePages } from '../signing/outcome';

interface PasswordLoginBody {
  idNumber?: string;
  password?: string;
}

const passwordLogin: FastifyPluginAsync<{ config: Config }> = async (app, { config }) => {
  const outcomes = outcomePages(config);
  const page = (request: import('fastify').FastifyRequest, data: Record<string, unknown>) => ({
    pageTitle: request.t('login.passwordTitle'),
    intro: request.t('login.passwordIntro', { max: config.loginMaxFailures, minutes: config.loginLockoutMinutes }),
    breadcrumb: [{ label: request.t('login.title'), href: '/login' }, { label: request.t('login.passwordTitle') }],
    ...data,
  });

  app.get('/login/password', async (request, reply) => reply.page('login/password', page(request, { values: {} })));

  app.post<{ Body: PasswordLoginBody }>(
    '/login/password',
    {
      config: { rateLimit: { max: 20, timeWindow: 60_000 } },
    },
    async (request, reply) => {
      const idNumber = String(request.body?.idNumber ?? '')
        .trim()
        .toUpperCase();
      const password = String(request.body?.password ?? '');
      const errors = [];
      if (!idNumber) errors.push({ href: '#idNumber', text: request.t('login.errors.idNumberRequired') });
      if (!password) errors.push({ href: '#password', text: request.t('login.errors.passwordRequired') });
      if (errors.length) return reply.code(400).page('login/password', page(request, { errors, values: { idNumber } }));

      const now = app.now();
      const accounts = accountsRepository(app.db);
      // Only an ID number that could belong to an account reaches the database; anything else is simply wrong.
      const plausible = /^[A-Z0-9]{1,20}$/.test(idNumber);
      const refuse = (text: string, status: number) =>
        reply.code(status).page(
          'login/password',
          // A lock is answered with the way out of it: the bound card lifts it at once (/login/unlock).
          page(request, { errors: [{ href: '#idNumber', text }], values: { idNumber }, locked: status === 423 }),
        );

      // Counted before the account is looked up, the same way for every ID number: no answer tells whether it is registered.
      const gate = plausible ? await app.lockout.begin(idNumber, request.ip, now) : undefined;
      const account = plausible ? await accounts.findByIdNumber(idNumber) : undefined;
      if (gate && gate.kind !== 'open') {
        await recordLogin(request, {
          accountId: account?.id ?? null,
          method: 'password',
          success: false,
          outcome: gate.kind === 'wait' ? 'delayed' : 'locked',
        });
        const refused = gateRefusal(gate);
        reply.header('retry-after', String(refused.retryAfterSeconds));
        return refuse(request.t(refused.key, refused.params), refused.status);
      }
      const check = await verifyPassword(account?.passwordHash ?? null, password);
      if (!account || !check.ok) {
        const result: { locked?: 'source' | 'account' } = gate
          ? await app.lockout.failed(gate.attempt, { accountId: account?.id ?? null, via: 'password_login' }, now)
          : {};
        await recordLogin(request, {
          accountId: account?.id ?? null,
          method: 'password',
          success: false,
          outcome: result.locked ? 'locked_now' : account ? 'wrong_password' : 'unknown_account',
        });
        if (result.locked)
          return refuse(request.t('login.errors.locked', { minutes: config.loginLockoutMinutes }), 423);
        return refuse(request.t('login.errors.wrongCredentials'), 401);
      }
      if (gate) await app.lockout.passwordAccepted(gate.attempt);
      const refusal = refusalFor(account);
      if (refusal) {
        await recordLogin(request, {
          accountId: account.id,
          method: 'password',
          success: false,
          outcome: refusal,
          auditAction: 'login.refused',
        });
        // The password was right, so this says nothing to someone guessing: the account's state, and what to do.
        return outcomes.render(request, reply, outcomeFor(refusal, 'login')!, 'login');
      }
      if (check.needsRehash) {
        await accounts.setPasswordHash(account.id, await hashPassword(password), now);
        await withTransaction(app.db, (client) =>
          auditRepository(client).append(
            {
              actorAccountId: account.id,
              actorLabel: `account:${account.id}`,
              action: 'password.rehash',
              subjectAccountId: account.id,
            },
            now,
          ),
        );
      }
      const next = request.session.loginNext;
      await startLoggedInSession(request, account, 'password');
      return reply.redirect(safeLocalPath(next, account.role === 'citizen' ? '/account' : '/admin'), 303);
    },
  );
};

export default passwordLogin;
