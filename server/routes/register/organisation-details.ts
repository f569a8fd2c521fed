// Step 2 of a company or agency registration: the details. The 統一編號 (or 機關代碼) and the name in the certificate
// are shown read-only from the card loaded in step 1; the company or agency name starts as the certificate's.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { toErrorList, type ErrorListItem } from '../../forms/errors';
import { CONSENT_VALUE } from '../../forms/consent';
import { validateOrganisationDetails, type OrganisationValues } from '../../forms/organisation-registration';
import { isStillVerified } from '../../auth/verified-card';
import { cardOrganisation, organisationDraftFrom, type OrganisationDraft } from '../../registration/organisation';
import { ORGANISATION_RULES } from '../../registration/organisation-rules';
import {
  breadcrumbFor,
  chosenRegistration,
  registrationTitle,
  stepUrl,
  type OrganisationRegistration,
} from './organisation-shared';

function valuesFromDraft(draft: OrganisationDraft): OrganisationValues {
  return {
    organisationName: draft.organisationName,
    representative: draft.representative,
    contactName: draft.contactName,
    phone: draft.phone,
    mobile: draft.mobile ?? '',
    address: draft.address,
    licenceNumber: draft.licenceNumber ?? '',
    email1: draft.email1,
    email2: draft.email2 ?? '',
    consent: CONSENT_VALUE,
  };
}

const organisationDetails: FastifyPluginAsync = async (app) => {
  /** The registration of the query with its card; undefined (and where to go) when step 1 is not done. */
  function withCard(request: FastifyRequest): {
    reg?: OrganisationRegistration & { card: NonNullable<OrganisationRegistration['card']> };
    redirect?: string;
  } {
    const chosen = chosenRegistration(request.query as Record<string, unknown>);
    if (!chosen) return { redirect: '/register' };
    const reg = request.session.organisationRegistration;
    if (!reg || reg.category !== chosen.category || reg.certificate !== chosen.certificate || !reg.card) {
      return { redirect: stepUrl('/certificate', chosen) };
    }
    return { reg: reg as OrganisationRegistration & { card: NonNullable<OrganisationRegistration['card']> } };
  }

  function render(
    request: FastifyRequest,
    reply: FastifyReply,
    reg: OrganisationRegistration & { card: NonNullable<OrganisationRegistration['card']> },
    state: { status?: number; values?: OrganisationValues; errors?: ErrorListItem[] } = {},
  ) {
    const org = cardOrganisation(reg.card.identity)!;
    const values =
      state.values ??
      (reg.draft
        ? valuesFromDraft(reg.draft)
        : ({ organisationName: org.certificateName } as Partial<OrganisationValues> as OrganisationValues));
    return reply.code(state.status ?? 200).page('register/organisation', {
      pageTitle: registrationTitle(request, reg),
      breadcrumb: breadcrumbFor(request, reg),
      registration: reg,
      rules: ORGANISATION_RULES[reg.category],
      organisation: org,
      identity: reg.card.identity,
      values,
      errors: state.errors ?? [],
      action: stepUrl('', reg),
      certificateUrl: stepUrl('/certificate', reg),
    });
  }

  app.get('/register/organisation', async (request, reply) => {
    const { reg, redirect } = withCard(request);
    if (!reg) return reply.redirect(redirect!, 303);
    return render(request, reply, reg);
  });

  app.post(
    '/register/organisation',
    { config: { rateLimit: { max: 30, timeWindow: 60_000 } } },
    async (request, reply) => {
      const { reg, redirect } = withCard(request);
      if (!reg) return reply.redirect(redirect!, 303);
      const org = cardOrganisation(reg.card.identity)!;
      const result = validateOrganisationDetails(request.body, {
        licence: ORGANISATION_RULES[reg.category].licence,
        organisationId: org.organisationId,
      });
      if (!result.ok) {
        return render(request, reply, reg, {
          status: 400,
          values: result.values,
          errors: toErrorList(result.errors, request.t),
        });
      }
      const draft = await organisationDraftFrom(result.value, { category: reg.category, certificate: reg.certificate });
      // The card counts for its challenge's five minutes: past them, 載入 once more, then 送出 (the details are kept).
      if (!isStillVerified(reg.card, app.now())) {
        request.session.organisationRegistration = {
          ...reg,
          draft,
          card: undefined,
          error: 'card_verification_expired',
        };
        return reply.redirect(stepUrl('/certificate', reg), 303);
      }
      request.session.organisationRegistration = { ...reg, draft };
      return reply.redirect(stepUrl('/confirm', reg), 303);
    },
  );
};

export default organisationDetails;
