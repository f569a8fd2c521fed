import type { Db } from './pool';

export interface StoredSession {
  sess: Record<string, unknown>;
  expiresAt: Date;
}

export function sessionsRepository(db: Db) {
  return {
    async find(sid: string, now: Date): Promise<StoredSession | undefined> {
      const { rows } = await db.query<{ sess: Record<string, unknown>; expires_at: Date }>(
        'SELECT sess, expires_at FROM sessions WHERE sid = $1 AND expires_at > $2',
        [sid, now],
      );
      return rows[0] && { sess: rows[0].sess, expiresAt: rows[0].expires_at };
    },
    async save(sid: string, sess: unknown, expiresAt: Date): Promise<void> {
      await db.query(
        `INSERT INTO sessions (sid, sess, expires_at) VALUES ($1, $2, $3)
         ON CONFLICT (sid) DO UPDATE SET sess = EXCLUDED.sess, expires_at = EXCLUDED.expires_at`,
        [sid, JSON.stringify(sess), expiresAt],
      );
    },
    async destroy(sid: string): Promise<void> {
      await db.query('DELETE FROM sessions WHERE sid = $1', [sid]);
    },
    /** Ends every session of an account except one (after a password change, or by an operator). */
    async destroyForAccount(accountId: number, exceptSid?: string): Promise<number> {
      const { rowCount } = await db.query(
        `DELETE FROM sessions WHERE (sess->'user'->>'accountId')::bigint = $1 AND sid IS DISTINCT FROM $2`,
        [accountId, exceptSid ?? null],
      );
      return rowCount ?? 0;
    },
    async deleteExpired(now: Date): Promise<number> {
      const { rowCount } = await db.query('DELETE FROM sessions WHERE expires_at <= $1', [now]);
      return rowCount ?? 0;
    },
  };
}
