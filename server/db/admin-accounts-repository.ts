// Operator queries over accounts (DESIGN.md §6): filtered lists with keyset pagination, counts, the dashboard series,
// and batches for the CSV export. Dates are Taiwan calendar days (Asia/Taipei, no daylight saving).
import type { Db } from './pool';
import { TAIWAN_TIME_ZONE } from '../taiwan-time';
import type { AccountCategory, AccountRole, AccountStatus } from './accounts-repository';
import { organisationAccountsRepository, type OrganisationAccount } from './organisation-accounts-repository';

export const ACCOUNT_STATUSES: readonly AccountStatus[] = ['pending_review', 'active', 'suspended', 'rejected'];
export const ACCOUNT_CATEGORIES: readonly AccountCategory[] = [
  'individual',
  'customs_specialist',
  'enterprise',
  'customs_broker',
  'express',
  'shipping',
  'warehouse',
  'customs_inspection_broker',
  'offshore_duty_free',
  'duty_free_shop',
  'government',
];

export interface AccountFilter {
  status?: AccountStatus;
  category?: AccountCategory;
  /** Registered on or after this Taiwan day (YYYY-MM-DD). */
  from?: string;
  /** Registered on or before this Taiwan day (YYYY-MM-DD), inclusive. */
  to?: string;
  /** ID number (prefix, case-insensitive), name or email (substring). */
  q?: string;
  /** q read as a 申請編號 in its written form, when it is one (matched exactly). */
  reference?: string;
}

export type SortOrder = 'newest' | 'oldest';

/** A position in the list: the exact registration time as PostgreSQL prints it (microseconds kept) and the id. */
export interface AccountCursor {
  createdAt: string;
  id: number;
}

export interface AccountListItem {
  id: number;
  category: AccountCategory;
  role: AccountRole;
  idNumber: string;
  name: string;
  email1: string | null;
  phone: string | null;
  status: AccountStatus;
  /** 申請編號; none for accounts made before references were given, or by the operator command. */
  reference: string | null;
  /** The latest end of a password lock in force (account-wide or of one source), if any. */
  lockedUntil: Date | null;
  createdAt: Date;
  cursor: AccountCursor;
}

/** A row of the export: the account and, for a company or agency, its organisation fields. */
export interface AccountExportItem extends AccountListItem {
  organisation?: OrganisationAccount;
}

export interface AccountPage {
  items: AccountListItem[];
  /** Cursor of the last row, when more rows follow. */
  next?: AccountCursor;
  /** Cursor of the first row, when rows come before. */
  previous?: AccountCursor;
}

export interface DayCount {
  day: string;
  count: number;
}

interface ListRow {
  id: number;
  category: AccountCategory;
  role: AccountRole;
  id_number: string;
  name: string;
  email1: string | null;
  phone: string | null;
  status: AccountStatus;
  reference: string | null;
  locked_until: Date | null;
  created_at: Date;
  created_at_text: string;
}

// The latest end of any password lock of the account; one that has already ended is told apart by the reader.
const LIST_COLUMNS = `id, category, role, id_number, name, email1, phone, status, reference,
  (SELECT max(f.locked_until) FROM login_failures f WHERE f.id_number = accounts.id_number) AS locked_until,
  created_at, created_at::text AS created_at_text`;

function toAccountListItem(row: ListRow): AccountListItem {
  return {
    id: row.id,
    category: row.category,
    role: row.role,
    idNumber: row.id_number,
    name: row.name,
    email1: row.email1,
    phone: row.phone,
    status: row.status,
    reference: row.reference,
    lockedUntil: row.locked_until,
    createdAt: row.created_at,
    cursor: { createdAt: row.created_at_text, id: row.id },
  };
}

/** LIKE wildcards typed by an operator are matched literally. */
function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * The WHERE clause for a filter, starting at parameter $first. The status filter can be left out (the counts per status
 * are taken over the other filters).
 */
function whereFor(filter: AccountFilter, first: number, withStatus = true): { sql: string; params: unknown[] } {
  const q = filter.q?.trim() || null;
  const params: unknown[] = [
    withStatus ? (filter.status ?? null) : null,
    filter.category ?? null,
    filter.from ?? null,
    filter.to ?? null,
    q === null ? null : likeEscape(q),
    filter.reference ?? null,
  ];
  const p = (i: number) => `$${first + i}`;
  const sql = `(${p(0)}::text IS NULL OR status = ${p(0)})
    AND (${p(1)}::text IS NULL OR category = ${p(1)})
    AND (${p(2)}::date IS NULL OR created_at >= (${p(2)}::date)::timestamp AT TIME ZONE '${TAIWAN_TIME_ZONE}')
    AND (${p(3)}::date IS NULL OR created_at < (${p(3)}::date + 1)::timestamp AT TIME ZONE '${TAIWAN_TIME_ZONE}')
    AND (${p(4)}::text IS NULL
         OR id_number LIKE upper(${p(4)}) || '%'
         OR name ILIKE '%' || ${p(4)} || '%'
         OR email1 ILIKE '%' || ${p(4)} || '%'
         OR email2 ILIKE '%' || ${p(4)} || '%'
         OR reference = ${p(5)}::text)`;
  return { sql, params };
}

export function adminAccountsRepository(db: Db) {
  /**
   * One batch in list order after (or, going back, before) a cursor. `descending` is the order rows are read in.
   * Returns up to `limit` rows in reading order.
   */
  async function readBatch(
    filter: AccountFilter,
    descending: boolean,
    after: AccountCursor | undefined,
    limit: number,
  ): Promise<AccountListItem[]> {
    const where = whereFor(filter, 4);
    const compare = descending ? '<' : '>';
    const direction = descending ? 'DESC' : 'ASC';
    const { rows } = await db.query<ListRow>(
      `SELECT ${LIST_COLUMNS} FROM accounts
       WHERE ${where.sql}
         AND ($1::timestamptz IS NULL OR (created_at, id) ${compare} ($1::timestamptz, $2::bigint))
       ORDER BY created_at ${direction}, id ${direction}
       LIMIT $3`,
      [after?.createdAt ?? null, after?.id ?? null, limit, ...where.params],
    );
    return rows.map(toAccountListItem);
  }

  /** Batches of the whole filtered list in list order, for a streamed export. */
  async function* listAll(filter: AccountFilter, sort: SortOrder, batchSize = 500): AsyncGenerator<AccountListItem[]> {
    let after: AccountCursor | undefined;
    for (;;) {
      const rows = await readBatch(filter, sort === 'newest', after, batchSize);
      if (rows.length === 0) return;
      yield rows;
      if (rows.length < batchSize) return;
      after = rows[rows.length - 1].cursor;
    }
  }

  return {
    /**
     * One page of the filtered list, sorted by registration time. `after` continues forward from a cursor (next page),
     * `before` goes back from one (previous page).
     */
    async listPage(
      filter: AccountFilter,
      options: { sort: SortOrder; limit: number; after?: AccountCursor; before?: AccountCursor },
    ): Promise<AccountPage> {
      const forwardDescending = options.sort === 'newest';
      if (options.before) {
        // Read backwards from the cursor, then put the rows back in list order.
        const rows = await readBatch(filter, !forwardDescending, options.before, options.limit + 1);
        const hasMoreBefore = rows.length > options.limit;
        const items = rows.slice(0, options.limit).reverse();
        return {
          items,
          previous: hasMoreBefore && items.length ? items[0].cursor : undefined,
          next: items.length ? items[items.length - 1].cursor : undefined,
        };
      }
      const rows = await readBatch(filter, forwardDescending, options.after, options.limit + 1);
      const hasMore = rows.length > options.limit;
      const items = rows.slice(0, options.limit);
      return {
        items,
        previous: options.after && items.length ? items[0].cursor : undefined,
        next: hasMore && items.length ? items[items.length - 1].cursor : undefined,
      };
    },

    listAll,

    /**
     * The export's batches: those of listAll, each with the organisation fields of its company and agency accounts,
     * read in one query per batch.
     */
    async *exportAll(filter: AccountFilter, sort: SortOrder, batchSize = 500): AsyncGenerator<AccountExportItem[]> {
      const organisations = organisationAccountsRepository(db);
      for await (const batch of listAll(filter, sort, batchSize)) {
        const fields = await organisations.findByAccountIds(batch.map((item) => item.id));
        const byAccount = new Map(fields.map((o) => [o.accountId, o]));
        yield batch.map((item) => ({ ...item, organisation: byAccount.get(item.id) }));
      }
    },

    /** How many accounts per status match the filter's other conditions; every status is present. */
    async countByStatus(filter: AccountFilter = {}): Promise<Record<AccountStatus, number>> {
      const where = whereFor(filter, 1, false);
      const { rows } = await db.query<{ status: AccountStatus; count: number }>(
        `SELECT status, count(*)::int AS count FROM accounts WHERE ${where.sql} GROUP BY status`,
        where.params,
      );
      const counts = Object.fromEntries(ACCOUNT_STATUSES.map((s) => [s, 0])) as Record<AccountStatus, number>;
      for (const row of rows) counts[row.status] = row.count;
      return counts;
    },

    /** Citizen registrations per Taiwan day for the `days` days ending with `today` (YYYY-MM-DD), zero days included. */
    async registrationsPerDay(today: string, days = 30): Promise<DayCount[]> {
      const { rows } = await db.query<{ day: string; count: number }>(
        `SELECT d::date AS day, count(a.id)::int AS count
         FROM generate_series($1::date - ($2::int - 1), $1::date, interval '1 day') AS d
         LEFT JOIN accounts a
           ON a.role = 'citizen'
          AND a.created_at >= d::date::timestamp AT TIME ZONE '${TAIWAN_TIME_ZONE}'
          AND a.created_at < (d::date + 1)::timestamp AT TIME ZONE '${TAIWAN_TIME_ZONE}'
         GROUP BY d
         ORDER BY d`,
        [today, days],
      );
      return rows.map((row) => ({ day: row.day, count: row.count }));
    },

    /** Operator and admin accounts, for the operator command's list. */
    async listOperators(): Promise<AccountListItem[]> {
      const { rows } = await db.query<ListRow>(
        `SELECT ${LIST_COLUMNS} FROM accounts WHERE role IN ('operator', 'admin') ORDER BY created_at, id`,
      );
      return rows.map(toAccountListItem);
    },

    /** The distinct action names in the audit trail, for the audit page's filter. */
    async auditActions(): Promise<string[]> {
      const { rows } = await db.query<{ action: string }>('SELECT DISTINCT action FROM audit_events ORDER BY action');
      return rows.map((row) => row.action);
    },

    /** Audit events newer than an id (the audit page's "previous" link), returned newest first like the rest of the page. */
    async auditEventIdsNewerThan(
      filter: { actor?: string; action?: string; from?: Date; to?: Date },
      afterId: number,
      limit: number,
    ): Promise<{ ids: number[]; more: boolean }> {
      const { rows } = await db.query<{ id: number }>(
        `SELECT id FROM audit_events
         WHERE ($1::text IS NULL OR actor_label ILIKE '%' || $1 || '%')
           AND ($2::text IS NULL OR action = $2)
           AND ($3::timestamptz IS NULL OR at >= $3)
           AND ($4::timestamptz IS NULL OR at < $4)
           AND id > $5
         ORDER BY id ASC LIMIT $6`,
        [filter.actor ?? null, filter.action ?? null, filter.from ?? null, filter.to ?? null, afterId, limit + 1],
      );
      const more = rows.length > limit;
      return {
        ids: rows
          .slice(0, limit)
          .map((r) => r.id)
          .reverse(),
        more,
      };
    },
  };
}
