// Random and mutated POST bodies for the fuzz test, from a seeded generator so a failing run can be replayed
// (FUZZ_SEED). Each body is what a browser, a script or an attacker could send: forms with the route's own fields
// and others, JSON, multipart, bytes that are not UTF-8, escapes that decode to nothing, fields up to the body limit,
// and signing fields made from real demo-card signatures, then broken.
import { createCmsSignature } from '../helpers/cms-sign';

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seed per (run seed, route, body number): a body can be regenerated on its own, whatever ran before it. */
export function bodySeed(seed: number, route: string, index: number): number {
  let h = seed ^ 0x9e3779b9;
  for (const ch of route) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  return (h ^ Math.imul(index, 0x85ebca6b)) >>> 0;
}

export class Random {
  constructor(readonly next: () => number) {}
  int(max: number): number {
    return Math.floor(this.next() * max);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
  bytes(length: number): Buffer {
    const out = Buffer.alloc(length);
    for (let i = 0; i < length; i++) out[i] = this.int(256);
    return out;
  }
  /** A length that is usually small, sometimes large: most bugs are at the edges. */
  length(max: number): number {
    const r = this.next();
    if (r < 0.6) return this.int(16);
    if (r < 0.9) return this.int(512);
    return this.int(max + 1);
  }
}

/** A card's signing material, opened once: what the local signer would sign with. */
export interface CardKeys {
  signingCertDer: Buffer;
  encryptionCertDer: Buffer;
  privateKeyPem: string;
  certificatePem: string;
  signPkcs1(tbs: string): Buffer;
}

export interface SigningContext {
  tbs: string;
  nonce: string;
  cards: CardKeys[];
  /** other certificates a swapped-in field may carry (the demo CAs) */
  otherCerts: Buffer[];
  /** CMS signatures made once over other text: node-forge is too slow to make one for every body */
  cmsSamples: Buffer[];
}

export interface FuzzContext {
  csrf: string | undefined;
  /** the route's field names, from its form */
  fields: string[];
  /** a plausible value per field name, so some bodies get past validation */
  goodValues: Record<string, string>;
  bodyLimit: number;
  signing?: SigningContext;
}

export interface FuzzBody {
  kind: string;
  contentType: string | undefined;
  payload: Buffer;
}

const FORM = 'application/x-www-form-urlencoded';

const STRANGE_TEXT = [
  '',
  ' ',
  '\0',
  'a\0b',
  '\uFEFF',
  '\u202E',
  '\r\n',
  '%',
  '%%',
  '+',
  '&',
  '=',
  '[]',
  '__proto__',
  'constructor',
  'toString',
  '😀',
  '測試',
  '𠀀',
  'ÿ',
  '\u0085',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '${{7*7}}',
  '{{ 7*7 }}',
  '../../etc/passwd',
  '-1',
  '0',
  '1e999',
  'NaN',
  'null',
  'undefined',
  'true',
  '[object Object]',
  '9'.repeat(40),
  'A123456789',
  'a'.repeat(129),
];

/** Escapes a decoder must refuse or handle: not UTF-8, overlong, lone surrogates, cut short, NUL. */
const BAD_ESCAPES = [
  '%FF',
  '%FE%FF',
  '%C0%AF',
  '%ED%A0%80',
  '%ED%B0%80',
  '%E4%B8',
  '%F4%90%80%80',
  '%00',
  '%',
  '%G1',
  '%E6%B8%AC%E8',
];

const RANDOM_NAMES = [
  'a',
  'x[y]',
  'x[]',
  '__proto__',
  'constructor[prototype]',
  '_csrf[]',
  '',
  ' ',
  'name\0',
  '名稱',
  'a.b',
  '$where',
];

const CONTENT_TYPES = [
  FORM,
  `${FORM}; charset=utf-8`,
  `${FORM}; charset=latin1`,
  'APPLICATION/X-WWW-FORM-URLENCODED',
  `${FORM};;;`,
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'text/html',
  'multipart/form-data; boundary=x',
  'multipart/form-data',
  'application/xml',
  'application/octet-stream',
  'application/ocsp-request',
  '*/*',
  '',
  'x',
  `${FORM}\u0000`.replace('\u0000', ''),
];

function randomText(r: Random, max: number): string {
  const length = r.length(max);
  const kind = r.int(4);
  if (kind === 0) return 'x'.repeat(length);
  if (kind === 1) return r.pick(STRANGE_TEXT).repeat(Math.max(1, Math.min(length, 64)));
  let out = '';
  for (let i = 0; i < Math.min(length, 4096); i++) {
    const c = r.int(1000);
    // Mostly printable, sometimes CJK or a control character, rarely a half of a surrogate pair or a NUL: those two
    // are refused before any route runs, so a text carrying one often would test only that refusal.
    out +=
      c < 700
        ? String.fromCharCode(32 + r.int(95))
        : c < 900
          ? String.fromCharCode(0x4e00 + r.int(0x5000))
          : c < 998
            ? String.fromCharCode(1 + r.int(31))
            : String.fromCharCode(r.chance(0.5) ? 0 : 0xd800 + r.int(0x800));
  }
  return out;
}

/** A value for a field: the good one, a mutation of it, or something else. */
function fieldValue(r: Random, name: string, ctx: FuzzContext): string {
  const good = ctx.goodValues[name] ?? '';
  const roll = r.int(10);
  if (roll < 4) return good;
  if (roll < 6) return mutateText(r, good);
  if (roll < 9) return randomText(r, 2048);
  return r.pick(STRANGE_TEXT);
}

function mutateText(r: Random, text: string): string {
  const chars = [...text];
  const op = r.int(6);
  if (op === 0 && chars.length) chars.splice(r.int(chars.length), 1);
  else if (op === 1) chars.splice(r.int(chars.length + 1), 0, r.pick(STRANGE_TEXT));
  else if (op === 2) return text.repeat(2 + r.int(50));
  else if (op === 3) return text.toLowerCase();
  else if (op === 4) return ` ${text} `;
  else return chars.reverse().join('');
  return chars.join('');
}

/**
 * Percent-encodes like a browser, except that a lone surrogate (which encodeURIComponent refuses) becomes the
 * escapes of its three would-be UTF-8 bytes, as a broken client would send them.
 */
function encode(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code >= 0xd800 && code <= 0xdfff) {
      out +=
        `%${(0xe0 | (code >> 12)).toString(16)}%${(0x80 | ((code >> 6) & 63)).toString(16)}%${(0x80 | (code & 63)).toString(16)}`.toUpperCase();
    } else {
      out += encodeURIComponent(ch);
    }
  }
  return out;
}

function csrfField(r: Random, ctx: FuzzContext): Array<[string, string]> {
  if (!ctx.csrf) return [];
  const roll = r.int(20);
  if (roll < 16) return [['_csrf', ctx.csrf]];
  if (roll === 16) return [];
  if (roll === 17) return [['_csrf', mutateText(r, ctx.csrf)]];
  if (roll === 18)
    return [
      ['_csrf', ctx.csrf],
      ['_csrf', ctx.csrf],
    ];
  return [['_csrf', randomText(r, 100)]];
}

function formPairs(r: Random, ctx: FuzzContext): Array<[string, string]> {
  const pairs: Array<[string, string]> = [...csrfField(r, ctx)];
  // A quarter of the forms are right but for one field, so the code past validation is fuzzed too.
  const nearlyRight = r.chance(0.25);
  const wrong = r.int(ctx.fields.length + 1);
  for (const [i, name] of ctx.fields.entries()) {
    if (nearlyRight) {
      pairs.push([name, i === wrong ? fieldValue(r, name, ctx) : (ctx.goodValues[name] ?? '')]);
      continue;
    }
    if (r.chance(0.15)) continue;
    pairs.push([name, fieldValue(r, name, ctx)]);
    if (r.chance(0.05)) pairs.push([name, fieldValue(r, name, ctx)]); // a repeated key: an array in the parsed body
  }
  const extra = nearlyRight ? 0 : r.int(4);
  for (let i = 0; i < extra; i++)
    pairs.push([r.chance(0.5) ? r.pick(RANDOM_NAMES) : randomText(r, 64), randomText(r, 256)]);
  // Shuffle: order must not matter.
  for (let i = pairs.length - 1; i > 0; i--) {
    const j = r.int(i + 1);
    [pairs[i], pairs[j]] = [pairs[j], pairs[i]];
  }
  return pairs;
}

function formText(pairs: Array<[string, string]>): string {
  return pairs.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&');
}

/** Breaks a well-formed form body the ways a hand-made or hostile one is broken. */
function breakFormText(r: Random, text: string): Buffer {
  const op = r.int(7);
  if (op === 0) return Buffer.from(text + '&' + r.pick(BAD_ESCAPES) + '=' + r.pick(BAD_ESCAPES));
  if (op === 1) {
    const at = r.int(text.length + 1);
    return Buffer.from(text.slice(0, at) + r.pick(BAD_ESCAPES) + text.slice(at));
  }
  if (op === 2)
    return Buffer.concat([
      Buffer.from(text),
      Buffer.from([0x26, 0x61, 0x3d, 0xff, 0xfe, 0xc0, 0x80, 0xed, 0xa0, 0x80]),
    ]); // raw bytes, not escapes
  if (op === 3) return Buffer.from(text.slice(0, r.int(text.length + 1)));
  if (op === 4) return Buffer.from(text.replace(/&/g, () => r.pick(['&', '&&', ';', '&=&', '=='])));
  if (op === 5) return Buffer.from(`${text}&${'k='.repeat(1 + r.int(2000))}`); // many keys
  return Buffer.from(text.replace(/=/g, () => r.pick(['=', '==', '', '=%'])));
}

function jsonBody(r: Random, ctx: FuzzContext): Buffer {
  const pairs = formPairs(r, ctx);
  const odd: unknown[] = [
    null,
    1,
    -0,
    1e308,
    true,
    [],
    {},
    { toString: 1 },
    ['a', 'b'],
    JSON.parse('{"__proto__":{"polluted":1}}'),
    'x',
  ];
  const object: Record<string, unknown> = {};
  for (const [k, v] of pairs) object[k] = r.chance(0.3) ? r.pick(odd) : v;
  const text = JSON.stringify(object);
  const op = r.int(5);
  if (op === 0) return Buffer.from(text.slice(0, r.int(text.length)));
  if (op === 1) return Buffer.from('['.repeat(5000) + ']'.repeat(5000));
  if (op === 2) return Buffer.from(`{"__proto__":{"x":1},"constructor":{"prototype":{"y":1}},${text.slice(1)}`);
  return Buffer.from(text);
}

function multipartBody(r: Random, ctx: FuzzContext): { contentType: string; payload: Buffer } {
  const boundary = r.chance(0.8) ? `----fuzz${r.int(1e9)}` : r.pick(['', '"', 'a'.repeat(100), '--', '\r\n']);
  const parts = formPairs(r, ctx).map(
    ([k, v]) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${k}"${r.chance(0.1) ? '; filename="a.bin"' : ''}\r\n\r\n${v}\r\n`,
  );
  let text = parts.join('') + (r.chance(0.8) ? `--${boundary}--\r\n` : '');
  if (r.chance(0.2)) text = text.slice(0, r.int(text.length + 1));
  // A boundary with a line break cannot be in a header at all (Node's client refuses it): the body keeps it anyway.
  const inHeader = boundary.replace(/[\r\n]/g, '');
  return {
    contentType: r.chance(0.9) ? `multipart/form-data; boundary=${inHeader}` : 'multipart/form-data',
    payload: Buffer.from(text),
  };
}

function hugeBody(r: Random, ctx: FuzzContext): Buffer {
  // Near the limit, just over it, or well under: the limit is where the parsers change behaviour.
  const target = r.pick([ctx.bodyLimit - 1, ctx.bodyLimit, ctx.bodyLimit + 1, r.int(ctx.bodyLimit), ctx.bodyLimit * 2]);
  const prefix = formText([...csrfField(r, ctx), [r.pick(ctx.fields.length ? ctx.fields : ['x']), '']]);
  const filler = r.pick(['a', '%41', '%FF', '&', '=', '+', '%E6%B8%AC']);
  const count = Math.max(0, Math.ceil((target - prefix.length) / filler.length));
  return Buffer.from(prefix + filler.repeat(count)).subarray(0, Math.max(prefix.length, target));
}

// ---- signing fields: real signatures over this challenge, then broken ----

function flipBits(r: Random, der: Buffer, flips: number): Buffer {
  const out = Buffer.from(der);
  for (let i = 0; i < flips; i++) out[r.int(out.length)] ^= 1 << r.int(8);
  return out;
}

/** DER shapes that trouble parsers: deep nesting, lengths past the end, long-form and indefinite lengths. */
function hostileDer(r: Random): Buffer {
  const op = r.int(7);
  if (op === 0) return Buffer.concat(Array.from({ length: 1 + r.int(20000) }, () => Buffer.from([0x30, 0x80]))); // nested indefinite SEQUENCEs
  if (op === 1) return Buffer.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x02, 0x01, 0x00]); // a length of 4 GiB
  if (op === 2) return Buffer.from([0x30, 0x89, 0x01, 0, 0, 0, 0, 0, 0, 0, 0x05]); // a length longer than any number
  if (op === 3) {
    // Each level claims all the bytes after it: a valid-looking tower of SEQUENCEs.
    let inner = Buffer.from([0x05, 0x00]);
    const depth = 1 + r.int(3000);
    for (let i = 0; i < depth; i++) {
      const len = inner.length;
      const header =
        len < 128
          ? Buffer.from([0x30, len])
          : len < 256
            ? Buffer.from([0x30, 0x81, len])
            : len < 65536
              ? Buffer.from([0x30, 0x82, len >> 8, len & 255])
              : Buffer.from([0x30, 0x83, len >> 16, (len >> 8) & 255, len & 255]);
      inner = Buffer.concat([header, inner]);
    }
    return inner;
  }
  if (op === 4) return Buffer.from([0x06, 0x80 + r.int(10), ...r.bytes(r.int(20))]); // an OID with a bad length
  if (op === 5) return Buffer.from([0x1f, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x01, 0x00]); // a tag number too large
  return r.bytes(r.length(4096));
}

function mutateDer(r: Random, der: Buffer, ctx: SigningContext): Buffer {
  const op = r.int(9);
  if (op === 0) return der;
  if (op === 1) return flipBits(r, der, 1);
  if (op === 2) return flipBits(r, der, 1 + r.int(32));
  if (op === 3) return der.subarray(0, r.int(der.length));
  if (op === 4) return Buffer.concat([der, r.bytes(1 + r.int(64))]);
  if (op === 5) {
    // a length byte changed: the structure's claimed size no longer matches its content
    const out = Buffer.from(der);
    const at = 1 + r.int(Math.min(out.length - 1, 64));
    out[at] = r.int(256);
    return out;
  }
  if (op === 6) return hostileDer(r);
  if (op === 7) return r.pick(ctx.otherCerts);
  // A block of the DER copied elsewhere in it: a structure that parses further than random bytes do.
  const from = r.int(der.length);
  const to = r.int(der.length);
  const len = r.int(Math.min(256, der.length - from));
  return Buffer.concat([der.subarray(0, to), der.subarray(from, from + len), der.subarray(to)]);
}

function mutateBase64(r: Random, text: string): string {
  const op = r.int(8);
  if (op < 3) return text;
  if (op === 3) return text.slice(0, r.int(text.length));
  if (op === 4) {
    const at = r.int(text.length + 1);
    return text.slice(0, at) + r.pick(['!', '-', '_', ' ', '\n', '=', '==', '\r\n', '%', '\0', '測']) + text.slice(at);
  }
  if (op === 5) return text.replace(/=+$/, '');
  if (op === 6) return text.match(/.{1,64}/g)?.join('\r\n') ?? text; // PEM-style line breaks
  return 'A'.repeat(r.pick([0, 1, 2, 3, 4, 65535, 65536, 65537, 200000]));
}

function signingFields(r: Random, s: SigningContext): Record<string, string> {
  const card = r.pick(s.cards);
  const pkcs7 = r.chance(0.3);
  // A CMS over this very challenge now and then (a few ms each), otherwise one made earlier over other text.
  const signatureDer = !pkcs7
    ? card.signPkcs1(r.chance(0.9) ? s.tbs : `${s.tbs}x`)
    : r.chance(0.1)
      ? createCmsSignature({
          content: s.tbs,
          certificatePem: card.certificatePem,
          privateKeyPem: card.privateKeyPem,
          detached: r.chance(0.5),
        })
      : r.pick(s.cmsSamples);
  const certRoll = r.int(10);
  const certificate =
    certRoll < 6
      ? card.signingCertDer
      : certRoll < 7
        ? card.encryptionCertDer
        : certRoll < 8
          ? r.pick(s.cards).signingCertDer
          : signatureDer;
  const fields: Record<string, string> = {
    nonce: r.chance(0.85)
      ? s.nonce
      : r.pick([mutateText(r, s.nonce), s.nonce.slice(1), `${s.nonce}A`, '', randomText(r, 100)]),
    signature: mutateBase64(r, mutateDer(r, r.chance(0.05) ? certificate : signatureDer, s).toString('base64')),
    certificate: mutateBase64(r, mutateDer(r, certificate, s).toString('base64')),
    signatureType: r.chance(0.8)
      ? pkcs7
        ? 'PKCS7'
        : 'PKCS1'
      : r.pick(['PKCS1', 'PKCS7', '', 'pkcs7', 'CMS', randomText(r, 20)]),
  };
  if (r.chance(0.1)) fields.cardSerial = randomText(r, 64);
  return fields;
}

export const KINDS = ['form', 'broken-form', 'json', 'multipart', 'random-bytes', 'huge', 'signing'] as const;

/** One body. `kind` is forced to 'signing' by the caller when it fetched a fresh challenge for it. */
export function fuzzBody(r: Random, ctx: FuzzContext, kind: (typeof KINDS)[number]): FuzzBody {
  switch (kind) {
    case 'form':
      return {
        kind,
        contentType: r.chance(0.95) ? FORM : r.pick(CONTENT_TYPES),
        payload: Buffer.from(formText(formPairs(r, ctx))),
      };
    case 'broken-form':
      return { kind, contentType: FORM, payload: breakFormText(r, formText(formPairs(r, ctx))) };
    case 'json':
      return {
        kind,
        contentType: r.pick(['application/json', 'application/json; charset=utf-8', FORM]),
        payload: jsonBody(r, ctx),
      };
    case 'multipart':
      return { kind, ...multipartBody(r, ctx) };
    case 'random-bytes':
      return { kind, contentType: r.chance(0.2) ? undefined : r.pick(CONTENT_TYPES), payload: r.bytes(r.length(8192)) };
    case 'huge':
      return { kind, contentType: FORM, payload: hugeBody(r, ctx) };
    case 'signing': {
      const pairs = formPairs(r, ctx).filter(
        ([k]) => !['nonce', 'signature', 'certificate', 'signatureType'].includes(k),
      );
      const signing = signingFields(r, ctx.signing!);
      const all = [...pairs, ...Object.entries(signing)];
      const text = formText(all);
      return { kind, contentType: FORM, payload: r.chance(0.9) ? Buffer.from(text) : breakFormText(r, text) };
    }
  }
}

/** Which kind of body to send next: mostly forms (they reach the handlers), every other kind often enough. */
export function pickKind(r: Random, signing: boolean): (typeof KINDS)[number] {
  const roll = r.int(100);
  if (signing && roll < 35) return 'signing';
  if (roll < 60) return 'form';
  if (roll < 72) return 'broken-form';
  if (roll < 80) return 'json';
  if (roll < 87) return 'multipart';
  if (roll < 95) return 'random-bytes';
  return 'huge';
}
