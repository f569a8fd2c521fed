// A company's or agency's registration through the registration service, as 送出 makes it, with its card verified by
// the portal's verifier: for tests whose subject is what comes after (login, recovery, several categories).
import type { Pool } from 'pg';
import type { DemoPki } from '../../demo-pki/demo-pki';
import type { CardVerifier } from '../../server/auth/certificate-identity';
import type { OrganisationCertificateKind } from '../../server/db/organisation-accounts-repository';
import {
  organisationDraftFrom,
  registerOrganisation,
  type OrganisationOutcome,
  type OrganisationReceipt,
} from '../../server/registration/organisation';
import { ORGANISATION_RULES, type OrganisationCategory } from '../../server/registration/organisation-rules';

export interface OrganisationRegistration {
  pool: Pool;
  verifier: CardVerifier;
  pki: DemoPki;
  password: string;
  now: () => Date;
}

let registrations = 0;

/** The outcome of one registration of the card's organisation in the category (a refusal is an answer too). */
export async function registerOrganisationCard(
  setup: OrganisationRegistration,
  cardId: string,
  category: OrganisationCategory,
  certificate: OrganisationCertificateKind = ORGANISATION_RULES[category].certificate,
): Promise<OrganisationOutcome> {
  const card = setup.pki.card(cardId);
  const check = await setup.verifier.verifyCertificate(card.signingCertDer.toString('base64'), setup.now());
  if (!check.ok) throw new Error(`demo card ${cardId} does not verify: ${check.reason}`);
  const draft = await organisationDraftFrom(
    {
      organisationName: card.organisation!.name,
      representative: '林大海',
      contactName: '陳小芬',
      phone: '(02)2345-6789',
      mobile: null,
      address: '臺北市中正區',
      licenceNumber: ORGANISATION_RULES[category].licence ? '北關登字第 1 號' : null,
      password: setup.password,
      email1: 'a@example.com.tw',
      email2: null,
      personalDataNotice: 'test',
    },
    { category, certificate },
  );
  const n = ++registrations;
  return registerOrganisation(setup.pool, draft, check.identity, {
    sessionId: `test-${cardId}-${category}-${n}`,
    nonce: `nonce-${cardId}-${category}-${n}`,
    now: setup.now(),
    path: 'js',
  });
}

/** The receipt of a registration that must succeed. */
export async function registeredOrganisation(
  setup: OrganisationRegistration,
  cardId: string,
  category: OrganisationCategory,
  certificate?: OrganisationCertificateKind,
): Promise<OrganisationReceipt> {
  const outcome = await registerOrganisationCard(setup, cardId, category, certificate);
  if (!outcome.ok) throw new Error(`${cardId} as ${category}: ${outcome.reason}`);
  return outcome.receipt;
}
