// Rows that nothing can use any more are deleted on a schedule, so the sessions and challenges tables stay bounded
// however many people sign in: expired sessions, and challenges past their life (kept one lifetime longer, so a late
// completion is told "timed out" rather than "not found").
import type { Db } from './db/pool';
import { sessionsRepository } from './db/sessions-repository';
import { challengesRepository } from './db/challenges-repository';
import { CHALLENGE_LIFETIME_MS } from './auth/challenges';

export const HOUSEKEEPING_INTERVAL_MS = 60_000;

export interface PurgeCounts {
  sessions: number;
  challenges: number;
}

export async function purgeExpiredRows(db: Db, now: Date): Promise<PurgeCounts> {
  const sessions = await sessionsRepository(db).deleteExpired(now);
  const challenges = await challengesRepository(db).deleteExpired(new Date(now.getTime() - CHALLENGE_LIFETIME_MS));
  return { sessions, challenges };
}
