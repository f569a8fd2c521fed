// The text a card signs for the portal (DESIGN.md §3.2). One definition, shared by the portal (which builds and
// rebuilds it from its own challenge record) and the local signer (which reads the origin out of it to check
// that the page asking for a signature is the site the challenge belongs to).
import { normalizeOrigin } from './origin-policy.js';

export const CHALLENGE_HEADER = 'sw-portal signing challenge v1';

export interface ChallengeText {
  /** The portal's public origin, e.g. `http://localhost:3000` (scheme, host and port only). */
  origin: string;
  /** What the signature is for: `register`, `login`, `rebind` … (lower-case letters, digits and `-`). */
  purpose: string;
  /** 32 random bytes, base64url without padding (43 characters). */
  nonce: string;
  /** When the portal issued the challenge, ISO 8601 UTC with milliseconds (`Date.prototype.toISOString`). */
  issued: string;
}

const PURPOSE = /^[a-z][a-z0-9-]{0,31}$/;
const NONCE = /^[A-Za-z0-9_-]{43}$/;
const ISSUED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * The exact UTF-8 text to be signed: five lines joined by `\n`, no trailing newline.
 * Throws on a value that could not be parsed back (so a portal bug is caught where it is made).
 */
export function formatChallengeText(challenge: {
  origin: string;
  purpose: string;
  nonce: string;
  issued: Date | string;
}): string {
  const origin = normalizeOrigin(challenge.origin);
  if (origin === null || origin !== challenge.origin.replace(/\/$/, '')) {
    throw new TypeError(`challenge origin must be a bare http(s) origin (got "${challenge.origin}")`);
  }
  if (!PURPOSE.test(challenge.purpose)) throw new TypeError(`bad challenge purpose "${challenge.purpose}"`);
  if (!NONCE.test(challenge.nonce)) throw new TypeError('challenge nonce must be 43 base64url characters');
  const issued = typeof challenge.issued === 'string' ? challenge.issued : challenge.issued.toISOString();
  if (!ISSUED.test(issued) || Number.isNaN(Date.parse(issued))) {
    throw new TypeError(`challenge issued time must be an ISO 8601 UTC time (got "${issued}")`);
  }
  return [
    CHALLENGE_HEADER,
    `origin: ${origin}`,
    `purpose: ${challenge.purpose}`,
    `nonce: ${challenge.nonce}`,
    `issued: ${issued}`,
  ].join('\n');
}

/** True when the text claims to be a portal challenge (its first line is the header). */
export function isChallengeText(text: string): boolean {
  return (
    text === CHALLENGE_HEADER || text.startsWith(CHALLENGE_HEADER + '\n') || text.startsWith(CHALLENGE_HEADER + '\r')
  );
}

/**
 * Reads a challenge text. Returns null unless the text is exactly what `formatChallengeText` produces
 * for the values it contains (no extra lines, spaces, CRs or a trailing newline).
 */
export function parseChallengeText(text: string): ChallengeText | null {
  const lines = text.split('\n');
  if (lines.length !== 5 || lines[0] !== CHALLENGE_HEADER) return null;
  const keys = ['origin', 'purpose', 'nonce', 'issued'] as const;
  const values: Partial<ChallengeText> = {};
  for (let i = 0; i < keys.length; i++) {
    const prefix = `${keys[i]}: `;
    const line = lines[i + 1];
    if (!line.startsWith(prefix)) return null;
    values[keys[i]] = line.slice(prefix.length);
  }
  const parsed = values as ChallengeText;
  try {
    if (formatChallengeText(parsed) !== text) return null;
  } catch {
    return null;
  }
  return parsed;
}
