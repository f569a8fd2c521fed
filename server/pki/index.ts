// The engine's public API. Other modules import from here, not from the files behind it.
export { parseCertificate, clearCertificateCache, type Certificate, type ParseResult } from './parse.js';
export { readProfile, certificateUse, MOICA_KEY_IDS, MOICA_ISSUER_DN, type LeafProfile, type CertificateUse } from './profile.js';
export { verifyChain, verifyPath, MAX_INTERMEDIATES, SIGNING_EKUS, type VerifyChainInput, type VerifyChainResult } from './verify-chain.js';
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
// DER (X.690) read and write, PEM (RFC 7468): one module for the engine, the demo PKI and the local signer.
export * as der from './der.js';
export { nameToString } from './names.js';
export {
  verifyChallengeSignature,
  MAX_SIGNATURE_BYTES,
  type SignatureReason,
  type SignatureFormat,
  type VerifySignatureInput,
  type VerifySignatureResult,
} from './signature.js';
export { createCmsSignature, createPkcs1Signature, type CmsSignOptions } from './cms-sign.js';
