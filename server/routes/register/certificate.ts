// The no-JS certificate step: PIN碼 and 載入自然人憑證 in a form that posts to the local signer (never to the portal).
// The signer's 「憑證載入完成。」 page posts back to /signing/callback, whose completion GET calls the 'register'
// handler below in this browser's session; it checks the card against the details and continues to the confirm page.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config';
import { issueChallenge } from '../../auth/challenges';
import { parseSigningToken, verifySignedChallenge } from '../../auth/signing-token';
import type { CertificateIdentity } from '../../auth/certificate-identity';
import { bindingRefusal } from '../../registration/binding-rules';
import { reasonMessage, signerReferrer } from './shared';
import { verifiedCard } from '../../auth/verified-card';
import { outcomePages } from '../signing/outcome';

const certificateStep: FastifyPluginAsync<{ config: Config }> = async (app, { config }) => {
  const outcomes = outcomePages(config);

  /** A verified card (from either path of this step): the binding rules now, so a mismatch is told before 送出. */
  async function acceptCard(
    request: FastifyRequest,
    reply: FastifyReply,
    identity: CertificateIdentity,
    challenge: { nonce: string; expiresAt: Date },
  ) {
    const draft = request.session.registrationDraft;
    if (!draft) return reply.redirect('/register/citizen', 303);
    const refusal = await bindingRefusal(app.db, draft, identity);
    if (refusal) {
      request.log.info({ reason: refusal }, 'registration card refused');
      // Already registered (the card or the ID number): an outcome page with 直接登入, not an error at the PIN.
      const page = outcomes.refusal(request, reply, refusal, 'register', identity);
      if (page) return page;
      request.session.registrationError = refusal;
      return reply.redirect('/register/citizen/certificate', 303);
    }
    request.session.registrationCard = verifiedCard(identity, challenge);
    return reply.redirect('/register/citizen/confirm', 303);
  }

  app.signingCompletions.set('register', async (request, reply, result) => {
    if (!request.session.registrationDraft) return reply.redirect('/register/citizen', 303);
    if (!result.ok) {
      const page = outcomes.refusal(request, reply, result.reason, 'register');
      if (page) return page;
      request.session.registrationError = result.reason;
      return reply.redirect('/register/citizen/certificate', 303);
    }
    return acceptCard(request, reply, result.identity, result);
  });

  async function render(request: FastifyRequest, reply: FastifyReply, errorReason?: string) {
    const draft = request.session.registrationDraft;
    if (!draft) return reply.redirect('/register/citizen', 303);
    const challenge = await issueChallenge(app.db, {
      purpose: 'register',
      origin: config.publicOrigin,
      sessionId: request.session.sessionId,
      now: app.now(),
    });
    request.session.set('signingNonce', challenge.nonce);
    const reason = errorReason ?? request.session.registrationError;
    request.session.registrationError = undefined;
    const t = request.t;
    const title = t('register.certificate.title');
    signerReferrer(reply);
    reply.allowSignerFrame();
    return reply.code(errorReason ? 400 : 200).page('register/certificate', {
      pageTitle: title,
      breadcrumb: [
        { label: t('register.chooser.title'), href: '/register' },
        { label: t('register.citizen.title'), href: '/register/citizen?edit=1' },
        { label: title },
      ],
      draft,
      reason,
      challenge,
      signerAction: `${config.signerUrl}/nojs/sign`,
      returnUrl: `${config.publicOrigin}/signing/callback`,
      errors: reason ? [{ href: '#pin', text: reasonMessage(request, reason) }] : [],
    });
  }

  app.get('/register/citizen/certificate', async (request, reply) => render(request, reply));

  // When the page script signed on this page (same-site, so the session is checked at once).
  app.post(
    '/register/citizen/certificate',
    { config: { rateLimit: { max: 30, timeWindow: 60_000 } } },
    async (request, reply) => {
      if (!request.session.registrationDraft) return reply.redirect('/register/citizen', 303);
      const token = parseSigningToken(request.body);
      if (!token) return render(request, reply, 'token_malformed');
      const verified = await verifySignedChallenge(app.db, app.cardVerifier, token, {
        sessionId: request.session.sessionId,
        purpose: 'register',
        now: app.now(),
      });
      if (!verified.ok) {
        request.log.info({ reason: verified.reason, detail: verified.detail }, 'registration signature refused');
        return outcomes.refusal(request, reply, verified.reason, 'register') ?? render(request, reply, verified.reason);
      }
      return acceptCard(request, reply, verified.identity, verified.challenge);
    },
  );
};

export default certificateStep;
