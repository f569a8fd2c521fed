// Revocation checking (RFC 5280 §6.3 CRLs, RFC 6960 OCSP) behind the RevocationChecker contract.
export { createRevocationChecker, type CachingRevocationChecker, type RevocationCheckerOptions } from './checker';
export {
  parseCrl,
  checkCrl,
  normaliseSerial,
  CrlError,
  type ParsedCrl,
  type RevokedInfo,
  type CrlProblem,
} from './crl';
export {
  buildOcspRequest,
  parseOcspRequest,
  parseOcspResponse,
  checkOcspResponse,
  certIdFor,
  type CertId,
  type CertStatus,
  type OcspProblem,
  type ParsedOcspResponse,
} from './ocsp';
export { crlUrls, aiaUrls } from '../certificate-fields';
