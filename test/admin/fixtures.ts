// Accounts and logged-in browsers for the operator page tests.
import type { Pool } from '../../server/db/pool';
import { accountsRepository, type Account, type NewAccount } from '../../server/db/accounts-repository';
import { sessionCookieFor } from '../helpers/session';

let counter = 0;

/** A valid-looking, unique ID number (the pages never check the checksum). */
export function nextIdNumber(prefix = 'A1'): string {
  counter += 1;
  return `${prefix}${String(Date.now() % 1_000_000).padStart(6, '0')}${String(counter).padStart(2, '0')}`.slice(0, 10);
}

export async function createAccount(pool: Pool, overrides: Partial<NewAccount> = {}): Promise<Account> {
  const account = await accountsRepository(pool).insert({
    category: 'individual',
    role: 'citizen',
    idNumber: nextIdNumber(),
    name: '王小明',
    birthDate: '1980-05-17',
    phone: '0912345678',
    address: '臺北市中正區',
    email1: 'user@example.tw',
    email2: null,
    passwordHash: null,
    status: 'active',
    ...overrides,
  });
  if (!account) throw new Error('fixture account not inserted');
  return account;
}

export async function cookieFor(pool: Pool, account: Account): Promise<string> {
  return sessionCookieFor(pool, { accountId: account.id, name: account.name, role: account.role, method: 'certificate' });
}

export interface Cast {
  citizen: Account;
  operator: Account;
  admin: Account;
  cookies: { citizen: string; operator: string; admin: string };
}

/** One citizen, one operator and one admin, each with a logged-in session. */
export async function createCast(pool: Pool): Promise<Cast> {
  const citizen = await createAccount(pool, { name: '林民眾' });
  const operator = await createAccount(pool, { name: '陳承辦', role: 'operator' });
  const admin = await createAccount(pool, { name: '張管理', role: 'admin' });
  return {
    citizen,
    operator,
    admin,
    cookies: { citizen: await cookieFor(pool, citizen), operator: await cookieFor(pool, operator), admin: await cookieFor(pool, admin) },
  };
}
