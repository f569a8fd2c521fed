import type { Db } from './pool';

export type LoginMethod = 'certificate' | 'password';

export interface LoginAttempt {
  id: number;
  at: Date;
  accountId: number | null;
  method: LoginMethod;
  success: boolean;
  outcome: string;
  ip: string | null;
}

interface LoginAttemptRow {
  id: number;
  at: Date;
  account_id: number | null;
  method: LoginMethod;
  success: boolean;
  outcome: string;
  ip: string | null;
}

function toLoginAttempt(row: LoginAttemptRow): LoginAttempt {
  return {
    id: row.id,
    at: row.at,
    accountId: row.account_id,
    method: row.method,
    success: row.success,
    outcome: row.outcome,
    ip: row.ip,
  };
}

export function loginAttemptsRepository(db: Db) {
  return {
    async record(attempt: Omit<LoginAttempt, 'id' | 'at'>, now = new Date()): Promise<void> {
      await db.query(
        'INSERT INTO login_attempts (at, account_id, method, success, outcome, ip) VALUES ($1, $2, $3, $4, $5, $6)',
        [now, attempt.accountId, attempt.method, attempt.success, attempt.outcome, attempt.ip],
      );
    },
    async listForAccount(accountId: number, limit = 20): Promise<LoginAttempt[]> {
      const { rows } = await db.query<LoginAttemptRow>(
        'SELECT id, at, account_id, method, success, outcome, ip FROM login_attempts WHERE account_id = $1 ORDER BY at DESC, id DESC LIMIT $2',
        [accountId, limit],
      );
      return rows.map(toLoginAttempt);
    },
  };
}
