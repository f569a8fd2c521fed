// 申請編號: the reference a registration gives its applicant, e.g. 20261203-K7QM-4X5. The Taiwan date of the
// application, six random characters and a check character. Random rather than a running number, so that a reference
// tells nobody how many people applied that day and cannot be guessed from one's own; the check character catches a
// mistyped or misheard character when an applicant reads it out to the service desk.
import { randomInt } from 'node:crypto';
import { taiwanDate } from '../taiwan-time';

/** Crockford's base 32: digits and capitals without I, L, O and U, which are read as 1, 1, 0 and V (or worse). */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const RANDOM_LENGTH = 6;

/** Luhn mod 32 over the date's digits and the random characters: any one wrong character is caught, and most swaps of two neighbours. */
function checkCharacter(body: string): string {
  let sum = 0;
  let double = true;
  for (let i = body.length - 1; i >= 0; i--) {
    let value = ALPHABET.indexOf(body[i]!);
    if (double) {
      value *= 2;
      value = Math.floor(value / ALPHABET.length) + (value % ALPHABET.length);
    }
    sum += value;
    double = !double;
  }
  return ALPHABET[(ALPHABET.length - (sum % ALPHABET.length)) % ALPHABET.length]!;
}

export function newReference(at: Date, random: (max: number) => number = randomInt): string {
  const date = taiwanDate(at).replace(/-/g, '');
  let part = '';
  for (let i = 0; i < RANDOM_LENGTH; i++) part += ALPHABET[random(ALPHABET.length)];
  const check = checkCharacter(date + part);
  return `${date}-${part.slice(0, 4)}-${part.slice(4)}${check}`;
}

const REFERENCE = /^(\d{8})-([0-9A-HJKMNP-TV-Z]{4})-([0-9A-HJKMNP-TV-Z]{2})([0-9A-HJKMNP-TV-Z])$/;

/**
 * A reference as typed (lower case, spaces, O for 0, I or L for 1, as Crockford allows) in its one written form, or
 * undefined when it is not a well-formed reference with the right check character.
 */
export function parseReference(raw: string): string | undefined {
  const cleaned = raw
    .trim()
    .toUpperCase()
    .replace(/[\s‐-―－]+/g, '-')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  const compact = cleaned.replace(/-/g, '');
  if (compact.length !== 15) return undefined;
  const formed = `${compact.slice(0, 8)}-${compact.slice(8, 12)}-${compact.slice(12)}`;
  const m = REFERENCE.exec(formed);
  if (!m) return undefined;
  return checkCharacter(m[1]! + m[2]! + m[3]!) === m[4] ? formed : undefined;
}
