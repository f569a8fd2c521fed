// Certificate input forms: DER bytes, PEM text, or bare base64 of DER (what the MOICA component hands over).
import { CERTIFICATE_LABELS, pemBlocks as allPemBlocks } from './der.js';

/** Largest certificate we accept. Real MOICA certificates are under 2 KiB; 64 KiB leaves room for any sane profile. */
export const MAX_CERT_BYTES = 64 * 1024;

const B64_RE = /^[A-Za-z0-9+/\s]*={0,2}\s*$/;
const B64URL_RE = /^[A-Za-z0-9_-]*$/;

export type CertInput = Buffer | Uint8Array | string;

/** The DER bytes of one certificate, or null when the input is not DER, PEM or base64 (or is too large). */
export function toDer(input: CertInput): Buffer | null {
  if (typeof input !== 'string') {
    if (!(input instanceof Uint8Array)) return null;
    if (input.length === 0 || input.length > MAX_CERT_BYTES) return null;
    return Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  }
  // base64 is 4/3 of DER, PEM adds headers and line breaks
  if (input.length === 0 || input.length > MAX_CERT_BYTES * 2) return null;
  let b64: string;
  const pem = allPemBlocks(input, CERTIFICATE_LABELS)[0];
  if (pem) b64 = pem.base64;
  else if (input.includes('-----')) return null;
  else b64 = input;
  let der: Buffer;
  if (B64_RE.test(b64)) der = Buffer.from(b64.replace(/\s+/g, ''), 'base64');
  else if (B64URL_RE.test(b64.trim())) der = Buffer.from(b64.trim(), 'base64url');
  else return null;
  if (der.length === 0 || der.length > MAX_CERT_BYTES) return null;
  return der;
}

/** Every PEM certificate block in a text (for trust files holding several). */
export function pemBlocks(text: string): string[] {
  return allPemBlocks(text, CERTIFICATE_LABELS).map((block) => block.text);
}
