// The page script's look at a card right after 載入, before 送出: is the certificate good (not revoked, not expired),
// and what would this page's 送出 meet (a card already registered, an account under review, no account at all)?
// The script sends what the signer returned; the challenge is read, not consumed, so the same signature still
// serves 送出, where every check runs again. Only a signature over this browser's own unexpired challenge is
// looked at: whoever asks has the card and its PIN, so the answer tells the holder nothing they could not find out.
import type { Db } from '../db/pool';
import { challengesRepository, type Challenge, type ChallengePurpose } from '../db/challenges-repository';
import { certificatesRepository } from '../db/certificates-repository';
import { bindingRefusal, type Applicant } from '../registration/binding-rules';
import { organisationBindingRefusal } from '../registration/organisation';
import type { OrganisationCategory } from '../registration/organisation-rules';
import type { OrganisationCertificateKind } from '../db/organisation-accounts-repository';
import { challengeText } from './challenges';
import type { CardVerifier, CertificateIdentity } from './certificate-identity';
import { findAccountForCertificate, refusalFor } from './certificate-login';
import { recoverableAccount } from './card-recovery';
import type { SigningToken } from './signing-token';

export type LoadedCard =
  | { ok: true; identity: CertificateIdentity; challenge: Challenge }
  | { ok: false; reason: string; detail?: string; challenge?: Challenge };

/** The signature as 送出 would verify it (DESIGN.md §3.4), with the challenge left unused. */
export async function verifyLoadedCard(
  db: Db,
  verifier: CardVerifier,
  token: SigningToken,
  params: { sessionId: string; now: Date },
): Promise<LoadedCard> {
  const challenge = await challengesRepository(db).find(token.nonce);
  if (!challenge) return { ok: false, reason: 'challenge_not_found' };
  if (challenge.sessionId !== params.sessionId) return { ok: false, reason: 'challenge_foreign_session' };
  if (challenge.consumedAt) return { ok: false, reason: 'challenge_used' };
  if (challenge.expiresAt <= params.now) return { ok: false, reason: 'challenge_expired' };
  const certificate = await verifier.verifyCertificate(token.certificate, params.now);
  if (!certificate.ok) return { ok: false, reason: certificate.reason, detail: certificate.detail, challenge };
  const signature = verifier.verifySignature(
    challengeText(challenge),
    token.signature,
    token.signatureType,
    Buffer.from(certificate.identity.derBase64, 'base64'),
  );
  if (!signature.ok) return { ok: false, reason: signature.reason, challenge };
  return { ok: true, identity: certificate.identity, challenge };
}

/** ok: 送出 can go on (renewal: a renewed card, which the login binds after the account's password). */
export type CardAssessment = { ok: true; renewal?: boolean } | { ok: false; reason: string };

/** Who registers: a citizen's details, or a company's category and the kind of certificate it registers with. */
export type RegistrationApplicant =
  | { kind: 'citizen'; applicant: Applicant }
  | { kind: 'organisation'; category: OrganisationCategory; certificate: OrganisationCertificateKind };

/**
 * What the journey of the challenge's purpose will say about this card. For a registration, the applicant's details
 * (the draft, or the fields typed on the one-page form; a company's category) add the binding rules; without them
 * only the card is asked.
 */
export async function assessCard(
  db: Db,
  purpose: ChallengePurpose,
  identity: CertificateIdentity,
  registering?: RegistrationApplicant,
): Promise<CardAssessment> {
  if (purpose === 'register') {
    if (registering?.kind === 'organisation') {
      const refusal = await organisationBindingRefusal(db, registering.category, registering.certificate, identity);
      return refusal ? { ok: false, reason: refusal } : { ok: true };
    }
    const applicant = registering?.applicant;
    if (applicant) {
      const refusal = await bindingRefusal(db, applicant, identity);
      return refusal ? { ok: false, reason: refusal } : { ok: true };
    }
    const certificates = certificatesRepository(db);
    const bound =
      (await certificates.findByFingerprint(identity.fingerprintSha256)) ??
      (await certificates.findActiveByIssuerSerial(identity.issuerDn, identity.serialHex));
    return bound ? { ok: false, reason: 'certificate_already_registered' } : { ok: true };
  }
  if (purpose === 'password-reset' || purpose === 'unlock') {
    const recoverable = await recoverableAccount(db, identity);
    return recoverable.ok ? { ok: true } : { ok: false, reason: recoverable.reason };
  }
  const found = await findAccountForCertificate(db, identity);
  if (found.kind === 'unknown') return { ok: false, reason: 'unknown_certificate' };
  // A card that may join, or is bound to, several accounts (one per category) is refused only when none of them may
  // log in: the holder chooses one of them next.
  const accounts = found.kind === 'renewal' ? found.accounts : found.bindings.map((b) => b.account);
  const refusals = accounts.map(refusalFor);
  const first = refusals[0];
  if (first && refusals.every(Boolean)) return { ok: false, reason: first };
  return found.kind === 'renewal' ? { ok: true, renewal: true } : { ok: true };
}
