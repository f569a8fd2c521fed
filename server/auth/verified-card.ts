// A card proven by signing a challenge counts for the rest of that challenge's life, counted from its issue, and no
// longer: the no-JS path crosses several requests (callback, completion, confirm, 送出), and a result kept in the
// session must not outlive the challenge that produced it. When the result is finally used (a session is created,
// an account registered, a card re-bound), the certificate is asked about once more, so a card revoked meanwhile is
// refused (the engine's revocation caches answer when they are fresh).
import type { CardVerifier, CertificateIdentity } from './certificate-identity';

export interface VerifiedCard {
  identity: CertificateIdentity;
  /** the challenge it signed: names the registration or login in the audit trail */
  nonce: string;
  /** the challenge's expiry (epoch ms): the end of this result's life */
  expiresAt: number;
}

export function verifiedCard(
  identity: CertificateIdentity,
  challenge: { nonce: string; expiresAt: Date },
): VerifiedCard {
  return { identity, nonce: challenge.nonce, expiresAt: challenge.expiresAt.getTime() };
}

/** True while the challenge the card signed is still alive. A card without an expiry (an old session) is not. */
export function isStillVerified(card: Pick<VerifiedCard, 'expiresAt'> | undefined, now: Date): boolean {
  return card !== undefined && typeof card.expiresAt === 'number' && now.getTime() < card.expiresAt;
}

export type RecheckResult = { ok: true } | { ok: false; reason: string; detail?: string };

/** The certificate once more (validity, chain, revocation) at the moment its result is used. */
export async function recheckCard(
  verifier: CardVerifier,
  identity: CertificateIdentity,
  now: Date,
): Promise<RecheckResult> {
  const check = await verifier.verifyCertificate(identity.derBase64, now);
  if (!check.ok) return { ok: false, reason: check.reason, detail: check.detail };
  // The same certificate bytes give the same fingerprint; anything else is a session that was tampered with.
  if (check.identity.fingerprintSha256 !== identity.fingerprintSha256) return { ok: false, reason: 'token_malformed' };
  return { ok: true };
}
