// What an operator did that changes nothing but must be on record (seeing a full ID number, exporting the list,
// checking the audit chain): one audit event, appended in its own transaction so the chain lock is held briefly.
import type { Pool } from '../db/pool';
import { auditRepository, type AuditEventInput } from '../db/audit-repository';
import { withTransaction } from '../db/transaction';

export interface OperatorActor {
  accountId: number;
  role: 'operator' | 'admin';
  name: string;
}

/** 'operator:王小明' / 'admin:陳大文': who acted, readable in the audit trail. */
export function operatorActorLabel(operator: OperatorActor): string {
  return `${operator.role}:${operator.name}`;
}

export async function recordOperatorEvent(
  db: Pool,
  operator: OperatorActor,
  event: Omit<AuditEventInput, 'actorAccountId' | 'actorLabel'>,
  now: Date,
): Promise<void> {
  await withTransaction(db, (client) =>
    auditRepository(client).append(
      { actorAccountId: operator.accountId, actorLabel: operatorActorLabel(operator), ...event },
      now,
    ),
  );
}
