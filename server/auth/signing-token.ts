// Verifies what the local signer returns, in the order of DESIGN.md §3.4, each failure with its own reason.
import type { Db } from '../db/pool';
import type { ChallengePurpose, Challenge } from '../db/challenges-repository';
import { consumeChallenge, challengeText } from './challenges';
import type { CardVerifier, CertificateIdentity, SignatureFormat } from './certificate-identity';

export interface SigningToken {
  nonce: string;
  signature: string;
  certificate: string;
  signatureType: SignatureFormat;
}

const BASE64 = /^[A-Za-z0-9+/=\r\n]+$/;
const NONCE = /^[A-Za-z0-9_-]{43}$/;
const MAX_BASE64 = 64 * 1024;

/**
 * Token shape: the first check, before anything touches the database. A cardSerial the signer may send is not read:
 * only the certificate's own attribute names the card.
 */
export function parseSigningToken(body: unknown): SigningToken | undefined {
  const b = (body ?? {}) as Record<string, unknown>;
  const text = (key: string) => (typeof b[key] === 'string' ? (b[key] as string).trim() : '');
  const nonce = text('nonce');
  const signature = text('signature');
  const certificate = text('certificate');
  const signatureType = text('signatureType') || 'PKCS1';
  if (!NONCE.test(nonce)) return undefined;
  if (!signature || signature.length > MAX_BASE64 || !BASE64.test(signature)) return undefined;
  if (!certificate || certificate.length > MAX_BASE64 || !BASE64.test(certificate)) return undefined;
  if (signatureType !== 'PKCS1' && signatureType !== 'PKCS7') return undefined;
  return { nonce, signature, certificate, signatureType };
}

export type SignedChallengeResult =
  | { ok: true; identity: CertificateIdentity; challenge: Challenge }
  | { ok: false; reason: string; challenge?: Challenge; detail?: string };

export async function verifySignedChallenge(
  db: Db,
  verifier: CardVerifier,
  token: SigningToken,
  params: { sessionId: string | null; purpose?: ChallengePurpose; now: Date },
): Promise<SignedChallengeResult> {
  const consumed = await consumeChallenge(db, {
    nonce: token.nonce,
    sessionId: params.sessionId,
    purpose: params.purpose,
    now: params.now,
  });
  if (!consumed.ok) return { ok: false, reason: consumed.reason };
  const challenge = consumed.challenge;

  const certificate = await verifier.verifyCertificate(token.certificate, params.now);
  if (!certificate.ok) return { ok: false, reason: certificate.reason, detail: certificate.detail, challenge };

  const identity = certificate.identity;
  const signature = verifier.verifySignature(
    challengeText(challenge),
    token.signature,
    token.signatureType,
    Buffer.from(identity.derBase64, 'base64'),
  );
  if (!signature.ok) return { ok: false, reason: signature.reason, challenge };
  return { ok: true, identity, challenge };
}
