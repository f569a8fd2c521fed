// What the logs never hold: passwords, PINs, signatures, cookies (DESIGN.md §3.6, §7).
import t from 'tap';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../server/config';
import { buildApp, loggerOptions } from '../../server/app';
import { createTestDatabase } from '../helpers/db';
import { TEST_SESSION_SECRET } from '../helpers/session';
import { Browser, csrfFrom } from '../helpers/app';

const db = await createTestDatabase();
t.teardown(db.close);
const lines: string[] = [];
const config = loadConfig({ DATA_DIR: `/tmp/sw-portal-test-${db.schema}`, START_SIGNER: 'false' });
const app: FastifyInstance = await buildApp({
  config,
  pool: db.pool,
  sessionSecret: TEST_SESSION_SECRET,
  // The most talkative level: if a secret were in a request log anywhere, it would be here.
  logger: {
    ...(loggerOptions('trace') as object),
    stream: { write: (line: string) => void lines.push(line) },
  } as never,
});
// A route that logs its whole body the careless way, to prove the redaction paths catch it.
app.post('/test/careless', { config: { csrf: false } }, async (request) => {
  request.log.info({ body: request.body }, 'careless body log');
  return 'ok';
});
await app.ready();
t.teardown(() => app.close());

t.test('a login leaves no password or session cookie in the log', async (t) => {
  const browser = new Browser(app);
  const form = await browser.get('/login/password');
  await browser.post('/login/password', {
    _csrf: csrfFrom(form.body),
    idNumber: 'A123456789',
    password: 'Secret1Password',
  });
  const cookie = browser.cookieHeader.split('=')[1];
  const log = lines.join('\n');
  t.notMatch(log, /Secret1Password/);
  t.ok(cookie && !log.includes(cookie), 'the session cookie value is not logged');
});

t.test('a body logged whole has its password, PIN and signature redacted', async (t) => {
  lines.length = 0;
  await app.inject({
    method: 'POST',
    url: '/test/careless',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: 'password=Hunter2Hunter2&pin=24681357&signature=QUJDREVGR0hJSktMTU5PUA%3D%3D&name=ok',
  });
  const log = lines.join('\n');
  t.match(log, /careless body log/);
  t.notMatch(log, /Hunter2Hunter2/);
  t.notMatch(log, /24681357/);
  t.notMatch(log, /QUJDREVGR0hJSktMTU5PUA/);
  t.match(log, /\[redacted\]/);
});

t.test('the signing callback does not log the signature it refuses', async (t) => {
  lines.length = 0;
  const signature = 'c2lnbmF0dXJlLW5vdC10by1iZS1sb2dnZWQ=';
  await app.inject({
    method: 'POST',
    url: '/signing/callback',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({
      nonce: 'x'.repeat(43),
      signature,
      certificate: 'QUJD',
      signatureType: 'PKCS1',
    }).toString(),
  });
  t.notMatch(lines.join('\n'), /c2lnbmF0dXJlLW5vdC10by1iZS1sb2dnZWQ/);
});
