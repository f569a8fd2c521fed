// Append-only audit events, each carrying the hash of the one before (DESIGN.md §5, §6).
import { createHash } from 'node:crypto';
import type { Db } from './pool';

export const GENESIS_HASH = '0'.repeat(64);
// Appends are serialised so each event sees the true previous hash.
const AUDIT_LOCK_KEY = 720_61162;

export interface AuditEventInput {
  actorAccountId: number | null;
  /** Who acted, readable: 'account:12', 'operator:王小明', 'system'. */
  actorLabel: string;
  action: string;
  subjectAccountId: number | null;
  reason?: string | null;
  details?: Record<string, unknown>;
}

export interface AuditEvent extends Required<AuditEventInput> {
  id: number;
  at: Date;
  prevHash: string;
  hash: string;
}

interface AuditRow {
  id: number;
  at: Date;
  actor_account_id: number | null;
  actor_label: string;
  action: string;
  subject_account_id: number | null;
  reason: string | null;
  details: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

const COLUMNS = 'id, at, actor_account_id, actor_label, action, subject_account_id, reason, details, prev_hash, hash';

function toAuditEvent(row: AuditRow): AuditEvent {
  return {
    id: row.id,
    at: row.at,
    actorAccountId: row.actor_account_id,
    actorLabel: row.actor_label,
    action: row.action,
    subjectAccountId: row.subject_account_id,
    reason: row.reason,
    details: row.details,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** Canonical JSON: keys sorted at every level, so the hash does not depend on jsonb's key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const entries = Object.keys(value as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value instanceof Date ? value.toISOString() : (value ?? null));
}

export function hashEvent(prevHash: string, event: Omit<AuditEvent, 'id' | 'hash' | 'prevHash'>): string {
  const body = canonical({
    at: event.at.toISOString(),
    actorAccountId: event.actorAccountId,
    actorLabel: event.actorLabel,
    action: event.action,
    subjectAccountId: event.subjectAccountId,
    reason: event.reason,
    details: event.details,
  });
  return createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
}

export interface ChainCheck {
  ok: boolean;
  checked: number;
  /** The first event whose stored hash or link does not match, if any. */
  brokenAt?: { id: number; problem: 'hash_mismatch' | 'link_mismatch' };
}

export function auditRepository(db: Db) {
  return {
    /** Must run inside a transaction (the lock is transaction-scoped). */
    async append(input: AuditEventInput, now = new Date()): Promise<AuditEvent> {
      await db.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOCK_KEY]);
      const last = await db.query<{ hash: string }>('SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1');
      const prevHash = last.rows[0]?.hash ?? GENESIS_HASH;
      const event = {
        at: now,
        actorAccountId: input.actorAccountId,
        actorLabel: input.actorLabel,
        action: input.action,
        subjectAccountId: input.subjectAccountId,
        reason: input.reason ?? null,
        details: input.details ?? {},
      };
      const hash = hashEvent(prevHash, event);
      const { rows } = await db.query<AuditRow>(
        `INSERT INTO audit_events (at, actor_account_id, actor_label, action, subject_account_id, reason, details, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${COLUMNS}`,
        [
          event.at,
          event.actorAccountId,
          event.actorLabel,
          event.action,
          event.subjectAccountId,
          event.reason,
          JSON.stringify(event.details),
          prevHash,
          hash,
        ],
      );
      return toAuditEvent(rows[0]);
    },
    async listForAccount(accountId: number, limit = 100): Promise<AuditEvent[]> {
      const { rows } = await db.query<AuditRow>(
        `SELECT ${COLUMNS} FROM audit_events WHERE subject_account_id = $1 OR actor_account_id = $1 ORDER BY id DESC LIMIT $2`,
        [accountId, limit],
      );
      return rows.map(toAuditEvent);
    },
    /** The account's latest event of one action (its registration, say), however long its trail has grown since. */
    async findLatestForAccount(accountId: number, action: string): Promise<AuditEvent | undefined> {
      const { rows } = await db.query<AuditRow>(
        `SELECT ${COLUMNS} FROM audit_events WHERE subject_account_id = $1 AND action = $2 ORDER BY id DESC LIMIT 1`,
        [accountId, action],
      );
      return rows[0] && toAuditEvent(rows[0]);
    },
    async list(filter: {
      actor?: string;
      action?: string;
      from?: Date;
      to?: Date;
      beforeId?: number;
      limit?: number;
    }): Promise<AuditEvent[]> {
      const { rows } = await db.query<AuditRow>(
        `SELECT ${COLUMNS} FROM audit_events
         WHERE ($1::text IS NULL OR actor_label ILIKE '%' || $1 || '%')
           AND ($2::text IS NULL OR action = $2)
           AND ($3::timestamptz IS NULL OR at >= $3)
           AND ($4::timestamptz IS NULL OR at < $4)
           AND ($5::bigint IS NULL OR id < $5)
         ORDER BY id DESC LIMIT $6`,
        [
          filter.actor ?? null,
          filter.action ?? null,
          filter.from ?? null,
          filter.to ?? null,
          filter.beforeId ?? null,
          filter.limit ?? 50,
        ],
      );
      return rows.map(toAuditEvent);
    },
    /** Walks the whole chain in id order, in batches, and reports the first broken link. */
    async verifyChain(batchSize = 1000): Promise<ChainCheck> {
      let prevHash = GENESIS_HASH;
      let afterId = 0;
      let checked = 0;
      for (;;) {
        const { rows } = await db.query<AuditRow>(
          `SELECT ${COLUMNS} FROM audit_events WHERE id > $1 ORDER BY id LIMIT $2`,
          [afterId, batchSize],
        );
        if (rows.length === 0) return { ok: true, checked };
        for (const row of rows) {
          const event = toAuditEvent(row);
          if (event.prevHash !== prevHash)
            return { ok: false, checked, brokenAt: { id: event.id, problem: 'link_mismatch' } };
          if (hashEvent(prevHash, event) !== event.hash)
            return { ok: false, checked, brokenAt: { id: event.id, problem: 'hash_mismatch' } };
          prevHash = event.hash;
          afterId = event.id;
          checked += 1;
        }
      }
    },
  };
}
