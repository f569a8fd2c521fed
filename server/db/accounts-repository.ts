import type { Db } from './pool';

export type AccountCategory =
  | 'individual'
  | 'customs_specialist'
  | 'enterprise'
  | 'customs_broker'
  | 'express'
  | 'shipping'
  | 'warehouse'
  | 'customs_inspection_broker'
  | 'offshore_duty_free'
  | 'duty_free_shop'
  | 'government';
export type AccountStatus = 'pending_review' | 'active' | 'suspended' | 'rejected';
export type AccountRole = 'citizen' | 'operator' | 'admin';

export interface Account {
  id: number;
  category: AccountCategory;
  role: AccountRole;
  idNumber: string;
  name: string;
  birthDate: string | null;
  phone: string | null;
  address: string | null;
  email1: string | null;
  email2: string | null;
  passwordHash: string | null;
  status: AccountStatus;
  /** 申請編號, given at registration (server/registration/reference.ts); none for accounts made otherwise. */
  reference: string | null;
  /** The language the account registered in: the portal's e-mails add English for 'en'. */
  lang: AccountLang;
  createdAt: Date;
  updatedAt: Date;
}

export type AccountLang = 'zh-TW' | 'en';

export type NewAccount = Pick<
  Account,
  'category' | 'idNumber' | 'name' | 'birthDate' | 'phone' | 'address' | 'email1' | 'email2' | 'passwordHash' | 'status'
> & { role?: AccountRole; reference?: string | null; lang?: AccountLang };

const COLUMNS = `id, category, role, id_number, name, birth_date, phone, address, email1, email2, password_hash, status,
  reference, lang, created_at, updated_at`;

interface AccountRow {
  id: number;
  category: AccountCategory;
  role: AccountRole;
  id_number: string;
  name: string;
  birth_date: string | null;
  phone: string | null;
  address: string | null;
  email1: string | null;
  email2: string | null;
  password_hash: string | null;
  status: AccountStatus;
  reference: string | null;
  lang: AccountLang;
  created_at: Date;
  updated_at: Date;
}

export function toAccount(row: AccountRow): Account {
  return {
    id: row.id,
    category: row.category,
    role: row.role,
    idNumber: row.id_number,
    name: row.name,
    birthDate: row.birth_date,
    phone: row.phone,
    address: row.address,
    email1: row.email1,
    email2: row.email2,
    passwordHash: row.password_hash,
    status: row.status,
    reference: row.reference,
    lang: row.lang,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function accountsRepository(db: Db) {
  return {
    /** Inserts an account; returns undefined when the ID number is already registered (a double submit is harmless). */
    async insert(account: NewAccount, now = new Date()): Promise<Account | undefined> {
      const { rows } = await db.query<AccountRow>(
        `INSERT INTO accounts (category, role, id_number, name, birth_date, phone, address, email1, email2, password_hash, status, created_at, updated_at, reference, lang)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13, $14)
         ON CONFLICT (id_number) DO NOTHING
         RETURNING ${COLUMNS}`,
        [
          account.category,
          account.role ?? 'citizen',
          account.idNumber,
          account.name,
          account.birthDate,
          account.phone,
          account.address,
          account.email1,
          account.email2,
          account.passwordHash,
          account.status,
          now,
          account.reference ?? null,
          account.lang ?? 'zh-TW',
        ],
      );
      return rows[0] && toAccount(rows[0]);
    },
    async findById(id: number): Promise<Account | undefined> {
      const { rows } = await db.query<AccountRow>(`SELECT ${COLUMNS} FROM accounts WHERE id = $1`, [id]);
      return rows[0] && toAccount(rows[0]);
    },
    async findByIdNumber(idNumber: string): Promise<Account | undefined> {
      const { rows } = await db.query<AccountRow>(`SELECT ${COLUMNS} FROM accounts WHERE id_number = $1`, [idNumber]);
      return rows[0] && toAccount(rows[0]);
    },
    /** Locks the row for the rest of the transaction (status changes, operator actions). */
    async findByIdForUpdate(id: number): Promise<Account | undefined> {
      const { rows } = await db.query<AccountRow>(`SELECT ${COLUMNS} FROM accounts WHERE id = $1 FOR UPDATE`, [id]);
      return rows[0] && toAccount(rows[0]);
    },
    /** Whether a reference is taken already (a new one is drawn until it is not). */
    async referenceExists(reference: string): Promise<boolean> {
      const { rowCount } = await db.query('SELECT 1 FROM accounts WHERE reference = $1', [reference]);
      return (rowCount ?? 0) > 0;
    },
    async existsByIdNumber(idNumber: string): Promise<boolean> {
      const { rowCount } = await db.query('SELECT 1 FROM accounts WHERE id_number = $1', [idNumber]);
      return (rowCount ?? 0) > 0;
    },
    async setStatus(id: number, status: AccountStatus, now = new Date()): Promise<void> {
      await db.query('UPDATE accounts SET status = $2, updated_at = $3 WHERE id = $1', [id, status, now]);
    },
    async setPasswordHash(id: number, passwordHash: string, now = new Date()): Promise<void> {
      await db.query('UPDATE accounts SET password_hash = $2, updated_at = $3 WHERE id = $1', [id, passwordHash, now]);
    },
  };
}
