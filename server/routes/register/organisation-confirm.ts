// Steps 3 and 4 of a company or agency registration: the details and the card once more, 送出 (one transaction,
// server/registration/organisation.ts), then 註冊完成. A second 送出 finds the first one's receipt.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { isStillVerified, recheckCard } from '../../auth/verified-card';
import { cardOrganisation, registerOrganisation, type OrganisationReceipt } from '../../registration/organisation';
import { formatTaiwanTime } from '../../taiwan-time';
import { ORGANISATION_RULES } from '../../registration/organisation-rules';
import { reasonMessage } from './shared';
import {
  breadcrumbFor,
  chosenRegistration,
  registrationTitle,
  stepUrl,
  type OrganisationRegistration,
} from './organisation-shared';

type Ready = OrganisationRegistration & {
  card: NonNullable<OrganisationRegistration['card']>;
  draft: NonNullable<OrganisationRegistration['draft']>;
};

const organisationConfirm: FastifyPluginAsync = async (app) => {
  /** The registration ready for 送出, or where to go instead. */
  function ready(request: FastifyRequest): { reg?: Ready; redirect?: string } {
    const chosen = chosenRegistration(request.query as Record<string, unknown>);
    if (!chosen) return { redirect: '/register' };
    const reg = request.session.organisationRegistration;
    if (!reg || reg.category !== chosen.category || reg.certificate !== chosen.certificate) {
      return {
        redirect: request.session.organisationReceipt ? '/register/organisation/done' : stepUrl('/certificate', chosen),
      };
    }
    if (!reg.card) return { redirect: stepUrl('/certificate', reg) };
    if (!reg.draft) return { redirect: stepUrl('', reg) };
    if (!isStillVerified(reg.card, app.now())) {
      request.session.organisationRegistration = { ...reg, card: undefined, error: 'card_verification_expired' };
      return { redirect: stepUrl('/certificate', reg) };
    }
    return { reg: reg as Ready };
  }

  function render(request: FastifyRequest, reply: FastifyReply, reg: Ready, status = 200, reason?: string) {
    return reply.code(status).page('register/organisation/confirm', {
      pageTitle: registrationTitle(request, reg),
      breadcrumb: breadcrumbFor(request, reg),
      registration: reg,
      rules: ORGANISATION_RULES[reg.category],
      organisation: cardOrganisation(reg.card.identity),
      identity: reg.card.identity,
      draft: reg.draft,
      action: stepUrl('/confirm', reg),
      detailsUrl: stepUrl('', reg),
      certificateUrl: stepUrl('/certificate', reg),
      errors: reason ? [{ href: '#confirm-submit', text: reasonMessage(request, reason) }] : [],
    });
  }

  app.get('/register/organisation/confirm', async (request, reply) => {
    const { reg, redirect } = ready(request);
    if (!reg) return reply.redirect(redirect!, 303);
    return render(request, reply, reg);
  });

  app.post(
    '/register/organisation/confirm',
    { config: { rateLimit: { max: 30, timeWindow: 60_000 } } },
    async (request, reply) => {
      const { reg, redirect } = ready(request);
      if (!reg) return reply.redirect(redirect!, 303);
      // The card once more before anything is written: a card revoked since it signed registers nothing.
      const recheck = await recheckCard(app.cardVerifier, reg.card.identity, app.now());
      if (!recheck.ok) {
        request.log.info({ reason: recheck.reason, detail: recheck.detail }, 'organisation card refused at 送出');
        request.session.organisationRegistration = { ...reg, card: undefined, error: recheck.reason };
        return reply.redirect(stepUrl('/certificate', reg), 303);
      }
      const outcome = await registerOrganisation(app.db, reg.draft, reg.card.identity, {
        sessionId: request.session.sessionId,
        nonce: reg.card.nonce,
        now: app.now(),
        path: reg.card.path,
        lang: request.lang,
      });
      if (!outcome.ok) {
        request.log.info({ reason: outcome.reason }, 'organisation registration refused');
        const status =
          outcome.reason === 'organisation_already_registered' || outcome.reason === 'certificate_already_registered'
            ? 409
            : 400;
        return render(request, reply, reg, status, outcome.reason);
      }
      request.session.organisationRegistration = undefined;
      request.session.organisationReceipt = outcome.receipt;
      // After the commit, in the background: the mail relay never holds up or undoes the registration.
      if (outcome.notificationId !== undefined) app.notifier.dispatch(outcome.notificationId);
      request.log.info(
        { accountId: outcome.receipt.accountId, resubmitted: outcome.resubmitted },
        'organisation registered',
      );
      return reply.redirect('/register/organisation/done', 303);
    },
  );

  function receiptView(request: FastifyRequest, receipt: OrganisationReceipt) {
    return {
      receipt,
      submittedAt: receipt.submittedAt ? formatTaiwanTime(new Date(receipt.submittedAt)) : '',
      categoryLabel: request.t(`validation.categories.${receipt.category}`),
      certificateLabel: request.t(`register.organisation.certificates.${receipt.certificate}`),
    };
  }

  app.get('/register/organisation/done', async (request, reply) => {
    const receipt = request.session.organisationReceipt;
    if (!receipt) return reply.redirect('/register', 303);
    const title = request.t('register.done.title');
    return reply.page('register/organisation/done', {
      pageTitle: title,
      breadcrumb: [{ label: request.t('register.chooser.title'), href: '/register' }, { label: title }],
      rules: ORGANISATION_RULES[receipt.category],
      ...receiptView(request, receipt),
    });
  });

  // 列印 without JavaScript: the same receipt on a page of its own (views/pages/register/done-print.njk).
  app.get('/register/organisation/done/print', async (request, reply) => {
    const receipt = request.session.organisationReceipt;
    if (!receipt) return reply.redirect('/register', 303);
    return reply.page('register/done-print', {
      pageTitle: request.t('register.done.printTitle'),
      doneHref: '/register/organisation/done',
      ...receiptView(request, receipt),
    });
  });
};

export default organisationConfirm;
