// 中華民國國民身分證統一編號: a letter (place of first registration) + 1 (male) or 2 (female) + 7 digits + a check digit.
import { compactCode, fail, ok, type FieldResult } from './result';

export const NATIONAL_ID_ERRORS = ['required', 'format', 'checksum'] as const;
export type NationalIdError = (typeof NATIONAL_ID_ERRORS)[number];

/**
 * The letter table of the ID number. It is not alphabetical past H: I, O, W and Z were added after the first table
 * (嘉義市 I34, 新竹市 O35, 金門縣 W32, 連江縣 Z33), so the values are listed, not computed.
 */
export const LETTER_VALUES: Readonly<Record<string, number>> = Object.freeze({
  A: 10,
  B: 11,
  C: 12,
  D: 13,
  E: 14,
  F: 15,
  G: 16,
  H: 17,
  I: 34,
  J: 18,
  K: 19,
  L: 20,
  M: 21,
  N: 22,
  O: 35,
  P: 23,
  Q: 24,
  R: 25,
  S: 26,
  T: 27,
  U: 28,
  V: 29,
  W: 32,
  X: 30,
  Y: 31,
  Z: 33,
});

const WEIGHTS = [1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1] as const;

/**
 * The checksum shared by the national ID and both resident certificate formats: the letter becomes two digits,
 * the eleven digits are weighted 1,9,8,7,6,5,4,3,2,1,1 and the sum must be a multiple of 10.
 * `secondDigit` is the already-converted value of the second character (a digit, or for the old resident format
 * the last digit of its letter value).
 */
export function idChecksumValid(letter: string, secondDigit: number, rest: string): boolean {
  const value = LETTER_VALUES[letter];
  if (value === undefined || !/^\d{8}$/.test(rest)) return false;
  const digits = [Math.floor(value / 10), value % 10, secondDigit, ...Array.from(rest, Number)];
  const sum = digits.reduce((acc, d, i) => acc + d * WEIGHTS[i]!, 0);
  return sum % 10 === 0;
}

/** Upper-case, half-width, without spaces: the form in which every ID number is stored and compared. */
export function normaliseIdNumber(input: string): string {
  return compactCode(input).toUpperCase();
}

export function validateNationalId(input: string): FieldResult<string, NationalIdError> {
  const id = normaliseIdNumber(input);
  if (id === '') return fail('required');
  if (!/^[A-Z][12]\d{8}$/.test(id)) return fail('format');
  if (!idChecksumValid(id[0]!, Number(id[1]), id.slice(2))) return fail('checksum');
  return ok(id);
}
