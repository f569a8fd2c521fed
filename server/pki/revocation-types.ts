// The contract between path validation and revocation checking (RFC 5280 §6.3, RFC 6960).
// Path validation calls a RevocationChecker for each non-anchor certificate of a validated path.

export type RevocationMode = 'ocsp' | 'crl' | 'ocsp-then-crl' | 'off';

export interface RevocationSubject {
  /** DER of the certificate whose status is asked. */
  certDer: Buffer;
  /** DER of the certificate that issued it (the next one up the validated path). */
  issuerDer: Buffer;
}

export type RevocationReason =
  | 'revoked' // the CA says revoked (OCSP revoked, or serial on a valid CRL)
  | 'revocation_unknown' // OCSP answered "unknown": counts as revoked
  | 'revocation_unavailable'; // no fresh, verifiable answer could be had (fail-closed)

export type RevocationResult =
  | { ok: true; source: 'ocsp' | 'crl' | 'off' | 'fail-open' }
  | { ok: false; reason: RevocationReason; detail?: string; revokedAt?: Date };

export interface RevocationChecker {
  check(subject: RevocationSubject, now: Date): Promise<RevocationResult>;
}
