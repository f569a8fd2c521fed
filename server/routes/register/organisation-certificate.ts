// Step 1 of a company or agency registration: PIN碼 and 載入憑證 in a form that posts to the local signer (never to
// the portal), as the citizen certificate page does. Without JavaScript the signer's 「憑證載入完成。」 page posts back
// to /signing/callback, whose completion GET reaches the 'register' handler below; with JavaScript the page script
// signs and posts the result here. The card is checked against the category's rules at once, then the details.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config';
import { issueChallenge } from '../../auth/challenges';
import { parseSigningToken, verifySignedChallenge } from '../../auth/signing-token';
import type { CertificateIdentity } from '../../auth/certificate-identity';
import { verifiedCard } from '../../auth/verified-card';
import { organisationBindingRefusal } from '../../registration/organisation';
import { ORGANISATION_RULES } from '../../registration/organisation-rules';
import { reasonMessage, signerReferrer } from './shared';
import {
  breadcrumbFor,
  chosenRegistration,
  registrationTitle,
  stepUrl,
  type OrganisationRegistration,
} from './organisation-shared';

const organisationCertificate: FastifyPluginAsync<{ config: Config }> = async (app, { config }) => {
  async function acceptCard(
    request: FastifyRequest,
    reply: FastifyReply,
    reg: OrganisationRegistration,
    identity: CertificateIdentity,
    challenge: { nonce: string; expiresAt: Date },
    path: 'nojs' | 'js',
  ) {
    const refusal = await organisationBindingRefusal(app.db, reg.category, reg.certificate, identity);
    if (refusal) {
      request.log.info({ reason: refusal }, 'organisation registration card refused');
      request.session.organisationRegistration = { ...reg, card: undefined, error: refusal };
      return reply.redirect(stepUrl('/certificate', reg), 303);
    }
    request.session.organisationRegistration = {
      ...reg,
      card: { ...verifiedCard(identity, challenge), path },
      error: undefined,
    };
    // A card loaded again after the details were kept (its five minutes ran out): straight to 送出.
    return reply.redirect(stepUrl(reg.draft ? '/confirm' : '', reg), 303);
  }

  // The 'register' completion is shared with the citizen pages: it is this registration's when the challenge is the
  // one this browser's organisation certificate page issued last; otherwise the citizen handler takes it.
  const citizenCompletion = app.signingCompletions.get('register');
  app.signingCompletions.set('register', async (request, reply, result) => {
    const reg = request.session.organisationRegistration;
    if (!reg || reg.nonce !== result.nonce) {
      if (citizenCompletion) return citizenCompletion(request, reply, result);
      return reply.redirect('/register', 303);
    }
    if (!result.ok) {
      request.session.organisationRegistration = { ...reg, error: result.reason };
      return reply.redirect(stepUrl('/certificate', reg), 303);
    }
    return acceptCard(request, reply, reg, result.identity, result, 'nojs');
  });

  async function render(
    request: FastifyRequest,
    reply: FastifyReply,
    reg: OrganisationRegistration,
    errorReason?: string,
  ) {
    const challenge = await issueChallenge(app.db, {
      purpose: 'register',
      origin: config.publicOrigin,
      sessionId: request.session.sessionId,
      now: app.now(),
    });
    const reason = errorReason ?? reg.error;
    request.session.organisationRegistration = { ...reg, nonce: challenge.nonce, error: undefined };
    signerReferrer(reply);
    return reply.code(errorReason ? 400 : 200).page('register/organisation/certificate', {
      pageTitle: registrationTitle(request, reg),
      breadcrumb: breadcrumbFor(request, reg),
      registration: reg,
      rules: ORGANISATION_RULES[reg.category],
      categoryLabel: request.t(`validation.categories.${reg.category}`),
      certificateLabel: request.t(`register.organisation.certificates.${reg.certificate}`),
      challenge,
      selfUrl: stepUrl('/certificate', reg),
      signerAction: `${config.signerUrl}/nojs/sign`,
      returnUrl: `${config.publicOrigin}/signing/callback`,
      errors: reason ? [{ href: '#pin', text: reasonMessage(request, reason) }] : [],
    });
  }

  /** The registration in the session when it is the one the query names; a new one otherwise. */
  function current(request: FastifyRequest): OrganisationRegistration | undefined {
    const chosen = chosenRegistration(request.query as Record<string, unknown>);
    if (!chosen) return undefined;
    const reg = request.session.organisationRegistration;
    if (reg && reg.category === chosen.category && reg.certificate === chosen.certificate) return reg;
    return chosen;
  }

  app.get('/register/organisation/certificate', async (request, reply) => {
    const reg = current(request);
    if (!reg) return reply.redirect('/register', 303);
    return render(request, reply, reg);
  });

  // When the page script signed on this page (same-site, so the session is checked at once).
  app.post(
    '/register/organisation/certificate',
    { config: { rateLimit: { max: 30, timeWindow: 60_000 } } },
    async (request, reply) => {
      const reg = current(request);
      if (!reg) return reply.redirect('/register', 303);
      const token = parseSigningToken(request.body);
      if (!token) return render(request, reply, reg, 'token_malformed');
      const verified = await verifySignedChallenge(app.db, app.cardVerifier, token, {
        sessionId: request.session.sessionId,
        purpose: 'register',
        now: app.now(),
      });
      if (!verified.ok) {
        request.log.info({ reason: verified.reason, detail: verified.detail }, 'registration signature refused');
        return render(request, reply, reg, verified.reason);
      }
      return acceptCard(request, reply, reg, verified.identity, verified.challenge, 'js');
    },
  );
};

export default organisationCertificate;
