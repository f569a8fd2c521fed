// 設定登入密碼 / 確認密碼. The seed's rule: case-sensitive, at least 8 characters, at least one digit, one upper-case and
// one lower-case letter. DESIGN.md §2 adds: at most 128 characters (argon2 input stays bounded) and not containing the
// ID number. Passwords are never trimmed or normalised here, and never returned in a form's kept values.
import { CONTROL_CHARACTERS, codePointLength, fail, ok, type FieldResult } from './result';

export const PASSWORD_ERRORS = [
  'required',
  'too_short',
  'too_long',
  'invalid_character',
  'missing_digit',
  'missing_upper',
  'missing_lower',
  'contains_id',
] as const;
export type PasswordError = (typeof PASSWORD_ERRORS)[number];
export const PASSWORD_CONFIRM_ERRORS = ['required', 'password_mismatch'] as const;
export type PasswordConfirmError = (typeof PASSWORD_CONFIRM_ERRORS)[number];

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

/**
 * Every rule the password breaks, in the order of the hint, so the applicant fixes them all in one round instead of
 * meeting them one after another. Empty when the password is acceptable; ['required'] alone when nothing was typed.
 * `idNumber` is the applicant's ID number (any case); the password must not contain it, ignoring case.
 */
export function passwordRuleFailures(password: string, idNumber?: string): PasswordError[] {
  if (password === '') return ['required'];
  const failures: PasswordError[] = [];
  const length = codePointLength(password);
  if (length < PASSWORD_MIN) failures.push('too_short');
  if (length > PASSWORD_MAX) failures.push('too_long');
  if (CONTROL_CHARACTERS.test(password)) failures.push('invalid_character');
  if (!/[0-9]/.test(password)) failures.push('missing_digit');
  if (!/[A-Z]/.test(password)) failures.push('missing_upper');
  if (!/[a-z]/.test(password)) failures.push('missing_lower');
  const id = idNumber?.trim().toUpperCase();
  if (id && password.toUpperCase().includes(id)) failures.push('contains_id');
  return failures;
}

/** The first broken rule only, for forms that show one message per field (我的帳號, the operator command). */
export function validatePassword(password: string, idNumber?: string): FieldResult<string, PasswordError> {
  const [first] = passwordRuleFailures(password, idNumber);
  return first ? fail(first) : ok(password);
}

/** Compared as typed: the rule is case-sensitive. */
export function validatePasswordConfirm(password: string, confirm: string): FieldResult<string, PasswordConfirmError> {
  if (confirm === '') return fail('required');
  if (confirm !== password) return fail('password_mismatch');
  return ok(confirm);
}
