// Starting and ending a logged-in session: a new session id at login (no fixation), history and audit for both.
import type { FastifyRequest } from 'fastify';
import type { Account } from '../db/accounts-repository';
import type { LoginMethod } from '../db/login-attempts-repository';
import { loginAttemptsRepository } from '../db/login-attempts-repository';
import { auditRepository } from '../db/audit-repository';
import { withTransaction } from '../db/transaction';
import type { Pool } from '../db/pool';

/** One login attempt in the history, with an audit event when the attempt is one the trail keeps. */
export interface LoginRecord {
  accountId: number | null;
  method: LoginMethod;
  success: boolean;
  outcome: string;
  auditAction?: string;
  details?: Record<string, unknown>;
}

/** Writes a login attempt for services that have no request: the source address and the time come with it. */
export async function recordLoginAttempt(pool: Pool, ip: string, attempt: LoginRecord, now: Date): Promise<void> {
  await withTransaction(pool, async (client) => {
    await loginAttemptsRepository(client).record(
      {
        accountId: attempt.accountId,
        method: attempt.method,
        success: attempt.success,
        outcome: attempt.outcome,
        ip,
      },
      now,
    );
    if (attempt.auditAction) {
      await auditRepository(client).append(
        {
          actorAccountId: attempt.accountId,
          actorLabel: attempt.accountId ? `account:${attempt.accountId}` : 'anonymous',
          action: attempt.auditAction,
          subjectAccountId: attempt.accountId,
          details: { method: attempt.method, outcome: attempt.outcome, ip, ...attempt.details },
        },
        now,
      );
    }
  });
}

export function recordLogin(request: FastifyRequest, attempt: LoginRecord): Promise<void> {
  return recordLoginAttempt(request.server.db, request.ip, attempt, request.server.now());
}

export async function startLoggedInSession(
  request: FastifyRequest,
  account: Account,
  method: LoginMethod,
  certificateId?: number,
): Promise<void> {
  // The pre-login session id is destroyed and a new one issued: a planted id is useless after login.
  await request.session.regenerate();
  const now = request.server.now().getTime();
  request.session.user = {
    accountId: account.id,
    name: account.name,
    role: account.role,
    method,
    certificateId,
    loggedInAt: now,
  };
  request.session.lastSeenAt = now;
  await recordLogin(request, {
    accountId: account.id,
    method,
    success: true,
    outcome: 'success',
    auditAction: 'login.success',
  });
}

export async function endSession(request: FastifyRequest, why: 'logout' | 'idle'): Promise<void> {
  const user = request.session.user;
  if (user) {
    await withTransaction(request.server.db, (client) =>
      auditRepository(client).append(
        {
          actorAccountId: user.accountId,
          actorLabel: `account:${user.accountId}`,
          action: why === 'logout' ? 'logout' : 'logout.idle',
          subjectAccountId: user.accountId,
          details: { method: user.method },
        },
        request.server.now(),
      ),
    );
  }
  await request.session.destroy();
}
