// The no-JS confirm step: the details and the card (name, card serial, validity) once more, then 送出 creates the
// account in one transaction. A second 送出 (double click, back button) finds the receipt and shows it again.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config';
import { bindingEvidence } from '../../auth/binding-evidence';
import { registerVerifiedCard } from '../../registration/transaction';
import { reasonMessage, refusalStatus } from './shared';
import { isStillVerified, recheckCard } from '../../auth/verified-card';
import { outcomePages } from '../signing/outcome';

const confirm: FastifyPluginAsync<{ config: Config }> = async (app, { config }) => {
  const outcomes = outcomePages(config);
  /** Where to go when this step has nothing to confirm; undefined when it has. */
  function missingStep(request: FastifyRequest): string | undefined {
    const { registrationDraft: draft, registrationCard: card, registrationReceipt: receipt } = request.session;
    if (!draft) return receipt ? '/register/citizen/done' : '/register/citizen';
    if (!card || !card.nonce) return '/register/citizen/certificate';
    // The details, the card and 送出 within the life of the challenge the card signed.
    if (!isStillVerified(card, app.now())) {
      request.session.registrationCard = undefined;
      request.session.registrationError = 'card_verification_expired';
      return '/register/citizen/certificate';
    }
    return undefined;
  }

  function render(request: FastifyRequest, reply: FastifyReply, status = 200, reason?: string) {
    const t = request.t;
    const title = t('register.confirm.title');
    return reply.code(status).page('register/confirm', {
      pageTitle: title,
      breadcrumb: [{ label: t('register.chooser.title'), href: '/register' }, { label: title }],
      draft: request.session.registrationDraft,
      identity: request.session.registrationCard!.identity,
      evidence: bindingEvidence(request.session.registrationDraft!, request.session.registrationCard!.identity),
      errors: reason ? [{ href: '#confirm-submit', text: reasonMessage(request, reason) }] : [],
    });
  }

  app.get('/register/citizen/confirm', async (request, reply) => {
    const missing = missingStep(request);
    if (missing) return reply.redirect(missing, 303);
    return render(request, reply);
  });

  app.post(
    '/register/citizen/confirm',
    { config: { rateLimit: { max: 30, timeWindow: 60_000 } } },
    async (request, reply) => {
      const missing = missingStep(request);
      if (missing) return reply.redirect(missing, 303);
      const draft = request.session.registrationDraft!;
      const card = request.session.registrationCard!;
      // The card once more before the account is written: a card revoked since it signed registers nothing.
      const recheck = await recheckCard(app.cardVerifier, card.identity, app.now());
      if (!recheck.ok) {
        request.log.info({ reason: recheck.reason, detail: recheck.detail }, 'registration card refused at 送出');
        request.session.registrationCard = undefined;
        const page = outcomes.refusal(request, reply, recheck.reason, 'register', card.identity);
        if (page) return page;
        request.session.registrationError = recheck.reason;
        return reply.redirect('/register/citizen/certificate', 303);
      }
      // Under this browser's registration lock: a second 送出 of a double click waits, then finds the first one's receipt.
      const outcome = await registerVerifiedCard(app.db, draft, card.identity, {
        sessionId: request.session.sessionId,
        nonce: card.nonce,
        now: app.now(),
        lang: request.lang,
      });
      if (!outcome.ok) {
        request.log.info({ reason: outcome.reason }, 'registration refused');
        return (
          outcomes.refusal(request, reply, outcome.reason, 'register', card.identity) ??
          render(request, reply, refusalStatus(outcome.reason), outcome.reason)
        );
      }
      request.session.registrationDraft = undefined;
      request.session.registrationCard = undefined;
      request.session.registrationReceipt = outcome.receipt;
      // After the commit, in the background: the mail relay never holds up or undoes the registration.
      if (outcome.notificationId !== undefined) app.notifier.dispatch(outcome.notificationId);
      request.log.info({ accountId: outcome.accountId, resubmitted: outcome.resubmitted }, 'account registered');
      return reply.redirect('/register/citizen/done', 303);
    },
  );
};

export default confirm;
