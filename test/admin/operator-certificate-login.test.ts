// An operator created by `npm run operator -- add --cert` logs in with that card through the ordinary certificate login
// and lands on /admin: the command binds the certificate exactly as the login looks it up.
import t from 'tap';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_DATABASE_URL } from '../helpers/db';
import { Browser, csrfFrom } from '../helpers/app';
import { challengeFrom, demoCardVerifier, makeDemoPki, signWithCard } from '../helpers/demo-cards';
import { buildRegisterApp } from '../register/helpers';
import { der } from '../../server/pki/index';

const demo = await makeDemoPki(new Date(), [
  { id: 'operator', purpose: 'citizen', holderName: '陳承辦', idNumber: 'B120863158', pin: '135790', issuer: 'g3' },
]);
t.teardown(demo.remove);
const ctx = await buildRegisterApp(demoCardVerifier(demo.pki));
t.teardown(ctx.close);
const workDir = mkdtempSync(join(tmpdir(), 'operator-login-'));
t.teardown(() => rmSync(workDir, { recursive: true, force: true }));

function operatorCommand(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'server/cli/operator.ts', ...args],
      {
        cwd: new URL('../../', import.meta.url).pathname,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: workDir,
          DATA_DIR: workDir,
          DATABASE_URL: `${TEST_DATABASE_URL}?options=-c%20search_path%3D${ctx.db.schema}`,
        },
      },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

t.test('an operator added with their card certificate logs in with the card and opens /admin', async (t) => {
  const certFile = join(workDir, 'operator.pem');
  writeFileSync(certFile, der.toPem('CERTIFICATE', demo.pki.card('operator').signingCertDer));
  const add = await operatorCommand([
    'add',
    '--id-number',
    'B120863158',
    '--name',
    '陳承辦',
    '--role',
    'operator',
    '--cert',
    certFile,
  ]);
  t.equal(add.code, 0, add.stderr);

  const browser = new Browser(ctx.app);
  const anonymous = await browser.get('/admin/accounts');
  t.equal(anonymous.headers.location, `/login?next=${encodeURIComponent('/admin/accounts')}`);
  await browser.get(anonymous.headers.location as string);
  const page = await browser.get('/login/certificate');
  const { tbs, nonce } = challengeFrom(page.body);
  const login = await browser.post('/login/certificate', {
    _csrf: csrfFrom(page.body),
    ...signWithCard(demo.pki, 'operator', tbs, nonce),
  });
  t.equal(login.statusCode, 303);
  t.equal(login.headers.location, '/admin/accounts', 'back to the page asked for');
  const admin = await browser.get('/admin/accounts');
  t.equal(admin.statusCode, 200);
  t.match(admin.body, /陳承辦/);
});

t.test("the card's encryption certificate is refused by the command", async (t) => {
  const certFile = join(workDir, 'encryption.pem');
  writeFileSync(certFile, der.toPem('CERTIFICATE', demo.pki.card('operator').encryptionCertDer));
  const add = await operatorCommand([
    'add',
    '--id-number',
    'A123456789',
    '--name',
    '王小明',
    '--role',
    'operator',
    '--cert',
    certFile,
  ]);
  t.equal(add.code, 2);
  t.match(add.stderr, /encryption certificate/);
});
