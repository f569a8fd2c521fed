// Small readers over a parsed Certificate for revocation checking and the demo PKI: the URLs to ask, the key usages
// a CRL or OCSP signer needs, and "issued by" as name chaining plus the (cached) signature check of path validation.
import { signedBy } from './checks.js';
import { OID } from './oids.js';
import type { Certificate } from './parse.js';

const isHttp = (url: string): boolean => /^https?:\/\//i.test(url);

/** http(s) URIs of the fullName of each CRL distribution point (RFC 5280 §4.2.1.13). */
export function crlUrls(cert: Certificate): string[] {
  return (cert.ext.crlUrls ?? []).filter(isHttp);
}

/** http(s) URIs of the authorityInfoAccess entries with the given access method (RFC 5280 §4.2.2.1). */
export function aiaUrls(cert: Certificate, method: string = OID.adOcsp): string[] {
  const aia = cert.ext.authorityInfoAccess;
  const urls = method === OID.adOcsp ? aia?.ocsp : method === OID.adCaIssuers ? aia?.caIssuers : undefined;
  return (urls ?? []).filter(isHttp);
}

/** The extendedKeyUsage purposes, or undefined when the extension is absent. */
export function extendedKeyUsages(cert: Certificate): string[] | undefined {
  return cert.ext.extKeyUsage;
}

/** keyUsage bit n is set (0 digitalSignature … 6 cRLSign, RFC 5280 §4.2.1.3); undefined when the extension is absent. */
export function hasKeyUsage(cert: Certificate, bit: number): boolean | undefined {
  const mask = cert.ext.keyUsage;
  return mask === undefined ? undefined : (mask & (1 << bit)) !== 0;
}

/** basicConstraints cA is TRUE (RFC 5280 §4.2.1.9). */
export function isCa(cert: Certificate): boolean {
  return cert.ext.basicConstraints?.ca === true;
}

export function hasExtension(cert: Certificate, oid: string): boolean {
  return cert.extensions.some((e) => e.oid === oid);
}

/** `cert` names `issuer` as its issuer (byte for byte, as CRL and OCSP matching do) and verifies under its key. */
export function isIssuedBy(cert: Certificate, issuer: Certificate): boolean {
  return cert.issuerDer.equals(issuer.subjectDer) && signedBy(cert, issuer);
}
