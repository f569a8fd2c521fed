// Email1 (required) and Email2 (optional): a sane check, not RFC 5322 in full. Quoted local parts, IP-literal domains
// and comments are refused: no one types them into a registration form, and mail systems here do not take them.
import { domainToASCII } from 'node:url';
import { fail, ok, type FieldResult } from './result';

export const EMAIL_ERRORS = ['required', 'too_long', 'format'] as const;
export type EmailError = (typeof EMAIL_ERRORS)[number];

// RFC 5321 §4.5.3.1: 64 octets for the local part, 254 for a usable address (a 256-octet path minus the brackets).
const MAX_LENGTH = 254;
const MAX_LOCAL = 64;
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

export function validateEmail(input: string): FieldResult<string, EmailError> {
  const text = input.normalize('NFC').trim();
  if (text === '') return fail('required');
  if (text.length > MAX_LENGTH) return fail('too_long');
  const at = text.lastIndexOf('@');
  if (at < 1 || /\s/.test(text)) return fail('format');
  const local = text.slice(0, at);
  const domain = text.slice(at + 1).toLowerCase();
  if (local.length > MAX_LOCAL || !LOCAL_PART.test(local)) return fail('format');
  // Internationalised domains (例如 .台灣) are checked in their ASCII (punycode) form and kept as typed.
  const ascii = domainToASCII(domain);
  if (ascii === '' || ascii.length > 253) return fail('format');
  const labels = ascii.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) return fail('format');
  const tld = labels[labels.length - 1]!;
  if (!/^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/.test(tld)) return fail('format');
  return ok(`${local}@${domain}`);
}

/** Email2 may be left empty (null); if given it must be valid. */
export function validateOptionalEmail(input: string): FieldResult<string | null, Exclude<EmailError, 'required'>> {
  if (input.trim() === '') return ok(null);
  const r = validateEmail(input);
  return r.ok ? r : fail(r.error === 'required' ? 'format' : r.error);
}
