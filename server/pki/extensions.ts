// Readers for the certificate extensions the engine understands (RFC 5280 §4.2). A known extension that does not
// decode makes the whole certificate 'malformed': half-understood constraints are worse than none.
import forge from 'node-forge';
import {
  Asn1Error,
  CONTEXT,
  T,
  UNIVERSAL,
  bitString,
  boolean,
  bytes,
  children,
  fromDer,
  integerBytes,
  is,
  octets,
  oid,
  primitive,
  seq,
  smallInt,
  type Node,
} from './asn1.js';
import { parseName, type Name } from './names.js';
import { OID } from './oids.js';

export type GeneralName =
  | { kind: 'email' | 'dns' | 'uri'; value: string }
  | { kind: 'ip'; value: Buffer }
  | { kind: 'dn'; value: Name }
  | { kind: 'other' | 'x400' | 'edi' | 'rid'; value: Buffer };

export interface BasicConstraints {
  ca: boolean;
  pathLen?: number;
}

export interface GeneralSubtree {
  base: GeneralName;
}

export interface NameConstraints {
  permitted?: GeneralSubtree[];
  excluded?: GeneralSubtree[];
}

export interface AuthorityKeyId {
  keyId?: Buffer;
  hasIssuer: boolean;
  hasSerial: boolean;
}

export interface DirectoryAttribute {
  type: string;
  values: Node[];
}

/** RFC 5280 §4.2.1.3 bit numbers. */
export const KU = {
  digitalSignature: 0,
  nonRepudiation: 1,
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
  encipherOnly: 7,
  decipherOnly: 8,
} as const;

function ia5(node: Node, what: string): string {
  const v = primitive(node, what);
  // IA5String is 7-bit ASCII (X.680 §41); anything else in a name is malformed (e.g. raw UTF-8 in a dNSName)
  for (let i = 0; i < v.length; i++) if (v.charCodeAt(i) > 0x7f) throw new Asn1Error(`${what}: not IA5`);
  return v;
}

/** GeneralName (RFC 5280 §4.2.1.6). */
export function parseGeneralName(node: Node, what: string): GeneralName {
  if (node.tagClass !== CONTEXT) throw new Asn1Error(`${what}: not a GeneralName`);
  switch (node.type) {
    case 0:
      return { kind: 'other', value: Buffer.from(forge.asn1.toDer(node).getBytes(), 'latin1') };
    case 1:
      return { kind: 'email', value: ia5(node, what) };
    case 2:
      return { kind: 'dns', value: ia5(node, what) };
    case 3:
      return { kind: 'x400', value: Buffer.from(forge.asn1.toDer(node).getBytes(), 'latin1') };
    case 4: {
      const inner = children(node, what);
      if (inner.length !== 1) throw new Asn1Error(`${what}: bad directoryName`);
      return { kind: 'dn', value: parseName(inner[0], `${what} directoryName`) };
    }
    case 5:
      return { kind: 'edi', value: Buffer.from(forge.asn1.toDer(node).getBytes(), 'latin1') };
    case 6:
      return { kind: 'uri', value: ia5(node, what) };
    case 7:
      return { kind: 'ip', value: bytes(node, what) };
    case 8:
      return { kind: 'rid', value: bytes(node, what) };
    default:
      throw new Asn1Error(`${what}: unknown GeneralName tag`);
  }
}

export function parseGeneralNames(node: Node | undefined, what: string): GeneralName[] {
  const items = seq(node, what);
  // GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName
  if (items.length === 0) throw new Asn1Error(`${what}: empty`);
  return items.map((n) => parseGeneralName(n, what));
}

function single(der: Buffer, _what: string): Node {
  return fromDer(der);
}

export function parseBasicConstraints(der: Buffer): BasicConstraints {
  const items = seq(single(der, 'basicConstraints'), 'basicConstraints');
  let i = 0;
  let ca = false;
  if (is(items[i], UNIVERSAL, T.BOOLEAN)) ca = boolean(items[i++], 'basicConstraints.cA');
  let pathLen: number | undefined;
  if (is(items[i], UNIVERSAL, T.INTEGER)) pathLen = smallInt(items[i++], 'basicConstraints.pathLenConstraint');
  if (i !== items.length) throw new Asn1Error('basicConstraints: extra fields');
  return { ca, pathLen };
}

/** keyUsage as a bit mask, bit n = RFC 5280 §4.2.1.3 bit n. */
export function parseKeyUsage(der: Buffer): number {
  const { data } = bitString(single(der, 'keyUsage'), 'keyUsage');
  let mask = 0;
  for (let bit = 0; bit < Math.min(data.length * 8, 16); bit++) {
    if (data[bit >> 3] & (0x80 >> (bit & 7))) mask |= 1 << bit;
  }
  return mask;
}

export function parseExtKeyUsage(der: Buffer): string[] {
  const items = seq(single(der, 'extKeyUsage'), 'extKeyUsage');
  if (items.length === 0) throw new Asn1Error('extKeyUsage: empty');
  return items.map((n) => oid(n, 'extKeyUsage purpose'));
}

export function parseSubjectKeyId(der: Buffer): Buffer {
  return octets(single(der, 'subjectKeyIdentifier'), 'subjectKeyIdentifier');
}

export function parseAuthorityKeyId(der: Buffer): AuthorityKeyId {
  const items = seq(single(der, 'authorityKeyIdentifier'), 'authorityKeyIdentifier');
  const out: AuthorityKeyId = { hasIssuer: false, hasSerial: false };
  let last = -1;
  for (const item of items) {
    if (item.tagClass !== CONTEXT || item.type <= last || item.type > 2)
      throw new Asn1Error('authorityKeyIdentifier: bad field');
    last = item.type;
    if (item.type === 0) out.keyId = bytes(item, 'authorityKeyIdentifier.keyIdentifier');
    if (item.type === 1) {
      parseGeneralNames({ ...item, tagClass: UNIVERSAL, type: T.SEQUENCE } as Node, 'authorityCertIssuer');
      out.hasIssuer = true;
    }
    if (item.type === 2) {
      bytes(item, 'authorityCertSerialNumber');
      out.hasSerial = true;
    }
  }
  return out;
}

export function parseAltNames(der: Buffer, what: string): GeneralName[] {
  return parseGeneralNames(single(der, what), what);
}

function parseSubtrees(node: Node, what: string): GeneralSubtree[] {
  const items = children(node, what);
  if (items.length === 0) throw new Asn1Error(`${what}: empty`);
  return items.map((st) => {
    const [base, ...rest] = seq(st, what);
    if (!base) throw new Asn1Error(`${what}: no base`);
    // RFC 5280 §4.2.1.10: minimum MUST be zero and maximum MUST be absent
    for (const r of rest) {
      if (r.tagClass !== CONTEXT) throw new Asn1Error(`${what}: bad subtree`);
      if (r.type === 0) {
        const v = bytes(r, what);
        if (!(v.length === 1 && v[0] === 0)) throw new Asn1Error(`${what}: minimum is not zero`);
      } else throw new Asn1Error(`${what}: maximum present`);
    }
    return { base: parseGeneralName(base, what) };
  });
}

export function parseNameConstraints(der: Buffer): NameConstraints {
  const items = seq(single(der, 'nameConstraints'), 'nameConstraints');
  const out: NameConstraints = {};
  for (const item of items) {
    if (item.tagClass !== CONTEXT || !item.constructed) throw new Asn1Error('nameConstraints: bad field');
    if (item.type === 0 && !out.permitted && !out.excluded) out.permitted = parseSubtrees(item, 'permittedSubtrees');
    else if (item.type === 1 && !out.excluded) out.excluded = parseSubtrees(item, 'excludedSubtrees');
    else throw new Asn1Error('nameConstraints: bad field');
  }
  // RFC 5280 §4.2.1.10: "either the permittedSubtrees field or the excludedSubtrees MUST be present"
  if (!out.permitted && !out.excluded) throw new Asn1Error('nameConstraints: empty');
  return out;
}

export function parseCertificatePolicies(der: Buffer): string[] {
  const items = seq(single(der, 'certificatePolicies'), 'certificatePolicies');
  if (items.length === 0) throw new Asn1Error('certificatePolicies: empty');
  const policies = items.map((pi) => oid(seq(pi, 'PolicyInformation')[0], 'policyIdentifier'));
  // RFC 5280 §4.2.1.4: a policy OID MUST NOT appear more than once
  if (new Set(policies).size !== policies.length) throw new Asn1Error('certificatePolicies: duplicate policy');
  return policies;
}

/** URIs of the fullName distribution points (RFC 5280 §4.2.1.13); the revocation module fetches them. */
export function parseCrlDistributionPoints(der: Buffer): string[] {
  const urls: string[] = [];
  for (const dp of seq(single(der, 'cRLDistributionPoints'), 'cRLDistributionPoints')) {
    for (const f of seq(dp, 'DistributionPoint')) {
      if (f.tagClass !== CONTEXT) throw new Asn1Error('DistributionPoint: bad field');
      if (f.type !== 0) continue;
      for (const dpn of children(f, 'distributionPoint')) {
        if (dpn.tagClass === CONTEXT && dpn.type === 0) {
          for (const gn of children(dpn, 'fullName')) {
            const name = parseGeneralName(gn, 'fullName');
            if (name.kind === 'uri') urls.push(name.value);
          }
        }
      }
    }
  }
  return urls;
}

/** authorityInfoAccess (RFC 5280 §4.2.2.1): OCSP responders and CA issuer URIs. */
export function parseAuthorityInfoAccess(der: Buffer): { ocsp: string[]; caIssuers: string[] } {
  const out = { ocsp: [] as string[], caIssuers: [] as string[] };
  const items = seq(single(der, 'authorityInfoAccess'), 'authorityInfoAccess');
  if (items.length === 0) throw new Asn1Error('authorityInfoAccess: empty');
  for (const ad of items) {
    const [methodNode, locNode, extra] = seq(ad, 'AccessDescription');
    if (!locNode || extra) throw new Asn1Error('AccessDescription: bad');
    const method = oid(methodNode, 'accessMethod');
    const loc = parseGeneralName(locNode, 'accessLocation');
    if (loc.kind !== 'uri') continue;
    if (method === OID.adOcsp) out.ocsp.push(loc.value);
    if (method === OID.adCaIssuers) out.caIssuers.push(loc.value);
  }
  return out;
}

/** subjectDirectoryAttributes (RFC 5280 §4.2.1.8): SEQUENCE OF Attribute { type, SET OF values }. */
export function parseSubjectDirectoryAttributes(der: Buffer): DirectoryAttribute[] {
  const items = seq(single(der, 'subjectDirectoryAttributes'), 'subjectDirectoryAttributes');
  return items.map((attr) => {
    const [typeNode, valuesNode] = seq(attr, 'Attribute');
    const type = oid(typeNode, 'Attribute.type');
    if (!is(valuesNode, UNIVERSAL, T.SET)) throw new Asn1Error('Attribute.values: not a SET');
    return { type, values: children(valuesNode, 'Attribute.values') };
  });
}

export function integerOf(node: Node, what: string): Buffer {
  return integerBytes(node, what);
}

export { OID };
