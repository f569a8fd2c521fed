// The MOICA (自然人憑證, Citizen Digital Certificate) profile: who the holder is and what the certificate is for.
// Subject C=TW, CN=<name>, serialNumber=<16 characters>; ID last four in subjectDirectoryAttributes (2.5.29.9)
// attribute 2.16.886.1.100.2.51; issuer C=TW, O=行政院, OU=內政部憑證管理中心, generations told apart by key identifier.
import { UNIVERSAL, directoryString, type Node } from './asn1.js';
import { KU } from './extensions.js';
import { nameAttribute, nameToString, type Name } from './names.js';
import { OID } from './oids.js';
import type { Certificate } from './parse.js';

/** Subject key identifiers of the real MOICA CAs (trust/gpki/README.md); a card's authorityKeyIdentifier names one. */
export const MOICA_KEY_IDS: Readonly<Record<string, 'G1' | 'G2' | 'G3'>> = {
  b620c8cfbe518aa454b978d304d10ab2cc7e2f46: 'G1',
  fa9b3467090a9822f762488b8226a645c5c322a4: 'G2',
  '4720a3b1264bcd6d48acf2640886972c7454115f': 'G3',
};

/** Card serial attribute inside subjectDirectoryAttributes, as read by public MOICA client code; absent on many cards. */
export const CARD_SERIAL_ATTRIBUTE = '2.16.886.1.100.2.204';

export const MOICA_ISSUER_DN = 'C=TW, O=行政院, OU=內政部憑證管理中心';

export type CertificateUse = 'signing' | 'encryption' | 'other';

export interface LeafProfile {
  subject: string;
  issuer: string;
  /** holder's name (CN), decoded from UTF8String, BMPString or PrintableString */
  commonName?: string;
  /** DN serialNumber (2.5.4.5): 16 characters on MOICA cards */
  subjectSerialNumber?: string;
  /** last four digits of the holder's ID number */
  idLast4?: string;
  cardSerial?: string;
  /** signing: digitalSignature; encryption: keyEncipherment or dataEncipherment (MOICA cards hold one of each) */
  use: CertificateUse;
  keyUsage: string[];
  extendedKeyUsage?: string[];
  policies: string[];
  /** issued by the MOICA DN */
  moicaIssuer: boolean;
  /** which real MOICA CA key issued it, when the authorityKeyIdentifier is one of them */
  issuerGeneration?: 'G1' | 'G2' | 'G3';
  authorityKeyId?: string;
  /** certificate serial, upper-case hex */
  serial: string;
  /** SHA-256 of the DER, lower-case hex */
  fingerprint: string;
  notBefore: Date;
  notAfter: Date;
  ocspUrls: string[];
  crlUrls: string[];
}

const KU_NAMES = Object.entries(KU) as [string, number][];

function keyUsageNames(mask: number | undefined): string[] {
  if (mask === undefined) return [];
  return KU_NAMES.filter(([, bit]) => mask & (1 << bit)).map(([name]) => name);
}

export function certificateUse(mask: number | undefined): CertificateUse {
  if (mask === undefined) return 'other';
  if (mask & (1 << KU.digitalSignature)) return 'signing';
  if (mask & ((1 << KU.keyEncipherment) | (1 << KU.dataEncipherment))) return 'encryption';
  return 'other';
}

function stringValue(values: Node[]): string | undefined {
  const v = values[0];
  if (!v || v.tagClass !== UNIVERSAL || v.constructed) return undefined;
  try {
    return directoryString(v, 'attribute value');
  } catch {
    return undefined;
  }
}

function directoryAttribute(cert: Certificate, type: string): string | undefined {
  const attr = cert.ext.subjectDirectoryAttributes?.find((a) => a.type === type);
  return attr ? stringValue(attr.values) : undefined;
}

function isMoicaIssuer(issuer: Name): boolean {
  return nameToString(issuer) === MOICA_ISSUER_DN;
}

const profiles = new WeakMap<Certificate, LeafProfile>();

/** Reads the profile fields; never fails (fields that are absent or odd are left out). Returns a fresh copy each call. */
export function readProfile(cert: Certificate): LeafProfile {
  let p = profiles.get(cert);
  if (!p) {
    p = buildProfile(cert);
    profiles.set(cert, p);
  }
  return {
    ...p,
    keyUsage: [...p.keyUsage],
    policies: [...p.policies],
    ocspUrls: [...p.ocspUrls],
    crlUrls: [...p.crlUrls],
    notBefore: new Date(p.notBefore),
    notAfter: new Date(p.notAfter),
  };
}

function buildProfile(cert: Certificate): LeafProfile {
  const idLast4 = directoryAttribute(cert, OID.moicaIdLast4);
  const aki = cert.ext.authorityKeyId?.keyId?.toString('hex');
  const aia = cert.ext.authorityInfoAccess;
  return {
    subject: nameToString(cert.subject),
    issuer: nameToString(cert.issuer),
    commonName: nameAttribute(cert.subject, OID.commonName),
    subjectSerialNumber: nameAttribute(cert.subject, OID.serialNumber),
    idLast4: idLast4 !== undefined && /^\d{4}$/.test(idLast4) ? idLast4 : undefined,
    cardSerial: directoryAttribute(cert, CARD_SERIAL_ATTRIBUTE),
    use: certificateUse(cert.ext.keyUsage),
    keyUsage: keyUsageNames(cert.ext.keyUsage),
    extendedKeyUsage: cert.ext.extKeyUsage,
    policies: cert.ext.policies ?? [],
    moicaIssuer: isMoicaIssuer(cert.issuer),
    issuerGeneration: aki ? MOICA_KEY_IDS[aki] : undefined,
    authorityKeyId: aki,
    serial: cert.serialHex,
    fingerprint: cert.fingerprint,
    notBefore: new Date(cert.notBefore),
    notAfter: new Date(cert.notAfter),
    ocspUrls: aia?.ocsp ?? [],
    crlUrls: cert.ext.crlUrls ?? [],
  };
}
