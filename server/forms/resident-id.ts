// 居留證 / 統一證號 (UI number) of foreign residents and nationals without household registration.
// New format (from 2021-01-02): letter + 8 (male) or 9 (female) + 8 digits, the same checksum as the national ID.
// Old format (until 2020, still valid on older cards): region letter + A–D + 8 digits; the second letter counts as the
// last digit of its letter value (A→0, B→1, C→2, D→3) in the same checksum.
import { idChecksumValid, LETTER_VALUES, normaliseIdNumber } from './national-id';
import { fail, ok, type FieldResult } from './result';

export const RESIDENT_ID_ERRORS = ['required', 'format', 'checksum'] as const;
export type ResidentIdError = (typeof RESIDENT_ID_ERRORS)[number];
export type ResidentIdFormat = 'new' | 'old';

export const NEW_RESIDENT_ID = /^[A-Z][89]\d{8}$/;
export const OLD_RESIDENT_ID = /^[A-Z][A-D]\d{8}$/;

export function validateResidentId(
  input: string,
): FieldResult<{ format: ResidentIdFormat; value: string }, ResidentIdError> {
  const id = normaliseIdNumber(input);
  if (id === '') return fail('required');
  if (NEW_RESIDENT_ID.test(id)) {
    return idChecksumValid(id[0]!, Number(id[1]), id.slice(2)) ? ok({ format: 'new', value: id }) : fail('checksum');
  }
  if (OLD_RESIDENT_ID.test(id)) {
    const second = LETTER_VALUES[id[1]!]! % 10;
    return idChecksumValid(id[0]!, second, id.slice(2)) ? ok({ format: 'old', value: id }) : fail('checksum');
  }
  return fail('format');
}
