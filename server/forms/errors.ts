// From reason codes to what the page shows: the error summary list (GOV.UK: [{ href: '#fieldId', text }]) and the
// message at each field. The same text in both places, looked up as validation.<field>.<code>.
export type Translate = (key: string, params?: Record<string, string | number>) => string;
export type FieldErrorCode = { field: string; code: string };
export type ErrorListItem = { href: string; text: string };

export function errorMessageKey(field: string, code: string): string {
  return `validation.${field}.${code}`;
}

export function toErrorList(errors: readonly FieldErrorCode[], t: Translate): ErrorListItem[] {
  return errors.map((e) => ({ href: `#${e.field}`, text: t(errorMessageKey(e.field, e.code)) }));
}

/** The message for one field, or undefined: for the error shown at the field. */
export function errorForField(errors: readonly FieldErrorCode[], field: string, t: Translate): string | undefined {
  const e = errors.find((x) => x.field === field);
  return e ? t(errorMessageKey(e.field, e.code)) : undefined;
}
