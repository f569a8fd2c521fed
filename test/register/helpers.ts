// Registration-only helpers: the app with a card verifier, and the applicant's details. Browsers come from
// ../helpers/app, demo cards from ../helpers/demo-cards.
import type { CardVerifier } from '../../server/auth/certificate-identity';
import type { AppOptions } from '../../server/app';
import { buildTestApp, type TestApp } from '../helpers/app';
import { idChecksumValid, LETTER_VALUES } from '../../server/forms/national-id';

/** The real app on its own schema, with the card verifier given (and the clock, for a test that moves time). */
export function buildRegisterApp(
  cardVerifier: CardVerifier,
  env: Record<string, string> = {},
  now?: AppOptions['now'],
): Promise<TestApp> {
  return buildTestApp(env, { cardVerifier, now });
}

/** A national ID with a valid checksum that ends in `last4` (another person whose ID shares a card's last four digits). */
export function nationalIdEndingIn(last4: string, letter = 'K', sex: '1' | '2' = '1'): string {
  for (let n = 0; n < 10000; n++) {
    const middle = String(n).padStart(4, '0');
    const candidate = `${letter}${sex}${middle}${last4}`;
    // The check digit is the last one, so only some prefixes fit a given ending: try them until one does.
    if (LETTER_VALUES[letter] !== undefined && idChecksumValid(letter, Number(sex), candidate.slice(2)))
      return candidate;
  }
  throw new Error(`no valid ID ends in ${last4}`);
}

/** The details of the seed's form, filled in for a demo card's holder. */
export function detailsFor(
  card: { holderName: string; idNumber: string },
  overrides: Record<string, string> = {},
): Record<string, string> {
  return {
    category: 'individual',
    name: card.holderName,
    idNumber: card.idNumber,
    birthDate: '69/05/17',
    phone: '0912-345-678',
    address: '臺北市中正區忠孝西路一段 1 號',
    password: 'Harbour2Light',
    passwordConfirm: 'Harbour2Light',
    email1: 'applicant@example.com.tw',
    email2: '',
    consent: 'yes',
    ...overrides,
  };
}
