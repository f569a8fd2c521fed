// 聯絡地址: free text, required, at most 200 characters. Kept as typed (full-width house numbers are usual in
// Taiwanese addresses), only spaces collapsed and ends trimmed.
import { CONTROL_CHARACTERS, codePointLength, fail, ok, type FieldResult } from './result';

export const ADDRESS_ERRORS = ['required', 'too_long', 'invalid_character'] as const;
export type AddressError = (typeof ADDRESS_ERRORS)[number];
export const ADDRESS_MAX = 200;

export function validateAddress(input: string): FieldResult<string, AddressError> {
  const address = input.replace(/\s+/gu, ' ').trim();
  if (address === '') return fail('required');
  if (CONTROL_CHARACTERS.test(address)) return fail('invalid_character');
  if (codePointLength(address) > ADDRESS_MAX) return fail('too_long');
  return ok(address);
}
