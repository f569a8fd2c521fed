// 帳號密碼登入 for 通關服務(免憑證): the form, its errors and the pages for each outcome of server/auth/password-login.ts;
// a rate limit per IP on top of the password lockout.
import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../../config';
import { startLoggedInSession } from '../../auth/login-session';
import { attemptPasswordLogin } from '../../auth/password-login';
import { readPasswordLogin } from '../../forms/password-login';
import { ORGANISATION_CATEGORIES } from '../../registration/organisation-rules';
import { safeLocalPath } from '../../safe-redirect';
import { outcomeFor } from '../../auth/outcomes';
import { outcomePages } from '../signing/outcome';

type PasswordLoginBody = Record<string, string | undefined>;

const passwordLogin: FastifyPluginAsync<{ config: Config }> = async (app, { config }) => {
  const outcomes = outcomePages(config);
  const page = (request: import('fastify').FastifyRequest, data: Record<string, unknown>) => ({
    pageTitle: request.t('login.passwordTitle'),
    intro: request.t('login.passwordIntro', { max: config.loginMaxFailures, minutes: config.loginLockoutMinutes }),
    breadcrumb: [{ label: request.t('login.title'), href: '/login' }, { label: request.t('login.passwordTitle') }],
    organisationCategories: ORGANISATION_CATEGORIES.map((code) => ({
      value: code,
      label: request.t(`validation.categories.${code}`),
    })),
    ...data,
  });

  app.get('/login/password', async (request, reply) =>
    reply.page('login/password', page(request, { values: { kind: 'person' } })),
  );

  app.post<{ Body: PasswordLoginBody }>(
    '/login/password',
    {
      config: { rateLimit: { max: 20, timeWindow: 60_000 } },
    },
    async (request, reply) => {
      const form = readPasswordLogin(request.body);
      const values = form.values;
      if (!form.ok) {
        const errors = form.errors.map((e) => ({ href: `#${e.field}`, text: request.t(`login.errors.${e.key}`) }));
        return reply.code(400).page('login/password', page(request, { errors, values }));
      }
      const outcome = await attemptPasswordLogin(app, {
        accountKey: form.accountKey,
        password: form.password,
        ip: request.ip,
        now: app.now(),
      });
      // An error goes to the form that was sent: the person's or the organisation's.
      const person = values.kind === 'person';
      const refuse = (text: string, status: number) =>
        reply.code(status).page(
          'login/password',
          // A lock is answered with the way out of it: the bound card lifts it at once (/login/unlock).
          page(request, {
            errors: [{ href: person ? '#idNumber' : '#organisationId', text }],
            values,
            locked: status === 423,
          }),
        );
      switch (outcome.kind) {
        case 'held':
          reply.header('retry-after', String(outcome.refusal.retryAfterSeconds));
          return refuse(request.t(outcome.refusal.key, outcome.refusal.params), outcome.refusal.status);
        case 'locked_now':
          return refuse(request.t('login.errors.locked', { minutes: config.loginLockoutMinutes }), 423);
        case 'wrong_credentials':
          return refuse(
            request.t(person ? 'login.errors.wrongCredentials' : 'login.errors.wrongOrganisationCredentials'),
            401,
          );
        case 'refused':
          // The password was right, so this says nothing to someone guessing: the account's state, and what to do.
          return outcomes.render(
            request,
            reply,
            outcomeFor(outcome.refusal, 'login')!,
            'login',
            undefined,
            values.kind === 'organisation' ? 'organisation' : 'citizen',
            'password',
          );
      }
      const { account } = outcome;
      const next = request.session.loginNext;
      await startLoggedInSession(request, account, 'password');
      return reply.redirect(safeLocalPath(next, account.role === 'citizen' ? '/account' : '/admin'), 303);
    },
  );
};

export default passwordLogin;
