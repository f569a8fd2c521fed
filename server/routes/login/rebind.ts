// A renewed card (new certificate, same ID last-4 and name, valid chain) is bound after the account's password is confirmed;
// the old binding stays as history.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Config } from '../../config';
import { accountsRepository } from '../../db/accounts-repository';
import { certificatesRepository } from '../../db/certificates-repository';
import { auditRepository } from '../../db/audit-repository';
import { withTransaction } from '../../db/transaction';
import { verifyPassword } from '../../auth/passwords';
import { bindingFor } from '../../auth/bind-certificate';
import { recordLogin, startLoggedInSession } from '../../auth/login-session';
import { refusalFor } from '../../auth/certificate-login';
import { gateRefusal } from '../../auth/lockout';
import { organisationAccountsRepository } from '../../db/organisation-accounts-repository';
import { maskIdNumber } from '../../mask';
import { recheckCard } from '../../auth/verified-card';
import { stillPending } from './certificate';

const rebind: FastifyPluginAsync<{ config: Config }> = async (app, { config }) => {
  const pageData = async (request: FastifyRequest, extra: Record<string, unknown> = {}) => {
    const pending = request.session.pendingRebind!;
    const account = await accountsRepository(app.db).findById(pending.accountId);
    return {
      pageTitle: request.t('login.rebindTitle'),
      breadcrumb: [{ label: request.t('login.title'), href: '/login' }, { label: request.t('login.rebindTitle') }],
      identity: pending.identity,
      maskedId: account ? maskIdNumber(account.idNumber) : '',
      ...extra,
    };
  };

  /** The renewed card waits for the password only while the challenge it signed lives. */
  const pendingRebind = (request: FastifyRequest) => stillPending(request, 'pendingRebind');

  app.get('/login/rebind', async (request, reply) => {
    if (!pendingRebind(request)) return reply.redirect('/login/certificate', 303);
    return reply.page('login/rebind', await pageData(request));
  });

  app.post<{ Body: { password?: string } }>(
    '/login/rebind',
    {
      config: { rateLimit: { max: 10, timeWindow: 60_000 } },
    },
    async (request, reply) => {
      const pending = pendingRebind(request);
      if (!pending) return reply.redirect('/login/certificate', 303);
      const password = String(request.body?.password ?? '');
      const accounts = accountsRepository(app.db);
      const account = await accounts.findById(pending.accountId);
      const now = app.now();
      const fail = async (text: string, status: number) =>
        reply.code(status).page('login/rebind', await pageData(request, { errors: [{ href: '#password', text }] }));
      if (!account) return reply.redirect('/login/certificate', 303);
      if (!password) return fail(request.t('login.errors.passwordRequired'), 400);
      // The new card is not bound yet, so the password is what proves the account: guesses count like any other.
      const gate = await app.lockout.begin(account.idNumber, request.ip, now);
      if (gate.kind !== 'open') {
        const refused = gateRefusal(gate);
        reply.header('retry-after', String(refused.retryAfterSeconds));
        return fail(request.t(refused.key, refused.params), refused.status);
      }
      const check = await verifyPassword(account.passwordHash, password);
      if (!check.ok) {
        const result = await app.lockout.failed(gate.attempt, { accountId: account.id, via: 'rebind' }, now);
        await recordLogin(request, {
          accountId: account.id,
          method: 'certificate',
          success: false,
          outcome: result.locked ? 'rebind_locked_now' : 'rebind_wrong_password',
        });
        if (result.locked) return fail(request.t('login.errors.locked', { minutes: config.loginLockoutMinutes }), 423);
        return fail(request.t('login.errors.wrongPassword'), 401);
      }
      const refusal = refusalFor(account);
      if (refusal) return fail(request.t(`signing.reasons.${refusal}`), 403);
      // The card once more before it is bound: revoked since it signed means no binding and no session.
      const recheck = await recheckCard(app.cardVerifier, pending.identity, app.now());
      if (!recheck.ok) {
        request.log.info({ reason: recheck.reason, detail: recheck.detail }, 'renewed card refused at binding');
        request.session.pendingRebind = undefined;
        request.session.loginError = recheck.reason;
        return reply.redirect('/login/certificate', 303);
      }

      const bound = await withTransaction(app.db, async (client) => {
        const certificates = certificatesRepository(client);
        const previous = (await certificates.listForAccount(account.id)).filter((c) => c.unboundAt === null);
        // A citizen's renewed card replaces the old one; a company or agency may hold several cards (正卡, 附卡), so
        // a new one is added and the operator unbinds a card the organisation no longer uses.
        const replaces = !(await organisationAccountsRepository(client).findByAccountId(account.id));
        if (replaces) for (const old of previous) await certificates.unbind(old.id, 'renewed', now);
        const binding = await certificates.bind(bindingFor(account.id, pending.identity), now);
        if (!binding) return undefined;
        await auditRepository(client).append(
          {
            actorAccountId: account.id,
            actorLabel: `account:${account.id}`,
            action: 'certificate.rebind',
            subjectAccountId: account.id,
            details: {
              fingerprint: pending.identity.fingerprintSha256,
              previous: previous.map((c) => c.fingerprintSha256),
              kept: !replaces,
            },
          },
          now,
        );
        return binding;
      });
      if (!bound) return fail(request.t('login.errors.certificateTaken'), 409);
      request.session.pendingRebind = undefined;
      // Card and password both proven: as after a card login, the account-wide lock and this source's count end.
      await app.lockout.cardAccepted(account.idNumber, request.ip);
      await startLoggedInSession(request, account, 'certificate', bound.id);
      return reply.redirect('/account?rebound=1', 303);
    },
  );
};

export default rebind;
