// The signature algorithm and key allow-list, and signature verification with Node's crypto.
// Allowed: RSA PKCS#1 v1.5 and RSASSA-PSS with SHA-256/384/512 (RFC 4055), ECDSA with SHA-256/384/512 (RFC 5758) on
// P-256 and P-384. SHA-1 and MD5 are refused (collisions: RFC 6151, SHAttered); RSA below 2048 bits is refused (NIST SP 800-131A).
import { constants, verify, type KeyObject } from 'node:crypto';
import { Asn1Error, CONTEXT, fromDer, oid, seq, smallInt, children } from './asn1.js';
import type { AlgorithmIdentifier } from './parse.js';
import { OID } from './oids.js';

export type Hash = 'sha256' | 'sha384' | 'sha512';

export type SignatureScheme =
  | { kind: 'rsa-pkcs1'; hash: Hash }
  | { kind: 'rsa-pss'; hash: Hash; saltLength: number }
  | { kind: 'ecdsa'; hash: Hash };

export type SchemeResult = { ok: true; scheme: SignatureScheme } | { ok: false; detail: string };

const RSA_PKCS1: Record<string, Hash> = {
  [OID.sha256WithRSA]: 'sha256',
  [OID.sha384WithRSA]: 'sha384',
  [OID.sha512WithRSA]: 'sha512',
};
const ECDSA: Record<string, Hash> = {
  [OID.ecdsaWithSHA256]: 'sha256',
  [OID.ecdsaWithSHA384]: 'sha384',
  [OID.ecdsaWithSHA512]: 'sha512',
};
const DIGESTS: Record<string, Hash> = { [OID.sha256]: 'sha256', [OID.sha384]: 'sha384', [OID.sha512]: 'sha512' };
const REFUSED: Record<string, string> = {
  [OID.md2WithRSA]: 'md2WithRSAEncryption',
  [OID.md5WithRSA]: 'md5WithRSAEncryption',
  [OID.sha1WithRSA]: 'sha1WithRSAEncryption',
  [OID.sha224WithRSA]: 'sha224WithRSAEncryption',
  [OID.ecdsaWithSHA1]: 'ecdsa-with-SHA1',
};

const NULL_PARAMS = Buffer.from([0x05, 0x00]);

/** Hash algorithm of a DigestAlgorithmIdentifier (CMS), or null when not allowed. */
export function digestAlgorithm(alg: AlgorithmIdentifier): Hash | null {
  if (alg.params && !alg.params.equals(NULL_PARAMS)) return null;
  return DIGESTS[alg.oid] ?? null;
}

/** RSASSA-PSS-params (RFC 4055 §3.1), accepting only SHA-2 with MGF1 over the same hash and trailerField 1. */
function pssScheme(params: Buffer | undefined): SchemeResult {
  if (!params) return { ok: false, detail: 'RSASSA-PSS without parameters (SHA-1 defaults)' };
  try {
    let hash: Hash | null = null;
    let mgfHash: Hash | null = null;
    let saltLength = 20;
    for (const field of seq(fromDer(params), 'RSASSA-PSS-params')) {
      if (field.tagClass !== CONTEXT) throw new Asn1Error('bad PSS field');
      const [inner] = children(field, 'PSS field');
      if (field.type === 0) {
        const [h, p] = seq(inner, 'hashAlgorithm');
        hash = DIGESTS[oid(h, 'hashAlgorithm')] ?? null;
        if (p && !(p.type === 5)) throw new Asn1Error('bad hash parameters');
      } else if (field.type === 1) {
        const [m, mp] = seq(inner, 'maskGenAlgorithm');
        if (oid(m, 'maskGenAlgorithm') !== OID.mgf1) throw new Asn1Error('mask generation is not MGF1');
        mgfHash = DIGESTS[oid(seq(mp, 'MGF1 hash')[0], 'MGF1 hash')] ?? null;
      } else if (field.type === 2) {
        saltLength = smallInt(inner, 'saltLength');
      } else if (field.type === 3) {
        if (smallInt(inner, 'trailerField') !== 1) throw new Asn1Error('trailerField is not 1');
      } else throw new Asn1Error('bad PSS field');
    }
    if (!hash || !mgfHash) return { ok: false, detail: 'RSASSA-PSS with SHA-1 or an unknown hash' };
    if (hash !== mgfHash) return { ok: false, detail: 'RSASSA-PSS with different message and MGF1 hashes' };
    return { ok: true, scheme: { kind: 'rsa-pss', hash, saltLength } };
  } catch (e) {
    return { ok: false, detail: `RSASSA-PSS parameters: ${(e as Error).message}` };
  }
}

/** The allow-list: which verification to run for a signature AlgorithmIdentifier, or why it is refused. */
export function signatureScheme(alg: AlgorithmIdentifier): SchemeResult {
  const rsa = RSA_PKCS1[alg.oid];
  if (rsa) {
    // RFC 4055 §5: the parameters MUST be NULL (absent is tolerated, as many verifiers do)
    if (alg.params && !alg.params.equals(NULL_PARAMS))
      return { ok: false, detail: 'RSA signature with non-NULL parameters' };
    return { ok: true, scheme: { kind: 'rsa-pkcs1', hash: rsa } };
  }
  const ec = ECDSA[alg.oid];
  if (ec) {
    // RFC 5758 §3.2: the parameters field MUST be absent
    if (alg.params) return { ok: false, detail: 'ECDSA signature with parameters' };
    return { ok: true, scheme: { kind: 'ecdsa', hash: ec } };
  }
  if (alg.oid === OID.rsassaPss) return pssScheme(alg.params);
  return {
    ok: false,
    detail: REFUSED[alg.oid] ? `${REFUSED[alg.oid]} is refused` : `signature algorithm ${alg.oid} is not allowed`,
  };
}

export const MIN_RSA_BITS = 2048;
/** Upper bound so a hostile certificate cannot make one verification cost seconds. */
export const MAX_RSA_BITS = 8192;

/** Why a public key is not acceptable, or null when it is (RSA ≥ 2048 bits, EC on P-256/P-384). */
export function keyWeakness(key: KeyObject | null): string | null {
  if (!key) return 'public key cannot be loaded';
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails ?? {};
  if (type === 'rsa' || type === 'rsa-pss') {
    const bits = details.modulusLength ?? 0;
    if (bits < MIN_RSA_BITS) return `RSA key of ${bits} bits`;
    if (bits > MAX_RSA_BITS) return `RSA key of ${bits} bits is larger than allowed`;
    return null;
  }
  if (type === 'ec') {
    const curve = details.namedCurve;
    if (curve === 'prime256v1' || curve === 'secp384r1') return null;
    return `EC key on ${curve ?? 'an unnamed curve'}`;
  }
  return `${type ?? 'unknown'} keys are not allowed`;
}

/** Does the key type fit the scheme? (An RSA signature cannot be checked with an EC key.) */
function keyFits(scheme: SignatureScheme, key: KeyObject): boolean {
  const type = key.asymmetricKeyType;
  if (scheme.kind === 'ecdsa') return type === 'ec';
  if (scheme.kind === 'rsa-pkcs1') return type === 'rsa';
  return type === 'rsa' || type === 'rsa-pss';
}

/** Verifies `signature` over `data`; false on any mismatch or error. */
export function verifyWith(scheme: SignatureScheme, key: KeyObject, data: Buffer, signature: Buffer): boolean {
  if (!keyFits(scheme, key)) return false;
  try {
    switch (scheme.kind) {
      case 'rsa-pkcs1':
        return verify(scheme.hash, data, { key, padding: constants.RSA_PKCS1_PADDING }, signature);
      case 'rsa-pss':
        return verify(
          scheme.hash,
          data,
          { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: scheme.saltLength },
          signature,
        );
      case 'ecdsa':
        return verify(scheme.hash, data, { key, dsaEncoding: 'der' }, signature);
    }
  } catch {
    return false;
  }
}

/** A signature over `data` under `key` with an allowed algorithm (CRLs and OCSP responses use the same allow-list as certificates). */
export function verifySigned(
  alg: AlgorithmIdentifier,
  key: KeyObject | null,
  data: Buffer,
  signature: Buffer,
): boolean {
  const s = signatureScheme(alg);
  return s.ok && key !== null && verifyWith(s.scheme, key, data, signature);
}
