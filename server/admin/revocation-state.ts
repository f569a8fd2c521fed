// The revocation state an operator sees beside a bound certificate (DESIGN.md §6).
import type { BoundCertificate } from '../db/certificates-repository';
import type { CardVerifier } from '../auth/certificate-identity';

export type RevocationState = 'not_checked' | 'good' | 'revoked' | 'unknown' | 'unavailable' | 'invalid';

/**
 * The current revocation state of a bound certificate, asked now through the portal's certificate engine (chain and
 * OCSP/CRL, with their caches). A certificate already past its validity is not asked about: the page shows that instead.
 */
export async function revocationStateFor(
  verifier: CardVerifier,
  cert: BoundCertificate,
  now: Date,
): Promise<RevocationState> {
  if (cert.notAfter < now || cert.notBefore > now) return 'not_checked';
  const check = await verifier.verifyCertificate(cert.der.toString('base64'), now);
  if (check.ok) return 'good';
  switch (check.reason) {
    case 'revoked':
      return 'revoked';
    case 'revocation_unknown':
      return 'unknown';
    case 'revocation_unavailable':
      return 'unavailable';
    default:
      return 'invalid';
  }
}
