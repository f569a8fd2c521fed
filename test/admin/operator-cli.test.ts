// `npm run operator`: creates operator and admin accounts with a certificate, or (demo mode only) a password, audited.
import t from 'tap';
import { execFile } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import argon2 from 'argon2';
import { buildTestApp } from '../helpers/app';
import { TEST_DATABASE_URL } from '../helpers/db';
import { accountsRepository } from '../../server/db/accounts-repository';
import { certificatesRepository } from '../../server/db/certificates-repository';
import { cookieFor } from './fixtures';
import { LETTER_VALUES } from '../../server/forms/national-id';

/** A national ID number with a correct check digit: letter, gender digit, seven digits, check digit. */
function validId(letter: string, nine: string): string {
  const value = LETTER_VALUES[letter]!;
  const digits = [Math.floor(value / 10), value % 10, ...Array.from(nine.slice(0, 8), Number)];
  const weights = [1, 9, 8, 7, 6, 5, 4, 3, 2, 1];
  const sum = digits.reduce((acc, d, i) => acc + d * weights[i], 0);
  return `${letter}${nine.slice(0, 8)}${(10 - (sum % 10)) % 10}`;
}
const ADMIN_ID = validId('B', '22345678');
const OTHER_ID = validId('C', '12345678');
const SPARE_ID = validId('D', '12345678');

const ctx = await buildTestApp();
t.teardown(ctx.close);
const pool = ctx.db.pool;
const workDir = mkdtempSync(join(tmpdir(), 'operator-cli-'));
t.teardown(() => rmSync(workDir, { recursive: true, force: true }));

const databaseUrl = `${TEST_DATABASE_URL}?options=-c%20search_path%3D${ctx.db.schema}`;
const ROOT = new URL('../../', import.meta.url).pathname;

function operatorCommand(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'server/cli/operator.ts', ...args],
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? workDir,
          DATABASE_URL: databaseUrl,
          DATA_DIR: workDir,
          ...env,
        },
      },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

/** A signing certificate shaped like a MOICA card's: UTF-8 CN, serialNumber in the subject, the MOICA issuer name. */
function moicaLikeCertificate(cn: string): { pem: string; der: Buffer } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = '0a1b2c3d4e5f60718293';
  cert.validity.notBefore = new Date('2025-01-01T00:00:00Z');
  cert.validity.notAfter = new Date('2030-01-01T00:00:00Z');
  // forge encodes the value as UTF-8 itself when the tag is UTF8String.
  const utf8 = (value: string) => ({ value, valueTagClass: forge.asn1.Type.UTF8 as unknown as forge.asn1.Class });
  cert.setSubject([
    { shortName: 'C', value: 'TW' },
    { shortName: 'CN', ...utf8(cn) },
    { name: 'serialNumber', value: '0000000012345678' },
  ]);
  cert.setIssuer([
    { shortName: 'C', value: 'TW' },
    { shortName: 'O', ...utf8('行政院') },
    { shortName: 'OU', ...utf8('內政部憑證管理中心') },
  ]);
  cert.setExtensions([{ name: 'keyUsage', critical: true, digitalSignature: true }]);
  cert.sign(
    forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()),
    forge.md.sha256.create(),
  );
  const pem = forge.pki.certificateToPem(cert);
  const der = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
  return { pem, der };
}

t.test('add creates an active operator bound to their certificate, with an audit event', async (t) => {
  const { pem, der } = moicaLikeCertificate('陳承辦');
  const file = join(workDir, 'operator.pem');
  writeFileSync(file, pem);
  const run = await operatorCommand([
    'add',
    '--id-number',
    'A123456789',
    '--name',
    '陳承辦',
    '--role',
    'operator',
    '--cert',
    file,
  ]);
  t.equal(run.code, 0, run.stderr);
  t.match(run.stdout, /created operator account \d+: 陳承辦 \(A12\*\*\*\*789\)/);
  const account = (await accountsRepository(pool).findByIdNumber('A123456789'))!;
  t.match(account, { role: 'operator', status: 'active', category: 'individual', name: '陳承辦', passwordHash: null });
  const [cert] = await certificatesRepository(pool).listForAccount(account.id);
  t.match(cert, {
    issuerDn: 'C=TW, O=行政院, OU=內政部憑證管理中心',
    serialHex: '0A1B2C3D4E5F60718293',
    fingerprintSha256: createHash('sha256').update(der).digest('hex'),
    subjectCn: '陳承辦',
    subjectSerial: '0000000012345678',
    unboundAt: null,
  });
  t.equal(cert.notAfter.toISOString(), '2030-01-01T00:00:00.000Z');
  const { rows } = await pool.query(
    "SELECT actor_label, details FROM audit_events WHERE action = 'operator.create' AND subject_account_id = $1",
    [account.id],
  );
  t.equal(rows.length, 1);
  t.match(rows[0].actor_label, /^command:/);
  t.match(rows[0].details, { role: 'operator', password: false, certificate: { serialHex: '0A1B2C3D4E5F60718293' } });
});

t.test('an operator created by the command can open the operator pages', async (t) => {
  const account = (await accountsRepository(pool).findByIdNumber('A123456789'))!;
  const res = await ctx.app.inject({ url: '/admin', headers: { cookie: await cookieFor(pool, account) } });
  t.equal(res.statusCode, 200);
});

t.test('add with --password in demo mode stores an argon2id hash for the first admin', async (t) => {
  const run = await operatorCommand([
    'add',
    '--id-number',
    ADMIN_ID,
    '--name',
    '張管理',
    '--role',
    'admin',
    '--password',
    'Demo2026pass',
  ]);
  t.equal(run.code, 0, run.stderr);
  t.match(run.stdout, /password login enabled \(demo mode\)/);
  const account = (await accountsRepository(pool).findByIdNumber(ADMIN_ID))!;
  t.equal(account.role, 'admin');
  t.match(account.passwordHash, /^\$argon2id\$v=19\$m=19456,(t=2,p=1|p=1,t=2)\$/);
  t.ok(await argon2.verify(account.passwordHash!, 'Demo2026pass'));
});

t.test('add with --password is refused in production mode', async (t) => {
  const run = await operatorCommand(
    ['add', '--id-number', OTHER_ID, '--name', '林正式', '--role', 'admin', '--password', 'Demo2026pass'],
    {
      NODE_ENV: 'production',
      SESSION_SECRET: 'x'.repeat(40),
      PUBLIC_ORIGIN: 'https://portal.example.tw',
      SMTP_URL: 'smtp://127.0.0.1:9',
      MAIL_FROM: 'no-reply@portal.example.tw',
    },
  );
  t.equal(run.code, 2);
  t.match(run.stderr, /--password is refused in production mode/);
  t.equal(await accountsRepository(pool).findByIdNumber(OTHER_ID), undefined);
});

t.test('add refuses a password that breaks the password rule', async (t) => {
  const run = await operatorCommand([
    'add',
    '--id-number',
    OTHER_ID,
    '--name',
    '林正式',
    '--role',
    'admin',
    '--password',
    'short',
  ]);
  t.equal(run.code, 2);
  t.match(run.stderr, /--password: does not meet the password rule/);
});

t.test('add refuses an ID number already registered, and writes nothing', async (t) => {
  const before = (await pool.query('SELECT count(*)::int AS n FROM audit_events')).rows[0].n;
  const run = await operatorCommand([
    'add',
    '--id-number',
    'A123456789',
    '--name',
    '陳承辦',
    '--role',
    'admin',
    '--password',
    'Demo2026pass',
  ]);
  t.equal(run.code, 2);
  t.match(run.stderr, /already exists/);
  t.equal((await pool.query('SELECT count(*)::int AS n FROM audit_events')).rows[0].n, before);
  t.equal((await accountsRepository(pool).findByIdNumber('A123456789'))?.role, 'operator');
});

t.test('add refuses a certificate already bound to another account, and creates no account', async (t) => {
  const run = await operatorCommand([
    'add',
    '--id-number',
    SPARE_ID,
    '--name',
    '陳承辦',
    '--role',
    'operator',
    '--cert',
    join(workDir, 'operator.pem'),
  ]);
  t.equal(run.code, 2);
  t.match(run.stderr, /already bound/);
  t.equal(await accountsRepository(pool).findByIdNumber(SPARE_ID), undefined);
});

t.test('add refuses a file that is not a certificate', async (t) => {
  const file = join(workDir, 'not-a-cert.pem');
  writeFileSync(file, 'hello');
  const run = await operatorCommand([
    'add',
    '--id-number',
    SPARE_ID,
    '--name',
    '王測試',
    '--role',
    'operator',
    '--cert',
    file,
  ]);
  t.equal(run.code, 2);
  t.match(run.stderr, /not a certificate/);
});

t.test('add refuses a bad role, a bad ID number and a missing login method', async (t) => {
  t.match(
    (
      await operatorCommand([
        'add',
        '--id-number',
        SPARE_ID,
        '--name',
        '王測試',
        '--role',
        'citizen',
        '--password',
        'Demo2026pass',
      ])
    ).stderr,
    /--role: must be operator or admin/,
  );
  t.match(
    (
      await operatorCommand([
        'add',
        '--id-number',
        'A123456788',
        '--name',
        '王測試',
        '--role',
        'operator',
        '--password',
        'Demo2026pass',
      ])
    ).stderr,
    /--id-number: is not a valid ID number/,
  );
  const none = await operatorCommand(['add', '--id-number', SPARE_ID, '--name', '王測試', '--role', 'operator']);
  t.equal(none.code, 2);
  t.match(none.stderr, /give --cert/);
});

t.test('list shows operator and admin accounts with masked ID numbers', async (t) => {
  const run = await operatorCommand(['list']);
  t.equal(run.code, 0, run.stderr);
  const lines = run.stdout.trim().split('\n');
  t.match(lines[0], /^id\trole\tstatus/);
  t.equal(lines.length, 3);
  t.match(run.stdout, /operator\tactive\tA12\*\*\*\*789\t陳承辦/);
  t.ok(run.stdout.includes(`admin\tactive\tB22****${ADMIN_ID.slice(-3)}\t張管理`), run.stdout);
});

t.test('an unknown command prints the usage and fails', async (t) => {
  const run = await operatorCommand(['remove']);
  t.equal(run.code, 2);
  t.match(run.stderr, /usage:/);
});
