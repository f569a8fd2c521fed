// Registration of a company or agency with its certificate (工商憑證, 政府憑證, 通關專屬憑證): which cards a category
// takes, and the one transaction that writes the account, its organisation fields, the card's binding and the audit
// event (DESIGN.md §5), under the browser session's registration lock so a double submit finds the first one's receipt.
import type { PoolClient } from 'pg';
import type { Db, Pool } from '../db/pool';
import { accountsRepository, type Account, type AccountLang, type AccountStatus } from '../db/accounts-repository';
import { certificatesRepository } from '../db/certificates-repository';
import { auditRepository } from '../db/audit-repository';
import {
  organisationAccountKey,
  organisationAccountsRepository,
  type OrganisationCertificateKind,
  type OrganisationIdKind,
} from '../db/organisation-accounts-repository';
import { bindingFor } from '../auth/bind-certificate';
import type { CertificateIdentity } from '../auth/certificate-identity';
import { hashPassword } from '../auth/passwords';
import { businessIdChecksumValid } from '../forms/business-id';
import type { OrganisationDetails } from '../forms/organisation-registration';
import { checkOrganisationCertificate, type OrganisationReason } from '../pki/index';
import { freeReference, withRegistrationLock } from './transaction';
import { organisationInitialStatus, type OrganisationCategory } from './organisation-rules';
import { writeRegistration } from './write-registration';

export type OrganisationRefusal =
  | OrganisationReason
  | 'business_id_invalid' // the certificate's 統一編號 fails the check digit rule
  | 'organisation_already_registered' // this 統一編號 (機關代碼) already has an account in this category
  | 'certificate_already_registered'; // this certificate is bound already, to an account not of this organisation

/** The organisation a verified card names, as the account keeps it. */
export interface CardOrganisation {
  organisationId: string;
  organisationIdKind: OrganisationIdKind;
  /** the name in the certificate (subject O, else CN) */
  certificateName: string;
}

export function cardOrganisation(identity: CertificateIdentity): CardOrganisation | undefined {
  const o = identity.organisation;
  if (!o || !o.organisationName) return undefined;
  if (o.issuerKind === 'gca')
    return o.agencyCode
      ? { organisationId: o.agencyCode, organisationIdKind: 'agency_code', certificateName: o.organisationName }
      : undefined;
  return o.businessId
    ? { organisationId: o.businessId, organisationIdKind: 'business_id', certificateName: o.organisationName }
    : undefined;
}

/** The rules that need no database: the card is the certificate this registration asks for, naming an organisation. */
export function organisationCardRefusal(
  certificate: OrganisationCertificateKind,
  identity: CertificateIdentity,
): OrganisationRefusal | undefined {
  if (!identity.organisation) {
    return certificate === 'gca'
      ? 'not_government_certificate'
      : certificate === 'customs'
        ? 'not_customs_certificate'
        : 'not_business_certificate';
  }
  const refusal = checkOrganisationCertificate(identity.organisation, certificate);
  if (refusal) return refusal;
  const org = cardOrganisation(identity);
  if (org?.organisationIdKind === 'business_id' && !businessIdChecksumValid(org.organisationId)) {
    return 'business_id_invalid';
  }
  return undefined;
}

/** Every rule; the database reads give the readable answer early, the unique constraints still decide a race. */
export async function organisationBindingRefusal(
  db: Db,
  category: OrganisationCategory,
  certificate: OrganisationCertificateKind,
  identity: CertificateIdentity,
): Promise<OrganisationRefusal | undefined> {
  const mismatch = organisationCardRefusal(certificate, identity);
  if (mismatch) return mismatch;
  const org = cardOrganisation(identity)!;
  if (await organisationAccountsRepository(db).findByOrganisation(category, org.organisationId)) {
    return 'organisation_already_registered';
  }
  // One card, several categories: the certificate may be bound already, but only to accounts of this organisation.
  const certificates = certificatesRepository(db);
  const bound = [
    ...(await certificates.listActiveByFingerprint(identity.fingerprintSha256)),
    ...(await certificates.listActiveByIssuerSerial(identity.issuerDn, identity.serialHex)),
  ];
  if (bound.length === 0) return undefined;
  const accountIds = [...new Set(bound.map((c) => c.accountId))];
  const owners = await organisationAccountsRepository(db).findByAccountIds(accountIds);
  const ours = new Set(owners.filter((o) => o.organisationId === org.organisationId).map((o) => o.accountId));
  if (bound.some((c) => c.organisationId !== org.organisationId || !ours.has(c.accountId))) {
    return 'certificate_already_registered';
  }
  return undefined;
}

/** The details kept between the steps: the password only as its argon2id hash. */
export type OrganisationDraft = Omit<OrganisationDetails, 'password'> & {
  passwordHash: string;
  category: OrganisationCategory;
  certificate: OrganisationCertificateKind;
};

export async function organisationDraftFrom(
  details: OrganisationDetails,
  context: { category: OrganisationCategory; certificate: OrganisationCertificateKind },
): Promise<OrganisationDraft> {
  const { password, ...rest } = details;
  return { ...rest, ...context, passwordHash: await hashPassword(password) };
}

/** What 註冊完成 shows. */
export interface OrganisationReceipt {
  accountId: number;
  category: OrganisationCategory;
  certificate: OrganisationCertificateKind;
  organisationName: string;
  organisationId: string;
  organisationIdKind: OrganisationIdKind;
  status: AccountStatus;
  licenceNumber: string | null;
  /** 申請編號, the time of registration (ISO) and where its e-mail goes, as for a citizen's receipt. */
  reference?: string;
  submittedAt?: string;
  email?: string;
}

export type OrganisationOutcome =
  | {
      ok: true;
      receipt: OrganisationReceipt;
      resubmitted: boolean;
      /** The registration's e-mail, queued in the transaction: dispatch it after the commit. */
      notificationId?: number;
    }
  | { ok: false; reason: OrganisationRefusal };

function receiptTimes(account: Account): Pick<OrganisationReceipt, 'reference' | 'submittedAt' | 'email'> {
  return {
    reference: account.reference ?? undefined,
    submittedAt: account.createdAt.toISOString(),
    email: account.email1 ?? undefined,
  };
}

/** The registration this browser made with this challenge already (a double submit): its receipt. */
async function earlierReceipt(
  db: Db,
  category: OrganisationCategory,
  organisationId: string,
  nonce: string,
): Promise<OrganisationReceipt | undefined> {
  const org = await organisationAccountsRepository(db).findByOrganisation(category, organisationId);
  if (!org) return undefined;
  const events = await auditRepository(db).listForAccount(org.accountId, 20);
  if (!events.some((e) => e.action === 'register' && e.details.challenge === nonce)) return undefined;
  const account = await accountsRepository(db).findById(org.accountId);
  if (!account) return undefined;
  return {
    accountId: account.id,
    category,
    certificate: org.certificateKind,
    organisationName: org.organisationName,
    organisationId: org.organisationId,
    organisationIdKind: org.organisationIdKind,
    status: account.status,
    licenceNumber: org.licenceNumber,
    ...receiptTimes(account),
  };
}

async function registerInTransaction(
  client: PoolClient,
  draft: OrganisationDraft,
  identity: CertificateIdentity,
  meta: { path: 'nojs' | 'js'; now: Date; nonce: string; lang: AccountLang },
): Promise<OrganisationOutcome> {
  const refusal = await organisationBindingRefusal(client, draft.category, draft.certificate, identity);
  const org = cardOrganisation(identity);
  if (refusal) {
    const earlier = org && (await earlierReceipt(client, draft.category, org.organisationId, meta.nonce));
    if (earlier) return { ok: true, receipt: earlier, resubmitted: true };
    return { ok: false, reason: refusal };
  }
  const { organisationId, organisationIdKind, certificateName } = org!;
  const status = organisationInitialStatus(draft.category);
  const reference = await freeReference(client, meta.now);
  const written = await writeRegistration<OrganisationRefusal, Account>(
    client,
    meta.now,
    'certificate_already_registered',
    async () => {
      const account = await accountsRepository(client).insert(
        {
          category: draft.category,
          idNumber: organisationAccountKey(draft.category, organisationId),
          name: draft.organisationName,
          birthDate: null,
          phone: draft.phone,
          address: draft.address,
          email1: draft.email1,
          email2: draft.email2,
          passwordHash: draft.passwordHash,
          status,
          reference,
          lang: meta.lang,
        },
        meta.now,
      );
      if (!account) return { ok: false, reason: 'organisation_already_registered' };
      const fields = await organisationAccountsRepository(client).insert({
        accountId: account.id,
        category: draft.category,
        organisationId,
        organisationIdKind,
        certificateKind: draft.certificate,
        organisationName: draft.organisationName,
        representative: draft.representative,
        contactName: draft.contactName,
        mobile: draft.mobile,
        licenceNumber: draft.licenceNumber,
      });
      if (!fields) return { ok: false, reason: 'organisation_already_registered' };
      const bound = await certificatesRepository(client).bind(
        { ...bindingFor(account.id, identity), organisationId },
        meta.now,
      );
      // The account is new, so only a citizen card's constraint can refuse: the card was bound meanwhile.
      if (!bound) return { ok: false, reason: 'certificate_already_registered' };
      return {
        ok: true,
        accountId: account.id,
        result: account,
        auditDetails: {
          category: draft.category,
          status,
          certificate: draft.certificate,
          organisationId,
          organisationIdKind,
          // What the card proved: the organisation id and its name in the certificate; the rest is the applicant's word.
          certificateName,
          nameAsTyped: draft.organisationName,
          cardRank: identity.organisation?.cardRank ?? null,
          licenceNumber: draft.licenceNumber,
          certificateId: bound.id,
          fingerprintSha256: identity.fingerprintSha256,
          path: meta.path,
          challenge: meta.nonce,
          personalDataNotice: draft.personalDataNotice,
        },
      };
    },
  );
  if (!written.ok) return { ok: false, reason: written.reason };
  return {
    ok: true,
    resubmitted: false,
    notificationId: written.notificationId,
    receipt: {
      accountId: written.result.id,
      category: draft.category,
      certificate: draft.certificate,
      organisationName: draft.organisationName,
      organisationId,
      organisationIdKind,
      status,
      licenceNumber: draft.licenceNumber,
      ...receiptTimes(written.result),
    },
  };
}

/** 送出: the card verified earlier (and checked again by the caller), written under this browser's registration lock. */
export function registerOrganisation(
  pool: Pool,
  draft: OrganisationDraft,
  identity: CertificateIdentity,
  params: { sessionId: string; nonce: string; now: Date; path: 'nojs' | 'js'; lang?: AccountLang },
): Promise<OrganisationOutcome> {
  return withRegistrationLock(pool, params.sessionId, (client) =>
    registerInTransaction(client, draft, identity, {
      path: params.path,
      now: params.now,
      nonce: params.nonce,
      lang: params.lang ?? 'zh-TW',
    }),
  );
}
