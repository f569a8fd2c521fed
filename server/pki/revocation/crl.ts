// CRLs (RFC 5280 §5): a fast parser that walks the revokedCertificates bytes without building a tree
// (real MOICA CRLs list ~400,000 serials), and the checks that make a CRL usable for a given issuer at a given time.
import { verifySigned } from '../algorithms';
import { hasKeyUsage, isCa } from '../certificate-fields';
import { OID } from '../oids';
import type { AlgorithmIdentifier, Certificate } from '../parse';
import {
  algorithmIdentifier,
  children,
  content,
  decodeOid,
  decodeTime,
  DerError,
  expect,
  readTlv,
  Tag,
  whole,
  type Tlv,
} from '../der';

export interface RevokedInfo {
  revokedAt: Date;
  /** CRLReason code when the entry carries one (RFC 5280 §5.3.1) */
  reason?: number;
}

export interface ParsedCrl {
  der: Buffer;
  tbs: Buffer;
  issuer: Buffer;
  thisUpdate: Date;
  nextUpdate?: Date;
  crlNumber?: bigint;
  authorityKeyId?: Buffer;
  signatureAlgorithm: AlgorithmIdentifier;
  signature: Buffer;
  /** number of entries */
  size: number;
  /** critical CRL extensions this parser does not process (a CRL carrying any is not used) */
  unsupportedCritical: string[];
  /** issuingDistributionPoint (RFC 5280 §5.2.5), when present */
  idp?: IssuingDistributionPoint;
  /** the entry for a serial (hex, any case, leading zero octets ignored), or undefined */
  lookup(serialHex: string): RevokedInfo | undefined;
}

export interface IssuingDistributionPoint {
  /** http(s) URIs of the distributionPoint fullName */
  uris: string[];
  onlyUserCerts: boolean;
  onlyCaCerts: boolean;
  /** onlySomeReasons, indirectCRL or onlyContainsAttributeCerts: a partial CRL this checker does not use */
  partial: boolean;
}

export class CrlError extends Error {
  override name = 'CrlError';
}

/** Normalises a serial written as hex: lower case, no leading zero octets. */
export function normaliseSerial(serialHex: string): string {
  let s = serialHex.toLowerCase().replace(/[^0-9a-f]/g, '');
  if (s.length % 2) s = '0' + s;
  while (s.length > 2 && s.startsWith('00')) s = s.slice(2);
  return s;
}

/**
 * Parses a DER CRL. The revoked list is indexed as serial → entry offset; an entry's date and reason are read only when looked up.
 * Throws CrlError on malformed input.
 */
export function parseCrl(der: Buffer): ParsedCrl {
  try {
    return parse(der);
  } catch (error) {
    // Any failure to read the bytes is a malformed CRL, never an exception of another kind escaping.
    throw new CrlError(`malformed CRL: ${error instanceof DerError ? error.message : 'unreadable structure'}`);
  }
}

function parse(der: Buffer): ParsedCrl {
  const outer = expect(der, 0, Tag.SEQUENCE);
  if (outer.end !== der.length) throw new DerError('trailing bytes after CRL');
  const tbsTlv = expect(der, outer.start, Tag.SEQUENCE, outer.end);
  const algTlv = expect(der, tbsTlv.end, Tag.SEQUENCE, outer.end);
  const sigTlv = expect(der, algTlv.end, Tag.BIT_STRING, outer.end);
  if (sigTlv.end !== outer.end) throw new DerError('extra fields in CertificateList');

  // TBSCertList, field by field (not children(): the revoked list is walked on its own below).
  let at = tbsTlv.start;
  const end = tbsTlv.end;
  let field = readTlv(der, at, end);
  if (field.tag === Tag.INTEGER) {
    if (field.end - field.start !== 1 || der[field.start] !== 1) throw new DerError('unsupported CRL version');
    at = field.end;
    field = readTlv(der, at, end);
  }
  if (field.tag !== Tag.SEQUENCE) throw new DerError('missing signature algorithm');
  const innerAlg = decodeOid(content(der, expect(der, field.start, Tag.OID, field.end)));
  at = field.end;
  const issuerTlv = expect(der, at, Tag.SEQUENCE, end);
  at = issuerTlv.end;
  const thisTlv = readTlv(der, at, end);
  const thisUpdate = decodeTime(der, thisTlv);
  at = thisTlv.end;
  let nextUpdate: Date | undefined;
  let revokedTlv: Tlv | undefined;
  let extTlv: Tlv | undefined;
  while (at < end) {
    const f = readTlv(der, at, end);
    if ((f.tag === Tag.UTCTime || f.tag === Tag.GeneralizedTime) && !nextUpdate && !revokedTlv)
      nextUpdate = decodeTime(der, f);
    else if (f.tag === Tag.SEQUENCE && !revokedTlv && !extTlv) revokedTlv = f;
    else if (f.tag === 0xa0 && !extTlv) extTlv = f;
    else throw new DerError(`unexpected field 0x${f.tag.toString(16)} in TBSCertList`);
    at = f.end;
  }

  const signatureAlgorithm = algorithmIdentifier(der, algTlv);
  if (signatureAlgorithm.oid !== innerAlg) throw new DerError('signature algorithm fields differ');

  let crlNumber: bigint | undefined;
  let authorityKeyId: Buffer | undefined;
  const unsupportedCritical: string[] = [];
  let idp: IssuingDistributionPoint | undefined;
  if (extTlv) {
    for (const ext of children(der, expect(der, extTlv.start, Tag.SEQUENCE, extTlv.end))) {
      const parts = children(der, ext);
      const id = decodeOid(content(der, parts[0]));
      const critical = parts.length === 3 && der[parts[1].start] !== 0;
      const value = readTlv(der, parts[parts.length - 1].start, parts[parts.length - 1].end);
      if (id === OID.cRLNumber) {
        if (value.tag !== Tag.INTEGER) throw new DerError('cRLNumber is not an INTEGER');
        crlNumber = BigInt('0x' + (der.toString('hex', value.start, value.end) || '0'));
      } else if (id === OID.authorityKeyIdentifier) {
        for (const k of children(der, value)) if (k.tag === 0x80) authorityKeyId = Buffer.from(content(der, k));
      } else if (id === OID.issuingDistributionPoint) {
        idp = readIdp(der, value);
      } else if (critical) {
        // deltaCRLIndicator and anything else that changes what the CRL means: not supported, so the CRL is not used.
        unsupportedCritical.push(id);
      }
    }
  }

  // The revoked list, indexed without a string or object per entry: pass 1 records where each entry and its serial lie
  // (typed arrays), pass 2 builds an open-addressing hash table over the serial bytes (FNV-1a). Dates and reasons are
  // decoded only for a hit.
  let count = 0;
  let entryStart = new Int32Array(1024);
  let serialStart = new Int32Array(1024);
  let serialLength = new Uint8Array(1024);
  if (revokedTlv) {
    let p = revokedTlv.start;
    const listEnd = revokedTlv.end;
    while (p < listEnd) {
      const entryOffset = p;
      if (der[p] !== 0x30 || p + 2 > listEnd) throw new DerError('revoked entry is not a SEQUENCE');
      let len = der[p + 1];
      p += 2;
      if (len & 0x80) {
        const n = len & 0x7f;
        if (n === 0 || n > 3 || p + n > listEnd) throw new DerError('bad entry length');
        len = 0;
        for (let i = 0; i < n; i++) len = len * 256 + der[p + i];
        p += n;
      }
      const entryEnd = p + len;
      if (entryEnd > listEnd || p + 2 > entryEnd) throw new DerError('entry runs past the list');
      if (der[p] !== 0x02) throw new DerError('entry has no serial');
      const serialLen = der[p + 1];
      if (serialLen & 0x80 || serialLen === 0 || p + 2 + serialLen > entryEnd) throw new DerError('bad serial');
      let s = p + 2;
      const serialEnd = s + serialLen;
      while (s < serialEnd - 1 && der[s] === 0) s++;
      if (count === entryStart.length) {
        const grow = <T extends Int32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
          const b = make(a.length * 2);
          b.set(a);
          return b;
        };
        entryStart = grow(entryStart, (n) => new Int32Array(n));
        serialStart = grow(serialStart, (n) => new Int32Array(n));
        serialLength = grow(serialLength, (n) => new Uint8Array(n));
      }
      entryStart[count] = entryOffset;
      serialStart[count] = s;
      serialLength[count] = serialEnd - s;
      count++;
      p = entryEnd;
    }
  }
  let capacity = 16;
  while (capacity < count * 2) capacity *= 2;
  const mask = capacity - 1;
  const table = new Int32Array(capacity).fill(-1);
  for (let i = 0; i < count; i++) {
    let slot = fnv1a(der, serialStart[i], serialLength[i]) & mask;
    while (table[slot] !== -1) slot = (slot + 1) & mask;
    table[slot] = i;
  }
  const find = (serial: Buffer): number => {
    let slot = fnv1a(serial, 0, serial.length) & mask;
    for (;;) {
      const i = table[slot];
      if (i === -1) return -1;
      if (
        serialLength[i] === serial.length &&
        der.compare(serial, 0, serial.length, serialStart[i], serialStart[i] + serial.length) === 0
      ) {
        return entryStart[i];
      }
      slot = (slot + 1) & mask;
    }
  };

  const entryCache = new Map<number, RevokedInfo>();
  const readEntry = (offset: number): RevokedInfo => {
    let info = entryCache.get(offset);
    if (info) return info;
    const entry = readTlv(der, offset, revokedTlv!.end);
    const parts = children(der, entry);
    info = { revokedAt: decodeTime(der, parts[1]) };
    const exts = parts[2];
    if (exts && exts.tag === Tag.SEQUENCE) {
      for (const ext of children(der, exts)) {
        const ep = children(der, ext);
        if (decodeOid(content(der, ep[0])) !== OID.cRLReason) continue;
        const octets = ep[ep.length - 1];
        const e = expect(der, octets.start, Tag.ENUMERATED, octets.end);
        info.reason = der[e.end - 1];
      }
    }
    entryCache.set(offset, info);
    return info;
  };

  return {
    der,
    tbs: whole(der, tbsTlv),
    issuer: whole(der, issuerTlv),
    thisUpdate,
    nextUpdate,
    crlNumber,
    authorityKeyId,
    signatureAlgorithm,
    signature: der.subarray(sigTlv.start + 1, sigTlv.end),
    size: count,
    unsupportedCritical,
    idp,
    lookup(serialHex) {
      const offset = find(serialBytes(serialHex));
      if (offset === -1) return undefined;
      const info = readEntry(offset);
      // removeFromCRL (8) only appears on delta CRLs: the certificate is not revoked.
      return info.reason === 8 ? undefined : info;
    },
  };
}

/** IssuingDistributionPoint ::= SEQUENCE { distributionPoint [0], onlyContainsUserCerts [1], onlyContainsCACerts [2],
 *  onlySomeReasons [3], indirectCRL [4], onlyContainsAttributeCerts [5] } (RFC 5280 §5.2.5) */
function readIdp(der: Buffer, seqTlv: Tlv): IssuingDistributionPoint {
  const idp: IssuingDistributionPoint = { uris: [], onlyUserCerts: false, onlyCaCerts: false, partial: false };
  const flag = (t: Tlv) => t.end > t.start && der[t.start] !== 0;
  for (const field of children(der, seqTlv)) {
    switch (field.tag) {
      case 0xa0:
        for (const name of children(der, field)) {
          if (name.tag !== 0xa0) continue; // nameRelativeToCRLIssuer is not matched: no URIs
          for (const general of children(der, name)) {
            if (general.tag === 0x86) idp.uris.push(der.toString('latin1', general.start, general.end));
          }
        }
        break;
      case 0x81:
        idp.onlyUserCerts = flag(field);
        break;
      case 0x82:
        idp.onlyCaCerts = flag(field);
        break;
      case 0x83:
        idp.partial = true;
        break;
      case 0x84:
      case 0x85:
        if (flag(field)) idp.partial = true;
        break;
    }
  }
  return idp;
}

/** Serial hex (any case, optional leading zero octets, separators tolerated) as bytes without leading zero octets. */
function serialBytes(serialHex: string): Buffer {
  const hex = serialHex.length % 2 ? '0' + serialHex : serialHex;
  let bytes = Buffer.from(hex, 'hex');
  if (bytes.length * 2 !== hex.length) bytes = Buffer.from(normaliseSerial(serialHex), 'hex');
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  return i ? bytes.subarray(i) : bytes;
}

/** FNV-1a over bytes [start, start + length). */
function fnv1a(bytes: Buffer, start: number, length: number): number {
  let h = 0x811c9dc5;
  for (let i = start, end = start + length; i < end; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h >>> 0;
}

export type CrlProblem =
  | 'issuer_mismatch'
  | 'issuer_not_crl_signer'
  | 'bad_signature'
  | 'not_yet_valid'
  | 'stale'
  | 'no_next_update'
  | 'unsupported_critical_extension'
  | 'out_of_scope';

/**
 * RFC 5280 §6.3.3 (b)(2): a CRL with an issuingDistributionPoint covers this certificate only if the point names the URL
 * it was fetched from and its onlyContainsUserCerts / onlyContainsCACerts scope fits; partial CRLs are not used.
 */
export function crlCovers(crl: ParsedCrl, cert: Certificate, fetchedFrom: string): boolean {
  const idp = crl.idp;
  if (!idp) return true;
  if (idp.partial) return false;
  const ca = isCa(cert);
  if ((idp.onlyUserCerts && ca) || (idp.onlyCaCerts && !ca)) return false;
  return idp.uris.length === 0 || idp.uris.includes(fetchedFrom);
}

/** RFC 5280 §6.3.3: the CRL is issued by this CA (name and key), signed with its key, and current at `now`. */
export function checkCrl(
  crl: ParsedCrl,
  issuer: Certificate,
  now: Date,
  clockSkewMs = 5 * 60_000,
): CrlProblem | undefined {
  if (!crl.issuer.equals(issuer.subjectDer)) return 'issuer_mismatch';
  if (crl.unsupportedCritical.length > 0) return 'unsupported_critical_extension';
  if (hasKeyUsage(issuer, 6) === false) return 'issuer_not_crl_signer';
  if (!verifySigned(crl.signatureAlgorithm, issuer.publicKey(), crl.tbs, crl.signature)) return 'bad_signature';
  if (crl.thisUpdate.getTime() > now.getTime() + clockSkewMs) return 'not_yet_valid';
  if (!crl.nextUpdate) return 'no_next_update';
  if (now.getTime() >= crl.nextUpdate.getTime()) return 'stale';
  return undefined;
}
