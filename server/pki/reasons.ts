// The closed list of reasons a certificate or chain is refused. Routes map these to messages; pki/ holds no user text.
import type { RevocationReason } from './revocation-types.js';

export type ChainReason =
  | 'malformed' // does not parse as a DER X.509 certificate (RFC 5280 §4.1), or input too large
  | 'expired' // time is after notAfter (RFC 5280 §6.1.3(a)(2))
  | 'not_yet_valid' // time is before notBefore (RFC 5280 §6.1.3(a)(2))
  | 'untrusted' // no path from the leaf to a trust anchor could be built (RFC 5280 §6.1)
  | 'name_chaining' // issuer name differs from the next certificate's subject (RFC 5280 §6.1.3(a)(4))
  | 'bad_signature' // a signature in the path does not verify (RFC 5280 §6.1.3(a)(1))
  | 'weak_algorithm' // signature algorithm outside the allow-list: SHA-1, MD5, unknown (see algorithms.ts)
  | 'weak_key' // key outside the allow-list: RSA < 2048 bits, other curves, DSA
  | 'not_ca' // an issuer is not a CA: basicConstraints cA absent or false (RFC 5280 §6.1.4(k))
  | 'path_length' // a pathLenConstraint is exceeded (RFC 5280 §6.1.4(l),(m))
  | 'path_too_long' // more intermediates than the caller allows, or than the engine's bound
  | 'ca_key_usage' // an issuer's keyUsage lacks keyCertSign (RFC 5280 §6.1.4(n))
  | 'leaf_key_usage' // the leaf's keyUsage does not allow the purpose (signing: digitalSignature, RFC 5280 §4.2.1.3)
  | 'leaf_is_ca' // the leaf is a CA certificate: a CA key never signs a login challenge
  | 'eku' // the leaf's extendedKeyUsage does not allow the purpose (RFC 5280 §4.2.1.12)
  | 'unknown_critical_extension' // a critical extension the engine does not process (RFC 5280 §4.2)
  | 'name_constraints' // a name outside permitted or inside excluded subtrees, or constraints we cannot process (RFC 5280 §6.1.3(b),(c))
  | 'profile_violation' // breaks a MUST of the RFC 5280 §4 profile (serial, empty names, AKI/SKI, criticality, version)
  | RevocationReason; // 'revoked' | 'revocation_unknown' | 'revocation_unavailable' (revocation-types.ts)

// Each reason once, as the keys of a record: a reason added to the union and not here does not compile.
const CHAIN_REASON_KEYS: Record<ChainReason, true> = {
  malformed: true,
  expired: true,
  not_yet_valid: true,
  untrusted: true,
  name_chaining: true,
  bad_signature: true,
  weak_algorithm: true,
  weak_key: true,
  not_ca: true,
  path_length: true,
  path_too_long: true,
  ca_key_usage: true,
  leaf_key_usage: true,
  leaf_is_ca: true,
  eku: true,
  unknown_critical_extension: true,
  name_constraints: true,
  profile_violation: true,
  revoked: true,
  revocation_unknown: true,
  revocation_unavailable: true,
};

/** Every ChainReason, in the order of the union. */
export const CHAIN_REASONS = Object.keys(CHAIN_REASON_KEYS) as readonly ChainReason[];

export interface Failure {
  reason: ChainReason;
  /** for logs only: which certificate, which field */
  detail: string;
}
