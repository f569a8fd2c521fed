// Challenge signatures in the two formats the MOICA component (HiPKI LocalSignServer) returns:
//  - raw RSA PKCS#1 v1.5 over SHA-256 of the UTF-8 text (base64), and
//  - CMS SignedData (RFC 5652, base64 DER), content attached or detached, with signed attributes.
// The signer must be the presented certificate; the signed content must be exactly the challenge text.
import { createHash } from 'node:crypto';
import forge from 'node-forge';
import { digestAlgorithm, keyWeakness, signatureScheme, verifyWith, type SignatureScheme } from './algorithms.js';
import {
  Asn1Error,
  CONTEXT,
  T,
  UNIVERSAL,
  children,
  expect,
  fromDer,
  integerBytes,
  octets,
  oid,
  seq,
  time,
  type Node,
} from './asn1.js';
import { readStrictTlv } from './der.js';
import { nameEquals, parseName } from './names.js';
import { OID } from './oids.js';
import { parseCertificate, type AlgorithmIdentifier, type Certificate } from './parse.js';
import { isCertificate } from './trust-store.js';
import type { CertInput } from './input.js';

export type SignatureReason =
  | 'signature_malformed' // not base64, not a PKCS#1 signature of the key's size, or not a CMS SignedData we can read
  | 'signature_invalid' // the signature does not verify under the certificate's key
  | 'signature_content_mismatch' // CMS content (or its messageDigest) is not the challenge text
  | 'signer_mismatch' // the CMS signer is not the presented certificate
  | 'signature_weak_algorithm' // digest or signature algorithm outside the allow-list (SHA-1, MD5, ...)
  | 'certificate_malformed'; // the presented certificate does not parse

// Each reason once, as the keys of a record: a reason added to the union and not here does not compile.
const SIGNATURE_REASON_KEYS: Record<SignatureReason, true> = {
  signature_malformed: true,
  signature_invalid: true,
  signature_content_mismatch: true,
  signer_mismatch: true,
  signature_weak_algorithm: true,
  certificate_malformed: true,
};

/** Every SignatureReason, in the order of the union. */
export const SIGNATURE_REASONS = Object.keys(SIGNATURE_REASON_KEYS) as readonly SignatureReason[];

export type SignatureFormat = 'pkcs1' | 'cms';

export interface VerifySignatureInput {
  /** the challenge text; the signature is over its UTF-8 bytes */
  tbs: string;
  /** base64 (or base64url) text, or the raw bytes */
  signature: string | Buffer;
  /** 'auto' (default) tells them apart by shape: a CMS SignedData is a DER SEQUENCE holding id-signedData */
  format?: SignatureFormat | 'auto';
  /** the certificate the signature must be made by (already path-validated by verifyChain) */
  certificate: CertInput | Certificate;
}

export type VerifySignatureResult =
  | { ok: true; format: SignatureFormat; detached?: boolean; signingTime?: Date }
  | { ok: false; reason: SignatureReason; detail: string };

/** Largest signature accepted: a CMS with a few certificates is a few KiB; 64 KiB is generous. */
export const MAX_SIGNATURE_BYTES = 64 * 1024;

const fail = (reason: SignatureReason, detail: string): VerifySignatureResult => ({ ok: false, reason, detail });

function decodeSignature(sig: string | Buffer): Buffer | null {
  if (Buffer.isBuffer(sig)) return sig.length > 0 && sig.length <= MAX_SIGNATURE_BYTES ? sig : null;
  if (typeof sig !== 'string' || sig.length === 0 || sig.length > MAX_SIGNATURE_BYTES * 2) return null;
  const s = sig.replace(/\s+/g, '');
  if (/^[A-Za-z0-9+/]*={0,2}$/.test(s)) return Buffer.from(s, 'base64');
  if (/^[A-Za-z0-9_-]*$/.test(s)) return Buffer.from(s, 'base64url');
  return null;
}

function looksLikeCms(der: Buffer): boolean {
  // ContentInfo ::= SEQUENCE { contentType OID 1.2.840.113549.1.7.2, ... }: the OID bytes follow the outer header
  const signedDataOid = Buffer.from('06092a864886f70d010702', 'hex');
  return der[0] === 0x30 && der.subarray(0, 16).includes(signedDataOid);
}

/** Verifies a challenge signature. Never throws. */
export function verifyChallengeSignature(input: VerifySignatureInput): VerifySignatureResult {
  let cert: Certificate;
  if (isCertificate(input.certificate)) cert = input.certificate;
  else {
    const r = parseCertificate(input.certificate);
    if (!r.ok) return fail('certificate_malformed', r.detail);
    cert = r.cert;
  }
  if (typeof input.tbs !== 'string') return fail('signature_content_mismatch', 'no challenge text');
  const sig = decodeSignature(input.signature);
  if (!sig) return fail('signature_malformed', 'signature is not base64 or is empty or too large');
  const format = input.format ?? 'auto';
  const content = Buffer.from(input.tbs, 'utf8');
  if (format === 'cms' || (format === 'auto' && looksLikeCms(sig))) {
    try {
      return verifyCms(sig, content, cert);
    } catch (e) {
      return fail('signature_malformed', `CMS: ${(e as Error).message}`);
    }
  }
  return verifyPkcs1(sig, content, cert);
}

/** Raw RSA PKCS#1 v1.5 with SHA-256 (RFC 8017 §8.2), what HiPKI returns for a "PKCS1" sign request. */
function verifyPkcs1(sig: Buffer, content: Buffer, cert: Certificate): VerifySignatureResult {
  const key = cert.publicKey();
  const weak = keyWeakness(key);
  if (weak || !key) return fail('signature_weak_algorithm', `certificate key: ${weak}`);
  if (key.asymmetricKeyType !== 'rsa') return fail('signature_malformed', 'PKCS#1 signature needs an RSA key');
  const bytes = Math.ceil((key.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
  if (sig.length !== bytes)
    return fail('signature_malformed', `PKCS#1 signature of ${sig.length} bytes for a ${bytes}-byte modulus`);
  if (!verifyWith({ kind: 'rsa-pkcs1', hash: 'sha256' }, key, content, sig))
    return fail('signature_invalid', 'PKCS#1 signature does not verify');
  return { ok: true, format: 'pkcs1' };
}

function algId(node: Node | undefined, what: string): AlgorithmIdentifier {
  const items = seq(node, what);
  const o = oid(items[0], what);
  const params = items[1] ? Buffer.from(forge.asn1.toDer(items[1]).getBytes(), 'latin1') : undefined;
  return { oid: o, params, der: Buffer.from(forge.asn1.toDer(node!).getBytes(), 'latin1') };
}

/** OCTET STRING content, also in the BER constructed form some CMS producers use for eContent. */
function octetContent(node: Node, what: string): Buffer {
  if (node.tagClass !== UNIVERSAL || node.type !== T.OCTETSTRING) throw new Asn1Error(`${what}: not an OCTET STRING`);
  if (!node.constructed) return octets(node, what);
  return Buffer.concat(children(node, what).map((c) => octetContent(c, what)));
}

interface SignerInfo {
  sid: { kind: 'issuerSerial'; issuer: ReturnType<typeof parseName>; serial: Buffer } | { kind: 'ski'; ski: Buffer };
  digestAlgorithm: AlgorithmIdentifier;
  signedAttrs?: { der: Buffer; attrs: Map<string, Node[]> };
  signatureAlgorithm: AlgorithmIdentifier;
  signature: Buffer;
}

function parseSignerInfo(node: Node): SignerInfo {
  const f = seq(node, 'SignerInfo');
  let i = 0;
  integerBytes(f[i++], 'SignerInfo.version');
  let sid: SignerInfo['sid'];
  const sidNode = f[i++];
  if (sidNode && sidNode.tagClass === UNIVERSAL && sidNode.type === T.SEQUENCE) {
    const [issuerNode, serialNode] = seq(sidNode, 'IssuerAndSerialNumber');
    sid = {
      kind: 'issuerSerial',
      issuer: parseName(issuerNode, 'sid.issuer'),
      serial: integerBytes(serialNode, 'sid.serialNumber'),
    };
  } else if (sidNode && sidNode.tagClass === CONTEXT && sidNode.type === 0 && !sidNode.constructed) {
    sid = { kind: 'ski', ski: Buffer.from(sidNode.value as string, 'latin1') };
  } else throw new Asn1Error('SignerInfo.sid: unknown form');
  const digestAlg = algId(f[i++], 'SignerInfo.digestAlgorithm');
  let signedAttrs: SignerInfo['signedAttrs'];
  if (f[i] && f[i].tagClass === CONTEXT && f[i].type === 0) {
    const attrsNode = f[i++];
    const attrs = new Map<string, Node[]>();
    for (const a of children(attrsNode, 'signedAttrs')) {
      const [typeNode, valuesNode] = seq(a, 'Attribute');
      const type = oid(typeNode, 'Attribute.type');
      // RFC 5652 §5.3: each attribute type at most once in signedAttrs
      if (attrs.has(type)) throw new Asn1Error(`signedAttrs: ${type} twice`);
      attrs.set(type, children(expect(valuesNode, UNIVERSAL, T.SET, 'Attribute.values'), 'Attribute.values'));
    }
    // RFC 5652 §5.4: the signature is over the DER of the attributes with an EXPLICIT SET OF tag, not the [0] tag
    const asSet = forge.asn1.create(UNIVERSAL, T.SET, true, attrsNode.value as Node[]);
    signedAttrs = { der: Buffer.from(forge.asn1.toDer(asSet).getBytes(), 'latin1'), attrs };
  }
  const sigAlg = algId(f[i++], 'SignerInfo.signatureAlgorithm');
  const signature = octets(f[i++], 'SignerInfo.signature');
  return { sid, digestAlgorithm: digestAlg, signedAttrs, signatureAlgorithm: sigAlg, signature };
}

/** The signature scheme of a SignerInfo: rsaEncryption means PKCS#1 v1.5 with the digestAlgorithm (RFC 3370 §3.2). */
function signerScheme(si: SignerInfo, hash: 'sha256' | 'sha384' | 'sha512'): SignatureScheme | string {
  if (si.signatureAlgorithm.oid === OID.rsaEncryption) return { kind: 'rsa-pkcs1', hash };
  const s = signatureScheme(si.signatureAlgorithm);
  if (!s.ok) return s.detail;
  if (s.scheme.hash !== hash) return 'signature hash differs from digestAlgorithm';
  return s.scheme;
}

function signerMatches(si: SignerInfo, cert: Certificate): boolean {
  if (si.sid.kind === 'ski') return !!cert.ext.subjectKeyId && cert.ext.subjectKeyId.equals(si.sid.ski);
  return nameEquals(si.sid.issuer, cert.issuer) && si.sid.serial.equals(cert.serial);
}

/** CMS SignedData (RFC 5652 §5): one signer, the presented certificate; content = the challenge text. */
function verifyCms(der: Buffer, content: Buffer, cert: Certificate): VerifySignatureResult {
  const outer = readStrictTlv(der, 0);
  // BER indefinite lengths are tolerated by forge; but trailing bytes after the ContentInfo are not
  if (outer && outer.end !== der.length) return fail('signature_malformed', 'CMS: trailing bytes');
  const root = fromDer(der, 24);
  const [ctNode, wrapped] = seq(root, 'ContentInfo');
  if (oid(ctNode, 'ContentInfo.contentType') !== OID.signedData)
    return fail('signature_malformed', 'CMS: not SignedData');
  if (!wrapped || wrapped.tagClass !== CONTEXT || wrapped.type !== 0)
    return fail('signature_malformed', 'CMS: no content');
  const sd = seq(children(wrapped, 'ContentInfo.content')[0], 'SignedData');
  let i = 0;
  integerBytes(sd[i++], 'SignedData.version');
  children(expect(sd[i++], UNIVERSAL, T.SET, 'digestAlgorithms'), 'digestAlgorithms');
  const encap = seq(sd[i++], 'EncapsulatedContentInfo');
  const eContentType = oid(encap[0], 'eContentType');
  let eContent: Buffer | undefined;
  if (encap[1]) {
    if (encap[1].tagClass !== CONTEXT || encap[1].type !== 0) return fail('signature_malformed', 'CMS: bad eContent');
    eContent = octetContent(children(encap[1], 'eContent')[0], 'eContent');
  }
  while (sd[i] && sd[i].tagClass === CONTEXT) i++; // certificates [0], crls [1]: the presented certificate is what counts
  const signerInfos = children(expect(sd[i++], UNIVERSAL, T.SET, 'signerInfos'), 'signerInfos');
  if (i !== sd.length) return fail('signature_malformed', 'CMS: extra SignedData fields');
  if (signerInfos.length === 0) return fail('signature_malformed', 'CMS: no signer');
  if (signerInfos.length > 4) return fail('signature_malformed', 'CMS: too many signers');

  if (eContentType !== OID.data)
    return fail('signature_content_mismatch', `CMS: eContentType ${eContentType} is not id-data`);
  const detached = eContent === undefined;
  if (eContent !== undefined && !eContent.equals(content))
    return fail('signature_content_mismatch', 'CMS: attached content is not the challenge text');

  const infos = signerInfos.map(parseSignerInfo);
  const si = infos.find((s) => signerMatches(s, cert));
  if (!si) return fail('signer_mismatch', 'CMS: no SignerInfo names the presented certificate');

  const hash = digestAlgorithm(si.digestAlgorithm);
  if (!hash) return fail('signature_weak_algorithm', `CMS: digest algorithm ${si.digestAlgorithm.oid} is not allowed`);
  const scheme = signerScheme(si, hash);
  if (typeof scheme === 'string') return fail('signature_weak_algorithm', `CMS: ${scheme}`);
  const key = cert.publicKey();
  const weak = keyWeakness(key);
  if (weak || !key) return fail('signature_weak_algorithm', `certificate key: ${weak}`);

  let signedBytes: Buffer = content;
  let signingTime: Date | undefined;
  if (si.signedAttrs) {
    const { attrs } = si.signedAttrs;
    // RFC 5652 §11.1: contentType present, single-valued, equal to eContentType
    const ct = attrs.get(OID.contentType);
    if (!ct || ct.length !== 1 || oid(ct[0], 'contentType') !== eContentType)
      return fail('signature_malformed', 'CMS: contentType attribute missing or wrong');
    // RFC 5652 §11.2: messageDigest present, single-valued, the digest of the content
    const md = attrs.get(OID.messageDigest);
    if (!md || md.length !== 1) return fail('signature_malformed', 'CMS: messageDigest attribute missing');
    const digest = octets(md[0], 'messageDigest');
    if (!digest.equals(createHash(hash).update(content).digest()))
      return fail('signature_content_mismatch', 'CMS: messageDigest is not the digest of the challenge text');
    const st = attrs.get(OID.signingTime);
    if (st && st.length === 1) {
      try {
        signingTime = new Date(time(st[0], 'signingTime'));
      } catch {
        signingTime = undefined;
      }
    }
    signedBytes = si.signedAttrs.der;
  }
  if (!verifyWith(scheme, key, signedBytes, si.signature))
    return fail('signature_invalid', 'CMS: signature does not verify');
  return { ok: true, format: 'cms', detached, signingTime };
}
