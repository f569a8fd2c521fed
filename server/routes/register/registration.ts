// What the registration pages share: the draft kept in the session between the no-JS steps, the binding rules of
// issue 5 (each refusal its own reason), and the one transaction that writes account, binding and audit event.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db, Pool } from '../../db/pool';
import { accountsRepository, type Account, type AccountStatus } from '../../db/accounts-repository';
import { certificatesRepository } from '../../db/certificates-repository';
import { auditRepository } from '../../db/audit-repository';
import { withTransaction } from '../../db/transaction';
import { bindingFor } from '../../auth/bind-certificate';
import type { CertificateIdentity } from '../../auth/certificate-identity';
import type { CitizenCategory } from '../../forms/category';
import type { RegistrationDetails, RegistrationValues } from '../../forms/registration';
import { sameName } from '../../forms/name';
import { maskIdNumber } from '../../mask';

/** The details of the first step, without the password: only its argon2id hash is kept, and only server-side. */
export type RegistrationDraft = Omit<RegistrationDetails, 'password'> & { passwordHash: string };

/** A card verified by the no-JS round trip, waiting for 送出 on the confirm page. */
export interface VerifiedCard {
  identity: CertificateIdentity;
  verifiedAt: number;
}

/** What the 註冊完成 page shows: nothing that needs the full ID number. */
export interface RegistrationReceipt {
  accountId: number;
  name: string;
  idMasked: string;
  category: CitizenCategory;
  status: AccountStatus;
  cardSerial: string | null;
}

declare module 'fastify' {
  interface Session {
    registrationDraft?: RegistrationDraft;
    registrationCard?: VerifiedCard;
    /** A refusal to show once on the certificate page (a signing or binding reason). */
    registrationError?: string;
    registrationReceipt?: RegistrationReceipt;
  }
}

/** A verified card waits this long on the confirm page; after that the certificate is loaded again. */
export const VERIFIED_CARD_LIFETIME_MS = 10 * 60_000;

export type BindingRefusal =
  | 'id_last4_mismatch'
  | 'name_mismatch'
  | 'id_already_registered'
  | 'certificate_already_registered';

type Applicant = Pick<RegistrationDetails, 'category' | 'name' | 'idNumber'>;

/** The rules that need no database: the card belongs to the person typed in the form. */
export function cardMismatch(applicant: Applicant, identity: CertificateIdentity): BindingRefusal | undefined {
  // MOICA puts the last four digits of the holder's ID number in subjectDirectoryAttributes (DESIGN.md §3).
  if (!identity.idLast4 || identity.idLast4 !== applicant.idNumber.slice(-4)) return 'id_last4_mismatch';
  // A customs specialist may register a contact name that is not the card holder's; a 個人 may not.
  if (applicant.category === 'individual' && !sameName(identity.subjectCn, applicant.name)) return 'name_mismatch';
  return undefined;
}

/** Every binding rule, the database ones read outside a transaction: early answers; the transaction still decides. */
export async function bindingRefusal(db: Db, applicant: Applicant, identity: CertificateIdentity): Promise<BindingRefusal | undefined> {
  const mismatch = cardMismatch(applicant, identity);
  if (mismatch) return mismatch;
  if (await accountsRepository(db).existsByIdNumber(applicant.idNumber)) return 'id_already_registered';
  const certificates = certificatesRepository(db);
  if (
    (await certificates.findByFingerprint(identity.fingerprintSha256)) ||
    (await certificates.findActiveByIssuerSerial(identity.issuerDn, identity.serialHex))
  ) {
    return 'certificate_already_registered';
  }
  return undefined;
}

/** 個人 can log in at once; an operator approves a 報關專責人員 first (DESIGN.md §6). */
export function initialStatus(category: CitizenCategory): AccountStatus {
  return category === 'individual' ? 'active' : 'pending_review';
}

class RegistrationConflict extends Error {
  constructor(readonly reason: 'id_already_registered' | 'certificate_already_registered') {
    super(reason);
  }
}

export type RegistrationOutcome = { ok: true; account: Account; receipt: RegistrationReceipt } | { ok: false; reason: BindingRefusal };

/**
 * One registration is one transaction (DESIGN.md §5): the account, the certificate binding and the audit event, or
 * nothing. The unique constraints decide a race: the second insert returns undefined and everything rolls back.
 */
export async function registerAccount(
  pool: Pool,
  draft: RegistrationDraft,
  identity: CertificateIdentity,
  meta: { path: 'nojs' | 'js'; now: Date },
): Promise<RegistrationOutcome> {
  const refusal = await bindingRefusal(pool, draft, identity);
  if (refusal) return { ok: false, reason: refusal };
  const status = initialStatus(draft.category);
  try {
    const account = await withTransaction(pool, async (client) => {
      const inserted = await accountsRepository(client).insert({
        category: draft.category,
        idNumber: draft.idNumber,
        name: draft.name,
        birthDate: draft.birthDate,
        phone: draft.phone,
        address: draft.address,
        email1: draft.email1,
        email2: draft.email2,
        passwordHash: draft.passwordHash,
        status,
      }, meta.now);
      if (!inserted) throw new RegistrationConflict('id_already_registered');
      const bound = await certificatesRepository(client).bind(bindingFor(inserted.id, identity), meta.now);
      if (!bound) throw new RegistrationConflict('certificate_already_registered');
      await auditRepository(client).append({
        actorAccountId: inserted.id,
        actorLabel: `account:${inserted.id}`,
        action: 'register',
        subjectAccountId: inserted.id,
        details: {
          category: draft.category,
          status,
          idKind: draft.idKind,
          certificateId: bound.id,
          fingerprintSha256: identity.fingerprintSha256,
          cardSerial: identity.cardSerial,
          path: meta.path,
        },
      }, meta.now);
      return inserted;
    });
    return {
      ok: true,
      account,
      receipt: {
        accountId: account.id,
        name: account.name,
        idMasked: maskIdNumber(account.idNumber),
        category: draft.category,
        status,
        cardSerial: identity.cardSerial,
      },
    };
  } catch (error) {
    if (error instanceof RegistrationConflict) return { ok: false, reason: error.reason };
    // A unique violation the ON CONFLICT clauses did not absorb (the other unique index of certificates) is the same race.
    if ((error as { code?: string }).code === '23505') return { ok: false, reason: 'certificate_already_registered' };
    throw error;
  }
}

/** The message for a signing, engine or binding reason; a reason without its own text gets the general one. */
export function reasonMessage(request: FastifyRequest, reason: string): string {
  for (const candidate of [reason, REASON_ALIASES[reason]]) {
    if (!candidate) continue;
    const key = `signing.reasons.${candidate}`;
    const text = request.t(key);
    if (text !== key) return text;
  }
  return request.t('register.errors.certificateRefused', { reason });
}

/** Engine reasons whose meaning on a MOICA card is plain: a leaf without digitalSignature is the card's encryption certificate. */
const REASON_ALIASES: Record<string, string | undefined> = { leaf_key_usage: 'encryption_certificate' };

/** Kept values for a re-rendered form from a draft (coming back to edit the details). */
export function valuesFromDraft(draft: RegistrationDraft): RegistrationValues {
  return {
    category: draft.category,
    name: draft.name,
    idNumber: draft.idNumber,
    birthDate: draft.birthDate,
    phone: draft.phone,
    address: draft.address,
    email1: draft.email1,
    email2: draft.email2 ?? '',
  };
}

/**
 * Pages with a PIN form for the local signer send it their full address: the signer's error page (a wrong PIN) links
 * back to the page that posted, and the portal's default policy would give it only the origin. The address of these
 * pages holds nothing private, and the signer on 127.0.0.1 counts as a secure destination, so this is no downgrade.
 */
export function signerReferrer(reply: FastifyReply): void {
  reply.header('referrer-policy', 'no-referrer-when-downgrade');
}
