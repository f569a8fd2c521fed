// What the load benchmark needs before the portal starts: a fresh schema (migrated), a DATA_DIR holding a demo PKI
// whose URLs point at the portal's own origin, and accounts bound to the login cards, inserted through the
// repositories as test/auth/certificate-login.test.ts does. The cards' keys stay with the load client.
import { generateKeyPair, randomBytes, type KeyObject } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createPool, type Pool } from '../../../server/db/pool';
import { migrate } from '../../../server/db/migrate';
import { accountsRepository } from '../../../server/db/accounts-repository';
import { certificatesRepository } from '../../../server/db/certificates-repository';
import { bindingFor } from '../../../server/auth/bind-certificate';
import { hashPassword } from '../../../server/auth/passwords';
import { createDemoPki, demoPkiDir, type DemoCardSpec, type DemoPki } from '../../../demo-pki/demo-pki';
import { parseCertificate, readProfile } from '../../../server/pki/index';
import { idChecksumValid, LETTER_VALUES } from '../../../server/forms/national-id';
import type { CertificateIdentity } from '../../../server/auth/certificate-identity';

export const PASSWORD = 'Harbour2Light';
const generateKeyPairAsync = promisify(generateKeyPair);

/** The n-th national ID number with a valid check digit (A1…, then A2…, B1… as n grows). */
export function benchIdNumber(n: number): string {
  const letters = Object.keys(LETTER_VALUES);
  const letter = letters[Math.floor(n / 2_000_000) % letters.length];
  const sex = (Math.floor(n / 1_000_000) % 2) + 1;
  const middle = String(n % 1_000_000).padStart(6, '0') + '0';
  for (let check = 0; check <= 9; check++) {
    const rest = `${middle}${check}`;
    if (idChecksumValid(letter, sex, rest)) return `${letter}${sex}${rest}`;
  }
  throw new Error(`no check digit for ${letter}${sex}${middle}`);
}

export interface BenchDatabase {
  pool: Pool;
  schema: string;
  url: string;
  drop(): Promise<void>;
}

export async function createBenchDatabase(baseUrl: string): Promise<BenchDatabase> {
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  const admin = createPool(baseUrl, { max: 1 });
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const pool = createPool(baseUrl, { searchPath: schema, max: 4 });
  await migrate(pool);
  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    pool,
    schema,
    url: url.toString(),
    async drop() {
      await pool.end();
      const cleanup = createPool(baseUrl, { max: 1 });
      await cleanup.query(`DROP SCHEMA ${schema} CASCADE`);
      await cleanup.end();
    },
  };
}

export interface BenchCard {
  id: string;
  holderName: string;
  idNumber: string;
  cardSerial: string;
  certificateBase64: string;
}

export interface BenchPki {
  dataDir: string;
  pki: DemoPki;
  /** the signing key every bench card's signing certificate carries (held by the load client) */
  signingKey: KeyObject;
  loginCards: BenchCard[];
  registrationCards: BenchCard[];
}

const spec = (id: string, n: number): DemoCardSpec => ({
  id,
  purpose: 'citizen',
  holderName: '王小明',
  idNumber: benchIdNumber(n),
  pin: '123456',
  issuer: n % 2 === 0 ? 'g3' : 'g2',
});

/**
 * The demo PKI the portal will serve from DATA_DIR/demo-pki, with `login` cards for accounts made now and
 * `registration` cards for accounts the benchmark registers. One key pair for all cards keeps the making quick.
 */
export async function createBenchPki(
  origin: string,
  counts: { login: number; registration: number },
): Promise<BenchPki> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sw-portal-bench-'));
  const [signing, encryption] = await Promise.all(
    [2048, 2048].map(async (bits) => (await generateKeyPairAsync('rsa', { modulusLength: bits })).privateKey),
  );
  const login = Array.from({ length: counts.login }, (_, i) => spec(`login-${i}`, i));
  const registration = Array.from({ length: counts.registration }, (_, i) => spec(`register-${i}`, counts.login + i));
  // 2048-bit CA keys as the tests use; path validation is cached after the first login of each chain either way.
  const pki = await createDemoPki(demoPkiDir(dataDir), {
    baseUrl: origin,
    keyBits: 2048,
    cards: [...login, ...registration],
    cardKeys: { signing, encryption },
  });
  const card = (s: DemoCardSpec): BenchCard => {
    const entry = pki.card(s.id);
    return {
      id: s.id,
      holderName: s.holderName,
      idNumber: s.idNumber,
      cardSerial: entry.cardSerial,
      certificateBase64: entry.signingCertDer.toString('base64'),
    };
  };
  return { dataDir, pki, signingKey: signing, loginCards: login.map(card), registrationCards: registration.map(card) };
}

function identityOf(der: Buffer): CertificateIdentity {
  const parsed = parseCertificate(der);
  if (!parsed.ok) throw new Error('bench card does not parse');
  const p = readProfile(parsed.cert);
  return {
    fingerprintSha256: p.fingerprint,
    issuerDn: p.issuer,
    serialHex: p.serial,
    subjectCn: p.commonName ?? '',
    subjectSerial: p.subjectSerialNumber ?? null,
    idLast4: p.idLast4 ?? null,
    cardSerial: p.cardSerial ?? null,
    notBefore: p.notBefore.toISOString(),
    notAfter: p.notAfter.toISOString(),
    derBase64: der.toString('base64'),
  };
}

/** An active 個人 account bound to each login card (one password hash for all: it is not what is measured here). */
export async function insertLoginAccounts(pool: Pool, cards: BenchCard[]): Promise<void> {
  const passwordHash = await hashPassword(PASSWORD);
  for (const card of cards) {
    const account = (await accountsRepository(pool).insert({
      category: 'individual',
      idNumber: card.idNumber,
      name: card.holderName,
      birthDate: '1980-05-17',
      phone: '0912-345-678',
      address: '臺北市',
      email1: 'bench@example.com.tw',
      email2: null,
      passwordHash,
      status: 'active',
    }))!;
    await certificatesRepository(pool).bind(
      bindingFor(account.id, identityOf(Buffer.from(card.certificateBase64, 'base64'))),
    );
  }
}
