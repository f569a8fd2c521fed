// Small, strict readers over node-forge ASN.1 nodes. Each throws Asn1Error on anything unexpected; parse.ts turns that
// into the 'malformed' reason so no exception ever leaves the engine.
import forge from 'node-forge';

export type Node = forge.asn1.Asn1;

export class Asn1Error extends Error {}

export const UNIVERSAL = 0x00;
export const CONTEXT = 0x80;

export const T = {
  BOOLEAN: 1,
  INTEGER: 2,
  BITSTRING: 3,
  OCTETSTRING: 4,
  NULL: 5,
  OID: 6,
  UTF8: 12,
  SEQUENCE: 16,
  SET: 17,
  NUMERIC: 18,
  PRINTABLE: 19,
  T61: 20,
  IA5: 22,
  UTCTIME: 23,
  GENERALIZEDTIME: 24,
  VISIBLE: 26,
  UNIVERSALSTRING: 28,
  BMP: 30,
} as const;

export function fail(what: string): never {
  throw new Asn1Error(what);
}

/** DER bytes (Buffer) to a forge ASN.1 tree: strict, no trailing bytes, BIT STRINGs left opaque, depth bounded. */
export function fromDer(der: Uint8Array, maxDepth = 32): Node {
  try {
    return forge.asn1.fromDer(Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('latin1'), {
      strict: true,
      parseAllBytes: true,
      decodeBitStrings: false,
      maxDepth,
    } as unknown as Parameters<typeof forge.asn1.fromDer>[1]);
  } catch (e) {
    throw new Asn1Error(`DER: ${(e as Error).message}`);
  }
}

export function is(node: Node | undefined, tagClass: number, type: number): node is Node {
  return !!node && node.tagClass === tagClass && node.type === type;
}

export function expect(node: Node | undefined, tagClass: number, type: number, what: string): Node {
  if (!is(node, tagClass, type)) fail(`expected ${what}`);
  return node;
}

export function children(node: Node, what: string): Node[] {
  if (!node.constructed || !Array.isArray(node.value)) fail(`${what} is not constructed`);
  return node.value as Node[];
}

export function seq(node: Node | undefined, what: string): Node[] {
  return children(expect(node, UNIVERSAL, T.SEQUENCE, what), what);
}

export function primitive(node: Node, what: string): string {
  if (node.constructed || typeof node.value !== 'string') fail(`${what} is not primitive`);
  return node.value as string;
}

export function bytes(node: Node, what: string): Buffer {
  return Buffer.from(primitive(node, what), 'latin1');
}

export function oid(node: Node | undefined, what: string): string {
  const v = primitive(expect(node, UNIVERSAL, T.OID, what), what);
  // X.690 §8.19: non-empty, last byte ends a sub-identifier, no 0x80 padding at the start of a sub-identifier
  if (v.length === 0 || v.charCodeAt(v.length - 1) & 0x80) fail(`${what}: bad OID`);
  for (let i = 0; i < v.length; i++) {
    if (v.charCodeAt(i) === 0x80 && (i === 0 || !(v.charCodeAt(i - 1) & 0x80))) fail(`${what}: bad OID`);
  }
  return forge.asn1.derToOid(v);
}

export function octets(node: Node | undefined, what: string): Buffer {
  return bytes(expect(node, UNIVERSAL, T.OCTETSTRING, what), what);
}

export function boolean(node: Node | undefined, what: string): boolean {
  const v = primitive(expect(node, UNIVERSAL, T.BOOLEAN, what), what);
  // DER: TRUE is 0xFF (X.690 §11.1)
  if (v === '\xff') return true;
  if (v === '\x00') return false;
  return fail(`${what}: bad BOOLEAN`);
}

/** INTEGER content bytes, checked for minimal encoding (X.690 §8.3.2). */
export function integerBytes(node: Node | undefined, what: string): Buffer {
  const b = bytes(expect(node, UNIVERSAL, T.INTEGER, what), what);
  if (b.length === 0) fail(`${what}: empty INTEGER`);
  if (b.length > 1 && ((b[0] === 0 && !(b[1] & 0x80)) || (b[0] === 0xff && b[1] & 0x80)))
    fail(`${what}: non-minimal INTEGER`);
  return b;
}

/** A small non-negative INTEGER as a number. */
export function smallInt(node: Node | undefined, what: string): number {
  const b = integerBytes(node, what);
  if (b[0] & 0x80) fail(`${what}: negative`);
  if (b.length > 4) fail(`${what}: too large`);
  let n = 0;
  for (const x of b) n = n * 256 + x;
  return n;
}

/** BIT STRING as { unused, data } (X.690 §8.6). */
export function bitString(node: Node | undefined, what: string): { unused: number; data: Buffer } {
  const b = bytes(expect(node, UNIVERSAL, T.BITSTRING, what), what);
  if (b.length === 0) fail(`${what}: empty BIT STRING`);
  const unused = b[0];
  if (unused > 7 || (b.length === 1 && unused !== 0)) fail(`${what}: bad unused bits`);
  return { unused, data: b.subarray(1) };
}

const UTC = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/;
const GEN = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/;

/** Time (RFC 5280 §4.1.2.5): UTCTime YYMMDDHHMMSSZ (50–99 → 19xx) or GeneralizedTime YYYYMMDDHHMMSSZ, as epoch ms. */
export function time(node: Node | undefined, what: string): number {
  if (!node || node.tagClass !== UNIVERSAL) fail(`expected ${what}`);
  const s = primitive(node, what);
  let m: RegExpExecArray | null;
  let year: number;
  if (node.type === T.UTCTIME && (m = UTC.exec(s))) {
    const yy = Number(m[1]);
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
  } else if (node.type === T.GENERALIZEDTIME && (m = GEN.exec(s))) {
    year = Number(m[1]);
  } else {
    return fail(`${what}: bad time`);
  }
  const [mo, d, h, mi, se] = [2, 3, 4, 5, 6].map((i) => Number(m![i]));
  const ms = Date.UTC(year, mo - 1, d, h, mi, se);
  const check = new Date(ms);
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || se > 59)
    fail(`${what}: bad date`);
  return ms;
}

/** A directory string (X.520) decoded to a JS string, plus the ASN.1 type it came in. */
export function directoryString(node: Node, what: string): string {
  if (node.tagClass !== UNIVERSAL) fail(`${what}: not a string`);
  const raw = bytes(node, what);
  switch (node.type as number) {
    case T.UTF8: {
      const s = raw.toString('utf8');
      if (!Buffer.from(s, 'utf8').equals(raw)) fail(`${what}: bad UTF-8`);
      return s;
    }
    case T.BMP: {
      if (raw.length % 2) fail(`${what}: bad BMPString`);
      const swapped = Buffer.from(raw);
      swapped.swap16();
      return swapped.toString('utf16le');
    }
    case T.UNIVERSALSTRING: {
      if (raw.length % 4) fail(`${what}: bad UniversalString`);
      let s = '';
      for (let i = 0; i < raw.length; i += 4) s += String.fromCodePoint(raw.readUInt32BE(i));
      return s;
    }
    case T.PRINTABLE:
    case T.IA5:
    case T.VISIBLE:
    case T.NUMERIC:
    case T.T61:
      return raw.toString('latin1');
    default:
      return fail(`${what}: not a string`);
  }
}
