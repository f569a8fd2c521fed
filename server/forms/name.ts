// 聯絡人姓名. Registration of a 個人 compares it with the certificate's CN, so both go through normaliseName.
import { CONTROL_CHARACTERS, codePointLength, fail, ok, type FieldResult } from './result';

export const NAME_ERRORS = ['required', 'too_long', 'invalid_character'] as const;
export type NameError = (typeof NAME_ERRORS)[number];
export const NAME_MAX = 50;

const CJK = '\\p{Script=Han}\\p{Script=Bopomofo}\\u3000-\\u303f\\uff00-\\uffef';
const SPACE_BETWEEN_CJK = new RegExp(`(?<=[${CJK}]) (?=[${CJK}])`, 'gu');

/**
 * Full-width letters, digits and spaces become half-width (NFKC), runs of spaces become one, ends are trimmed, and a
 * space between two Chinese characters is dropped ("王 小明" is "王小明"; "CHEN TA-WEI" keeps its space).
 * Private-use characters (戶政造字 for rare characters in names) pass through unchanged.
 */
export function normaliseName(input: string): string {
  return input.normalize('NFKC').replace(/\s+/gu, ' ').trim().replace(SPACE_BETWEEN_CJK, '');
}

/** The comparison used for the certificate CN: normalised, and Latin letters compared without regard to case. */
export function sameName(a: string, b: string): boolean {
  return normaliseName(a).toUpperCase() === normaliseName(b).toUpperCase();
}

export function validateName(input: string): FieldResult<string, NameError> {
  if (CONTROL_CHARACTERS.test(input.replace(/[\t\r\n]/g, ' '))) return fail('invalid_character');
  const name = normaliseName(input);
  if (name === '') return fail('required');
  if (codePointLength(name) > NAME_MAX) return fail('too_long');
  return ok(name);
}
