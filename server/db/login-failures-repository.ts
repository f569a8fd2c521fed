// Password failures per (ID number, source address), and the account-wide tally in the row whose source is '*'.
import type { Db } from './pool';

/** The source of the account-wide row: every address together. */
export const ALL_SOURCES = '*';

export interface LoginFailures {
  idNumber: string;
  source: string;
  failures: number;
  firstFailedAt: Date;
  lastFailedAt: Date;
  lockedUntil: Date | null;
}

interface LoginFailuresRow {
  id_number: string;
  source: string;
  failures: number;
  first_failed_at: Date;
  last_failed_at: Date;
  locked_until: Date | null;
}

const COLUMNS = 'id_number, source, failures, first_failed_at, last_failed_at, locked_until';

function toLoginFailures(row: LoginFailuresRow): LoginFailures {
  return {
    idNumber: row.id_number,
    source: row.source,
    failures: row.failures,
    firstFailedAt: row.first_failed_at,
    lastFailedAt: row.last_failed_at,
    lockedUntil: row.locked_until,
  };
}

export function loginFailuresRepository(db: Db) {
  return {
    /** The row of one source, created empty if there is none, locked for the rest of the transaction. */
    async findForUpdate(idNumber: string, source: string, now: Date): Promise<LoginFailures> {
      await db.query(
        `INSERT INTO login_failures (id_number, source, failures, first_failed_at, last_failed_at)
         VALUES ($1, $2, 0, $3, $3) ON CONFLICT (id_number, source) DO NOTHING`,
        [idNumber, source, now],
      );
      const { rows } = await db.query<LoginFailuresRow>(
        `SELECT ${COLUMNS} FROM login_failures WHERE id_number = $1 AND source = $2 FOR UPDATE`,
        [idNumber, source],
      );
      return toLoginFailures(rows[0]);
    },
    async find(idNumber: string, source: string): Promise<LoginFailures | undefined> {
      const { rows } = await db.query<LoginFailuresRow>(
        `SELECT ${COLUMNS} FROM login_failures WHERE id_number = $1 AND source = $2`,
        [idNumber, source],
      );
      return rows[0] && toLoginFailures(rows[0]);
    },
    async update(row: LoginFailures): Promise<void> {
      await db.query(
        `UPDATE login_failures SET failures = $3, first_failed_at = $4, last_failed_at = $5, locked_until = $6
         WHERE id_number = $1 AND source = $2`,
        [row.idNumber, row.source, row.failures, row.firstFailedAt, row.lastFailedAt, row.lockedUntil],
      );
    },
    /** How many different sources failed for this ID number since a time (the account-wide row not counted). */
    async countSourcesSince(idNumber: string, since: Date): Promise<number> {
      const { rows } = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM login_failures
         WHERE id_number = $1 AND source <> $2 AND failures > 0 AND last_failed_at >= $3`,
        [idNumber, ALL_SOURCES, since],
      );
      return rows[0].n;
    },
    async listFor(idNumber: string): Promise<LoginFailures[]> {
      const { rows } = await db.query<LoginFailuresRow>(
        `SELECT ${COLUMNS} FROM login_failures WHERE id_number = $1 ORDER BY source`,
        [idNumber],
      );
      return rows.map(toLoginFailures);
    },
    async clear(idNumber: string, sources: string[]): Promise<void> {
      await db.query('DELETE FROM login_failures WHERE id_number = $1 AND source = ANY($2::text[])', [
        idNumber,
        sources,
      ]);
    },
    async clearAll(idNumber: string): Promise<void> {
      await db.query('DELETE FROM login_failures WHERE id_number = $1', [idNumber]);
    },
    /**
     * Deletes up to `limit` rows whose window ended before `windowStart` and whose lock (if any) is over. Called on
     * every counted failure, so rows for ID numbers nobody tries again cannot pile up.
     */
    async purgeExpired(windowStart: Date, now: Date, limit = 100): Promise<number> {
      const { rowCount } = await db.query(
        `DELETE FROM login_failures WHERE ctid IN (
           SELECT ctid FROM login_failures
           WHERE last_failed_at < $1 AND (locked_until IS NULL OR locked_until <= $2)
           LIMIT $3 FOR UPDATE SKIP LOCKED)`,
        [windowStart, now, limit],
      );
      return rowCount ?? 0;
    },
  };
}
