// The password page of a renewed card's binding (server/auth/renewed-card.ts): the form while the challenge the card
// signed lives, and a page for each outcome.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Config } from '../../config';
import { accountsRepository, type Account } from '../../db/accounts-repository';
import { isOrganisationCategory } from '../../registration/organisation-rules';
import { startLoggedInSession } from '../../auth/login-session';
import { bindRenewedCard } from '../../auth/renewed-card';
import { displayAccountId } from '../../mask';
import { stillPending } from './certificate';
import { chosenAccount, renderAccountChoice, type AccountChoiceWords } from './account-choice';
import { outcomeFor } from '../../auth/outcomes';
import { outcomePages } from '../signing/outcome';

const rebind: FastifyPluginAsync<{ config: Config }> = async (app, { config }) => {
  const outcomes = outcomePages(config);
  /** A citizen's renewed card replaces the old one; a company's new card joins the cards the account holds. */
  const rebindIntro = (request: FastifyRequest, account: Account) =>
    isOrganisationCategory(account.category)
      ? request.t('login.rebindIntroOrganisation', {
          id: displayAccountId(account.idNumber),
          category: request.t(`validation.categories.${account.category}`),
        })
      : request.t('login.rebindIntro', { id: displayAccountId(account.idNumber) });
  const pageData = async (request: FastifyRequest, extra: Record<string, unknown> = {}) => {
    const pending = request.session.pendingRebind!;
    const account = await accountsRepository(app.db).findById(pending.accountId);
    return {
      pageTitle: request.t('login.rebindTitle'),
      breadcrumb: [{ label: request.t('login.title'), href: '/login' }, { label: request.t('login.rebindTitle') }],
      identity: pending.identity,
      intro: account ? rebindIntro(request, account) : '',
      ...extra,
    };
  };

  /** The renewed card waits for the password only while the challenge it signed lives. */
  const pendingRebind = (request: FastifyRequest) => stillPending(request, 'pendingRebind');

  /** The accounts a company's new card may join, each named by its category, while the challenge lives. */
  const choiceWords = (request: FastifyRequest): AccountChoiceWords => {
    const title = request.t('login.rebindChooseTitle');
    return {
      title,
      breadcrumb: [{ label: request.t('login.title'), href: '/login' }, { label: title }],
      intro: request.t('login.rebindChooseIntro'),
      legend: request.t('login.rebindChooseLegend'),
      submit: request.t('login.rebindChooseSubmit'),
      required: request.t('login.errors.rebindChoiceRequired'),
      action: '/login/rebind/choose',
    };
  };

  app.get('/login/rebind/choose', async (request, reply) => {
    const pending = stillPending(request, 'pendingRebindChoice');
    if (!pending) return reply.redirect('/login/organisation-certificate', 303);
    return renderAccountChoice(app.db, request, reply, pending, choiceWords(request));
  });

  app.post<{ Body: { accountId?: string } }>('/login/rebind/choose', async (request, reply) => {
    const pending = stillPending(request, 'pendingRebindChoice');
    if (!pending) return reply.redirect('/login/organisation-certificate', 303);
    const accountId = chosenAccount(pending, request.body);
    if (accountId === undefined)
      return renderAccountChoice(app.db, request, reply, pending, choiceWords(request), true);
    const { accountIds: _, ...card } = pending;
    request.session.pendingRebindChoice = undefined;
    request.session.pendingRebind = { ...card, accountId };
    return reply.redirect('/login/rebind', 303);
  });

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
      const fail = async (text: string, status: number) =>
        reply.code(status).page('login/rebind', await pageData(request, { errors: [{ href: '#password', text }] }));
      if (!account) return reply.redirect('/login/certificate', 303);
      if (!password) return fail(request.t('login.errors.passwordRequired'), 400);
      const outcome = await bindRenewedCard(app, {
        account,
        identity: pending.identity,
        password,
        ip: request.ip,
        now: app.now(),
      });
      switch (outcome.kind) {
        case 'held':
          reply.header('retry-after', String(outcome.refusal.retryAfterSeconds));
          return fail(request.t(outcome.refusal.key, outcome.refusal.params), outcome.refusal.status);
        case 'locked_now':
          return fail(request.t('login.errors.locked', { minutes: config.loginLockoutMinutes }), 423);
        case 'wrong_password':
          return fail(request.t('login.errors.wrongPassword'), 401);
        case 'taken':
          return fail(request.t('login.errors.certificateTaken'), 409);
        case 'refused':
          request.session.pendingRebind = undefined;
          return outcomes.render(request, reply, outcomeFor(outcome.refusal, 'login')!, 'login', pending.identity);
        case 'card_refused': {
          request.log.info({ reason: outcome.reason, detail: outcome.detail }, 'renewed card refused at binding');
          request.session.pendingRebind = undefined;
          const page = outcomes.refusal(request, reply, outcome.reason, 'login', pending.identity);
          if (page) return page;
          request.session.loginError = outcome.reason;
          return reply.redirect('/login/certificate', 303);
        }
      }
      request.session.pendingRebind = undefined;
      await startLoggedInSession(request, account, 'certificate', outcome.certificate.id);
      return reply.redirect('/account?rebound=1', 303);
    },
  );
};

export default rebind;
