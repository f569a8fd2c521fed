// Accounts and logged-in browsers for the operator page tests.
import type { FastifyInstance } from 'fastify';
import { certificatesRepository } from '../../server/db/certificates-repository';
import type { Pool } from '../../server/db/pool';
import { accountsRepository, type Account, type NewAccount } from '../../server/db/accounts-repository';
import {
  organisationAccountKey,
  organisationAccountsRepository,
  type OrganisationAccount,
} from '../../server/db/organisation-accounts-repository';
import { newReference } from '../../server/registration/reference';
import { csrfFrom } from '../helpers/app';
import { sessionCookieFor } from '../helpers/session';

let counter = Math.floor(Math.random() * 50_000_000);

/** A unique, valid-looking ID number (the operator pages never check its checksum). */
export function nextIdNumber(prefix = 'A1'): string {
  counter += 1;
  return `${prefix}${String(counter).padStart(8, '0')}`;
}

export async function createAccount(
  pool: Pool,
  overrides: Partial<NewAccount> = {},
  now = new Date(),
): Promise<Account> {
  const account = await accountsRepository(pool).insert(
    {
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
    },
    now,
  );
  if (!account) throw new Error('fixture account not inserted');
  return account;
}

type OrganisationFields = Omit<OrganisationAccount, 'accountId'>;

/**
 * A company or agency account as a registration writes it (server/registration/organisation.ts): the account row keyed
 * by category and organisation id, named after the organisation, with a 申請編號, and its organisation fields.
 */
export async function createOrganisationAccount(
  pool: Pool,
  fields: Partial<OrganisationFields> & Pick<OrganisationFields, 'organisationId'>,
  now = new Date(),
): Promise<{ account: Account; organisation: OrganisationAccount }> {
  const org: OrganisationFields = {
    category: 'customs_broker',
    organisationIdKind: 'business_id',
    certificateKind: 'moeaca',
    organisationName: '台關報關股份有限公司',
    representative: '林大海',
    contactName: '陳小芬',
    mobile: '0912345678',
    licenceNumber: null,
    ...fields,
  };
  const account = await createAccount(
    pool,
    {
      category: org.category,
      idNumber: organisationAccountKey(org.category, org.organisationId),
      name: org.organisationName,
      birthDate: null,
      reference: newReference(now),
      status: 'pending_review',
    },
    now,
  );
  const organisation = await organisationAccountsRepository(pool).insert({ accountId: account.id, ...org });
  if (!organisation) throw new Error('fixture organisation account not inserted');
  return { account, organisation };
}

export async function cookieFor(pool: Pool, account: Account): Promise<string> {
  return sessionCookieFor(pool, {
    accountId: account.id,
    name: account.name,
    role: account.role,
    method: 'certificate',
  });
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
    cookies: {
      citizen: await cookieFor(pool, citizen),
      operator: await cookieFor(pool, operator),
      admin: await cookieFor(pool, admin),
    },
  };
}

let certCounter = 0;

/** A bound certificate row (its DER is a placeholder: these pages never parse it). */
export async function bindCertificate(pool: Pool, accountId: number, subjectCn = '王小明') {
  certCounter += 1;
  const cert = await certificatesRepository(pool).bind({
    accountId,
    issuerDn: 'C=TW, O=行政院, OU=內政部憑證管理中心',
    serialHex: `ABCDEF${String(Date.now()).slice(-8)}${certCounter}`,
    fingerprintSha256: `${Date.now().toString(16)}${String(certCounter).padStart(8, '0')}`.padEnd(64, 'a'),
    subjectCn,
    subjectSerial: '0000000012345678',
    cardSerial: null,
    idLast4: '6789',
    notBefore: new Date('2025-01-01T00:00:00Z'),
    notAfter: new Date('2030-01-01T00:00:00Z'),
    der: Buffer.from('placeholder'),
  });
  if (!cert) throw new Error('fixture certificate not bound');
  return cert;
}

/** Locks an account's password login from every source, the way twenty failures from several addresses do. */
export async function lockOut(pool: Pool, accountId: number): Promise<void> {
  await pool.query(
    `INSERT INTO login_failures (id_number, source, failures, first_failed_at, last_failed_at, locked_until)
     SELECT id_number, '*', 20, now(), now(), now() + interval '15 minutes' FROM accounts WHERE id = $1`,
    [accountId],
  );
}

/** The CSRF token of a logged-in session (the layout's logout form carries one). */
export async function csrfTokenFor(app: FastifyInstance, cookie: string): Promise<string> {
  const res = await app.inject({ url: '/', headers: { cookie } });
  return csrfFrom(res.body);
}

export async function postForm(app: FastifyInstance, url: string, cookie: string, form: Record<string, string>) {
  return app.inject({
    method: 'POST',
    url,
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(form).toString(),
  });
}
