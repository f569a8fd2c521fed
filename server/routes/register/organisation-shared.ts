// What the company and agency registration pages share over HTTP: the session keys of their steps (card first, so
// the 統一編號 comes from the certificate before the details are typed), the category and certificate chosen, titles.
import type { FastifyRequest } from 'fastify';
import type { VerifiedCard } from '../../auth/verified-card';
import type { OrganisationCertificateKind } from '../../db/organisation-accounts-repository';
import {
  CUSTOMS_CERTIFICATE_CATEGORIES,
  ORGANISATION_RULES,
  isOrganisationCategory,
  type OrganisationCategory,
} from '../../registration/organisation-rules';
import type { OrganisationDraft, OrganisationReceipt } from '../../registration/organisation';

export interface OrganisationRegistration {
  category: OrganisationCategory;
  certificate: OrganisationCertificateKind;
  /** the challenge of the certificate page last shown: its completion belongs to this registration */
  nonce?: string;
  /** the card, verified and checked against the category's rules; path: how it signed */
  card?: VerifiedCard & { path: 'nojs' | 'js' };
  draft?: OrganisationDraft;
  /** a refusal to show once on the certificate page */
  error?: string;
}

declare module 'fastify' {
  interface Session {
    organisationRegistration?: OrganisationRegistration;
    organisationReceipt?: OrganisationReceipt;
  }
}

/** The category and certificate a query names, when they go together; undefined otherwise. */
export function chosenRegistration(query: {
  category?: unknown;
  certificate?: unknown;
}): Pick<OrganisationRegistration, 'category' | 'certificate'> | undefined {
  const category = typeof query.category === 'string' ? query.category : '';
  if (!isOrganisationCategory(category)) return undefined;
  if (query.certificate === 'customs') {
    return (CUSTOMS_CERTIFICATE_CATEGORIES as readonly string[]).includes(category)
      ? { category, certificate: 'customs' }
      : undefined;
  }
  return { category, certificate: ORGANISATION_RULES[category].certificate };
}

/** The address of a step for this registration (the certificate and category in the query). */
export function stepUrl(
  step: '' | '/certificate' | '/confirm',
  reg: Pick<OrganisationRegistration, 'category' | 'certificate'>,
) {
  const customs = reg.certificate === 'customs' ? '&certificate=customs' : '';
  return `/register/organisation${step}?category=${reg.category}${customs}`;
}

/** The page title: 「報關業註冊（工商憑證）」. */
export function registrationTitle(
  request: FastifyRequest,
  reg: Pick<OrganisationRegistration, 'category' | 'certificate'>,
) {
  return request.t('register.organisation.title', {
    category: request.t(`validation.categories.${reg.category}`),
    certificate: request.t(`register.organisation.certificates.${reg.certificate}`),
  });
}

/** The breadcrumb of every step: 帳號註冊 (or 通關專屬憑證註冊) › this registration. */
export function breadcrumbFor(
  request: FastifyRequest,
  reg: Pick<OrganisationRegistration, 'category' | 'certificate'>,
) {
  const parent =
    reg.certificate === 'customs'
      ? { label: request.t('common.menu.registerCustoms'), href: '/register/customs-certificate' }
      : { label: request.t('register.chooser.title'), href: '/register' };
  return [parent, { label: registrationTitle(request, reg) }];
}
