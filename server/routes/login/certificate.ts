// 新版自然人憑証登入, as the seed walks it: PIN碼 ①, 載入憑証 ②, 「憑証載入完成。」, 確定 ③, 送出 ④.
// Without JavaScript the PIN form posts to the local signer, whose 確定 posts back to /signing/callback;
// with JavaScript the page script asks the signer and 送出 posts the signature here.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config';
import { issueChallenge, CHALLENGE_LIFETIME_MS } from '../../auth/challenges';
import { parseSigningToken, verifySignedChallenge } from '../../auth/signing-token';
import { findAccountForCertificate, refusalFor } from '../../auth/certificate-login';
import { recordLogin, startLoggedInSession } from '../../auth/login-session';
import type { CertificateIdentity } from '../../auth/certificate-identity';

declare module 'fastify' {
  interface Session {
    loginError?: string;
    pendingLogin?: { identity: CertificateIdentity; nonce: string; verifiedAt: number };
    pendingRebind?: { identity: CertificateIdentity; accountId: number };
    loginNext?: string;
  }
}

export async function finishCertificateLogin(request: FastifyRequest, reply: FastifyReply, identity: CertificateIdentity): Promise<FastifyReply> {
  const db = request.server.db;
  const outcome = await findAccountForCertificate(db, identity);
  if (outcome.kind === 'unknown') {
    await recordLogin(request, { accountId: null, method: 'certificate', success: false, outcome: 'unknown_certificate' });
    return reply.code(404).page('login/unknown-certificate', {
      pageTitle: request.t('login.unknownTitle'),
      breadcrumb: [{ label: request.t('login.title'), href: '/login' }, { label: request.t('login.unknownTitle') }],
      identity,
    });
  }
  if (outcome.kind === 'renewal') {
    request.session.pendingRebind = { identity, accountId: outcome.account.id };
    return reply.redirect('/login/rebind', 303);
  }
  // Password failures never refuse a card: it proves possession (server/auth/lockout.ts).
  const refusal = refusalFor(outcome.account);
  if (refusal) {
    await recordLogin(request, { accountId: outcome.account.id, method: 'certificate', success: false, outcome: refusal, auditAction: 'login.refused' });
    request.session.loginError = refusal;
    return reply.redirect('/login/certificate', 303);
  }
  await request.server.lockout.cardAccepted(outcome.account.idNumber, request.ip);
  const next = request.session.loginNext;
  await startLoggedInSession(request, outcome.account, 'certificate', outcome.certificate.id);
  return reply.redirect(next ?? (outcome.account.role === 'citizen' ? '/account' : '/admin'), 303);
}

const certificateLogin: FastifyPluginAsync<{ config: Config }> = async (app, { config }) => {
  app.signingCompletions.set('login', async (request, reply, result) => {
    if (!result.ok) {
      request.session.loginError = result.reason;
      return reply.redirect('/login/certificate', 303);
    }
    request.session.pendingLogin = { identity: result.identity, nonce: result.nonce, verifiedAt: Date.now() };
    return reply.redirect('/login/certificate/confirm', 303);
  });

  async function renderStart(request: FastifyRequest, reply: FastifyReply, errorReason?: string) {
    const challenge = await issueChallenge(app.db, {
      purpose: 'login', origin: config.publicOrigin, sessionId: request.session.sessionId, now: new Date(),
    });
    // Writing to the session makes sure it is stored, so the completion GET finds this browser again.
    request.session.set('signingNonce', challenge.nonce);
    const reason = errorReason ?? request.session.loginError;
    request.session.loginError = undefined;
    const message = reason ? request.t(`signing.reasons.${reason}`) : undefined;
    return reply.code(errorReason ? 400 : 200).page('login/certificate', {
      pageTitle: request.t('login.certificateTitle'),
      breadcrumb: [{ label: request.t('login.title'), href: '/login' }, { label: request.t('login.certificateTitle') }],
      challenge,
      signerAction: `${config.signerUrl}/nojs/sign`,
      returnUrl: `${config.publicOrigin}/signing/callback`,
      // Across sites the signer sees only our origin as Referer: this is where its error page links back to.
      backUrl: `${config.publicOrigin}/login/certificate`,
      errors: message ? [{ href: '#pin', text: message }] : [],
    });
  }

  app.get('/login/certificate', async (request, reply) => renderStart(request, reply));

  // The JavaScript path: same-site, so the session cookie is here and the challenge is checked against it at once.
  app.post('/login/certificate', { config: { rateLimit: { max: 30, timeWindow: 60_000 } } }, async (request, reply) => {
    const token = parseSigningToken(request.body);
    if (!token) return renderStart(request, reply, 'token_malformed');
    const result = await verifySignedChallenge(app.db, app.cardVerifier, token, {
      sessionId: request.session.sessionId, purpose: 'login', now: new Date(),
    });
    if (!result.ok) {
      request.log.info({ reason: result.reason, detail: result.detail }, 'certificate login refused');
      await recordLogin(request, { accountId: null, method: 'certificate', success: false, outcome: result.reason });
      return renderStart(request, reply, result.reason);
    }
    return finishCertificateLogin(request, reply, result.identity);
  });

  // After the no-JS round trip: 「憑証載入完成。」 and 送出 ④.
  /** A card verified by the no-JS round trip waits for 送出 as long as a challenge lives, no longer. */
  const pendingLogin = (request: FastifyRequest) => {
    const pending = request.session.pendingLogin;
    if (pending && Date.now() - pending.verifiedAt <= CHALLENGE_LIFETIME_MS) return pending;
    if (pending) {
      request.session.pendingLogin = undefined;
      request.session.loginError = 'challenge_expired';
    }
    return undefined;
  };

  app.get('/login/certificate/confirm', async (request, reply) => {
    const pending = pendingLogin(request);
    if (!pending) return reply.redirect('/login/certificate', 303);
    return reply.page('login/certificate-confirm', {
      pageTitle: request.t('login.certificateTitle'),
      breadcrumb: [{ label: request.t('login.title'), href: '/login' }, { label: request.t('login.certificateTitle') }],
      identity: pending.identity,
    });
  });

  app.post('/login/certificate/confirm', async (request, reply) => {
    const pending = pendingLogin(request);
    if (!pending) return reply.redirect('/login/certificate', 303);
    request.session.pendingLogin = undefined;
    return finishCertificateLogin(request, reply, pending.identity);
  });
};

export default certificateLogin;
