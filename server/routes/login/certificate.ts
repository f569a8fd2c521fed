// 新版自然人憑証登入, as the seed walks it: PIN碼 ①, 載入憑証 ②, 「憑証載入完成。」, 確定 ③, 送出 ④.
// Without JavaScript the PIN form posts to the local signer, whose 確定 posts back to /signing/callback;
// with JavaScript the page script asks the signer and 送出 posts the signature here.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config';
import { chosenAccount, renderAccountChoice, type AccountChoiceWords } from './account-choice';
import { issueChallenge } from '../../auth/challenges';
import { parseSigningToken, verifySignedChallenge } from '../../auth/signing-token';
import { findAccountForCertificate, refusalFor } from '../../auth/certificate-login';
import { recordLogin, startLoggedInSession } from '../../auth/login-session';
import { isStillVerified, recheckCard, verifiedCard, type VerifiedCard } from '../../auth/verified-card';
import { safeLocalPath } from '../../safe-redirect';
import { assessCard } from '../../auth/card-check';
import { outcomeFor } from '../../auth/outcomes';
import { outcomePages, type OutcomePages } from '../signing/outcome';

declare module 'fastify' {
  interface Session {
    loginError?: string;
    /** verified by the no-JS round trip, waiting for 送出 ④ */
    pendingLogin?: VerifiedCard;
    /** a renewed card, waiting for the account's password */
    pendingRebind?: VerifiedCard & { accountId: number };
    /** a company's new card whose 統一編號 has accounts in several categories, waiting for the choice of one */
    pendingRebindChoice?: VerifiedCard & { accountIds: number[] };
    /** a company's card bound to its accounts in several categories, waiting for the choice of the one to log in as */
    pendingLoginChoice?: VerifiedCard & { accountIds: number[] };
    loginNext?: string;
  }
}

/**
 * A card the session keeps for a later step (送出 ④, a renewed card's password) while the challenge it signed lives,
 * no longer: an expired one is dropped, and the certificate page says the request timed out.
 */
export function stillPending<K extends 'pendingLogin' | 'pendingRebind' | 'pendingRebindChoice' | 'pendingLoginChoice'>(
  request: FastifyRequest,
  key: K,
): FastifyRequest['session'][K] {
  const pending = request.session[key];
  if (pending && isStillVerified(pending, request.server.now())) return pending;
  if (pending) {
    request.session[key] = undefined;
    request.session.loginError = 'challenge_expired';
  }
  return undefined;
}

/** Reasons that are not a failure of this login but a word before it (a password session sent here for 帶憑證 services). */
const NOTICE_REASONS = new Set(['certificate_login_required']);

/** Where a refused card is told why: the 工商憑證登入 page for an organisation certificate, else 新版自然人憑証登入. */
export function certificatePageFor(identity: VerifiedCard['identity']): string {
  const kind = identity.organisation?.issuerKind;
  return kind === 'moeaca' || kind === 'gca' || kind === 'configured'
    ? '/login/organisation-certificate'
    : '/login/certificate';
}

/**
 * A verified card logs in as its account. The card is checked once more here, where the session is created: the
 * challenge it signed must still be alive and the certificate still good (a card revoked since it signed is refused).
 * A refusal that is not the holder's fault (a revoked card, an account under review) is an outcome page.
 * A card bound to several accounts (a company's, one per category) logs in as the one the holder chose
 * (chosenAccountId, from /login/certificate/choose), and is sent there to choose until then.
 */
export async function finishCertificateLogin(
  request: FastifyRequest,
  reply: FastifyReply,
  card: VerifiedCard,
  outcomes: OutcomePages,
  chosenAccountId?: number,
): Promise<FastifyReply> {
  const { db, cardVerifier } = request.server;
  const now = request.server.now();
  const identity = card.identity;
  const refuseCard = async (reason: string, detail?: string) => {
    request.log.info({ reason, detail }, 'certificate login refused at session start');
    await recordLogin(request, { accountId: null, method: 'certificate', success: false, outcome: reason });
    const page = outcomes.refusal(request, reply, reason, 'login', identity);
    if (page) return page;
    request.session.loginError = reason;
    return reply.redirect(certificatePageFor(identity), 303);
  };
  if (!isStillVerified(card, now)) return refuseCard('challenge_expired');
  const recheck = await recheckCard(cardVerifier, identity, now);
  if (!recheck.ok) return refuseCard(recheck.reason, recheck.detail);

  const found = await findAccountForCertificate(db, identity);
  // The chosen account, if the card is still bound to it; else (unbound meanwhile) as an unknown card.
  const outcome: typeof found =
    chosenAccountId === undefined
      ? found
      : found.kind === 'bound'
        ? { kind: 'bound', bindings: found.bindings.filter((b) => b.account.id === chosenAccountId) }
        : { kind: 'unknown' };
  if (outcome.kind === 'unknown' || (outcome.kind === 'bound' && outcome.bindings.length === 0)) {
    await recordLogin(request, {
      accountId: null,
      method: 'certificate',
      success: false,
      outcome: 'unknown_certificate',
    });
    return outcomes.render(request, reply, outcomeFor('unknown_certificate', 'login')!, 'login', identity);
  }
  if (outcome.kind === 'renewal') {
    if (outcome.accounts.length === 1) {
      request.session.pendingRebind = { ...card, accountId: outcome.accounts[0].id };
      return reply.redirect('/login/rebind', 303);
    }
    // One 統一編號 with an account in several categories: the holder says which one the new card joins.
    request.session.pendingRebindChoice = { ...card, accountIds: outcome.accounts.map((a) => a.id) };
    return reply.redirect('/login/rebind/choose', 303);
  }
  if (outcome.bindings.length > 1) {
    request.session.pendingLoginChoice = { ...card, accountIds: outcome.bindings.map((b) => b.account.id) };
    return reply.redirect('/login/certificate/choose', 303);
  }
  const [{ account, certificate }] = outcome.bindings;
  // Password failures never refuse a card: it proves possession (server/auth/lockout.ts).
  const refusal = refusalFor(account);
  if (refusal) {
    await recordLogin(request, {
      accountId: account.id,
      method: 'certificate',
      success: false,
      outcome: refusal,
      auditAction: 'login.refused',
    });
    return outcomes.render(request, reply, outcomeFor(refusal, 'login')!, 'login', identity);
  }
  await request.server.lockout.cardAccepted(account.idNumber, request.ip);
  const next = request.session.loginNext;
  await startLoggedInSession(request, account, 'certificate', certificate.id);
  return reply.redirect(safeLocalPath(next, account.role === 'citizen' ? '/account' : '/admin'), 303);
}

const certificateLogin: FastifyPluginAsync<{ config: Config }> = async (app, { config }) => {
  const outcomes = outcomePages(config);

  app.signingCompletions.set('login', async (request, reply, result) => {
    if (!result.ok) {
      const page = outcomes.refusal(request, reply, result.reason, 'login');
      if (page) return page;
      request.session.loginError = result.reason;
      return reply.redirect('/login/certificate', 303);
    }
    const card = verifiedCard(result.identity, result);
    // A login that 送出 ④ would refuse (no account, an account under review) is told now, not after one more step.
    if (!(await assessCard(app.db, 'login', card.identity)).ok)
      return finishCertificateLogin(request, reply, card, outcomes);
    request.session.pendingLogin = card;
    return reply.redirect('/login/certificate/confirm', 303);
  });

  async function renderStart(request: FastifyRequest, reply: FastifyReply, errorReason?: string) {
    const challenge = await issueChallenge(app.db, {
      purpose: 'login',
      origin: config.publicOrigin,
      sessionId: request.session.sessionId,
      now: app.now(),
    });
    // Writing to the session makes sure it is stored, so the completion GET finds this browser again.
    request.session.set('signingNonce', challenge.nonce);
    const reason = errorReason ?? request.session.loginError;
    request.session.loginError = undefined;
    const notice = reason && NOTICE_REASONS.has(reason) ? request.t(`signing.reasons.${reason}`) : undefined;
    const message = reason && !notice ? request.t(`signing.reasons.${reason}`) : undefined;
    // The readiness box before the PIN frames the local signer's page.
    reply.allowSignerFrame();
    return reply.code(errorReason ? 400 : 200).page('login/certificate', {
      pageTitle: request.t('login.certificateTitle'),
      breadcrumb: [{ label: request.t('login.title'), href: '/login' }, { label: request.t('login.certificateTitle') }],
      challenge,
      signerAction: `${config.signerUrl}/nojs/sign`,
      returnUrl: `${config.publicOrigin}/signing/callback`,
      // Across sites the signer sees only our origin as Referer: this is where its error page links back to.
      backUrl: `${config.publicOrigin}/login/certificate`,
      errors: message ? [{ href: '#pin', text: message }] : [],
      notice,
    });
  }

  app.get('/login/certificate', async (request, reply) => renderStart(request, reply));

  // The JavaScript path: same-site, so the session cookie is here and the challenge is checked against it at once.
  app.post('/login/certificate', { config: { rateLimit: { max: 30, timeWindow: 60_000 } } }, async (request, reply) => {
    const token = parseSigningToken(request.body);
    if (!token) return renderStart(request, reply, 'token_malformed');
    const result = await verifySignedChallenge(app.db, app.cardVerifier, token, {
      sessionId: request.session.sessionId,
      purpose: 'login',
      now: app.now(),
    });
    if (!result.ok) {
      request.log.info({ reason: result.reason, detail: result.detail }, 'certificate login refused');
      await recordLogin(request, { accountId: null, method: 'certificate', success: false, outcome: result.reason });
      return outcomes.refusal(request, reply, result.reason, 'login') ?? renderStart(request, reply, result.reason);
    }
    return finishCertificateLogin(request, reply, verifiedCard(result.identity, result.challenge), outcomes);
  });

  // After the no-JS round trip: 「憑証載入完成。」 and 送出 ④.
  const pendingLogin = (request: FastifyRequest) => stillPending(request, 'pendingLogin');

  app.get('/login/certificate/confirm', async (request, reply) => {
    const pending = pendingLogin(request);
    if (!pending) return reply.redirect('/login/certificate', 303);
    // A company's card came from 工商憑證登入: the page keeps that page's title, and 取消 leads back there.
    const start = certificatePageFor(pending.identity);
    const title = request.t(start === '/login/certificate' ? 'login.certificateTitle' : 'login.organisation.title');
    return reply.page('login/certificate-confirm', {
      pageTitle: title,
      breadcrumb: [{ label: request.t('login.title'), href: '/login' }, { label: title }],
      identity: pending.identity,
      cancelHref: start,
    });
  });

  app.post('/login/certificate/confirm', async (request, reply) => {
    const pending = pendingLogin(request);
    if (!pending) return reply.redirect('/login/certificate', 303);
    request.session.pendingLogin = undefined;
    return finishCertificateLogin(request, reply, pending, outcomes);
  });

  // A company's card bound to its accounts in several categories: which one to log in as, while the challenge lives.
  const choiceWords = (request: FastifyRequest): AccountChoiceWords => {
    const title = request.t('login.loginChooseTitle');
    return {
      title,
      breadcrumb: [{ label: request.t('login.title'), href: '/login' }, { label: title }],
      intro: request.t('login.loginChooseIntro'),
      legend: request.t('login.loginChooseLegend'),
      submit: request.t('login.loginChooseSubmit'),
      required: request.t('login.errors.loginChoiceRequired'),
      action: '/login/certificate/choose',
    };
  };

  app.get('/login/certificate/choose', async (request, reply) => {
    const pending = stillPending(request, 'pendingLoginChoice');
    if (!pending) return reply.redirect('/login/organisation-certificate', 303);
    return renderAccountChoice(app.db, request, reply, pending, choiceWords(request));
  });

  app.post<{ Body: { accountId?: string } }>('/login/certificate/choose', async (request, reply) => {
    const pending = stillPending(request, 'pendingLoginChoice');
    if (!pending) return reply.redirect('/login/organisation-certificate', 303);
    const accountId = chosenAccount(pending, request.body);
    if (accountId === undefined)
      return renderAccountChoice(app.db, request, reply, pending, choiceWords(request), true);
    const { accountIds: _, ...card } = pending;
    request.session.pendingLoginChoice = undefined;
    return finishCertificateLogin(request, reply, card, outcomes, accountId);
  });
};

export default certificateLogin;
