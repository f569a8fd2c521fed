// Builds DER certificates and CRLs for the demo PKI (RFC 5280 §4.1 and §5.1), signed with Node's crypto.
import { createHash, createPublicKey, randomBytes, sign, type KeyObject } from 'node:crypto';
import { der, OID } from '../server/pki/index';

export const DEMO_OID = {
  countryName: '2.5.4.6',
  organizationName: '2.5.4.10',
  organizationalUnitName: '2.5.4.11',
  commonName: '2.5.4.3',
  serialNumber: '2.5.4.5',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  certificatePolicies: '2.5.29.32',
  subjectDirectoryAttributes: '2.5.29.9',
  /** MOICA: the last four digits of the holder's national ID, inside subjectDirectoryAttributes. */
  moicaIdLast4: '2.16.886.1.100.2.51',
  /** The card's serial number, as the portal's profile reads it (see docs/pki.md). */
  moicaCardSerial: '2.16.886.1.100.2.204',
  /** The GPKI certificate policy the real MOICA CAs carry (assurance level 3). */
  gpkiLevel3Policy: '2.16.886.101.0.3.3',
  /** Organisation certificates (docs/pki.md "Organisation profiles"): subject class, card rank, 統一編號, 機關代碼. */
  gpkiSubjectType: '2.16.886.1.100.2.1',
  moeacaCardRank: '2.16.886.1.100.2.2',
  uniformOrganizationId: '2.16.886.1.100.2.101',
  gcaAgencyCode: '2.16.886.1.100.2.102',
} as const;

export type NameAttribute = { type: 'C' | 'O' | 'OU' | 'CN' | 'serialNumber'; value: string };

const NAME_OID: Record<NameAttribute['type'], string> = {
  C: DEMO_OID.countryName,
  O: DEMO_OID.organizationName,
  OU: DEMO_OID.organizationalUnitName,
  CN: DEMO_OID.commonName,
  serialNumber: DEMO_OID.serialNumber,
};

/** A Name with one attribute per RDN, in order; C and serialNumber as PrintableString, the rest UTF8String (as MOICA does). */
export function encodeName(attrs: NameAttribute[]): Buffer {
  return der.seq(
    ...attrs.map(({ type, value }) =>
      der.set(
        der.seq(
          der.oid(NAME_OID[type]),
          type === 'C' || type === 'serialNumber' ? der.printable(value) : der.utf8(value),
        ),
      ),
    ),
  );
}

/** RFC 5280 §4.2.1.3 bit numbers: the engine's table. */
export { KU as KeyUsageBit } from '../server/pki/index';

export interface ExtensionSpec {
  oid: string;
  critical?: boolean;
  value: Buffer;
}

export function extension({ oid, critical, value }: ExtensionSpec): Buffer {
  return der.seq(der.oid(oid), ...(critical ? [der.bool(true)] : []), der.octet(value));
}

/** keyUsage BIT STRING with trailing zero bits dropped (X.690 §11.2.2). */
export function keyUsage(bits: number[]): ExtensionSpec {
  let value = 0;
  for (const b of bits) value |= 0x8000 >> b;
  const bytes = value & 0xff ? [value >> 8, value & 0xff] : [value >> 8];
  const last = bytes[bytes.length - 1];
  let unused = 0;
  while (unused < 7 && !(last & (1 << unused))) unused++;
  return { oid: DEMO_OID.keyUsage, critical: true, value: der.bitString(Buffer.from(bytes), unused) };
}

export function basicConstraints(ca: boolean, pathLen?: number): ExtensionSpec {
  const body = ca ? [der.bool(true), ...(pathLen === undefined ? [] : [der.int(pathLen)])] : [];
  return { oid: DEMO_OID.basicConstraints, critical: ca, value: der.seq(...body) };
}

/** RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey bits. */
export function keyIdentifier(spki: Buffer): Buffer {
  const outer = der.readTlv(spki, 0);
  const [, bits] = der.children(spki, outer);
  return createHash('sha1')
    .update(spki.subarray(bits.start + 1, bits.end))
    .digest();
}

export const subjectKeyIdentifier = (spki: Buffer): ExtensionSpec => ({
  oid: DEMO_OID.subjectKeyIdentifier,
  value: der.octet(keyIdentifier(spki)),
});
export const authorityKeyIdentifier = (issuerSpki: Buffer): ExtensionSpec => ({
  oid: DEMO_OID.authorityKeyIdentifier,
  value: der.seq(der.implicit(0, keyIdentifier(issuerSpki))),
});
export const crlDistributionPoint = (url: string): ExtensionSpec => ({
  oid: OID.cRLDistributionPoints,
  value: der.seq(der.seq(der.explicit(0, der.explicit(0, der.implicit(6, Buffer.from(url, 'latin1')))))),
});
export function authorityInfoAccess({ ocsp, caIssuers }: { ocsp?: string; caIssuers?: string }): ExtensionSpec {
  const entries: Buffer[] = [];
  if (ocsp) entries.push(der.seq(der.oid(OID.adOcsp), der.implicit(6, Buffer.from(ocsp, 'latin1'))));
  if (caIssuers) entries.push(der.seq(der.oid(OID.adCaIssuers), der.implicit(6, Buffer.from(caIssuers, 'latin1'))));
  return { oid: OID.authorityInfoAccess, value: der.seq(...entries) };
}
export const certificatePolicies = (...oids: string[]): ExtensionSpec => ({
  oid: DEMO_OID.certificatePolicies,
  value: der.seq(...oids.map((o) => der.seq(der.oid(o)))),
});
export const extKeyUsage = (...oids: string[]): ExtensionSpec => ({
  oid: OID.extKeyUsage,
  value: der.seq(...oids.map((o) => der.oid(o))),
});
export const ocspNoCheck = (): ExtensionSpec => ({ oid: OID.ocspNoCheck, value: der.nul() });
/**
 * MOICA: SubjectDirectoryAttributes ::= SEQUENCE OF Attribute: the ID number's last four digits and, when given, the
 * card's serial number, so the card a certificate lives on is named by the certificate and not by the signer.
 */
export const moicaDirectoryAttributes = (last4: string, cardSerial?: string): ExtensionSpec => ({
  oid: DEMO_OID.subjectDirectoryAttributes,
  value: der.seq(
    der.seq(der.oid(DEMO_OID.moicaIdLast4), der.set(der.printable(last4))),
    ...(cardSerial ? [der.seq(der.oid(DEMO_OID.moicaCardSerial), der.set(der.printable(cardSerial)))] : []),
  ),
});

/**
 * An organisation certificate's subjectDirectoryAttributes: the 統一編號 (MOEACA), the card rank (正卡 primary or 附卡
 * secondary), the GCA 機關代碼 (an OID value) and the subject class (an OID value), each only when given.
 */
export const organisationDirectoryAttributes = (fields: {
  businessId?: string;
  cardRank?: 'primary' | 'secondary';
  agencyCode?: string;
  subjectType?: string;
}): ExtensionSpec => ({
  oid: DEMO_OID.subjectDirectoryAttributes,
  value: der.seq(
    ...(fields.subjectType ? [der.seq(der.oid(DEMO_OID.gpkiSubjectType), der.set(der.oid(fields.subjectType)))] : []),
    ...(fields.cardRank ? [der.seq(der.oid(DEMO_OID.moeacaCardRank), der.set(der.printable(fields.cardRank)))] : []),
    ...(fields.businessId
      ? [der.seq(der.oid(DEMO_OID.uniformOrganizationId), der.set(der.printable(fields.businessId)))]
      : []),
    ...(fields.agencyCode ? [der.seq(der.oid(DEMO_OID.gcaAgencyCode), der.set(der.oid(fields.agencyCode)))] : []),
  ),
});

export const SHA256_WITH_RSA = der.seq(der.oid(OID.sha256WithRSA), der.nul());

/** A positive 16-octet serial (RFC 5280 §4.1.2.2: at most 20 octets). */
export function randomSerial(): Buffer {
  const b = randomBytes(16);
  b[0] = (b[0] & 0x7f) | 0x10;
  return b;
}

/** SubjectPublicKeyInfo DER of a public key, or of a private key's public half. */
export function spkiOf(key: KeyObject): Buffer {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return pub.export({ type: 'spki', format: 'der' }) as Buffer;
}

export function signed(tbs: Buffer, key: KeyObject): Buffer {
  return der.seq(tbs, SHA256_WITH_RSA, der.bitString(sign('sha256', tbs, key)));
}

export interface CertificateSpec {
  serial: Buffer;
  issuer: Buffer;
  subject: Buffer;
  notBefore: Date;
  notAfter: Date;
  spki: Buffer;
  extensions: ExtensionSpec[];
  signingKey: KeyObject;
}

export function buildCertificate(spec: CertificateSpec): Buffer {
  const tbs = der.seq(
    der.explicit(0, der.int(2)),
    der.int(spec.serial),
    SHA256_WITH_RSA,
    spec.issuer,
    der.seq(der.time(spec.notBefore), der.time(spec.notAfter)),
    spec.subject,
    spec.spki,
    der.explicit(3, der.seq(...spec.extensions.map(extension))),
  );
  return signed(tbs, spec.signingKey);
}

export interface RevokedEntry {
  serialHex: string;
  revokedAt: Date;
  /** CRLReason code (RFC 5280 §5.3.1); omitted when unspecified */
  reason?: number;
}

export interface CrlSpec {
  issuer: Buffer;
  issuerSpki: Buffer;
  thisUpdate: Date;
  nextUpdate: Date;
  crlNumber: number;
  revoked: RevokedEntry[];
  signingKey: KeyObject;
}

/** A v2 CRL with authorityKeyIdentifier and cRLNumber (RFC 5280 §5.1, §5.2.1, §5.2.3). */
export function buildCrl(spec: CrlSpec): Buffer {
  const entries = spec.revoked.map((e) =>
    der.seq(
      der.int(Buffer.from(e.serialHex.length % 2 ? '0' + e.serialHex : e.serialHex, 'hex')),
      der.time(e.revokedAt),
      ...(e.reason ? [der.seq(extension({ oid: OID.cRLReason, value: der.enumerated(e.reason) }))] : []),
    ),
  );
  const tbs = der.seq(
    der.int(1),
    SHA256_WITH_RSA,
    spec.issuer,
    der.time(spec.thisUpdate),
    der.time(spec.nextUpdate),
    ...(entries.length ? [der.tlv(der.Tag.SEQUENCE, Buffer.concat(entries))] : []),
    der.explicit(
      0,
      der.seq(
        extension(authorityKeyIdentifier(spec.issuerSpki)),
        extension({ oid: OID.cRLNumber, value: der.int(spec.crlNumber) }),
      ),
    ),
  );
  return signed(tbs, spec.signingKey);
}
