// 工商憑證登入 (單一登入): a company or agency logs in with its 工商憑證, 政府憑證 or 通關專屬憑證 in the same four
// steps as 新版自然人憑証登入: PIN碼 ①, 載入憑証 ②, 「憑証載入完成。」, 確定 ③, 送出 ④. Which account a card logs in
// as, a renewed card's re-binding and the session are the citizen login's (finishCertificateLogin).
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config';
import { issueChallenge } from '../../auth/challenges';
import { parseSigningToken, verifySignedChallenge } from '../../auth/signing-token';
import { recordLogin } from '../../auth/login-session';
import { verifiedCard } from '../../auth/verified-card';
import { finishCertificateLogin } from './certificate';

declare module 'fastify' {
  interface Session {
    /** the challenge the 工商憑證登入 page issued last: its no-JS completion comes back to this page */
    organisationLoginNonce?: string;
  }
}

const PAGE = '/login/organisation-certificate';

const organisationCertificateLogin: FastifyPluginAsync<{ config: Config }> = async (app, { config }) => {
  // The 'login' completion is shared with 新版自然人憑証登入: a refusal of this page's challenge is told here.
  const citizenCompletion = app.signingCompletions.get('login');
  app.signingCompletions.set('login', async (request, reply, result) => {
    if (request.session.organisationLoginNonce !== result.nonce || result.ok) {
      if (citizenCompletion) return citizenCompletion(request, reply, result);
      return reply.redirect(PAGE, 303);
    }
    request.session.loginError = result.reason;
    return reply.redirect(PAGE, 303);
  });

  async function render(request: FastifyRequest, reply: FastifyReply, errorReason?: string) {
    const challenge = await issueChallenge(app.db, {
      purpose: 'login',
      origin: config.publicOrigin,
      sessionId: request.session.sessionId,
      now: app.now(),
    });
    request.session.organisationLoginNonce = challenge.nonce;
    const reason = errorReason ?? request.session.loginError;
    request.session.loginError = undefined;
    const message = reason ? request.t(`signing.reasons.${reason}`) : undefined;
    const title = request.t('login.organisation.title');
    return reply.code(errorReason ? 400 : 200).page('login/organisation-certificate', {
      pageTitle: title,
      breadcrumb: [{ label: request.t('login.title'), href: '/login' }, { label: title }],
      challenge,
      signerAction: `${config.signerUrl}/nojs/sign`,
      returnUrl: `${config.publicOrigin}/signing/callback`,
      backUrl: `${config.publicOrigin}${PAGE}`,
      errors: message ? [{ href: '#pin', text: message }] : [],
    });
  }

  app.get(PAGE, async (request, reply) => render(request, reply));

  // The JavaScript path: same-site, so the challenge is checked against this session at once.
  app.post(PAGE, { config: { rateLimit: { max: 30, timeWindow: 60_000 } } }, async (request, reply) => {
    const token = parseSigningToken(request.body);
    if (!token) return render(request, reply, 'token_malformed');
    const result = await verifySignedChallenge(app.db, app.cardVerifier, token, {
      sessionId: request.session.sessionId,
      purpose: 'login',
      now: app.now(),
    });
    if (!result.ok) {
      request.log.info({ reason: result.reason, detail: result.detail }, 'organisation certificate login refused');
      await recordLogin(request, { accountId: null, method: 'certificate', success: false, outcome: result.reason });
      return render(request, reply, result.reason);
    }
    return finishCertificateLogin(request, reply, verifiedCard(result.identity, result.challenge));
  });
};

export default organisationCertificateLogin;
