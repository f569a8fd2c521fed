// The few fields of a certificate that revocation checking needs, read straight from the DER (RFC 5280 §4.1).
import { createHash, createPublicKey, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { children, content, decodeOid, decodeTime, DerError, expect, integerHex, readTlv, Tag, whole } from './der';

export const OID = {
  sha256WithRSA: '1.2.840.113549.1.1.11',
  sha384WithRSA: '1.2.840.113549.1.1.12',
  sha512WithRSA: '1.2.840.113549.1.1.13',
  ecdsaSha256: '1.2.840.10045.4.3.2',
  ecdsaSha384: '1.2.840.10045.4.3.3',
  ecdsaSha512: '1.2.840.10045.4.3.4',
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  crlDistributionPoints: '2.5.29.31',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  adOcsp: '1.3.6.1.5.5.7.48.1',
  adCaIssuers: '1.3.6.1.5.5.7.48.2',
  extKeyUsage: '2.5.29.37',
  kpOcspSigning: '1.3.6.1.5.5.7.3.9',
  ocspNoCheck: '1.3.6.1.5.5.7.48.1.5',
  ocspBasic: '1.3.6.1.5.5.7.48.1.1',
  ocspNonce: '1.3.6.1.5.5.7.48.1.2',
  crlNumber: '2.5.29.20',
  crlReason: '2.5.29.21',
  authorityKeyIdentifier: '2.5.29.35',
  issuingDistributionPoint: '2.5.29.28',
  deltaCrlIndicator: '2.5.29.27',
  keyUsage: '2.5.29.15',
  basicConstraints: '2.5.29.19',
} as const;

/** Signature algorithms accepted on CRLs and OCSP responses: the same allow-list as path validation (no SHA-1, no MD5). */
const SIGNATURE_HASH: Record<string, string> = {
  [OID.sha256WithRSA]: 'sha256',
  [OID.sha384WithRSA]: 'sha384',
  [OID.sha512WithRSA]: 'sha512',
  [OID.ecdsaSha256]: 'sha256',
  [OID.ecdsaSha384]: 'sha384',
  [OID.ecdsaSha512]: 'sha512',
};

export function verifySignature(algorithmOid: string, data: Buffer, signature: Buffer, key: KeyObject): boolean {
  const hash = SIGNATURE_HASH[algorithmOid];
  if (!hash) return false;
  try {
    return cryptoVerify(hash, data, key, signature);
  } catch {
    return false;
  }
}

export interface Extension {
  critical: boolean;
  value: Buffer;
}

export interface CertFields {
  der: Buffer;
  tbs: Buffer;
  serialHex: string;
  /** the raw DER of the issuer Name */
  issuer: Buffer;
  /** the raw DER of the subject Name */
  subject: Buffer;
  /** the subjectPublicKey BIT STRING's bits (what an OCSP CertID and a key-hash ResponderID hash) */
  publicKeyBits: Buffer;
  spki: Buffer;
  notBefore: Date;
  notAfter: Date;
  signatureAlgorithm: string;
  signature: Buffer;
  extensions: Map<string, Extension>;
}

const cache = new WeakMap<Buffer, CertFields>();
const keyCache = new Map<string, KeyObject>();

export function readCert(der: Buffer): CertFields {
  const hit = cache.get(der);
  if (hit) return hit;
  const outer = expect(der, 0, Tag.SEQUENCE);
  if (outer.end !== der.length) throw new DerError('trailing bytes after certificate');
  const [tbsTlv, algTlv, sigTlv] = children(der, outer);
  if (!tbsTlv || !algTlv || !sigTlv) throw new DerError('certificate needs three parts');
  const tbsParts = children(der, tbsTlv);
  let i = 0;
  if (tbsParts[0]?.tag === 0xa0) i++; // version
  const serial = tbsParts[i++];
  i++; // signature algorithm inside the TBS
  const issuer = tbsParts[i++];
  const validity = tbsParts[i++];
  const subject = tbsParts[i++];
  const spki = tbsParts[i++];
  if (!serial || serial.tag !== Tag.INTEGER || !issuer || !validity || !subject || !spki) throw new DerError('incomplete TBSCertificate');
  const [nb, na] = children(der, validity);
  const spkiParts = children(der, spki);
  const bits = spkiParts[1];
  if (!bits || bits.tag !== Tag.BIT_STRING) throw new DerError('bad SubjectPublicKeyInfo');
  const extensions = new Map<string, Extension>();
  for (const part of tbsParts.slice(i)) {
    if (part.tag !== 0xa3) continue;
    const list = readTlv(der, part.start, part.end);
    for (const ext of children(der, list)) {
      const fields = children(der, ext);
      const id = decodeOid(content(der, fields[0]));
      const critical = fields.length === 3 && der[fields[1].start] !== 0;
      const value = content(der, fields[fields.length - 1]);
      extensions.set(id, { critical, value });
    }
  }
  const algParts = children(der, algTlv);
  const fields: CertFields = {
    der,
    tbs: whole(der, tbsTlv),
    serialHex: integerHex(content(der, serial)),
    issuer: whole(der, issuer),
    subject: whole(der, subject),
    publicKeyBits: der.subarray(bits.start + 1, bits.end),
    spki: whole(der, spki),
    notBefore: decodeTime(der, nb),
    notAfter: decodeTime(der, na),
    signatureAlgorithm: decodeOid(content(der, algParts[0])),
    signature: der.subarray(sigTlv.start + 1, sigTlv.end),
    extensions,
  };
  cache.set(der, fields);
  return fields;
}

export function publicKeyOf(cert: CertFields): KeyObject {
  const id = cert.spki.toString('base64');
  let key = keyCache.get(id);
  if (!key) {
    key = createPublicKey({ key: cert.spki, format: 'der', type: 'spki' });
    if (keyCache.size > 1000) keyCache.clear();
    keyCache.set(id, key);
  }
  return key;
}

/** The cert's signature checks out under `issuer`'s key, and the names chain. */
export function isIssuedBy(cert: CertFields, issuer: CertFields): boolean {
  return cert.issuer.equals(issuer.subject) && verifySignature(cert.signatureAlgorithm, cert.tbs, cert.signature, publicKeyOf(issuer));
}

/** http(s) URIs of the fullName of each CRL distribution point (RFC 5280 §4.2.1.13). */
export function crlUrls(cert: CertFields): string[] {
  const ext = cert.extensions.get(OID.crlDistributionPoints);
  if (!ext) return [];
  const urls: string[] = [];
  const buf = ext.value;
  for (const dp of children(buf, readTlv(buf, 0))) {
    for (const field of children(buf, dp)) {
      if (field.tag !== 0xa0) continue; // distributionPoint
      for (const name of children(buf, field)) {
        if (name.tag !== 0xa0) continue; // fullName
        for (const general of children(buf, name)) {
          if (general.tag === 0x86) urls.push(buf.toString('latin1', general.start, general.end));
        }
      }
    }
  }
  return urls.filter((u) => /^https?:\/\//i.test(u));
}

/** http(s) URIs of the AIA entries with the given access method (RFC 5280 §4.2.2.1). */
export function aiaUrls(cert: CertFields, method: string = OID.adOcsp): string[] {
  const ext = cert.extensions.get(OID.authorityInfoAccess);
  if (!ext) return [];
  const buf = ext.value;
  const urls: string[] = [];
  for (const ad of children(buf, readTlv(buf, 0))) {
    const [m, loc] = children(buf, ad);
    if (m && loc && decodeOid(content(buf, m)) === method && loc.tag === 0x86) urls.push(buf.toString('latin1', loc.start, loc.end));
  }
  return urls.filter((u) => /^https?:\/\//i.test(u));
}

export function extendedKeyUsages(cert: CertFields): string[] | undefined {
  const ext = cert.extensions.get(OID.extKeyUsage);
  if (!ext) return undefined;
  const buf = ext.value;
  return children(buf, readTlv(buf, 0)).map((o) => decodeOid(content(buf, o)));
}

/** keyUsage bit n is set (0 digitalSignature … 6 cRLSign); undefined when the extension is absent. */
export function hasKeyUsage(cert: CertFields, bit: number): boolean | undefined {
  const ext = cert.extensions.get(OID.keyUsage);
  if (!ext) return undefined;
  const buf = ext.value;
  const bs = readTlv(buf, 0);
  const byte = buf[bs.start + 1 + (bit >> 3)];
  return byte !== undefined && (byte & (0x80 >> (bit & 7))) !== 0;
}

export const sha1 = (b: Buffer): Buffer => createHash('sha1').update(b).digest();
