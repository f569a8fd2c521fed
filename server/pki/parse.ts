// X.509 certificate parsing (RFC 5280 §4.1). Structure from node-forge's ASN.1 reader, exact signed bytes sliced from
// the input by der.ts, keys as Node KeyObjects. Anything that does not parse is { ok: false, reason: 'malformed' }.
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import {
  Asn1Error,
  CONTEXT,
  T,
  UNIVERSAL,
  bitString,
  boolean,
  children,
  expect,
  fromDer,
  integerBytes,
  is,
  octets,
  oid,
  seq,
  time,
  type Node,
} from './asn1.js';
import { readStrictChildren, readStrictTlv, whole } from './der.js';
import {
  parseAltNames,
  parseAuthorityInfoAccess,
  parseAuthorityKeyId,
  parseBasicConstraints,
  parseCertificatePolicies,
  parseCrlDistributionPoints,
  parseExtKeyUsage,
  parseKeyUsage,
  parseNameConstraints,
  parseSubjectDirectoryAttributes,
  parseSubjectKeyId,
  type AuthorityKeyId,
  type BasicConstraints,
  type DirectoryAttribute,
  type GeneralName,
  type NameConstraints,
} from './extensions.js';
import { toDer, type CertInput } from './input.js';
import { Lru } from './lru.js';
import { nameEquals, parseName, type Name } from './names.js';
import { OID } from './oids.js';

export interface AlgorithmIdentifier {
  oid: string;
  /** DER of the parameters field, absent when the field is absent */
  params?: Buffer;
  /** DER of the whole AlgorithmIdentifier, as it appears in the certificate */
  der: Buffer;
}

export interface Extension {
  oid: string;
  critical: boolean;
  value: Buffer;
}

export interface ParsedExtensions {
  basicConstraints?: BasicConstraints;
  keyUsage?: number;
  extKeyUsage?: string[];
  subjectKeyId?: Buffer;
  authorityKeyId?: AuthorityKeyId;
  subjectAltName?: GeneralName[];
  issuerAltName?: GeneralName[];
  nameConstraints?: NameConstraints;
  policies?: string[];
  crlUrls?: string[];
  authorityInfoAccess?: { ocsp: string[]; caIssuers: string[] };
  subjectDirectoryAttributes?: DirectoryAttribute[];
}

export interface Certificate {
  der: Buffer;
  /** SHA-256 of the DER, lower-case hex */
  fingerprint: string;
  /** the exact TBSCertificate bytes the issuer signed */
  tbs: Buffer;
  /** 1, 2 or 3 */
  version: number;
  /** serialNumber INTEGER content bytes (two's complement, as encoded) */
  serial: Buffer;
  /** upper-case hex of the serial without a leading sign byte */
  serialHex: string;
  tbsSignatureAlgorithm: AlgorithmIdentifier;
  signatureAlgorithm: AlgorithmIdentifier;
  signature: Buffer;
  issuer: Name;
  subject: Name;
  /** the exact DER of the issuer Name (CRL issuer and OCSP CertID issuerNameHash compare and hash these bytes) */
  issuerDer: Buffer;
  /** the exact DER of the subject Name */
  subjectDer: Buffer;
  notBefore: number;
  notAfter: number;
  /** `publicKeyBits`: the subjectPublicKey BIT STRING's bits, what an OCSP CertID and a key-hash ResponderID hash (RFC 6960 §4.1.1) */
  spki: { der: Buffer; algorithm: AlgorithmIdentifier; hash: string; publicKeyBits: Buffer };
  extensions: Extension[];
  ext: ParsedExtensions;
  /** subject and issuer are the same name (RFC 5280 §6.1: "self-issued") */
  selfIssued: boolean;
  /** the public key, or null when Node cannot load it; cached after the first call */
  publicKey(): KeyObject | null;
  /** signature results by issuer SPKI hash: a certificate's bytes and an issuer key never change, so neither does the answer */
  readonly signatureCache: Map<string, boolean>;
}

export type ParseResult = { ok: true; cert: Certificate } | { ok: false; reason: 'malformed'; detail: string };

const MAX_EXTENSIONS = 64;

function algorithmIdentifier(node: Node | undefined, der: Buffer, what: string): AlgorithmIdentifier {
  const items = seq(node, what);
  if (items.length < 1 || items.length > 2) throw new Asn1Error(`${what}: bad AlgorithmIdentifier`);
  const algOid = oid(items[0], `${what}.algorithm`);
  // params DER: the bytes after the OID inside the SEQUENCE
  const outer = readStrictTlv(der, 0)!;
  const kids = readStrictChildren(der, outer);
  if (!kids || kids.length !== items.length) throw new Asn1Error(`${what}: bad AlgorithmIdentifier`);
  const params = kids[1] ? der.subarray(kids[1].offset, kids[1].end) : undefined;
  return { oid: algOid, params, der };
}

function parseExtensions(node: Node): { list: Extension[]; ext: ParsedExtensions } {
  const list: Extension[] = [];
  const seen = new Set<string>();
  const items = seq(children(node, 'extensions')[0], 'extensions');
  if (children(node, 'extensions').length !== 1) throw new Asn1Error('extensions: bad wrapper');
  // RFC 5280 §4.1.2.9: "If present, this field is a SEQUENCE of one or more certificate extensions"
  if (items.length === 0 || items.length > MAX_EXTENSIONS) throw new Asn1Error('extensions: bad count');
  for (const e of items) {
    const parts = seq(e, 'Extension');
    const extOid = oid(parts[0], 'extnID');
    let i = 1;
    let critical = false;
    if (is(parts[i], UNIVERSAL, T.BOOLEAN)) critical = boolean(parts[i++], 'critical');
    const value = octets(parts[i++], 'extnValue');
    if (i !== parts.length) throw new Asn1Error('Extension: extra fields');
    // RFC 5280 §4.2: "A certificate MUST NOT include more than one instance of a particular extension"
    if (seen.has(extOid)) throw new Asn1Error(`duplicate extension ${extOid}`);
    seen.add(extOid);
    list.push({ oid: extOid, critical, value });
  }
  const ext: ParsedExtensions = {};
  for (const e of list) {
    switch (e.oid) {
      case OID.basicConstraints:
        ext.basicConstraints = parseBasicConstraints(e.value);
        break;
      case OID.keyUsage:
        ext.keyUsage = parseKeyUsage(e.value);
        break;
      case OID.extKeyUsage:
        ext.extKeyUsage = parseExtKeyUsage(e.value);
        break;
      case OID.subjectKeyIdentifier:
        ext.subjectKeyId = parseSubjectKeyId(e.value);
        break;
      case OID.authorityKeyIdentifier:
        ext.authorityKeyId = parseAuthorityKeyId(e.value);
        break;
      case OID.subjectAltName:
        ext.subjectAltName = parseAltNames(e.value, 'subjectAltName');
        break;
      case OID.issuerAltName:
        ext.issuerAltName = parseAltNames(e.value, 'issuerAltName');
        break;
      case OID.nameConstraints:
        ext.nameConstraints = parseNameConstraints(e.value);
        break;
      case OID.certificatePolicies:
        ext.policies = parseCertificatePolicies(e.value);
        break;
      case OID.cRLDistributionPoints:
        ext.crlUrls = parseCrlDistributionPoints(e.value);
        break;
      case OID.authorityInfoAccess:
        ext.authorityInfoAccess = parseAuthorityInfoAccess(e.value);
        break;
      case OID.subjectDirectoryAttributes:
        ext.subjectDirectoryAttributes = parseSubjectDirectoryAttributes(e.value);
        break;
    }
  }
  return { list, ext };
}

function parseDer(der: Buffer): Certificate {
  // Exact byte ranges first (DER only, definite lengths): Certificate ::= SEQUENCE { tbs, algorithm, signature }
  const outer = readStrictTlv(der, 0);
  if (!outer || outer.tag !== 0x30 || outer.end !== der.length) throw new Asn1Error('not a DER SEQUENCE');
  const top = readStrictChildren(der, outer);
  if (!top || top.length !== 3 || top[0].tag !== 0x30) throw new Asn1Error('Certificate: expected 3 fields');
  const tbs = der.subarray(top[0].offset, top[0].end);
  const tbsKids = readStrictChildren(der, top[0]);
  if (!tbsKids) throw new Asn1Error('TBSCertificate: bad fields');

  const root = fromDer(der);
  const [tbsNode, sigAlgNode, sigNode] = seq(root, 'Certificate');
  const f = seq(tbsNode, 'TBSCertificate');
  let i = 0;
  let version = 1;
  if (f[0] && f[0].tagClass === CONTEXT && f[0].type === 0) {
    const v = children(f[0], 'version');
    if (v.length !== 1) throw new Asn1Error('version: bad wrapper');
    const vb = integerBytes(v[0], 'version');
    if (vb.length !== 1 || vb[0] > 2) throw new Asn1Error('version: unknown');
    version = vb[0] + 1;
    i++;
  }
  const serial = integerBytes(f[i++], 'serialNumber');
  const tbsAlgIndex = i;
  const tbsSignatureAlgorithm = algorithmIdentifier(
    f[i++],
    der.subarray(tbsKids[tbsAlgIndex].offset, tbsKids[tbsAlgIndex].end),
    'signature',
  );
  const issuer = parseName(f[i], 'issuer');
  const issuerDer = whole(der, tbsKids[i++]);
  const validity = seq(f[i++], 'validity');
  if (validity.length !== 2) throw new Asn1Error('validity: expected 2 times');
  const notBefore = time(validity[0], 'notBefore');
  const notAfter = time(validity[1], 'notAfter');
  const subject = parseName(f[i], 'subject');
  const subjectDer = whole(der, tbsKids[i++]);
  const spkiIndex = i;
  const spkiItems = seq(f[i++], 'subjectPublicKeyInfo');
  if (spkiItems.length !== 2) throw new Asn1Error('subjectPublicKeyInfo: expected 2 fields');
  const spkiDer = der.subarray(tbsKids[spkiIndex].offset, tbsKids[spkiIndex].end);
  const [spkiAlgTlv, spkiBitsTlv] = readStrictChildren(der, tbsKids[spkiIndex])!;
  const spkiAlg = algorithmIdentifier(
    spkiItems[0],
    der.subarray(spkiAlgTlv.offset, spkiAlgTlv.end),
    'subjectPublicKeyInfo.algorithm',
  );
  bitString(spkiItems[1], 'subjectPublicKey');
  const publicKeyBits = der.subarray(spkiBitsTlv.start + 1, spkiBitsTlv.end);
  // RFC 5280 §4.1.2.8: unique identifiers only in v2/v3
  for (const tag of [1, 2]) {
    if (f[i] && f[i].tagClass === CONTEXT && f[i].type === tag) {
      if (version < 2) throw new Asn1Error('unique identifier in a v1 certificate');
      i++;
    }
  }
  let extensions: Extension[] = [];
  let ext: ParsedExtensions = {};
  if (f[i] && f[i].tagClass === CONTEXT && f[i].type === 3) {
    // RFC 5280 §4.1.2.9: extensions only in v3
    if (version !== 3) throw new Asn1Error('extensions in a non-v3 certificate');
    ({ list: extensions, ext } = parseExtensions(f[i++]));
  }
  if (i !== f.length) throw new Asn1Error('TBSCertificate: extra fields');

  const signatureAlgorithm = algorithmIdentifier(
    sigAlgNode,
    der.subarray(top[1].offset, top[1].end),
    'signatureAlgorithm',
  );
  const sig = bitString(expect(sigNode, UNIVERSAL, T.BITSTRING, 'signatureValue'), 'signatureValue');
  if (sig.unused !== 0) throw new Asn1Error('signatureValue: unused bits');

  let key: KeyObject | null | undefined;
  const spkiHash = createHash('sha256').update(spkiDer).digest('hex');
  const serialStripped = serial.length > 1 && serial[0] === 0 ? serial.subarray(1) : serial;
  return {
    der,
    fingerprint: createHash('sha256').update(der).digest('hex'),
    tbs,
    version,
    serial,
    serialHex: serialStripped.toString('hex').toUpperCase(),
    tbsSignatureAlgorithm,
    signatureAlgorithm,
    signature: sig.data,
    issuer,
    subject,
    issuerDer,
    subjectDer,
    notBefore,
    notAfter,
    spki: { der: spkiDer, algorithm: spkiAlg, hash: spkiHash, publicKeyBits },
    extensions,
    ext,
    selfIssued: nameEquals(subject, issuer),
    publicKey() {
      if (key === undefined) {
        try {
          key = createPublicKey({ key: spkiDer, format: 'der', type: 'spki' });
        } catch {
          key = null;
        }
      }
      return key;
    },
    signatureCache: new Map(),
  };
}

// Anyone can post a certificate (a challenge costs one GET), so the cache must not be a way to fill the portal's
// memory: a parsed certificate with its signature cache is about 23 KiB, and 512 of them (about 12 MiB) still hold
// every anchor, intermediate and the leaves of the people signing in at the moment.
const cache = new Lru<string, Certificate>(512);
/** Certificates by their own `der` buffer: revocation is handed `cert.der` back after path validation and skips the hash. */
let byOwnDer = new WeakMap<Buffer, Certificate>();

/**
 * Parses one certificate given as DER bytes, PEM text or base64. Never throws. Results are cached by the SHA-256 of the
 * DER, so validating the same chain again costs a hash and a map look-up per certificate.
 */
export function parseCertificate(input: CertInput): ParseResult {
  const own = Buffer.isBuffer(input) ? byOwnDer.get(input) : undefined;
  if (own) return { ok: true, cert: own };
  const der = toDer(input);
  if (!der) return { ok: false, reason: 'malformed', detail: 'not DER, PEM or base64 of a certificate, or too large' };
  const key = createHash('sha256').update(der).digest('base64');
  const hit = cache.get(key);
  if (hit) return { ok: true, cert: hit };
  try {
    // copy: the caller may reuse its buffer, and cached certificates must not change under us
    const cert = parseDer(Buffer.from(der));
    cache.set(key, cert);
    byOwnDer.set(cert.der, cert);
    return { ok: true, cert };
  } catch (e) {
    const detail = e instanceof Asn1Error ? e.message : `unexpected: ${(e as Error)?.message ?? String(e)}`;
    return { ok: false, reason: 'malformed', detail };
  }
}

/** parseCertificate for code that reads certificates it already trusts to be well formed: throws on malformed input. */
export function certificateFrom(input: CertInput): Certificate {
  const parsed = parseCertificate(input);
  if (!parsed.ok) throw new Asn1Error(parsed.detail);
  return parsed.cert;
}

/** Forget every cached certificate (tests and benchmarks use this to measure cold paths). */
export function clearCertificateCache(): void {
  cache.clear();
  byOwnDer = new WeakMap();
}
