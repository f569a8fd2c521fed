// What the registration pages share: the draft kept in the session between the no-JS steps, the binding rules
// (each refusal its own reason), and the one transaction that writes account, binding and audit event.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PoolClient } from 'pg';
import type { Db, Pool } from '../../db/pool';
import { accountsRepository, type Account, type AccountStatus } from '../../db/accounts-repository';
import { certificatesRepository } from '../../db/certificates-repository';
import { auditRepository } from '../../db/audit-repository';
import { withTransaction } from '../../db/transaction';
import { bindingFor } from '../../auth/bind-certificate';
import type { CertificateIdentity } from '../../auth/certificate-identity';
import type { VerifiedCard } from '../../auth/verified-card';
import { bindingEvidence, evidenceFromDetails, type BindingEvidence } from '../../auth/binding-evidence';
import type { CitizenCategory } from '../../forms/category';
import type { RegistrationDetails, RegistrationValues } from '../../forms/registration';
import { sameName } from '../../forms/name';
import { maskIdNumber } from '../../mask';

/** The details of the first step, without the password: only its argon2id hash is kept, and only server-side. */
export type RegistrationDraft = Omit<RegistrationDetails, 'password'> & { passwordHash: string };


/** What the 註冊完成 page shows: nothing that needs the full ID number. */
export interface RegistrationReceipt {
  accountId: number;
  name: string;
  idMasked: string;
  category: CitizenCategory;
  status: AccountStatus;
  cardSerial: string | null;
  /** What the card proved and did not; absent on a receipt kept from before the evidence was recorded. */
  evidence?: BindingEvidence;
}

declare module 'fastify' {
  interface Session {
    registrationDraft?: RegistrationDraft;
    /** A card verified by the no-JS round trip, waiting for 送出 on the confirm page. */
    registrationCard?: VerifiedCard;
    /** A refusal to show once on the certificate page (a signing or binding reason). */
    registrationError?: string;
    registrationReceipt?: RegistrationReceipt;
  }
}

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

/** Every binding rule. The database reads give the early, readable answer; the unique constraints still decide a race. */
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

export type RegistrationOutcome =
  | { ok: true; receipt: RegistrationReceipt; accountId: number; resubmitted: boolean }
  | { ok: false; reason: string; detail?: string };

// Registration locks live in their own advisory key space (the two-key form), apart from the audit chain's lock.
const REGISTRATION_LOCK_SPACE = 5105;

/**
 * Runs fn in one transaction that first takes a lock for this browser session: a double submit waits for the first
 * submit's commit, then finds its own registration instead of a half-done one (see receiptForResubmission). On the
 * JavaScript path the certificate check (revocation included) runs inside, so the transaction holds its connection
 * for that long: registration POSTs are rate-limited, and other browsers' registrations do not wait for this lock.
 */
export function withRegistrationLock<T>(pool: Pool, sessionId: string, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  return withTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [REGISTRATION_LOCK_SPACE, sessionId]);
    return fn(client);
  });
}

function receiptFor(account: Account, cardSerial: string | null, evidence: BindingEvidence | undefined): RegistrationReceipt {
  return {
    accountId: account.id,
    name: account.name,
    idMasked: maskIdNumber(account.idNumber),
    category: account.category,
    status: account.status,
    cardSerial,
    evidence,
  };
}

/**
 * The registration this browser already made with this challenge, if any: the second of two submits (a double click,
 * or the back button and 送出 again) is answered with the first one's receipt. A challenge belongs to one browser
 * session and the audit event names it, so this finds only the same browser's own registration.
 */
export async function receiptForResubmission(db: Db, idNumber: string, nonce: string): Promise<RegistrationReceipt | undefined> {
  const account = await accountsRepository(db).findByIdNumber(idNumber);
  if (!account) return undefined;
  const events = await auditRepository(db).listForAccount(account.id, 20);
  const event = events.find((e) => e.action === 'register' && e.details.challenge === nonce);
  if (!event) return undefined;
  const certificateId = Number(event.details.certificateId);
  const certificate = Number.isFinite(certificateId) ? await certificatesRepository(db).findById(certificateId) : undefined;
  return receiptFor(account, certificate?.cardSerial ?? null, evidenceFromDetails(event.details));
}

/**
 * Writes the account, its certificate binding and the audit event, inside the caller's transaction (see
 * withRegistrationLock; on the JavaScript path the challenge was consumed in the same transaction). One registration
 * is one transaction (DESIGN.md §5); a savepoint keeps a consumed challenge consumed when the writes are refused.
 * The unique constraints decide a race between two browsers: the second insert returns undefined and is undone.
 */
export async function registerInTransaction(
  client: PoolClient,
  draft: RegistrationDraft,
  identity: CertificateIdentity,
  meta: { path: 'nojs' | 'js'; now: Date; nonce: string },
): Promise<RegistrationOutcome> {
  const refusal = await bindingRefusal(client, draft, identity);
  if (refusal) {
    const earlier = await receiptForResubmission(client, draft.idNumber, meta.nonce);
    if (earlier) return { ok: true, receipt: earlier, accountId: earlier.accountId, resubmitted: true };
    return { ok: false, reason: refusal };
  }
  const status = initialStatus(draft.category);
  // Kept in the hash-chained registration event: the operator's review and any later dispute read what was compared.
  const evidence = bindingEvidence(draft, identity);
  await client.query('SAVEPOINT registration');
  const undo = async (reason: BindingRefusal): Promise<RegistrationOutcome> => {
    await client.query('ROLLBACK TO SAVEPOINT registration');
    return { ok: false, reason };
  };
  try {
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
    if (!inserted) return await undo('id_already_registered');
    const bound = await certificatesRepository(client).bind(bindingFor(inserted.id, identity), meta.now);
    if (!bound) return await undo('certificate_already_registered');
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
        challenge: meta.nonce,
        binding: evidence,
      },
    }, meta.now);
    await client.query('RELEASE SAVEPOINT registration');
    return { ok: true, receipt: receiptFor(inserted, identity.cardSerial, evidence), accountId: inserted.id, resubmitted: false };
  } catch (error) {
    // A unique violation the ON CONFLICT clauses did not absorb (the other unique index of certificates) is the same race.
    if ((error as { code?: string }).code === '23505') return undo('certificate_already_registered');
    throw error;
  }
}

/** 409 for "someone holds this already", 400 for the rest. */
export function refusalStatus(reason: string): number {
  return reason === 'id_already_registered' || reason === 'certificate_already_registered' ? 409 : 400;
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
