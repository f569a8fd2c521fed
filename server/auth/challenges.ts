// Signing challenges (DESIGN.md §3): 32 random bytes, a purpose, the portal's origin, the browser session, five minutes, single use.
import { randomBytes } from 'node:crypto';
import type { Db } from '../db/pool';
import { challengesRepository, type Challenge, type ChallengePurpose } from '../db/challenges-repository';
import { formatChallengeText } from '../../signer/challenge-text';

export const CHALLENGE_LIFETIME_MS = 5 * 60_000;

export interface IssuedChallenge {
  nonce: string;
  tbs: string;
  expiresAt: Date;
}

/** The text to be signed, rebuilt from the portal's own record, never from the request (DESIGN.md §3.2). */
export function challengeText(challenge: Pick<Challenge, 'origin' | 'purpose' | 'nonce' | 'createdAt'>): string {
  return formatChallengeText({
    origin: challenge.origin,
    purpose: challenge.purpose,
    nonce: challenge.nonce,
    issued: challenge.createdAt,
  });
}

export async function issueChallenge(
  db: Db,
  params: { purpose: ChallengePurpose; origin: string; sessionId: string; now: Date },
): Promise<IssuedChallenge> {
  const nonce = randomBytes(32).toString('base64url');
  const createdAt = new Date(params.now.getTime());
  const expiresAt = new Date(createdAt.getTime() + CHALLENGE_LIFETIME_MS);
  const challenge = await challengesRepository(db).insert({
    nonce,
    purpose: params.purpose,
    origin: params.origin,
    sessionId: params.sessionId,
    createdAt,
    expiresAt,
  });
  return { nonce, tbs: challengeText(challenge), expiresAt };
}

export type ChallengeRefusal =
  | 'challenge_not_found'
  | 'challenge_foreign_session'
  | 'challenge_expired'
  | 'challenge_used'
  | 'challenge_wrong_purpose';

/**
 * Consumes the challenge atomically. sessionId null is the no-JS callback, which arrives without the session cookie;
 * its completion GET checks the session instead (DESIGN.md §3.5).
 */
export async function consumeChallenge(
  db: Db,
  params: { nonce: string; sessionId: string | null; purpose?: ChallengePurpose; now: Date },
): Promise<{ ok: true; challenge: Challenge } | { ok: false; reason: ChallengeRefusal }> {
  const repo = challengesRepository(db);
  const known = await repo.find(params.nonce);
  if (!known) return { ok: false, reason: 'challenge_not_found' };
  if (params.purpose && known.purpose !== params.purpose) return { ok: false, reason: 'challenge_wrong_purpose' };
  const consumed = await repo.consume(params.nonce, params.sessionId, params.now);
  if (consumed) return { ok: true, challenge: consumed };
  // Say why, from a fresh read: the UPDATE refused for one of these.
  const after = (await repo.find(params.nonce))!;
  if (params.sessionId !== null && after.sessionId !== params.sessionId)
    return { ok: false, reason: 'challenge_foreign_session' };
  if (after.consumedAt) return { ok: false, reason: 'challenge_used' };
  return { ok: false, reason: 'challenge_expired' };
}
