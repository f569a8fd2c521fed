// One registration is one transaction (DESIGN.md §5): the account, its certificate binding and the audit event,
// under a lock for the browser session so that a double submit finds the first one's registration.
import type { PoolClient } from 'pg';
import type { Db, Pool } from '../db/pool';
import {
  accountsRepository,
  type Account,
  type AccountCategory,
  type AccountLang,
  type AccountStatus,
} from '../db/accounts-repository';
import { certificatesRepository } from '../db/certificates-repository';
import { auditRepository } from '../db/audit-repository';
import { withTransaction } from '../db/transaction';
import { bindingFor } from '../auth/bind-certificate';
import type { CardVerifier, CertificateIdentity } from '../auth/certificate-identity';
import { verifySignedChallenge, type SigningToken } from '../auth/signing-token';
import { bindingEvidence, evidenceFromDetails, type BindingEvidence } from '../auth/binding-evidence';
import { maskIdNumber } from '../mask';
import { bindingRefusal, cardMismatch, initialStatus, type BindingRefusal } from './binding-rules';
import type { RegistrationDraft } from './draft';
import { newReference } from './reference';
import { writeRegistration } from './write-registration';

/** What the 註冊完成 page shows: nothing that needs the full ID number. */
export interface RegistrationReceipt {
  accountId: number;
  name: string;
  idMasked: string;
  category: AccountCategory;
  status: AccountStatus;
  cardSerial: string | null;
  /** What the card proved and did not; absent on a receipt kept from before the evidence was recorded. */
  evidence?: BindingEvidence;
  /** 申請編號; absent on an account registered before references were given. */
  reference?: string;
  /** When the account was registered, as an ISO instant (the session keeps JSON). */
  submittedAt?: string;
  /** Where the registration's e-mail goes (Email1). */
  email?: string;
}

export type RegistrationOutcome =
  | {
      ok: true;
      receipt: RegistrationReceipt;
      accountId: number;
      resubmitted: boolean;
      /** The registration's e-mail, queued in the transaction: dispatch it after the commit. */
      notificationId?: number;
    }
  | { ok: false; reason: string; detail?: string };

/** What registerInTransaction needs beyond the draft and the card. */
export interface RegistrationMeta {
  path: 'nojs' | 'js';
  now: Date;
  nonce: string;
  /** The page language at 送出: the account's e-mails add English for 'en'. */
  lang: AccountLang;
}

// Registration locks live in their own advisory key space (the two-key form), apart from the audit chain's lock.
const REGISTRATION_LOCK_SPACE = 5105;

/**
 * Runs fn in one transaction that first takes a lock for this browser session: a double submit waits for the first
 * submit's commit, then finds its own registration instead of a half-done one (see receiptForResubmission). On the
 * JavaScript path the certificate check (revocation included) runs inside, so the transaction holds its connection
 * for that long: registration POSTs are rate-limited, and other browsers' registrations do not wait for this lock.
 */
export function withRegistrationLock<T>(
  pool: Pool,
  sessionId: string,
  fn: (client: PoolClient) => Promise<T>,
): Promise<T> {
  return withTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [REGISTRATION_LOCK_SPACE, sessionId]);
    return fn(client);
  });
}

function receiptFor(
  account: Account,
  cardSerial: string | null,
  evidence: BindingEvidence | undefined,
): RegistrationReceipt {
  return {
    accountId: account.id,
    name: account.name,
    idMasked: maskIdNumber(account.idNumber),
    category: account.category,
    status: account.status,
    cardSerial,
    evidence,
    reference: account.reference ?? undefined,
    submittedAt: account.createdAt.toISOString(),
    email: account.email1 ?? undefined,
  };
}

/** A reference no account has yet: a clash of six random characters on one day is rare, and then another is drawn. */
export async function freeReference(client: PoolClient, now: Date): Promise<string> {
  const accounts = accountsRepository(client);
  for (;;) {
    const reference = newReference(now);
    if (!(await accounts.referenceExists(reference))) return reference;
  }
}

/**
 * The registration this browser already made with this challenge, if any: the second of two submits (a double click,
 * or the back button and 送出 again) is answered with the first one's receipt. A challenge belongs to one browser
 * session and the audit event names it, so this finds only the same browser's own registration.
 */
export async function receiptForResubmission(
  db: Db,
  idNumber: string,
  nonce: string,
): Promise<RegistrationReceipt | undefined> {
  const account = await accountsRepository(db).findByIdNumber(idNumber);
  if (!account) return undefined;
  const events = await auditRepository(db).listForAccount(account.id, 20);
  const event = events.find((e) => e.action === 'register' && e.details.challenge === nonce);
  if (!event) return undefined;
  const certificateId = Number(event.details.certificateId);
  const certificate = Number.isFinite(certificateId)
    ? await certificatesRepository(db).findById(certificateId)
    : undefined;
  return receiptFor(account, certificate?.cardSerial ?? null, evidenceFromDetails(event.details));
}

/**
 * Writes the account, its certificate binding and the audit event, inside the caller's transaction (see
 * withRegistrationLock; on the JavaScript path the challenge was consumed in the same transaction), under
 * writeRegistration's savepoint. The unique constraints decide a race between two browsers: the second insert
 * returns undefined and is undone.
 */
export async function registerInTransaction(
  client: PoolClient,
  draft: RegistrationDraft,
  identity: CertificateIdentity,
  meta: RegistrationMeta,
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
  const reference = await freeReference(client, meta.now);
  const written = await writeRegistration<BindingRefusal, Account>(
    client,
    meta.now,
    'certificate_already_registered',
    async () => {
      const inserted = await accountsRepository(client).insert(
        {
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
          reference,
          lang: meta.lang,
        },
        meta.now,
      );
      if (!inserted) return { ok: false, reason: 'id_already_registered' };
      const bound = await certificatesRepository(client).bind(bindingFor(inserted.id, identity), meta.now);
      if (!bound) return { ok: false, reason: 'certificate_already_registered' };
      return {
        ok: true,
        accountId: inserted.id,
        result: inserted,
        auditDetails: {
          category: draft.category,
          status,
          idKind: draft.idKind,
          certificateId: bound.id,
          fingerprintSha256: identity.fingerprintSha256,
          cardSerial: identity.cardSerial,
          path: meta.path,
          challenge: meta.nonce,
          binding: evidence,
          // Which wording of the 個資蒐集告知 the applicant agreed to.
          personalDataNotice: draft.personalDataNotice,
        },
      };
    },
  );
  if (!written.ok) return { ok: false, reason: written.reason };
  const account = written.result;
  return {
    ok: true,
    receipt: receiptFor(account, identity.cardSerial, evidence),
    accountId: account.id,
    resubmitted: false,
    notificationId: written.notificationId,
  };
}

/**
 * The JavaScript path's one POST: one transaction consumes the challenge, checks the card against the details and
 * writes the account, so a double submit waits and finds this registration. The password is hashed before (the
 * draft), not while holding the lock.
 */
export function registerSignedDetails(
  pool: Pool,
  verifier: CardVerifier,
  draft: RegistrationDraft,
  token: SigningToken,
  params: { sessionId: string; now: Date; lang: AccountLang },
): Promise<RegistrationOutcome> {
  const { sessionId, now } = params;
  return withRegistrationLock(pool, sessionId, async (client): Promise<RegistrationOutcome> => {
    const verified = await verifySignedChallenge(client, verifier, token, { sessionId, purpose: 'register', now });
    if (!verified.ok) {
      if (verified.reason === 'challenge_used') {
        const earlier = await receiptForResubmission(client, draft.idNumber, token.nonce);
        if (earlier) return { ok: true, receipt: earlier, accountId: earlier.accountId, resubmitted: true };
      }
      return { ok: false, reason: verified.reason, detail: verified.detail };
    }
    const mismatch = cardMismatch(draft, verified.identity);
    if (mismatch) return { ok: false, reason: mismatch };
    return registerInTransaction(client, draft, verified.identity, {
      path: 'js',
      now,
      nonce: token.nonce,
      lang: params.lang,
    });
  });
}

/** The no-JS path's 送出: the card verified earlier, written under this browser's registration lock. */
export function registerVerifiedCard(
  pool: Pool,
  draft: RegistrationDraft,
  identity: CertificateIdentity,
  params: { sessionId: string; nonce: string; now: Date; lang: AccountLang },
): Promise<RegistrationOutcome> {
  return withRegistrationLock(pool, params.sessionId, (client) =>
    registerInTransaction(client, draft, identity, {
      path: 'nojs',
      now: params.now,
      nonce: params.nonce,
      lang: params.lang,
    }),
  );
}
