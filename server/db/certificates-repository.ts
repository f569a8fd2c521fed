import type { Db } from './pool';

export interface BoundCertificate {
  id: number;
  accountId: number;
  issuerDn: string;
  serialHex: string;
  fingerprintSha256: string;
  subjectCn: string;
  subjectSerial: string | null;
  cardSerial: string | null;
  idLast4: string | null;
  /** the 統一編號 or 機關代碼 an organisation certificate names; null on a citizen card */
  organisationId: string | null;
  notBefore: Date;
  notAfter: Date;
  der: Buffer;
  boundAt: Date;
  unboundAt: Date | null;
  unboundReason: string | null;
}

export type NewBinding = Omit<BoundCertificate, 'id' | 'boundAt' | 'unboundAt' | 'unboundReason' | 'organisationId'> & {
  organisationId?: string | null;
};

const COLUMNS = `id, account_id, issuer_dn, serial_hex, fingerprint_sha256, subject_cn, subject_serial, card_serial, id_last4,
  organisation_id, not_before, not_after, der, bound_at, unbound_at, unbound_reason`;

interface CertificateRow {
  id: number;
  account_id: number;
  issuer_dn: string;
  serial_hex: string;
  fingerprint_sha256: string;
  subject_cn: string;
  subject_serial: string | null;
  card_serial: string | null;
  id_last4: string | null;
  organisation_id: string | null;
  not_before: Date;
  not_after: Date;
  der: Buffer;
  bound_at: Date;
  unbound_at: Date | null;
  unbound_reason: string | null;
}

function toBoundCertificate(row: CertificateRow): BoundCertificate {
  return {
    id: row.id,
    accountId: row.account_id,
    issuerDn: row.issuer_dn,
    serialHex: row.serial_hex,
    fingerprintSha256: row.fingerprint_sha256,
    subjectCn: row.subject_cn,
    subjectSerial: row.subject_serial,
    cardSerial: row.card_serial,
    idLast4: row.id_last4,
    organisationId: row.organisation_id,
    notBefore: row.not_before,
    notAfter: row.not_after,
    der: row.der,
    boundAt: row.bound_at,
    unboundAt: row.unbound_at,
    unboundReason: row.unbound_reason,
  };
}

export function certificatesRepository(db: Db) {
  return {
    /**
     * Binds a certificate; undefined when it is bound already to this account, or (a citizen card, without an
     * organisation id) to any account. An organisation certificate may be bound to several accounts of its
     * organisation (one per category): the caller checks whose they are.
     */
    async bind(binding: NewBinding, now = new Date()): Promise<BoundCertificate | undefined> {
      const { rows } = await db.query<CertificateRow>(
        `INSERT INTO certificates (account_id, issuer_dn, serial_hex, fingerprint_sha256, subject_cn, subject_serial, card_serial,
           id_last4, not_before, not_after, der, bound_at, organisation_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
         ON CONFLICT DO NOTHING
         RETURNING ${COLUMNS}`,
        [
          binding.accountId,
          binding.issuerDn,
          binding.serialHex,
          binding.fingerprintSha256,
          binding.subjectCn,
          binding.subjectSerial,
          binding.cardSerial,
          binding.idLast4,
          binding.notBefore,
          binding.notAfter,
          binding.der,
          now,
          binding.organisationId ?? null,
        ],
      );
      return rows[0] && toBoundCertificate(rows[0]);
    },
    /** An active binding with this fingerprint (an organisation certificate may have several: listActiveByFingerprint). */
    async findByFingerprint(fingerprintSha256: string): Promise<BoundCertificate | undefined> {
      const { rows } = await db.query<CertificateRow>(
        `SELECT ${COLUMNS} FROM certificates WHERE fingerprint_sha256 = $1 AND unbound_at IS NULL ORDER BY id LIMIT 1`,
        [fingerprintSha256],
      );
      return rows[0] && toBoundCertificate(rows[0]);
    },
    /**
     * An active binding of a certificate, found by issuer and serial (DESIGN.md §3) and checked by fingerprint by the
     * caller (an organisation certificate may have several: listActiveByIssuerSerial).
     */
    async findActiveByIssuerSerial(issuerDn: string, serialHex: string): Promise<BoundCertificate | undefined> {
      const { rows } = await db.query<CertificateRow>(
        `SELECT ${COLUMNS} FROM certificates WHERE issuer_dn = $1 AND serial_hex = $2 AND unbound_at IS NULL
         ORDER BY id LIMIT 1`,
        [issuerDn, serialHex],
      );
      return rows[0] && toBoundCertificate(rows[0]);
    },
    /** Every active binding with this fingerprint: one, or one per account of the organisation a company card names. */
    async listActiveByFingerprint(fingerprintSha256: string): Promise<BoundCertificate[]> {
      const { rows } = await db.query<CertificateRow>(
        `SELECT ${COLUMNS} FROM certificates WHERE fingerprint_sha256 = $1 AND unbound_at IS NULL ORDER BY id LIMIT 50`,
        [fingerprintSha256],
      );
      return rows.map(toBoundCertificate);
    },
    /** Every active binding of a certificate by issuer and serial, checked by fingerprint by the caller. */
    async listActiveByIssuerSerial(issuerDn: string, serialHex: string): Promise<BoundCertificate[]> {
      const { rows } = await db.query<CertificateRow>(
        `SELECT ${COLUMNS} FROM certificates WHERE issuer_dn = $1 AND serial_hex = $2 AND unbound_at IS NULL
         ORDER BY id LIMIT 50`,
        [issuerDn, serialHex],
      );
      return rows.map(toBoundCertificate);
    },
    async listActiveByIdLast4(idLast4: string): Promise<BoundCertificate[]> {
      const { rows } = await db.query<CertificateRow>(
        `SELECT ${COLUMNS} FROM certificates WHERE id_last4 = $1 AND unbound_at IS NULL ORDER BY id LIMIT 50`,
        [idLast4],
      );
      return rows.map(toBoundCertificate);
    },
    /** Active bindings naming this organisation (統一編號 or 機關代碼): a renewed company card's earlier cards. */
    async listActiveByOrganisationId(organisationId: string): Promise<BoundCertificate[]> {
      const { rows } = await db.query<CertificateRow>(
        `SELECT ${COLUMNS} FROM certificates WHERE organisation_id = $1 AND unbound_at IS NULL ORDER BY id LIMIT 50`,
        [organisationId],
      );
      return rows.map(toBoundCertificate);
    },
    async listForAccount(accountId: number): Promise<BoundCertificate[]> {
      const { rows } = await db.query<CertificateRow>(
        `SELECT ${COLUMNS} FROM certificates WHERE account_id = $1 ORDER BY bound_at DESC, id DESC`,
        [accountId],
      );
      return rows.map(toBoundCertificate);
    },
    async findById(id: number): Promise<BoundCertificate | undefined> {
      const { rows } = await db.query<CertificateRow>(`SELECT ${COLUMNS} FROM certificates WHERE id = $1`, [id]);
      return rows[0] && toBoundCertificate(rows[0]);
    },
    /** Keeps the row as history; returns false when it was not bound. */
    async unbind(id: number, reason: string, now = new Date()): Promise<boolean> {
      const { rowCount } = await db.query(
        'UPDATE certificates SET unbound_at = $2, unbound_reason = $3 WHERE id = $1 AND unbound_at IS NULL',
        [id, now, reason],
      );
      return (rowCount ?? 0) > 0;
    },
  };
}
