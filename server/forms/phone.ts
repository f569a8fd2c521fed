// 聯絡電話: a Taiwan mobile (09 + 8 digits) or landline (trunk 0 + area code + subscriber number), typed nationally
// ("(02)2345-6789", "02-23456789", "0912-345-678") or internationally ("+886 2 2345 6789", "+886 (0)912 345 678"),
// with an optional extension ("#123", "分機123", "轉123", "ext. 123"). Canonical form: "0912-345-678", "(02)2345-6789#123".
import { fail, ok, toHalfWidth, type FieldResult } from './result';

export const PHONE_ERRORS = ['required', 'format', 'too_long'] as const;
export type PhoneError = (typeof PHONE_ERRORS)[number];

export type TaiwanPhone = {
  kind: 'mobile' | 'landline';
  /** With the trunk 0: "09" for mobiles, "02", "037", "0836" … for landlines. */
  areaCode: string;
  subscriber: string;
  extension?: string;
  /** E.164, for an SMS gateway or a tel: link: "+886912345678". */
  e164: string;
  /** The form stored and shown. */
  canonical: string;
};

/**
 * Area codes of the national numbering plan (NCC) with the length of their subscriber numbers. Longest codes first:
 * 037 (苗栗), 049 (南投), 082 (金門), 089 (臺東), 0826 (烏坵), 0836 (馬祖) share a first digit with a shorter code.
 * 04 has 8-digit numbers (臺中) and 7-digit numbers (彰化).
 */
const AREA_CODES: ReadonlyArray<readonly [string, readonly number[]]> = [
  ['0826', [5]],
  ['0836', [5]],
  ['037', [6]],
  ['049', [7]],
  ['082', [6]],
  ['089', [6]],
  ['02', [8]],
  ['03', [7]],
  ['04', [7, 8]],
  ['05', [7]],
  ['06', [7]],
  ['07', [7]],
  ['08', [7]],
];

const MAX_INPUT = 40;

function group(subscriber: string): string {
  if (subscriber.length >= 7) return `${subscriber.slice(0, -4)}-${subscriber.slice(-4)}`;
  if (subscriber.length === 6) return `${subscriber.slice(0, 3)}-${subscriber.slice(3)}`;
  return subscriber;
}

export function parseTaiwanPhone(input: string): TaiwanPhone | undefined {
  let text = toHalfWidth(input).trim();
  let extension: string | undefined;
  const ext = /\s*(?:#|分機|轉|ext\.?|x)\s*:?\s*(\d{1,6})$/i.exec(text);
  if (ext) {
    extension = ext[1];
    text = text.slice(0, ext.index);
  }
  // Only the usual separators may appear between digits; letters or other symbols mean it is not a phone number.
  if (!/^\+?[\d\s\-()./]+$/.test(text)) return undefined;
  let digits = text.replace(/\(0\)/g, '').replace(/[^\d+]/g, '');
  const international = /^(?:\+|00)886(\d+)$/.exec(digits);
  if (international)
    digits = `0${international[1]!.replace(/^0/, '')}`; // "+886 02…": the trunk 0 typed anyway
  else if (!/^0[1-9]\d+$/.test(digits)) return undefined; // a foreign number, or not a number at all

  const tail = extension ? `#${extension}` : '';
  if (/^09\d{8}$/.test(digits)) {
    if (extension) return undefined; // mobiles have no extensions
    const subscriber = digits.slice(2);
    const canonical = `${digits.slice(0, 4)}-${digits.slice(4, 7)}-${digits.slice(7)}${tail}`;
    return { kind: 'mobile', areaCode: '09', subscriber, extension, e164: `+886${digits.slice(1)}`, canonical };
  }
  for (const [code, lengths] of AREA_CODES) {
    if (!digits.startsWith(code)) continue;
    const subscriber = digits.slice(code.length);
    // Subscriber numbers never start with 0 or 1 (those are trunk and special-service prefixes).
    if (!lengths.includes(subscriber.length) || !/^[2-9]/.test(subscriber)) return undefined;
    const canonical = `(${code})${group(subscriber)}${tail}`;
    return { kind: 'landline', areaCode: code, subscriber, extension, e164: `+886${digits.slice(1)}`, canonical };
  }
  return undefined;
}

export function validatePhone(input: string): FieldResult<string, PhoneError> {
  const text = input.trim();
  if (text === '') return fail('required');
  if (text.length > MAX_INPUT) return fail('too_long');
  const phone = parseTaiwanPhone(text);
  return phone ? ok(phone.canonical) : fail('format');
}
