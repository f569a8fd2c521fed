// The hash kinds the HiPKI component signs with, and the DigestInfo that RSASSA-PKCS1-v1_5 signs (RFC 8017 §9.2).
// Every signature is made as: hash on this side, DigestInfo, the card's raw RSA PKCS#1 v1.5 operation; so PKCS1,
// PKCS7 and RAW (a hash computed by the caller) all use the one card primitive.
import { createHash } from 'node:crypto';

export type HashName = 'sha1' | 'sha256' | 'sha384' | 'sha512';

/** DER of DigestInfo up to the digest's own bytes (RFC 8017 §9.2, note 1). */
const DIGEST_INFO_PREFIX: Record<HashName, Buffer> = {
  sha1: Buffer.from('3021300906052b0e03021a05000414', 'hex'),
  sha256: Buffer.from('3031300d060960864801650304020105000420', 'hex'),
  sha384: Buffer.from('3041300d060960864801650304020205000430', 'hex'),
  sha512: Buffer.from('3051300d060960864801650304020305000440', 'hex'),
};

export const DIGEST_LENGTH: Record<HashName, number> = { sha1: 20, sha256: 32, sha384: 48, sha512: 64 };

export const HASH_OID: Record<HashName, string> = {
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
};

/** SHA1, SHA-256, sha512 …; no value means SHA-256 (the portal's own). Null for anything else (MD5 among them). */
export function parseHashName(value: unknown): HashName | null {
  if (value === undefined || value === null || value === '') return 'sha256';
  if (typeof value !== 'string') return null;
  const match = /^SHA-?(1|256|384|512)$/i.exec(value.trim());
  return match ? (`sha${match[1]}` as HashName) : null;
}

/** The hash kind whose digests have this many bytes, if one has. */
export function hashOfLength(length: number): HashName | null {
  return (Object.keys(DIGEST_LENGTH) as HashName[]).find((hash) => DIGEST_LENGTH[hash] === length) ?? null;
}

export function digest(hash: HashName, data: Buffer): Buffer {
  return createHash(hash).update(data).digest();
}

export function digestInfo(hash: HashName, digestValue: Buffer): Buffer {
  if (digestValue.length !== DIGEST_LENGTH[hash])
    throw new RangeError(`a ${hash} digest is ${DIGEST_LENGTH[hash]} bytes`);
  return Buffer.concat([DIGEST_INFO_PREFIX[hash], digestValue]);
}
