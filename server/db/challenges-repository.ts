import type { Db } from './pool';

export type ChallengePurpose = 'register' | 'login' | 'rebind' | 'password-reset' | 'unlock';

export interface Challenge {
  nonce: string;
  purpose: ChallengePurpose;
  origin: string;
  sessionId: string;
  createdAt: Date;
  expiresAt: Date;
  consumedAt: Date | null;
  result: unknown;
  completionCode: string | null;
  completedAt: Date | null;
}

interface ChallengeRow {
  nonce: string;
  purpose: ChallengePurpose;
  origin: string;
  session_id: string;
  created_at: Date;
  expires_at: Date;
  consumed_at: Date | null;
  result: unknown;
  completion_code: string | null;
  completed_at: Date | null;
}

const COLUMNS =
  'nonce, purpose, origin, session_id, created_at, expires_at, consumed_at, result, completion_code, completed_at';

function toChallenge(row: ChallengeRow): Challenge {
  return {
    nonce: row.nonce,
    purpose: row.purpose,
    origin: row.origin,
    sessionId: row.session_id,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    consumedAt: row.consumed_at,
    result: row.result,
    completionCode: row.completion_code,
    completedAt: row.completed_at,
  };
}

export function challengesRepository(db: Db) {
  return {
    async insert(challenge: {
      nonce: string;
      purpose: ChallengePurpose;
      origin: string;
      sessionId: string;
      createdAt: Date;
      expiresAt: Date;
    }): Promise<Challenge> {
      const { rows } = await db.query<ChallengeRow>(
        `INSERT INTO challenges (nonce, purpose, origin, session_id, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
        [
          challenge.nonce,
          challenge.purpose,
          challenge.origin,
          challenge.sessionId,
          challenge.createdAt,
          challenge.expiresAt,
        ],
      );
      return toChallenge(rows[0]);
    },
    async find(nonce: string): Promise<Challenge | undefined> {
      const { rows } = await db.query<ChallengeRow>(`SELECT ${COLUMNS} FROM challenges WHERE nonce = $1`, [nonce]);
      return rows[0] && toChallenge(rows[0]);
    },
    /**
     * Consumes an unexpired, unused challenge in one statement, so two requests racing with the same nonce get it once.
     * sessionId null means "any session" (the no-JS callback arrives without the session cookie; its GET checks later).
     */
    async consume(nonce: string, sessionId: string | null, now: Date): Promise<Challenge | undefined> {
      const { rows } = await db.query<ChallengeRow>(
        `UPDATE challenges SET consumed_at = $3
         WHERE nonce = $1 AND ($2::text IS NULL OR session_id = $2) AND consumed_at IS NULL AND expires_at > $3
         RETURNING ${COLUMNS}`,
        [nonce, sessionId, now],
      );
      return rows[0] && toChallenge(rows[0]);
    },
    async recordResult(nonce: string, result: unknown, completionCode: string): Promise<void> {
      await db.query('UPDATE challenges SET result = $2, completion_code = $3 WHERE nonce = $1', [
        nonce,
        JSON.stringify(result),
        completionCode,
      ]);
    },
    /**
     * Takes the recorded result once, for the browser session the challenge was issued to, while the challenge lives:
     * the whole round trip (signing, callback, completion) fits in one challenge lifetime counted from its issue.
     */
    async complete(completionCode: string, sessionId: string, now: Date): Promise<Challenge | undefined> {
      const { rows } = await db.query<ChallengeRow>(
        `UPDATE challenges SET completed_at = $3
         WHERE completion_code = $1 AND session_id = $2 AND completed_at IS NULL AND expires_at > $3
         RETURNING ${COLUMNS}`,
        [completionCode, sessionId, now],
      );
      return rows[0] && toChallenge(rows[0]);
    },
    async findByCompletionCode(completionCode: string): Promise<Challenge | undefined> {
      const { rows } = await db.query<ChallengeRow>(`SELECT ${COLUMNS} FROM challenges WHERE completion_code = $1`, [
        completionCode,
      ]);
      return rows[0] && toChallenge(rows[0]);
    },
    /** Challenges that expired before the given time: nothing can use them any more. */
    async deleteExpired(before: Date): Promise<number> {
      const { rowCount } = await db.query('DELETE FROM challenges WHERE expires_at < $1', [before]);
      return rowCount ?? 0;
    },
  };
}
