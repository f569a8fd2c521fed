// The shape every field validator returns: a value to keep, or one reason code (GOV.UK: one message per field).
// Reason codes are string literals; messages live in locales/<lang>/validation.json as validation.<field>.<code>.
export type FieldResult<T, C extends string> = { ok: true; value: T } | { ok: false; error: C };

export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

export function fail<C extends string>(error: C): { ok: false; error: C } {
  return { ok: false, error };
}

/** Full-width letters, digits and spaces (common with Chinese input methods) become ASCII; NFKC does exactly that. */
export function toHalfWidth(input: string): string {
  return input.normalize('NFKC');
}

/** A code or number typed with spaces anywhere (including the full-width space U+3000): half-width, no spaces. */
export function compactCode(input: string): string {
  return toHalfWidth(input).replace(/\s+/gu, '');
}

/** C0/C1 controls, format characters (bidi overrides, zero-width) and lone surrogates never belong in a text field. */
export const CONTROL_CHARACTERS = /[\p{Cc}\p{Cf}\p{Cs}]/u;

/** Length in user-visible code points, not UTF-16 units (a rare-character name must not count double). */
export function codePointLength(input: string): number {
  let n = 0;
  for (const _ of input) n++;
  return n;
}
