// OCSP (RFC 6960): the request with a nonce, the response parser, and the checks that make a response usable:
// signed by the CA or by a responder it delegated with id-kp-OCSPSigning (§4.2.2.2), CertID and nonce echoed,
// thisUpdate/nextUpdate current within a small clock skew (§4.2.2.1, §3.2).
import { createHash, randomBytes } from 'node:crypto';
import { verifySigned } from '../algorithms';
import { extendedKeyUsages, isIssuedBy } from '../certificate-fields';
import { OID } from '../oids';
import { certificateFrom, type AlgorithmIdentifier, type Certificate } from '../parse';
import * as der from '../der';
import {
  algorithmIdentifier,
  children,
  content,
  decodeOid,
  decodeTime,
  DerError,
  expect,
  integerHex,
  readTlv,
  Tag,
  whole,
} from '../der';

export type CertIdHash = 'sha1' | 'sha256';
const HASH_OID: Record<CertIdHash, string> = { sha1: OID.sha1, sha256: OID.sha256 };
const OID_HASH: Record<string, CertIdHash> = { [OID.sha1]: 'sha1', [OID.sha256]: 'sha256' };

export interface CertId {
  hash: CertIdHash;
  issuerNameHash: Buffer;
  issuerKeyHash: Buffer;
  serialHex: string;
}

export function certIdFor(cert: Certificate, issuer: Certificate, hash: CertIdHash = 'sha1'): CertId {
  return {
    hash,
    issuerNameHash: createHash(hash).update(issuer.subjectDer).digest(),
    issuerKeyHash: createHash(hash).update(issuer.spki.publicKeyBits).digest(),
    serialHex: cert.serialHex,
  };
}

/** CertID (RFC 6960 §4.1.1) as DER: the request asks with it and a response's SingleResponse names it. */
export function encodeCertId(id: CertId): Buffer {
  return der.seq(
    der.seq(der.oid(HASH_OID[id.hash]), der.nul()),
    der.octet(id.issuerNameHash),
    der.octet(id.issuerKeyHash),
    der.int(Buffer.from(id.serialHex.length % 2 ? '0' + id.serialHex : id.serialHex, 'hex')),
  );
}

export const sameCertId = (a: CertId, b: CertId): boolean =>
  a.hash === b.hash &&
  a.issuerNameHash.equals(b.issuerNameHash) &&
  a.issuerKeyHash.equals(b.issuerKeyHash) &&
  a.serialHex === b.serialHex;

/** OCSPRequest with one CertID and a 32-octet nonce extension (RFC 6960 §4.1.1, RFC 8954 §2.1). */
export function buildOcspRequest(certId: CertId, nonce: Buffer = randomBytes(32)): { der: Buffer; nonce: Buffer } {
  const nonceExt = der.seq(der.oid(OID.ocspNonce), der.octet(der.octet(nonce)));
  const tbs = der.seq(der.seq(der.seq(encodeCertId(certId))), der.explicit(2, der.seq(nonceExt)));
  return { der: der.seq(tbs), nonce };
}

export interface ParsedOcspRequest {
  certIds: CertId[];
  /** the nonce octets (inside the OCTET STRING of the extension value), if any */
  nonce?: Buffer;
}

function readCertId(buf: Buffer, tlv: der.Tlv): CertId {
  const [alg, nameHash, keyHash, serial] = children(buf, tlv);
  const hash = OID_HASH[decodeOid(content(buf, children(buf, alg)[0]))];
  if (!hash) throw new DerError('unsupported CertID hash');
  return {
    hash,
    issuerNameHash: Buffer.from(content(buf, nameHash)),
    issuerKeyHash: Buffer.from(content(buf, keyHash)),
    serialHex: integerHex(content(buf, serial)),
  };
}

/** Reads the nonce from an extensions SEQUENCE; accepts a bare value as well as the usual OCTET STRING wrapping. */
function readNonce(buf: Buffer, extensions: der.Tlv): Buffer | undefined {
  for (const ext of children(buf, extensions)) {
    const parts = children(buf, ext);
    if (decodeOid(content(buf, parts[0])) !== OID.ocspNonce) continue;
    const value = content(buf, parts[parts.length - 1]);
    try {
      const inner = readTlv(value, 0);
      if (inner.tag === Tag.OCTET_STRING && inner.end === value.length) return Buffer.from(content(value, inner));
    } catch {
      // not wrapped
    }
    return Buffer.from(value);
  }
  return undefined;
}

export function parseOcspRequest(buf: Buffer): ParsedOcspRequest {
  try {
    return readOcspRequest(buf);
  } catch (error) {
    throw error instanceof DerError ? error : new DerError('unreadable OCSP request');
  }
}

function readOcspRequest(buf: Buffer): ParsedOcspRequest {
  const outer = expect(buf, 0, Tag.SEQUENCE);
  const tbs = expect(buf, outer.start, Tag.SEQUENCE, outer.end);
  const certIds: CertId[] = [];
  let nonce: Buffer | undefined;
  for (const field of children(buf, tbs)) {
    if (field.tag === Tag.SEQUENCE) {
      for (const request of children(buf, field)) certIds.push(readCertId(buf, children(buf, request)[0]));
    } else if (field.tag === 0xa2) {
      nonce = readNonce(buf, readTlv(buf, field.start, field.end));
    }
  }
  if (certIds.length === 0) throw new DerError('OCSP request without a CertID');
  return { certIds, nonce };
}

export type CertStatus = 'good' | 'revoked' | 'unknown';

export interface SingleResponse {
  certId: CertId;
  status: CertStatus;
  revokedAt?: Date;
  reason?: number;
  thisUpdate: Date;
  nextUpdate?: Date;
}

export interface ParsedOcspResponse {
  /** OCSPResponseStatus (§4.2.1): 0 successful, 1 malformedRequest, 2 internalError, 3 tryLater, 5 sigRequired, 6 unauthorized */
  responseStatus: number;
  tbs?: Buffer;
  signatureAlgorithm?: AlgorithmIdentifier;
  signature?: Buffer;
  certs: Buffer[];
  responderByName?: Buffer;
  responderByKey?: Buffer;
  producedAt?: Date;
  responses: SingleResponse[];
  nonce?: Buffer;
}

/** Parses a DER OCSPResponse; anything unreadable is a DerError. */
export function parseOcspResponse(buf: Buffer): ParsedOcspResponse {
  try {
    return readOcspResponse(buf);
  } catch (error) {
    throw error instanceof DerError ? error : new DerError('unreadable OCSP response');
  }
}

function readOcspResponse(buf: Buffer): ParsedOcspResponse {
  const outer = expect(buf, 0, Tag.SEQUENCE);
  if (outer.end !== buf.length) throw new DerError('trailing bytes after OCSP response');
  const parts = children(buf, outer);
  const statusTlv = parts[0];
  if (!statusTlv || statusTlv.tag !== Tag.ENUMERATED) throw new DerError('missing responseStatus');
  const responseStatus = buf[statusTlv.end - 1];
  const result: ParsedOcspResponse = { responseStatus, certs: [], responses: [] };
  if (responseStatus !== 0) return result;
  if (!parts[1] || parts[1].tag !== 0xa0) throw new DerError('successful response without responseBytes');
  const responseBytes = expect(buf, parts[1].start, Tag.SEQUENCE, parts[1].end);
  const [typeTlv, octets] = children(buf, responseBytes);
  if (decodeOid(content(buf, typeTlv)) !== OID.ocspBasic) throw new DerError('not a BasicOCSPResponse');
  const basicBuf = content(buf, octets);
  const basic = expect(basicBuf, 0, Tag.SEQUENCE);
  const [tbsTlv, algTlv, sigTlv, certsTlv] = children(basicBuf, basic);
  if (!tbsTlv || !algTlv || !sigTlv || sigTlv.tag !== Tag.BIT_STRING)
    throw new DerError('incomplete BasicOCSPResponse');
  result.tbs = Buffer.from(whole(basicBuf, tbsTlv));
  result.signatureAlgorithm = algorithmIdentifier(basicBuf, algTlv);
  result.signature = Buffer.from(basicBuf.subarray(sigTlv.start + 1, sigTlv.end));
  if (certsTlv && certsTlv.tag === 0xa0) {
    for (const c of children(basicBuf, readTlv(basicBuf, certsTlv.start, certsTlv.end)))
      result.certs.push(Buffer.from(whole(basicBuf, c)));
  }
  let fields = children(basicBuf, tbsTlv);
  if (fields[0]?.tag === 0xa0) fields = fields.slice(1); // version v1
  const [responderTlv, producedTlv, responsesTlv, extTlv] = fields;
  if (!responderTlv || !producedTlv || !responsesTlv) throw new DerError('incomplete ResponseData');
  const responder = readTlv(basicBuf, responderTlv.start, responderTlv.end);
  if (responderTlv.tag === 0xa1) result.responderByName = Buffer.from(whole(basicBuf, responder));
  else if (responderTlv.tag === 0xa2) result.responderByKey = Buffer.from(content(basicBuf, responder));
  else throw new DerError('bad ResponderID');
  result.producedAt = decodeTime(basicBuf, producedTlv);
  for (const single of children(basicBuf, responsesTlv)) {
    const sp = children(basicBuf, single);
    const certId = readCertId(basicBuf, sp[0]);
    const statusField = sp[1];
    let status: CertStatus;
    let revokedAt: Date | undefined;
    let reason: number | undefined;
    if (statusField.tag === 0x80) status = 'good';
    else if (statusField.tag === 0xa1) {
      status = 'revoked';
      const info = children(basicBuf, statusField);
      revokedAt = decodeTime(basicBuf, info[0]);
      if (info[1]?.tag === 0xa0) reason = basicBuf[info[1].end - 1];
    } else if (statusField.tag === 0x82) status = 'unknown';
    else throw new DerError('bad CertStatus');
    const thisUpdate = decodeTime(basicBuf, sp[2]);
    let nextUpdate: Date | undefined;
    if (sp[3]?.tag === 0xa0) nextUpdate = decodeTime(basicBuf, readTlv(basicBuf, sp[3].start, sp[3].end));
    result.responses.push({ certId, status, revokedAt, reason, thisUpdate, nextUpdate });
  }
  if (extTlv && extTlv.tag === 0xa1) result.nonce = readNonce(basicBuf, readTlv(basicBuf, extTlv.start, extTlv.end));
  return result;
}

export type OcspProblem =
  | 'not_successful'
  | 'bad_signature'
  | 'unauthorized_responder'
  | 'no_matching_response'
  | 'nonce_mismatch'
  | 'not_yet_valid'
  | 'stale';

export interface OcspCheckInput {
  response: ParsedOcspResponse;
  cert: Certificate;
  issuer: Certificate;
  certId: CertId;
  /** the nonce sent; undefined when the response came from a cache */
  nonce?: Buffer;
  now: Date;
  clockSkewMs: number;
}

function matchesResponderId(response: ParsedOcspResponse, candidate: Certificate): boolean {
  if (response.responderByName) return response.responderByName.equals(candidate.subjectDer);
  if (response.responderByKey)
    return response.responderByKey.equals(createHash('sha1').update(candidate.spki.publicKeyBits).digest());
  return false;
}

/** RFC 6960 §4.2.2.2: the CA itself, or a certificate the CA issued with id-kp-OCSPSigning that is current. */
function findAuthorisedSigner(input: OcspCheckInput): Certificate | 'unauthorized' {
  const { response, issuer, now } = input;
  if (matchesResponderId(response, issuer)) return issuer;
  for (const certDer of response.certs) {
    let candidate: Certificate;
    try {
      candidate = certificateFrom(certDer);
    } catch {
      continue;
    }
    if (!matchesResponderId(response, candidate)) continue;
    if (candidate.der.equals(issuer.der)) return issuer;
    if (!isIssuedBy(candidate, issuer)) return 'unauthorized';
    if (!(extendedKeyUsages(candidate) ?? []).includes(OID.ocspSigning)) return 'unauthorized';
    if (now.getTime() < candidate.notBefore || now.getTime() > candidate.notAfter) return 'unauthorized';
    return candidate;
  }
  return 'unauthorized';
}

export function checkOcspResponse(input: OcspCheckInput): { problem: OcspProblem } | { single: SingleResponse } {
  const { response, certId, nonce, now, clockSkewMs } = input;
  if (response.responseStatus !== 0 || !response.tbs || !response.signature || !response.signatureAlgorithm)
    return { problem: 'not_successful' };
  const signer = findAuthorisedSigner(input);
  if (signer === 'unauthorized') return { problem: 'unauthorized_responder' };
  if (!verifySigned(response.signatureAlgorithm, signer.publicKey(), response.tbs, response.signature))
    return { problem: 'bad_signature' };
  if (nonce && !(response.nonce && response.nonce.equals(nonce))) return { problem: 'nonce_mismatch' };
  const single = response.responses.find((r) => sameCertId(r.certId, certId));
  if (!single) return { problem: 'no_matching_response' };
  if (single.thisUpdate.getTime() > now.getTime() + clockSkewMs) return { problem: 'not_yet_valid' };
  // Without nextUpdate, the answer is only as fresh as thisUpdate (§4.2.2.1): allow it for the skew window only.
  const until = single.nextUpdate
    ? single.nextUpdate.getTime() + clockSkewMs
    : single.thisUpdate.getTime() + clockSkewMs;
  if (now.getTime() > until) return { problem: 'stale' };
  return { single };
}
