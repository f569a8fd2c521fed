// Headers every answer carries: no caching of pages made for a session, one answer to framing, a Permissions-Policy;
// and access logs without full ID numbers.
import t from 'tap';
import type { FastifyInstance } from 'fastify';
import { buildTestApp, Browser, csrfFrom } from '../helpers/app';
import { loadConfig } from '../../server/config';
import { buildApp, loggerOptions, redactIdNumbers } from '../../server/app';
import { createTestDatabase } from '../helpers/db';
import { TEST_SESSION_SECRET } from '../helpers/session';
import { accountsRepository } from '../../server/db/accounts-repository';
import { hashPassword } from '../../server/auth/passwords';

const ctx = await buildTestApp();
t.teardown(ctx.close);

t.test('after 登出, Back finds no cached copy of 我的帳號: pages are no-store, logged in or not', async (t) => {
  await accountsRepository(ctx.db.pool).insert({
    category: 'individual',
    idNumber: 'A123456789',
    name: '王小明',
    birthDate: '1980-05-17',
    phone: '0912-345-678',
    address: '臺北市',
    email1: 'a@example.tw',
    email2: null,
    passwordHash: await hashPassword('Harbour2Light'),
    status: 'active',
  });
  const browser = new Browser(ctx.app);
  const form = await browser.get('/login/password');
  t.equal(form.headers['cache-control'], 'no-store', 'a form with a CSRF token');
  await browser.post('/login/password', {
    _csrf: csrfFrom(form.body),
    idNumber: 'A123456789',
    password: 'Harbour2Light',
  });
  const account = await browser.get('/account');
  t.equal(account.statusCode, 200);
  t.equal(account.headers['cache-control'], 'no-store', '我的帳號');
  for (const url of ['/', '/login', '/register', '/downloads', '/no-such-page']) {
    t.equal((await browser.get(url)).headers['cache-control'], 'no-store', url);
  }
});

t.test('stylesheets and scripts may still be cached', async (t) => {
  const css = await ctx.app.inject({ url: '/public/css/portal.css' });
  t.equal(css.statusCode, 200);
  t.match(css.headers['cache-control'], /max-age=3600/);
});

t.test('framing is refused in both ways, and powerful features are switched off', async (t) => {
  const page = await ctx.app.inject({ url: '/' });
  t.equal(page.headers['x-frame-options'], 'DENY');
  t.match(page.headers['content-security-policy'], /frame-ancestors 'none'/);
  t.match(page.headers['permissions-policy'], /camera=\(\)/);
  t.match(page.headers['permissions-policy'], /geolocation=\(\)/);
});

t.test('ID numbers in URLs are masked in logs', async (t) => {
  t.equal(redactIdNumbers('/admin/accounts?q=A123456789'), '/admin/accounts?q=A12****789');
  t.equal(redactIdNumbers('/admin/accounts?q=a123456789&status=active'), '/admin/accounts?q=a12****789&status=active');
  t.equal(
    redactIdNumbers('/admin/accounts?q=AB12345678'),
    '/admin/accounts?q=AB1****678',
    'old resident certificate numbers',
  );
  t.equal(redactIdNumbers('/downloads/12345678'), '/downloads/12345678', 'a number that is no ID stays');
  t.equal(redactIdNumbers('/x?code=ZZA123456789ZZ'), '/x?code=ZZA123456789ZZ', 'inside a longer token: not an ID');
});

t.test('an operator’s search for an ID number leaves only the masked number in the access log', async (t) => {
  const db = await createTestDatabase();
  t.teardown(db.close);
  const lines: string[] = [];
  const config = loadConfig({ DATA_DIR: `/tmp/sw-portal-test-${db.schema}`, START_SIGNER: 'false' });
  const app: FastifyInstance = await buildApp({
    config,
    pool: db.pool,
    sessionSecret: TEST_SESSION_SECRET,
    logger: {
      ...(loggerOptions('info') as object),
      stream: { write: (line: string) => void lines.push(line) },
    } as never,
  });
  t.teardown(() => app.close());
  await app.inject({ url: '/admin/accounts?q=F223456786' });
  const log = lines.join('\n');
  t.match(log, /F22\*\*\*\*786/, 'the request is logged');
  t.notMatch(log, /F223456786/);
});
