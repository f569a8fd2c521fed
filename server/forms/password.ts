// 設定登入密碼 / 確認密碼. The seed's rule: case-sensitive, at least 8 characters, at least one digit, one upper-case and
// one lower-case letter. DESIGN.md §2 adds: at most 128 characters (argon2 input stays bounded) and not containing the
// ID number. Passwords are never trimmed or normalised here, and never returned in a form's kept values.
import { CONTROL_CHARACTERS, codePointLength, fail, ok, type FieldResult } from './result';

export const PASSWORD_ERRORS = [
  'required', 'too_short', 'too_long', 'invalid_character', 'missing_digit', 'missing_upper', 'missing_lower', 'contains_id',
] as const;
export type PasswordError = (typeof PASSWORD_ERRORS)[number];
export const PASSWORD_CONFIRM_ERRORS = ['required', 'password_mismatch'] as const;
export type PasswordConfirmError = (typeof PASSWORD_CONFIRM_ERRORS)[number];

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

/** `idNumber` is the applicant's ID number (any case); the password must not contain it, ignoring case. */
export function validatePassword(password: string, idNumber?: string): FieldResult<string, PasswordError> {
  if (password === '') return fail('required');
  const length = codePointLength(password);
  if (length < PASSWORD_MIN) return fail('too_short');
  if (length > PASSWORD_MAX) return fail('too_long');
  if (CONTROL_CHARACTERS.test(password)) return fail('invalid_character');
  if (!/[0-9]/.test(password)) return fail('missing_digit');
  if (!/[A-Z]/.test(password)) return fail('missing_upper');
  if (!/[a-z]/.test(password)) return fail('missing_lower');
  const id = idNumber?.trim().toUpperCase();
  if (id && password.toUpperCase().includes(id)) return fail('contains_id');
  return ok(password);
}

/** Compared as typed: the rule is case-sensitive. */
export function validatePasswordConfirm(password: string, confirm: string): FieldResult<string, PasswordConfirmError> {
  if (confirm === '') return fail('required');
  if (confirm !== password) return fail('password_mismatch');
  return ok(confirm);
}
