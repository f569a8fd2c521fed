// The company or agency fields of an organisation account (migration 008); the account row itself is accounts.
import type { Db } from './pool';
import type { AccountCategory } from './accounts-repository';

export type OrganisationIdKind = 'business_id' | 'agency_code';
export type OrganisationCertificateKind = 'moeaca' | 'gca' | 'customs';

export interface OrganisationAccount {
  accountId: number;
  category: AccountCategory;
  /** 統一編號 (business_id) or 機關代碼 (agency_code), from the certificate */
  organisationId: string;
  organisationIdKind: OrganisationIdKind;
  certificateKind: OrganisationCertificateKind;
  organisationName: string;
  /** 負責人 */
  representative: string;
  /** 聯絡人 */
  contactName: string;
  mobile: string | null;
  licenceNumber: string | null;
}

const COLUMNS = `account_id, category, organisation_id, organisation_id_kind, certificate_kind, organisation_name,
  representative, contact_name, mobile, licence_number`;

interface OrganisationAccountRow {
  account_id: number;
  category: AccountCategory;
  organisation_id: string;
  organisation_id_kind: OrganisationIdKind;
  certificate_kind: OrganisationCertificateKind;
  organisation_name: string;
  representative: string;
  contact_name: string;
  mobile: string | null;
  licence_number: string | null;
}

function toOrganisationAccount(row: OrganisationAccountRow): OrganisationAccount {
  return {
    accountId: Number(row.account_id),
    category: row.category,
    organisationId: row.organisation_id,
    organisationIdKind: row.organisation_id_kind,
    certificateKind: row.certificate_kind,
    organisationName: row.organisation_name,
    representative: row.representative,
    contactName: row.contact_name,
    mobile: row.mobile,
    licenceNumber: row.licence_number,
  };
}

/** The account id the login and lockout know an organisation account by: its category and organisation id. */
export function organisationAccountKey(category: AccountCategory, organisationId: string): string {
  return `${category}:${organisationId}`;
}

/** The organisation id in an account key made by organisationAccountKey; undefined for a person's ID number. */
export function organisationIdOfAccountKey(key: string): string | undefined {
  const colon = key.indexOf(':');
  return colon >= 0 ? key.slice(colon + 1) : undefined;
}

export function organisationAccountsRepository(db: Db) {
  return {
    /** Inserts the fields; undefined when this organisation already has an account in this category. */
    async insert(account: OrganisationAccount): Promise<OrganisationAccount | undefined> {
      const { rows } = await db.query<OrganisationAccountRow>(
        `INSERT INTO organisation_accounts (${COLUMNS})
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT DO NOTHING
         RETURNING ${COLUMNS}`,
        [
          account.accountId,
          account.category,
          account.organisationId,
          account.organisationIdKind,
          account.certificateKind,
          account.organisationName,
          account.representative,
          account.contactName,
          account.mobile,
          account.licenceNumber,
        ],
      );
      return rows[0] && toOrganisationAccount(rows[0]);
    },
    async findByAccountId(accountId: number): Promise<OrganisationAccount | undefined> {
      const { rows } = await db.query<OrganisationAccountRow>(
        `SELECT ${COLUMNS} FROM organisation_accounts WHERE account_id = $1`,
        [accountId],
      );
      return rows[0] && toOrganisationAccount(rows[0]);
    },
    /** The fields of those of these accounts that are organisation accounts (a citizen's id has none). */
    async findByAccountIds(accountIds: readonly number[]): Promise<OrganisationAccount[]> {
      if (accountIds.length === 0) return [];
      const { rows } = await db.query<OrganisationAccountRow>(
        `SELECT ${COLUMNS} FROM organisation_accounts WHERE account_id = ANY($1::bigint[])`,
        [accountIds],
      );
      return rows.map(toOrganisationAccount);
    },
    async findByOrganisation(
      category: AccountCategory,
      organisationId: string,
    ): Promise<OrganisationAccount | undefined> {
      const { rows } = await db.query<OrganisationAccountRow>(
        `SELECT ${COLUMNS} FROM organisation_accounts WHERE category = $1 AND organisation_id = $2`,
        [category, organisationId],
      );
      return rows[0] && toOrganisationAccount(rows[0]);
    },
  };
}
