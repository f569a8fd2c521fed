// Starting and ending a logged-in session: a new session id at login (no fixation), history and audit for both.
import type { FastifyRequest } from 'fastify';
import type { Account } from '../db/accounts-repository';
import type { LoginMethod } from '../db/login-attempts-repository';
import { loginAttemptsRepository } from '../db/login-attempts-repository';
import { auditRepository } from '../db/audit-repository';
import { withTransaction } from '../db/transaction';

export async function recordLogin(
  request: FastifyRequest,
  attempt: {
    accountId: number | null;
    method: LoginMethod;
    success: boolean;
    outcome: string;
    auditAction?: string;
    details?: Record<string, unknown>;
  },
): Promise<void> {
  const now = request.server.now();
  await withTransaction(request.server.db, async (client) => {
    await loginAttemptsRepository(client).record(
      {
        accountId: attempt.accountId,
        method: attempt.method,
        success: attempt.success,
        outcome: attempt.outcome,
        ip: request.ip,
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
          details: { method: attempt.method, outcome: attempt.outcome, ip: request.ip, ...attempt.details },
        },
        now,
      );
    }
  });
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
