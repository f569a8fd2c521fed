// The engine's public API. Code outside server/pki/ imports from here, never from the files behind it (a lint rule
// holds this): parse, profile, path validation, revocation, signature, trust store, the reasons they refuse with,
// and the DER/PEM module the demo PKI and the local signer share.
export {
  parseCertificate,
  certificateFrom,
  clearCertificateCache,
  type Certificate,
  type ParseResult,
} from './parse.js';
export {
  readProfile,
  certificateUse,
  MOICA_KEY_IDS,
  MOICA_ISSUER_DN,
  type LeafProfile,
  type CertificateUse,
} from './profile.js';
export {
  readOrganisationProfile,
  checkOrganisationCertificate,
  issuerKindOf,
  ORGANISATION_REASONS,
  GPKI_CA_UNITS,
  MOEACA_ISSUER_DN,
  GCA_ISSUER_DN,
  type OrganisationProfile,
  type OrganisationReason,
  type OrganisationCertificate,
  type IssuerKind,
  type CardRank,
} from './organisation.js';
export { crlUrls, aiaUrls, extendedKeyUsages, hasKeyUsage, hasExtension } from './certificate-fields.js';
export { OID } from './oids.js';
export { KU } from './extensions.js';
export {
  verifyChain,
  verifyPath,
  MAX_INTERMEDIATES,
  SIGNING_EKUS,
  type VerifyChainInput,
  type VerifyChainResult,
} from './verify-chain.js';
export { CHAIN_REASONS, type ChainReason, type Failure } from './reasons.js';
export type { Purpose } from './checks.js';
export {
  createTrustStore,
  buildPortalTrustStore,
  loadTrustDir,
  classifyPems,
  GPKI_DIR,
  TrustStoreError,
  type TrustStore,
  type TrustAnchor,
  type AnchorSpec,
  type PortalTrustOptions,
} from './trust-store.js';
export { toDer, MAX_CERT_BYTES, type CertInput } from './input.js';
export { nameToString } from './names.js';
export {
  verifyChallengeSignature,
  MAX_SIGNATURE_BYTES,
  SIGNATURE_REASONS,
  type SignatureReason,
  type SignatureFormat,
  type VerifySignatureInput,
  type VerifySignatureResult,
} from './signature.js';
export type {
  RevocationChecker,
  RevocationMode,
  RevocationReason,
  RevocationResult,
  RevocationSubject,
} from './revocation-types.js';
export {
  createRevocationChecker,
  type CachingRevocationChecker,
  type RevocationCheckerOptions,
} from './revocation/checker.js';
export { parseCrl } from './revocation/crl.js';
export { encodeCertId, parseOcspRequest, type CertId, type SingleResponse } from './revocation/ocsp.js';
// DER (X.690) read and write, PEM (RFC 7468): one module for the engine, the demo PKI and the local signer.
export * as der from './der.js';
